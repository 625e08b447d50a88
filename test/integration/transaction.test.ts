// The transaction manager against real /proc/sys in a test namespace: rollback on failure at chosen
// points, recovery after SIGKILL mid-apply, and the host lock.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, test } from 'node:test';
import { namespaceCli, opdbusAsync, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';
import { readJournal } from '../../src/transaction/journal';

const f = namespaceCli({ stateDirPerTest: true });
beforeEach(() => f.ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.tcp_syncookies=1']));

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => f.run(args, env);
const values = () => ({ fwd: f.ns.sysctl('net.ipv4.ip_forward'), rp: f.ns.sysctl('net.ipv4.conf.all.rp_filter'), syn: f.ns.sysctl('net.ipv4.tcp_syncookies') });
const twoChanges = () => writeDoc(f.dir, 'two.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1"\n    net.ipv4.conf.all.rp_filter: "2"\n');

for (const point of ['tx.after-checkpoint', 'tx.after-apply:sysctl', 'tx.before-verify', 'sysctl.after-write']) {
  test(`a failure at ${point} rolls everything back (exit 4)`, () => {
    const r = run(['apply', twoChanges()], { OPDBUS_FAILPOINTS: `${point}=error` });
    assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK, r.stderr);
    assert.match(r.stderr, new RegExp(`failpoint ${point.replace('.', '\\.')} fired`));
    assert.match(r.stderr, /every change was rolled back/);
    assert.deepEqual(values(), { fwd: '0', rp: '0', syn: '1' });
    assert.equal(fs.existsSync(path.join(f.stateDir, 'journal.json')), false, 'journal removed after a clean rollback');
  });
}

test('a value the kernel refuses (EINVAL) rolls back the change made before it, naming the key', () => {
  // Keys apply in sorted order: rp_filter is written first, then the kernel refuses ip_forward=abc.
  const doc = writeDoc(f.dir, 'bad.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: abc\n    net.ipv4.conf.all.rp_filter: "2"\n');
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK, r.stderr);
  assert.match(r.stderr, /opdbus: error: write net\.ipv4\.ip_forward=abc: EINVAL: invalid argument/);
  assert.deepEqual(values(), { fwd: '0', rp: '0', syn: '1' });
});

test('SIGKILL between two changes is rolled back by the next apply', () => {
  const r = run(['apply', twoChanges()], { OPDBUS_FAILPOINTS: 'sysctl.after-write=crash@1' });
  assert.equal(r.signal, 'SIGKILL');
  assert.deepEqual(values(), { fwd: '0', rp: '2', syn: '1' }, 'first change made, second not: half-applied');
  assert.deepEqual(readJournal(f.stateDir)?.started, ['sysctl']);
  const other = writeDoc(f.dir, 'other.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.tcp_syncookies: "0"\n');
  const next = run(['apply', other]);
  assert.equal(next.status, EXIT.OK, next.stderr);
  assert.match(next.stderr, /settled an earlier transaction first: transaction \S+ did not finish \(pid \d+\)/);
  assert.deepEqual(values(), { fwd: '0', rp: '0', syn: '0' });
  assert.equal(fs.existsSync(path.join(f.stateDir, 'journal.json')), false);
});

test('SIGKILL mid-apply is rolled back by `opdbus recover`', () => {
  const r = run(['apply', twoChanges()], { OPDBUS_FAILPOINTS: 'sysctl.after-write=crash@2' });
  assert.equal(r.signal, 'SIGKILL');
  assert.deepEqual(values(), { fwd: '1', rp: '2', syn: '1' }, 'both written, never verified nor committed');
  const doctor = run(['doctor']);
  assert.match(doctor.stdout, /unfinished transaction \S+ from pid \d+: run `opdbus recover`/);
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stderr);
  assert.match(rec.stdout, /^recover: rolled back unfinished transaction/);
  assert.deepEqual(values(), { fwd: '0', rp: '0', syn: '1' });
  assert.equal(run(['recover']).stdout, 'recover: no unfinished transaction.\n');
});

test('two concurrent applies never interleave: the second is refused, or waits with --lock-timeout', async () => {
  const first = writeDoc(f.dir, 'first.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1"\n    net.ipv4.conf.all.rp_filter: "1"\n');
  const second = writeDoc(f.dir, 'second.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "0"\n    net.ipv4.conf.all.rp_filter: "2"\n');
  // The first holds the lock between checkpoint and apply for a while.
  const holder = opdbusAsync(['apply', first], { netns: f.ns.name, stateDir: f.stateDir, env: { OPDBUS_FAILPOINTS: 'tx.after-checkpoint=sleep:2500' } });
  const owner = path.join(f.stateDir, 'lock.owner');
  for (let i = 0; i < 200 && !fs.existsSync(owner); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(fs.existsSync(owner), 'first apply took the lock');

  const refused = await opdbusAsync(['apply', second], { netns: f.ns.name, stateDir: f.stateDir });
  assert.equal(refused.status, EXIT.LOCKED);
  assert.match(refused.stderr, /another opdbus transaction holds the host lock .*\/lock by pid \d+ \(opdbus apply .*first\.yaml/);

  const waiter = opdbusAsync(['apply', second, '--lock-timeout', '60s'], { netns: f.ns.name, stateDir: f.stateDir });
  const [h, w] = await Promise.all([holder, waiter]);
  assert.equal(h.status, EXIT.OK, h.stderr);
  assert.equal(w.status, EXIT.OK, w.stderr);
  // The waiter planned after the holder committed: it saw the holder's values as "before".
  assert.match(w.stdout, /sysctl:net\.ipv4\.ip_forward {2}"1" -> "0"/);
  assert.deepEqual(values(), { fwd: '0', rp: '2', syn: '1' });
});

test('SIGTERM during apply rolls back what was applied and exits 4', async () => {
  const child = opdbusAsync(['apply', twoChanges()], { netns: f.ns.name, stateDir: f.stateDir, env: { OPDBUS_FAILPOINTS: 'tx.after-apply:sysctl=sleep:3000' } });
  // Wait until the change is made (both keys written), then interrupt.
  for (let i = 0; i < 200 && f.ns.sysctl('net.ipv4.ip_forward') !== '1'; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '1');
  const pids = f.ns.exec('pgrep', ['-f', `cli/start.js apply ${twoChanges()}`]).trim().split('\n');
  for (const pid of pids) process.kill(Number(pid), 'SIGTERM');
  const r = await child;
  assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK, r.stderr);
  assert.match(r.stderr, /SIGTERM received: stopping the transaction and rolling back/);
  assert.match(r.stderr, /interrupted by SIGTERM/);
  assert.deepEqual(values(), { fwd: '0', rp: '0', syn: '1' });
});
