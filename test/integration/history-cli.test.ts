// `opdbus snapshot / history / rollback` end to end: the CLI in a test network namespace (sysctl
// net.* keys are per namespace), with its state directory on a real loop-mounted btrfs; the rollback
// is checked in the audit ledger too.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import type { HistoryPoint } from '../../src/history';
import { createBtrfs, referenceList, referenceReadOnly, type TestBtrfs } from '../harness/btrfs';
import { opdbus, writeDoc } from '../harness/cli';
import { createNetns, type TestNetns } from '../harness/netns';

let ns: TestNetns;
let fsys: TestBtrfs;
let stateDir: string;
before(() => {
  ns = createNetns();
  fsys = createBtrfs();
  stateDir = `${fsys.mnt}/state`;
  fs.mkdirSync(stateDir);
});
after(() => {
  ns?.remove();
  fsys?.remove();
});

const run = (args: string[]) => opdbus(args, { netns: ns.name, stateDir });
const points = (): HistoryPoint[] => JSON.parse(run(['history', '--format', 'json']).stdout) as HistoryPoint[];

test('snapshot, apply, then rollback to the snapshot restores the sysctl state', () => {
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
  const snap = run(['snapshot', '--reason', 'baseline', '-p', 'sysctl']);
  assert.equal(snap.status, EXIT.OK, snap.stderr);
  assert.equal(snap.stdout, 'history point 1 kept (sysctl)\n');

  const doc = writeDoc(fsys.dir, 'forward.yaml', 'version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: 1\n    net.ipv4.conf.all.rp_filter: "2"\n');
  assert.equal(run(['apply', doc]).status, EXIT.OK);
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '1');

  const [manual, pre, post] = points();
  assert.deepEqual([manual.kind, manual.reason, pre.kind, post.kind, post.pre], ['manual', 'baseline', 'pre', 'post', 2]);
  assert.equal(pre.txid, post.txid);
  assert.match(pre.txid!, /^\d{8}T\d{6}-[0-9a-f]{8}$/);
  assert.equal(pre.reason, `apply ${doc} (committed)`);

  const diffNow = run(['history', 'diff', '1']);
  assert.equal(diffNow.status, EXIT.CHANGES_PENDING);
  assert.match(diffNow.stdout, /^point 1 -> now: \d+ differences?\n/);
  assert.match(diffNow.stdout, /~ sysctl:net\.ipv4\.ip_forward {2}"0" -> "1"/);
  const diffPair = run(['history', 'diff', '2', '3']);
  assert.equal(diffPair.status, EXIT.CHANGES_PENDING);
  assert.match(diffPair.stdout, /~ sysctl:net\.ipv4\.conf\.all\.rp_filter {2}"\d" -> "2"/);
  assert.equal(run(['history', 'diff', '3']).status, EXIT.OK, 'the host still matches the post point');

  const dry = run(['rollback', '1', '--dry-run']);
  assert.equal(dry.status, EXIT.CHANGES_PENDING);
  assert.match(dry.stdout, /^rollback to history point 1 \(.*, baseline\): \d+ changes?/);
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '1', 'dry run changes nothing');

  const rb = run(['rollback', '1']);
  assert.equal(rb.status, EXIT.OK, rb.stderr);
  assert.match(rb.stdout, /transaction \S+: committed\n$/);
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
  const after = points();
  assert.deepEqual(after.slice(3).map((p) => [p.id, p.kind, p.operation, p.reason]), [
    [4, 'pre', 'rollback', 'rollback history point 1 (committed)'],
    [5, 'post', 'rollback', 'rollback history point 1 (committed)'],
  ]);
  assert.equal(run(['history', 'diff', '1']).status, EXIT.OK, 'back at the snapshot');

  // The rollback is a transaction like any other: one ledger block, linked to its points by txid.
  const blocks = JSON.parse(run(['audit', 'log', '--format', 'json']).stdout) as { txid: string; operation: string; outcome: string; source?: { file: string } }[];
  assert.deepEqual(blocks.map((b) => [b.txid, b.operation, b.outcome]), [
    [pre.txid, 'apply', 'committed'],
    [after[3].txid, 'rollback', 'committed'],
  ]);
  assert.equal(blocks[1].source?.file, 'history point 1');
  assert.equal(run(['audit', 'verify']).status, EXIT.OK);
});

test('every point is a read-only btrfs snapshot; show prints an applicable document', () => {
  const snaps = referenceList(fsys).filter((s) => s.path.startsWith('state/history/points/'));
  assert.deepEqual(snaps.map((s) => s.path), [1, 2, 3, 4, 5].map((i) => `state/history/points/${i}`));
  assert.ok(snaps.every((s) => referenceReadOnly(fsys, `${fsys.mnt}/${s.path}`)));
  const shown = JSON.parse(run(['history', 'show', '1']).stdout);
  assert.equal(shown.version, 1);
  assert.equal(shown.plugins.sysctl['net.ipv4.ip_forward'], '0');
  assert.equal(shown.meta.reason, 'baseline');
});

test('filters, bad ids and missing points', () => {
  const pres = JSON.parse(run(['history', '--kind', 'pre', '--since', '1h', '--format', 'json']).stdout) as HistoryPoint[];
  assert.deepEqual(pres.map((p) => p.id), [2, 4]);
  assert.deepEqual(JSON.parse(run(['history', '--plugin', 'net', '--format', 'json']).stdout), []);
  const bad = run(['rollback', 'x']);
  assert.equal(bad.status, EXIT.INVALID_INPUT);
  assert.equal(bad.stderr, 'opdbus: error: ID: expected a history point id (a positive integer), found "x"\n');
  const missing = run(['history', 'show', '99']);
  assert.equal(missing.status, EXIT.BACKEND_FAILED);
  assert.equal(missing.stderr, `opdbus: error: no history point 99 in ${stateDir}/history\n`);
  const since = run(['history', '--since', 'yesterday-ish']);
  assert.equal(since.status, EXIT.INVALID_INPUT);
  assert.match(since.stderr, /--since: expected an ISO 8601 time or a duration like 12h or 7d, found "yesterday-ish"/);
});

test('prune follows plugins.history in the config file', () => {
  const config = writeDoc(fsys.dir, 'config.yaml', 'plugins:\n  history:\n    keep_last: 2\n    hourly: 0\n    daily: 0\n    monthly: 0\n    yearly: 0\n    min_free: 0\n');
  const dry = run(['--config', config, 'history', 'prune', '--dry-run']);
  assert.equal(dry.stdout, 'history prune: would delete 3 point(s): 1, 2, 3; keeping 2\n');
  assert.equal(points().length, 5);
  const real = run(['--config', config, 'history', 'prune']);
  assert.equal(real.status, EXIT.OK, real.stderr);
  assert.deepEqual(points().map((p) => p.id), [4, 5]);
  assert.deepEqual(referenceList(fsys).filter((s) => s.path.startsWith('state/history/points/')).map((s) => s.path), ['state/history/points/4', 'state/history/points/5']);

  const typo = writeDoc(fsys.dir, 'typo.yaml', 'plugins:\n  history:\n    keeplast: 2\n');
  const r = run(['--config', typo, 'history', 'prune']);
  assert.equal(r.status, EXIT.INVALID_INPUT);
  assert.match(r.stderr, /\/plugins\/history\/keeplast: unknown setting \(known: backend, keep_last, hourly, daily, weekly, monthly, yearly, min_free\)/);
});
