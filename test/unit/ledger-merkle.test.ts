// The addon's hashing core against published RFC 6962 vectors (transparency-dev/merkle, see
// test/fixtures/merkle/vectors.json) and against node:crypto on random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { native } from '../../src/native/binding';
import {
  asyncThresholdBytes, chainLinks, consistencyProof, inclusionProof, leafHashes, splitHashes, treeRoot, treeRootsAt, verifyConsistency, verifyInclusion,
} from '../../src/ledger/merkle';

interface Vectors {
  leafInputsHex: string[];
  rootHashesHex: string[];
  inclusion: { file: string; leafIdx: number | string; treeSize: number; root: string; leafHash: string; proof: string[]; wantErr: boolean }[];
  consistency: { file: string; size1: number; size2: number; root1: string; root2: string; proof: string[]; wantErr: boolean }[];
}
const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'merkle', 'vectors.json');
const V = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Vectors;
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const sha = (...parts: Buffer[]): Buffer => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();

/** A deliberately naive RFC 6962 reference (recursive MTH) built on node:crypto. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const LEAVES = V.leafInputsHex.map((h) => Buffer.from(h, 'hex'));

test('tree roots of every prefix match the published RootHashes', async () => {
  const hashes = await leafHashes(LEAVES);
  for (let size = 0; size <= LEAVES.length; size++) {
    assert.equal((await treeRoot(hashes, size)).toString('hex'), V.rootHashesHex[size], `size ${size}`);
  }
  const all = await treeRootsAt(hashes, [0, 1, 2, 3, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(all.map((r) => r.toString('hex')), [0, 1, 2, 3, 3, 4, 5, 6, 7, 8].map((s) => V.rootHashesHex[s]));
});

test('inclusion vectors: the happy paths verify and are what we generate; every mutation fails', async () => {
  const hashes = await leafHashes(LEAVES);
  for (const v of V.inclusion) {
    const ok = verifyInclusion({ leafHash: b64(v.leafHash), index: BigInt(v.leafIdx), size: v.treeSize, proof: v.proof.map(b64), root: b64(v.root) });
    assert.equal(ok, !v.wantErr, v.file);
    if (!v.wantErr) {
      const generated = await inclusionProof(hashes, Number(v.leafIdx), v.treeSize);
      assert.deepEqual(generated.map((h) => h.toString('base64')), v.proof, `${v.file}: generated proof`);
    }
  }
});

test('consistency vectors: the happy paths verify and are what we generate; every mutation fails', async () => {
  const hashes = await leafHashes(LEAVES);
  for (const v of V.consistency) {
    const ok = verifyConsistency({ size1: v.size1, size2: v.size2, root1: b64(v.root1), root2: b64(v.root2), proof: v.proof.map(b64) });
    assert.equal(ok, !v.wantErr, v.file);
    if (!v.wantErr) {
      const generated = await consistencyProof(hashes, v.size1, v.size2);
      assert.deepEqual(generated.map((h) => h.toString('base64')), v.proof, `${v.file}: generated proof`);
    }
  }
});

test('random trees: roots match a node:crypto reference; every proof of every pair verifies', async () => {
  const leaves = Array.from({ length: 37 }, (_, i) => crypto.randomBytes(i % 7 === 0 ? 0 : 1 + crypto.randomInt(300)));
  const hashes = await leafHashes(leaves);
  for (let n = 1; n <= leaves.length; n++) {
    const root = await treeRoot(hashes, n);
    assert.deepEqual(root, referenceRoot(leaves.slice(0, n)), `root of ${n}`);
    for (let i = 0; i < n; i++) {
      const proof = await inclusionProof(hashes, i, n);
      const leafHash = hashes.subarray(i * 32, i * 32 + 32);
      assert.ok(verifyInclusion({ leafHash, index: i, size: n, proof, root }), `inclusion ${i} in ${n}`);
      assert.equal(verifyInclusion({ leafHash, index: (i + 1) % n === i ? i + 1 : (i + 1) % n, size: n, proof, root }), false, `wrong index ${i} in ${n}`);
    }
    for (let m = 0; m <= n; m++) {
      const proof = await consistencyProof(hashes, m, n);
      assert.ok(verifyConsistency({ size1: m, size2: n, root1: await treeRoot(hashes, m), root2: root, proof }), `consistency ${m} -> ${n}`);
    }
  }
});

test('hash chain and leaf hashes equal node:crypto on random records, small and large batches', async () => {
  for (const count of [1, 10, 1000]) {
    const records = Array.from({ length: count }, () => crypto.randomBytes(crypto.randomInt(512)));
    const prev = crypto.randomBytes(32);
    const links = await chainLinks(prev, records);
    let link: Buffer = prev;
    records.forEach((r, i) => {
      link = sha(link, r);
      assert.deepEqual(links.subarray(i * 32, i * 32 + 32), link, `link ${i} of ${count}`);
    });
    const leaves = splitHashes(await leafHashes(records));
    records.forEach((r, i) => assert.deepEqual(leaves[i], sha(Buffer.from([0]), r), `leaf ${i} of ${count}`));
  }
});

test('batches at or above the threshold return a Promise, smaller ones a Buffer', () => {
  const addon = native() as unknown as { hashChain(p: Buffer, d: Buffer, l: Uint32Array): unknown };
  const small = addon.hashChain(Buffer.alloc(32), Buffer.alloc(100), Uint32Array.of(100));
  assert.ok(Buffer.isBuffer(small));
  const big = asyncThresholdBytes();
  const large = addon.hashChain(Buffer.alloc(32), Buffer.alloc(big), Uint32Array.of(big));
  assert.ok(large instanceof Promise);
  return large;
});

test('bad arguments are TypeErrors naming the problem', () => {
  const addon = native() as unknown as { hashChain(p: Buffer, d: Buffer, l: Uint32Array): unknown; merkleRoot(l: Buffer, n: number): unknown };
  assert.throws(() => addon.hashChain(Buffer.alloc(31), Buffer.alloc(0), new Uint32Array(0)), { name: 'TypeError', message: 'opdbus native: prev must be 32 bytes' });
  assert.throws(() => addon.hashChain(Buffer.alloc(32), Buffer.alloc(3), Uint32Array.of(2)), {
    name: 'TypeError', message: 'opdbus native: lengths add up to 2 bytes but records hold 3',
  });
  assert.throws(() => addon.merkleRoot(Buffer.alloc(64), 3), { name: 'TypeError', message: 'opdbus native: size 3 exceeds the 2 leaves given' });
});
