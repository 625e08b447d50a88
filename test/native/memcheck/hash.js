// Exerciser for scripts/memcheck.js: the hash module's chain, leaf, root, proof and verify calls,
// on the synchronous path and the AsyncWorker path, plus their argument errors; sha256Hex of strings and bytes.
'use strict';
const crypto = require('node:crypto');
const { native } = require('../../../dist/src/native/binding.js');

const addon = native();
const expectTypeError = (fn) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof TypeError) return;
    throw err;
  }
  throw new Error('expected a TypeError');
};

(async () => {
  for (let round = 0; round < 40; round++) {
    const count = round % 4 === 0 ? 400 : 3 + round; // 400 x 256 B crosses the async threshold
    const data = crypto.randomBytes(count * 256);
    const lengths = new Uint32Array(count).fill(256);
    const links = await addon.hashChain(crypto.randomBytes(32), data, lengths);
    const leaves = await addon.merkleLeafHashes(data, lengths);
    if (links.length !== count * 32 || leaves.length !== count * 32) throw new Error('bad output size');
    const text = 'é'.repeat(round * 50) + round;
    if (addon.sha256Hex(text) !== crypto.createHash('sha256').update(text).digest('hex')) throw new Error('sha256Hex(string) differs');
    if (addon.sha256Hex(data) !== crypto.createHash('sha256').update(data).digest('hex')) throw new Error('sha256Hex(bytes) differs');
    const root = await addon.merkleRoot(leaves, count);
    const roots = await addon.merkleRootsAt(leaves, [0, 1, count >> 1, count]);
    const index = round % count;
    const proof = await addon.merkleInclusionProof(leaves, index, count);
    if (!addon.merkleVerifyInclusion(leaves.subarray(index * 32, index * 32 + 32), index, count, proof, root)) throw new Error('inclusion failed');
    const half = count >> 1;
    const cproof = await addon.merkleConsistencyProof(leaves, half, count);
    if (!addon.merkleVerifyConsistency(half, count, roots.subarray(64, 96), root, cproof)) throw new Error('consistency failed');
    if (addon.merkleVerifyInclusion(Buffer.alloc(31), 0, count, proof, root)) throw new Error('short leaf accepted');
    expectTypeError(() => addon.sha256Hex(42));
    expectTypeError(() => addon.hashChain(Buffer.alloc(32), data, Uint32Array.of(1)));
    expectTypeError(() => addon.merkleRoot(leaves, count + 1));
    expectTypeError(() => addon.merkleRootsAt(leaves, [2, 1]));
    expectTypeError(() => addon.merkleInclusionProof(leaves, count, count));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
