// The hashing addon loaded in several worker threads at once (per-env state only): every worker
// chains and builds trees concurrently, sync and async paths, and must agree with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

const MERKLE_JS = path.resolve(__dirname, '..', '..', 'src', 'ledger', 'merkle.js');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const m = require(workerData.merkle);
(async () => {
  let checked = 0;
  for (let round = 0; round < 20; round++) {
    const count = round % 2 ? 600 : 5; // 600 records of ~128 B crosses the async threshold
    const records = Array.from({ length: count }, () => crypto.randomBytes(1 + crypto.randomInt(256)));
    const prev = crypto.randomBytes(32);
    const [links, leaves] = await Promise.all([m.chainLinks(prev, records), m.leafHashes(records)]);
    let link = prev;
    records.forEach((r, i) => {
      link = crypto.createHash('sha256').update(link).update(r).digest();
      if (!links.subarray(i * 32, i * 32 + 32).equals(link)) throw new Error('chain mismatch at ' + i);
      checked++;
    });
    const root = await m.treeRoot(leaves);
    const proof = await m.inclusionProof(leaves, count - 1);
    if (!m.verifyInclusion({ leafHash: leaves.subarray(-32), index: count - 1, size: count, proof, root })) throw new Error('proof failed');
  }
  parentPort.postMessage({ checked });
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

test('the addon hashes correctly in 4 worker threads at once', async () => {
  const results = await Promise.all(
    Array.from({ length: 4 }, () => new Promise<{ checked?: number; error?: string }>((resolve, reject) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { merkle: MERKLE_JS } });
      w.once('message', (msg) => {
        resolve(msg);
        void w.terminate();
      });
      w.once('error', reject);
    })),
  );
  for (const r of results) {
    assert.equal(r.error, undefined);
    assert.equal(r.checked, 10 * 5 + 10 * 600);
  }
});
