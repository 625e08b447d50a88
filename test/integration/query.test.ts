// `opdbus query` in both modes: Piscina workers (--parallel) and the main thread give the same document;
// a plugin that fails or times out is reported beside the others; unavailable plugins are listed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { namespaceCli, OPDBUS_BIN, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';

const f = namespaceCli();
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => f.run(args, env);
const withoutTime = (doc: { meta: { queried_at?: string } }) => ({ ...doc, meta: { ...doc.meta, queried_at: undefined } });

test('--parallel and sequential queries print the same document', () => {
  const seq = run(['query']);
  const par = run(['query', '--parallel']);
  assert.equal(seq.status, EXIT.OK, seq.stderr);
  assert.equal(par.status, EXIT.OK, par.stderr);
  const a = JSON.parse(seq.stdout);
  const b = JSON.parse(par.stdout);
  assert.deepEqual(withoutTime(b), withoutTime(a));
  assert.equal(a.version, 1);
  assert.equal(a.plugins.sysctl['net.ipv4.ip_forward'], f.ns.sysctl('net.ipv4.ip_forward'));
});

test('plugins without a backend here are listed as unavailable with a reason, which is not a failure', () => {
  const r = run(['query', '--parallel']);
  assert.equal(r.status, EXIT.OK);
  const doc = JSON.parse(r.stdout);
  for (const [plugin, reason] of Object.entries(doc.meta.unavailable ?? {})) {
    assert.equal(typeof reason, 'string', plugin);
    assert.ok((reason as string).length > 10, `${plugin} has a reason a user can act on`);
    assert.equal(doc.plugins[plugin], undefined);
  }
});

test('a plugin named with --plugin that is unavailable exits 7', () => {
  const r = run(['query', '--plugin', 'lxc']);
  assert.equal(r.status, EXIT.PLUGIN_UNAVAILABLE);
  assert.match(r.stderr, /lxc: unavailable: the lxc plugin is not part of this opdbus build yet/);
});

for (const parallel of [true, false]) {
  test(`a plugin query that hangs times out and is reported beside the others (${parallel ? 'parallel' : 'sequential'})`, () => {
    const config = writeDoc(f.dir, 'config.yaml', 'query_timeout_ms: 300\n');
    const args = ['--config', config, 'query', ...(parallel ? ['--parallel'] : [])];
    const r = run(args, { OPDBUS_FAILPOINTS: 'sysctl.query=sleep:5000' });
    assert.equal(r.status, EXIT.PARTIAL_FAILURE, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.plugins.sysctl, undefined);
    assert.deepEqual(doc.meta.failed.sysctl, { kind: 'Timeout', code: 'TIMEOUT', message: 'sysctl: query did not finish within 300 ms' });
    assert.match(r.stderr, /sysctl: query failed \(Timeout\)/);
  });
}

test('a plugin query that fails is reported with its error kind (exit 8)', () => {
  const r = run(['query', '--parallel', '--plugin', 'sysctl'], { OPDBUS_FAILPOINTS: 'sysctl.query=error:PermissionDenied' });
  assert.equal(r.status, EXIT.PARTIAL_FAILURE);
  assert.deepEqual(JSON.parse(r.stdout).meta.failed.sysctl, { kind: 'PermissionDenied', code: 'FAILPOINT', message: 'failpoint sysctl.query fired' });
});

test('a reader that goes away (`opdbus query | true`) ends the output quietly: exit 0, no stack trace', () => {
  // `true` exits at once, long before opdbus has started: its write finds no reader (EPIPE).
  const script = `OPDBUS_NODE="${process.execPath}" "${OPDBUS_BIN}" query --plugin sysctl 2>"${f.dir}/stderr" | true; echo "\${PIPESTATUS[0]}"`;
  const r = spawnSync('ip', ['netns', 'exec', f.ns.name, 'bash', '-c', script], { encoding: 'utf8', env: { ...process.env, OPDBUS_STATE_DIR: f.stateDir } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(`${f.dir}/stderr`, 'utf8'), '');
  assert.equal(r.stdout.trim(), String(EXIT.OK));
});
