// Exerciser for scripts/memcheck.js: every btrfs call (success and error paths, batches with
// per-item errors, listing) on its own loop-mounted btrfs, which it always unmounts and removes.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const b = require('../../../dist/src/native/btrfs.js');

const dir = fs.mkdtempSync('/tmp/opdbus-t-memcheck-btrfs-');
const m = `${dir}/mnt`;
function cleanup() {
  spawnSync('umount', ['-l', m]);
  fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);

async function expectError(promise) {
  await promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e) => {
      if (!e.code) throw e;
    },
  );
}

(async () => {
  execFileSync('truncate', ['-s', '512M', `${dir}/fs.img`]);
  execFileSync('mkfs.btrfs', ['-q', '-f', `${dir}/fs.img`], { stdio: 'ignore' });
  fs.mkdirSync(m);
  execFileSync('mount', ['-o', 'loop', `${dir}/fs.img`, m]);
  await b.createSubvolume(`${m}/src`);
  fs.mkdirSync(`${m}/d`);
  for (let r = 0; r < 4; r++) {
    await b.snapshot(`${m}/src`, `${m}/d/s${r}`, { readOnly: r % 2 === 0 });
    await b.isSubvolume(`${m}/d/s${r}`);
    await b.listSubvolumes(m);
    await b.fsInfo(m);
    const names = ['a', 'b', 'c', 'a'].map((n) => n + r); // the repeated name fails with EEXIST
    await b.snapshotMany(`${m}/src`, names.map((n) => `${m}/d/${n}`), { readOnly: true, parallelism: 3 });
    await b.deleteMany([...names, 'missing'].map((n) => `${m}/d/${n}`), { parallelism: 2 });
    await b.deleteSubvolume(`${m}/d/s${r}`);
    await expectError(b.createSubvolume(`${dir}/not-btrfs-${r}`));
    await expectError(b.deleteSubvolume(`${m}/nope`));
    await expectError(b.snapshot(`${m}/nope`, `${m}/x`, { readOnly: true }));
    await expectError(b.listSubvolumes(dir));
  }
})().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
