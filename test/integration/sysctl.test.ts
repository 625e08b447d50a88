// The sysctl plugin end to end through the CLI, inside a network namespace the test creates
// (net.* keys are per namespace, so the host's own values are never touched).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { namespaceCli, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';

const f = namespaceCli();
const run = (args: string[], input?: string) => f.run(args, {}, input);

test('apply sets the values in /proc/sys of the namespace, then diff is empty', () => {
  const doc = writeDoc(f.dir, 'a.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: 1\n    net.ipv4.conf.all.rp_filter: "2"\n    net.ipv4.ip_local_port_range: "20000 40000"\n');
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.OK, r.stderr);
  assert.match(r.stdout, /transaction \S+: committed/);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '1');
  assert.equal(f.ns.sysctl('net.ipv4.conf.all.rp_filter'), '2');
  assert.equal(f.ns.sysctl('net.ipv4.ip_local_port_range'), '20000\t40000');
  const d = run(['diff', doc]);
  assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
  assert.match(d.stdout, /no changes/);
  const again = run(['apply', doc]);
  assert.equal(again.status, EXIT.OK);
  assert.match(again.stdout, /: no-changes/);
});

test('diff and apply --dry-run exit 2 with the plan and change nothing', () => {
  const doc = writeDoc(f.dir, 'b.json', { version: 1, plugins: { sysctl: { 'net.ipv4.tcp_syncookies': '0' } } });
  const before = f.ns.sysctl('net.ipv4.tcp_syncookies');
  assert.equal(before, '1');
  for (const args of [['diff', doc], ['apply', doc, '--dry-run']]) {
    const r = run(args);
    assert.equal(r.status, EXIT.CHANGES_PENDING, r.stderr);
    assert.match(r.stdout, /~ sysctl:net\.ipv4\.tcp_syncookies {2}"1" -> "0"/);
    assert.match(r.stdout, /Plan: 0 to create, 1 to modify, 0 to delete\./);
  }
  const json = run(['diff', doc, '--format', 'json']);
  assert.deepEqual(JSON.parse(json.stdout).actions, [
    { plugin: 'sysctl', op: 'modify', path: '/plugins/sysctl/net.ipv4.tcp_syncookies', resource: 'sysctl:net.ipv4.tcp_syncookies', before: '1', after: '0' },
  ]);
  assert.equal(f.ns.sysctl('net.ipv4.tcp_syncookies'), before);
});

test('verify names every key changed behind opdbus\'s back', () => {
  const doc = writeDoc(f.dir, 'c.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1"\n    net.ipv4.conf.default.rp_filter: "1"\n');
  assert.equal(run(['apply', doc]).status, EXIT.OK);
  assert.equal(run(['verify', doc]).status, EXIT.OK);
  f.ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0', 'net.ipv4.conf.default.rp_filter=0']);
  const r = run(['verify', doc]);
  assert.equal(r.status, EXIT.CHANGES_PENDING);
  assert.equal(
    r.stdout,
    'verify: 2 differences:\n  /plugins/sysctl/net.ipv4.conf.default.rp_filter: expected "1", found "0"\n  /plugins/sysctl/net.ipv4.ip_forward: expected "1", found "0"\n',
  );
});

test('query output is a valid document that applies back with no changes (stdin)', () => {
  const q = run(['query', '--plugin', 'sysctl', '--format', 'yaml']);
  assert.equal(q.status, EXIT.OK, q.stderr);
  const doc = YAML.parse(q.stdout);
  assert.equal(doc.version, 1);
  assert.equal(doc.plugins.sysctl['net.ipv4.ip_forward'], f.ns.sysctl('net.ipv4.ip_forward'));
  const r = run(['apply', '-'], q.stdout);
  assert.equal(r.status, EXIT.OK, r.stderr);
  assert.match(r.stdout, /no-changes/);
});

test('init --from-current gives a document verify accepts', () => {
  const r = run(['init', '--from-current', '--format', 'json']);
  assert.equal(r.status, EXIT.OK, r.stderr);
  const file = writeDoc(f.dir, 'init.json', r.stdout);
  const v = run(['verify', file]);
  assert.equal(v.status, EXIT.OK, v.stdout + v.stderr);
});

test('doctor reports the addon, state directory, journal and history store as healthy', () => {
  const r = run(['doctor']);
  assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
  assert.match(r.stdout, /\[ ok \] native addon: loaded \(modules: [a-z, ]*lock/);
  assert.match(r.stdout, /\[ ok \] history store: (plain files \(content-addressed\)|btrfs \(read-only snapshots by ioctl\)) at /);
  assert.match(r.stdout, /available {3}sysctl/);
});
