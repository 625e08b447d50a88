// Twenty kinds of broken input: each gives the documented exit code and a message naming the file and
// the path, and changes nothing on the host (checked in /proc/sys of a test namespace).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { namespaceCli, opdbus, tempDir, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';

const f = namespaceCli();

interface Case {
  name: string;
  file: string;
  content?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  exit: number;
  message: RegExp;
}

const ok = 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1"\n';
const cases: Case[] = [
  { name: 'bad JSON', file: 'a.json', content: '{"version": 1, "plugins": {"sysctl": {"net.ipv4.ip_forward": "1",}}}', exit: EXIT.INVALID_INPUT, message: /a\.json: invalid JSON at line 1, column 6\d/ },
  { name: 'bad YAML', file: 'b.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1\n', exit: EXIT.INVALID_INPUT, message: /b\.yaml: invalid YAML at line \d+, column \d+/ },
  { name: 'YAML tab indentation', file: 'c.yaml', content: 'version: 1\nplugins:\n\tsysctl: {}\n', exit: EXIT.INVALID_INPUT, message: /c\.yaml: invalid YAML at line 3/ },
  { name: 'YAML duplicate key', file: 'd.yaml', content: 'version: 1\nplugins:\n  sysctl: {}\n  sysctl: {}\n', exit: EXIT.INVALID_INPUT, message: /d\.yaml: invalid YAML at line 4, column 3: Map keys must be unique/ },
  { name: 'empty file', file: 'e.yaml', content: '  \n', exit: EXIT.INVALID_INPUT, message: /e\.yaml: the document is empty/ },
  { name: 'missing file', file: 'missing.yaml', exit: EXIT.INVALID_INPUT, message: /missing\.yaml: cannot read document: no such file/ },
  { name: 'top level is a list', file: 'f.json', content: '[1, 2]', exit: EXIT.INVALID_INPUT, message: /f\.json: \/: must be object \(rule: type\), found \[1,2\]/ },
  { name: 'top level is a string', file: 'g.yaml', content: 'hello\n', exit: EXIT.INVALID_INPUT, message: /g\.yaml: \/: must be object \(rule: type\), found "hello"/ },
  { name: 'missing version', file: 'h.yaml', content: 'plugins:\n  sysctl: {}\n', exit: EXIT.INVALID_INPUT, message: /h\.yaml: \/: missing required property "version" \(rule: required\)/ },
  { name: 'wrong version', file: 'i.yaml', content: 'version: 2\nplugins: {}\n', exit: EXIT.INVALID_INPUT, message: /i\.yaml: \/version: must be 1 \(rule: const\), found 2/ },
  { name: 'version as a string', file: 'j.yaml', content: 'version: "1"\nplugins: {}\n', exit: EXIT.INVALID_INPUT, message: /j\.yaml: \/version: must be 1 \(rule: const\), found "1"/ },
  { name: 'missing plugins', file: 'k.yaml', content: 'version: 1\n', exit: EXIT.INVALID_INPUT, message: /k\.yaml: \/: missing required property "plugins"/ },
  { name: 'plugins is a list', file: 'l.yaml', content: 'version: 1\nplugins: [sysctl]\n', exit: EXIT.INVALID_INPUT, message: /l\.yaml: \/plugins: must be object \(rule: type\), found \["sysctl"\]/ },
  { name: 'unknown plugin', file: 'm.yaml', content: 'version: 1\nplugins:\n  sysctl: {}\n  firewall: {}\n', exit: EXIT.INVALID_INPUT, message: /m\.yaml: \/plugins\/firewall: unknown plugin "firewall" \(known: dbus, login1, lxc, net, ovs, sysctl, systemd\) \(rule: additionalProperties\), found "firewall"/ },
  { name: 'unknown top-level key', file: 'n.yaml', content: 'version: 1\nplugins: {}\nplugin: {}\n', exit: EXIT.INVALID_INPUT, message: /n\.yaml: \/plugin: unknown property "plugin" \(rule: additionalProperties\)/ },
  { name: 'sysctl value of the wrong type', file: 'o.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: {on: true}\n', exit: EXIT.INVALID_INPUT, message: /o\.yaml: \/plugins\/sysctl\/net\.ipv4\.ip_forward: must be string,integer,boolean \(rule: type\), found \{"on":true\}/ },
  { name: 'sysctl section is a list', file: 'p.yaml', content: 'version: 1\nplugins:\n  sysctl: [net.ipv4.ip_forward]\n', exit: EXIT.INVALID_INPUT, message: /p\.yaml: \/plugins\/sysctl: must be object \(rule: type\)/ },
  { name: 'sysctl key escaping /proc/sys', file: 'q.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    ../../etc/passwd: "x"\n', exit: EXIT.INVALID_INPUT, message: /q\.yaml: \/plugins\/sysctl: has an invalid name "\.\.\/\.\.\/etc\/passwd" \(rule: propertyNames\)/ },
  { name: 'sysctl key that does not exist', file: 'r.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.no_such_knob: "1"\n    net.ipv4.ip_forward: "1"\n', exit: EXIT.INVALID_INPUT, message: /r\.yaml: \/plugins\/sysctl\/net\.ipv4\.no_such_knob: no such kernel parameter \(\/proc\/sys\/net\/ipv4\/no_such_knob does not exist\) \(rule: plugin\)/ },
  { name: 'sysctl key that is read-only', file: 's.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    kernel.osrelease: "1.0"\n', exit: EXIT.INVALID_INPUT, message: /s\.yaml: \/plugins\/sysctl\/kernel\.osrelease: is read-only on this kernel \(rule: plugin\)/ },
  { name: 'a sysctl directory instead of a key', file: 't.yaml', content: 'version: 1\nplugins:\n  sysctl:\n    net.ipv4: "1"\n', exit: EXIT.INVALID_INPUT, message: /t\.yaml: \/plugins\/sysctl\/net\.ipv4: names a directory of parameters, not a parameter/ },
  { name: 'unknown --plugin name', file: 'u.yaml', content: ok, args: ['--plugin', 'sysctl,nope'], exit: EXIT.INVALID_INPUT, message: /unknown plugin "nope" \(known: / },
  { name: 'a plugin unavailable on this host', file: 'v.yaml', content: 'version: 1\nplugins:\n  sysctl: {}\n  lxc: {containers: []}\n', exit: EXIT.PLUGIN_UNAVAILABLE, message: /the document needs plugins that are unavailable on this host:\n {2}lxc: the lxc plugin is not part of this opdbus build yet/ },
  { name: 'config file with an unknown setting', file: 'w.yaml', content: ok, env: { OPDBUS_CONFIG: '' }, exit: EXIT.INVALID_INPUT, message: /config\.yaml: \/statedir: unknown setting/ },
  { name: 'bad --lock-timeout', file: 'x.yaml', content: ok, args: ['--lock-timeout', 'soon'], exit: EXIT.INVALID_INPUT, message: /--lock-timeout: expected a duration like 500ms, 30s, 2m or 1h, found "soon"/ },
];

test('there are at least twenty kinds of broken input', () => assert.ok(cases.length >= 20));

for (const c of cases) {
  test(`broken input: ${c.name}`, () => {
    const file = c.content === undefined ? path.join(f.dir, c.file) : writeDoc(f.dir, c.file, c.content);
    const env = { ...c.env };
    if (env.OPDBUS_CONFIG !== undefined) env.OPDBUS_CONFIG = writeDoc(f.dir, 'config.yaml', 'statedir: /tmp\n');
    f.ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
    for (const command of ['apply', 'diff']) {
      const args = env.OPDBUS_CONFIG ? ['--config', env.OPDBUS_CONFIG, command, file] : [command, file];
      const r = opdbus([...args, ...(c.args ?? [])], { netns: f.ns.name, stateDir: f.stateDir });
      assert.equal(r.status, c.exit, `${command}: exit ${r.status}, stderr: ${r.stderr}`);
      assert.match(r.stderr, c.message, command);
      assert.equal(r.stdout, '', `${command}: nothing on stdout`);
    }
    assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '0', 'nothing changed');
  });
}

test('a usage error (unknown option) exits 64', () => {
  const r = opdbus(['apply', '--no-such-flag', 'x.yaml'], { stateDir: f.stateDir });
  assert.equal(r.status, EXIT.USAGE);
  assert.match(r.stderr, /unknown option '--no-such-flag'/);
});

test('a config file with an unknown log_level is an input error, not silent logging', () => {
  const dir2 = tempDir();
  const config = writeDoc(dir2, 'config.yaml', 'log_level: verbose\n');
  const r = opdbus(['--config', config, 'doctor'], { stateDir: f.stateDir });
  assert.equal(r.status, EXIT.INVALID_INPUT);
  assert.match(r.stderr, /config\.yaml: \/log_level: expected one of error, warn, info, debug, found "verbose"/);
});

test('a bad plugins.history setting stops apply before anything changes (the history observer loads late, its settings do not)', () => {
  const config = writeDoc(f.dir, 'history-config.yaml', 'plugins:\n  history:\n    backend: btfrs\n');
  const file = writeDoc(f.dir, 'history-ok.yaml', ok);
  f.ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
  const r = opdbus(['--config', config, 'apply', file], { netns: f.ns.name, stateDir: f.stateDir });
  assert.equal(r.status, EXIT.INVALID_INPUT, r.stderr);
  assert.match(r.stderr, /\/plugins\/history\/backend: expected one of auto, btrfs, files, found "btfrs"/);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '0', 'nothing changed');
});
