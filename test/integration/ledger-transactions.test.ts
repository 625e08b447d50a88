// The ledger through the real CLI and transaction manager, with the sysctl plugin in a test
// namespace: every transaction (committed apply, rolled-back apply, recover) leaves exactly one
// block (a confirmed apply too: when committed or when rolled back), dry runs none, a re-delivered
// record none; `audit verify/prove/verify-proof` end to end.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import type { Block } from '../../src/ledger/block';
import { opdbus, tempDir, writeDoc } from '../harness/cli';
import { createNetns, type TestNetns } from '../harness/netns';

let ns: TestNetns;
let dir: string;
let stateDir: string;
before(() => {
  ns = createNetns();
  dir = tempDir('opdbus-t-ledger-');
  stateDir = path.join(dir, 'state');
  ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0', 'net.ipv4.conf.all.rp_filter=0']);
});
after(() => {
  ns.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => opdbus(args, { netns: ns.name, stateDir, env });
const doc = (fwd: string, rp: string) => writeDoc(dir, `d-${fwd}-${rp}.yaml`, `version: 1\nplugins:\n  sysctl:\n    net.ipv4.ip_forward: "${fwd}"\n    net.ipv4.conf.all.rp_filter: "${rp}"\n`);

function log(): Block[] {
  const r = run(['audit', 'log', '--format', 'json']);
  assert.equal(r.status, EXIT.OK, r.stderr);
  return JSON.parse(r.stdout) as Block[];
}

test('apply, rolled-back apply and recover each leave exactly one block; dry runs none', () => {
  const first = run(['apply', doc('1', '2')]);
  assert.equal(first.status, EXIT.OK, first.stderr);
  let blocks = log();
  assert.equal(blocks.length, 1);
  assert.deepEqual([blocks[0].index, blocks[0].operation, blocks[0].outcome, blocks[0].footprints.map((f) => f.plugin)], [0, 'apply', 'committed', ['sysctl']]);
  assert.match(blocks[0].footprints[0].beforeHash, /^[0-9a-f]{64}$/);
  assert.notEqual(blocks[0].footprints[0].afterHash, blocks[0].footprints[0].beforeHash);
  assert.equal(blocks[0].actor.command, `opdbus apply ${doc('1', '2')}`);

  assert.equal(run(['apply', doc('0', '0'), '--dry-run']).status, EXIT.CHANGES_PENDING);
  assert.equal(log().length, 1, 'a dry run writes no block');

  const failed = run(['apply', doc('0', '0')], { OPDBUS_FAILPOINTS: 'tx.after-apply:sysctl=error' });
  assert.equal(failed.status, EXIT.APPLY_FAILED_ROLLED_BACK, failed.stderr);
  blocks = log();
  assert.equal(blocks.length, 2);
  assert.deepEqual([blocks[1].operation, blocks[1].outcome, blocks[1].footprints[0].rolledBack], ['apply', 'rolled-back', true]);

  const crashed = run(['apply', doc('0', '0')], { OPDBUS_FAILPOINTS: 'sysctl.after-write=crash@1' });
  assert.equal(crashed.signal, 'SIGKILL');
  assert.equal(log().length, 2, 'a transaction killed mid-apply has written no block yet');
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stderr);
  blocks = log();
  assert.equal(blocks.length, 3);
  assert.deepEqual([blocks[2].operation, blocks[2].outcome], ['recover', 'rolled-back']);

  const verify = run(['audit', 'verify']);
  assert.equal(verify.status, EXIT.OK, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^audit verify: ok: 3 blocks; latest signed checkpoint: 3 blocks at /);
});

test('a record re-delivered by recover after a crash inside the ledger observer is not written twice', () => {
  const before = log().length;
  const r = run(['apply', doc('1', '1')], { OPDBUS_FAILPOINTS: 'ledger.after-append=crash' });
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(log().length, before + 1, 'the block was durable before the crash');
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stderr);
  assert.match(rec.stdout, /had committed; its records are now complete/);
  const blocks = log();
  assert.equal(blocks.length, before + 1);
  assert.equal(new Set(blocks.map((b) => b.txid)).size, blocks.length);
});

test('a confirmed apply leaves one block when committed, and one when the watchdog rolls it back', async () => {
  const start = log().length;
  assert.equal(run(['apply', doc('1', '0'), '--confirm-timeout', '30s']).status, EXIT.OK);
  assert.equal(log().length, start, 'nothing final yet while waiting for `opdbus commit`');
  assert.equal(run(['commit']).status, EXIT.OK);
  let blocks = log();
  assert.deepEqual([blocks.length, blocks.at(-1)!.outcome], [start + 1, 'committed']);

  const pending = run(['apply', doc('0', '1'), '--confirm-timeout', '1500ms']);
  assert.equal(pending.status, EXIT.OK, pending.stderr);
  const txid = /transaction (\S+): awaiting-confirm/.exec(pending.stdout)?.[1];
  for (let i = 0; i < 300 && log().length === start + 1; i++) await new Promise((r) => setTimeout(r, 100));
  blocks = log();
  assert.equal(blocks.length, start + 2, 'the watchdog rollback wrote one block');
  assert.deepEqual([blocks.at(-1)!.txid, blocks.at(-1)!.outcome, blocks.at(-1)!.error?.code], [txid, 'rolled-back', 'CONFIRM_TIMEOUT']);
  assert.equal(run(['audit', 'verify']).status, EXIT.OK);
});

test('audit prove -> verify-proof works offline; a tampered proof or ledger fails with exit 10 naming the block', () => {
  const proof = run(['audit', 'prove', '1']);
  assert.equal(proof.status, EXIT.OK, proof.stderr);
  const file = writeDoc(dir, 'proof.json', proof.stdout);
  const ok = opdbus(['audit', 'verify-proof', file]);
  assert.equal(ok.status, EXIT.OK, ok.stderr);
  assert.match(ok.stdout, /^proof ok: block 1 is in the ledger of \d+ blocks signed at \S+ by host key [0-9a-f]{64}\n$/);

  const forged = JSON.parse(proof.stdout);
  forged.block = forged.block.replace('"rolled-back"', '"committed"');
  const bad = opdbus(['audit', 'verify-proof', writeDoc(dir, 'forged.json', forged)]);
  assert.equal(bad.status, EXIT.INTEGRITY_FAILED);
  assert.equal(bad.stderr, 'opdbus: error: proof does not verify: the audit path does not lead from block 1 to the signed root\n');

  const blocksFile = path.join(stateDir, 'ledger', 'blocks.jsonl');
  const text = fs.readFileSync(blocksFile, 'utf8');
  fs.writeFileSync(blocksFile, text.replace('"outcome":"rolled-back"', '"outcome":"committed"'));
  const verify = run(['audit', 'verify']);
  assert.equal(verify.status, EXIT.INTEGRITY_FAILED);
  assert.match(verify.stdout, /^audit verify: FAILED: block 1: content: its content does not match its hash [0-9a-f]{16}\.\.\.\n/);
  fs.writeFileSync(blocksFile, text);
});
