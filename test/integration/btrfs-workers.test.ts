// The btrfs module is worker-safe: several worker threads load the addon at once and snapshot,
// list and delete concurrently on the same filesystem.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as btrfs from '../../src/native/btrfs';
import { createBtrfs, referenceList, type TestBtrfs } from '../harness/btrfs';

const WRAPPER = path.resolve(__dirname, '..', '..', 'src', 'native', 'btrfs.js');
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const b = require(workerData.wrapper);
(async () => {
  const names = Array.from({ length: 5 }, (_, i) => 'w' + workerData.index + '-' + i);
  for (const n of names) await b.snapshot(workerData.source, workerData.dir + '/' + n, { readOnly: true });
  const seen = (await b.listSubvolumes(workerData.dir)).filter((s) => names.includes(s.name)).length;
  const failures = (await b.deleteMany(names.slice(0, 2).map((n) => workerData.dir + '/' + n))).filter(Boolean).length;
  parentPort.postMessage({ seen, failures });
})().catch((e) => parentPort.postMessage({ error: e.message }));
`;

let fsys: TestBtrfs;
before(() => {
  fsys = createBtrfs();
});
after(() => fsys?.remove());

it('four workers use the addon at once', async () => {
  await btrfs.createSubvolume(`${fsys.mnt}/src`);
  fs.mkdirSync(`${fsys.mnt}/w`);
  const results = await Promise.all(
    [0, 1, 2, 3].map(
      (index) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(WORKER_CODE, { eval: true, workerData: { wrapper: WRAPPER, index, source: `${fsys.mnt}/src`, dir: `${fsys.mnt}/w` } });
          worker.once('message', (m) => {
            void worker.terminate();
            resolve(m);
          });
          worker.once('error', reject);
        }),
    ),
  );
  assert.deepEqual(results, [0, 1, 2, 3].map(() => ({ seen: 5, failures: 0 })));
  assert.equal(referenceList(fsys).filter((s) => s.path.startsWith('w/')).length, 12);
});
