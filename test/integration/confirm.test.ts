// Confirmed apply: `apply --confirm-timeout` keeps the change only if `opdbus commit` comes in time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, test } from 'node:test';
import { namespaceCli, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';
import { readJournal, writeJournal } from '../../src/transaction/journal';

const f = namespaceCli({ stateDirPerTest: true });
beforeEach(() => f.ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']));

const run = (args: string[]) => f.run(args);
const doc = () => writeDoc(f.dir, 'fwd.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "1"\n');
const journal = () => path.join(f.stateDir, 'journal.json');

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('without `opdbus commit` the watchdog rolls the change back at the deadline', async () => {
  const r = run(['apply', doc(), '--confirm-timeout', '1500ms']);
  assert.equal(r.status, EXIT.OK, r.stderr);
  assert.match(r.stdout, /: awaiting-confirm\napplied and verified; run `opdbus commit` before \S+ or it will be rolled back/);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '1', 'applied for now');
  await waitFor(() => !fs.existsSync(journal()), 'the watchdog to settle the transaction');
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '0', 'rolled back');
  const c = run(['commit']);
  assert.equal(c.status, EXIT.BACKEND_FAILED);
  assert.match(c.stderr, /no confirmed apply is waiting for `opdbus commit`/);
});

test('`opdbus commit` in time keeps the change', async () => {
  assert.equal(run(['apply', doc(), '--confirm-timeout', '30s']).status, EXIT.OK);
  const other = writeDoc(f.dir, 'other.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.tcp_syncookies: "0"\n');
  const blocked = run(['apply', other]);
  assert.equal(blocked.status, EXIT.LOCKED, 'no other transaction while one waits for confirmation');
  assert.match(blocked.stderr, /is applied and waiting for `opdbus commit` until/);
  const c = run(['commit']);
  assert.equal(c.status, EXIT.OK, c.stderr);
  assert.match(c.stdout, /^commit: transaction \S+ confirmed\.$/m);
  assert.equal(fs.existsSync(journal()), false);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '1');
});

test('`opdbus recover` rolls back a pending confirmed apply at once', () => {
  assert.equal(run(['apply', doc(), '--confirm-timeout', '30s']).status, EXIT.OK);
  const r = run(['recover']);
  assert.equal(r.status, EXIT.OK, r.stderr);
  assert.match(r.stdout, /rolled back by `opdbus recover` before it was confirmed/);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '0');
});

test('if the watchdog is gone, the next run rolls back an expired confirmed apply', async () => {
  assert.equal(run(['apply', doc(), '--confirm-timeout', '30s']).status, EXIT.OK);
  // Simulate a reboot during the window: the watchdog is gone and the deadline has passed.
  const j = readJournal(f.stateDir)!;
  const killed = spawnSync('pkill', ['-KILL', '-f', `__confirm-watch ${j.txid}`]);
  assert.equal(killed.status, 0, 'the watchdog process was running');
  j.confirmDeadline = new Date(Date.now() - 1000).toISOString();
  writeJournal(f.stateDir, j);
  const r = run(['diff', doc()]);
  assert.equal(r.status, EXIT.OK, 'read-only commands do not settle journals: the change is still there');
  assert.match(r.stderr, /transaction \S+ is unfinished \(awaiting-confirm\); the next apply or `opdbus recover` settles it/);
  const a = run(['apply', writeDoc(f.dir, 'noop.yaml', 'version: 1\nplugins:\n  sysctl: {}\n')]);
  assert.equal(a.status, EXIT.OK, a.stderr);
  assert.match(a.stderr, /was not confirmed with `opdbus commit` before/);
  assert.equal(f.ns.sysctl('net.ipv4.ip_forward'), '0');
});
