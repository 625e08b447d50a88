// Group commit, proofs and prune at the library level: concurrent appends share writes and
// checkpoints, proofs verify offline (before and after pruning), and prune keeps the log verifiable
// from its signed anchor (a tampered anchor or pruned-leaf file is caught).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ledgerPaths } from '../../src/ledger/paths';
import { LedgerStore } from '../../src/ledger/store';
import { verifyLedger } from '../../src/ledger/verify';
import { checkInclusionProof, proveConsistency, proveInclusion } from '../../src/ledger/proof';
import { pruneBefore } from '../../src/ledger/prune';
import { readCheckpoints } from '../../src/ledger/checkpoint';
import { copyStateDir, ledgerStateDir, removeDir, sampleBlock, writeLedger } from '../harness/ledger';

const dirs: string[] = [];
const fresh = (): string => {
  const d = ledgerStateDir();
  dirs.push(d);
  return d;
};
after(() => dirs.forEach(removeDir));

test('concurrent appends are group-committed: one chain, one checkpoint, all verified', async () => {
  const dir = fresh();
  const store = await LedgerStore.open(dir);
  const blocks = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(sampleBlock(i))));
  await store.close();
  assert.deepEqual(blocks.map((b) => b.index), Array.from({ length: 50 }, (_, i) => i));
  const cps = readCheckpoints(ledgerPaths(dir));
  // All 50 were queued before the flush started: one write, one fdatasync, one checkpoint.
  assert.equal(cps.length, 1, `${cps.length} checkpoints for 50 concurrent appends`);
  assert.equal(cps.at(-1)!.size, 50);
  assert.equal((await verifyLedger(dir)).ok, true);
});

test('every block has an inclusion proof that checks offline; consistency proofs between any sizes', async () => {
  const dir = fresh();
  await writeLedger(dir, 9);
  for (let i = 0; i < 9; i++) {
    const doc = await proveInclusion(dir, i);
    assert.deepEqual(checkInclusionProof(JSON.parse(JSON.stringify(doc))).index, i);
  }
  const doc = await proveInclusion(dir, 4);
  assert.throws(() => checkInclusionProof({ ...doc, index: 5 }), { message: 'proof does not verify: the block says it is block 4, the proof is for block 5' });
  assert.throws(() => checkInclusionProof({ ...doc, proof: doc.proof.slice(1) }), { message: 'proof does not verify: the audit path does not lead from block 4 to the signed root' });
  assert.throws(() => checkInclusionProof(doc, 'f'.repeat(64)), /^OpdbusError: proof does not verify: signed by host key [0-9a-f]{64}, expected f{64}$/);
  assert.throws(() => checkInclusionProof({ ...doc, proof: ['zz'] }), { message: '/proof: expected a list of 64-hex-digit hashes, found ["zz"]' });
  assert.throws(() => checkInclusionProof({ ...doc, checkpoint: { ...doc.checkpoint, root: [doc.checkpoint.root] } }), { name: 'OpdbusError', kind: 'InvalidInput', path: '/checkpoint' });
  for (const [a, b] of [[0, 9], [1, 9], [4, 7], [8, 8]]) assert.equal((await proveConsistency(dir, a, b)).verified, true, `${a} -> ${b}`);
  await assert.rejects(proveConsistency(dir, 3, 10), { message: "consistency: expected 0 <= OLD <= NEW <= 9 (the ledger's size), found 3 and 10" });
});

test('prune drops old blocks yet the log still verifies, appends and proves from its signed anchor', async () => {
  const dir = fresh();
  await writeLedger(dir, 10); // block i is at minute i of 2026-01-01
  const r = await pruneBefore(dir, new Date(Date.UTC(2026, 0, 1, 0, 6)));
  assert.deepEqual([r.pruned, r.retained], [6, 4]);
  assert.equal(fs.readFileSync(ledgerPaths(dir).blocks, 'utf8').split('\n').length - 1, 4);
  let report = await verifyLedger(dir);
  assert.deepEqual([report.ok, report.blocks, report.pruned], [true, 10, 6], report.failure?.message);
  await writeLedger(dir, 2, 10);
  report = await verifyLedger(dir);
  assert.deepEqual([report.ok, report.blocks], [true, 12], report.failure?.message);
  assert.equal(checkInclusionProof(await proveInclusion(dir, 11)).index, 11);
  await assert.rejects(proveInclusion(dir, 2), { message: 'block 2 was pruned (the ledger starts at block 6)' });
  assert.equal((await proveConsistency(dir, 3, 12)).verified, true, 'consistency across the pruned prefix');
  assert.equal((await pruneBefore(dir, new Date(Date.UTC(2026, 0, 1, 0, 8)))).pruned, 2, 'a second prune extends the anchor');
  assert.equal((await verifyLedger(dir)).ok, true);

  const forgedAnchor = copyStateDir(dir);
  dirs.push(forgedAnchor);
  const ap = ledgerPaths(forgedAnchor).anchor;
  fs.writeFileSync(ap, fs.readFileSync(ap, 'utf8').replace(/"prunedCount": 8/, '"prunedCount": 7'));
  report = await verifyLedger(forgedAnchor);
  assert.equal(report.failure?.kind, 'signature', report.failure?.message);

  const forgedLeaves = copyStateDir(dir);
  dirs.push(forgedLeaves);
  const lp = ledgerPaths(forgedLeaves).prunedLeaves;
  const leaves = fs.readFileSync(lp);
  leaves[40] ^= 1;
  fs.writeFileSync(lp, leaves);
  report = await verifyLedger(forgedLeaves);
  assert.deepEqual([report.failure?.index, report.failure?.kind], [7, 'content'], report.failure?.message);
});

test('prune refuses a ledger that does not verify', async () => {
  const dir = fresh();
  await writeLedger(dir, 3);
  const file = ledgerPaths(dir).blocks;
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"outcome":"committed"', '"outcome":"rolled-back"'));
  await assert.rejects(pruneBefore(dir, new Date()), /^OpdbusError: refusing to prune a ledger that does not verify: block 0: content: /);
});
