#!/usr/bin/env bash
# Memory check of the addon's btrfs module: runs every btrfs call (success and error paths, batches,
# listing) in a loop under valgrind on a fresh loop-mounted btrfs. Exits non-zero on any memcheck
# error or definite leak. Needs root, btrfs-progs and valgrind; run after `npm run build`.
#   scripts/btrfs-memcheck.sh            # valgrind (default)
#   ROUNDS=50 scripts/btrfs-memcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/opdbus-t-memcheck-XXXXXX)
cleanup() { umount -l "$work/mnt" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
truncate -s 512M "$work/fs.img"
mkfs.btrfs -q -f "$work/fs.img" >/dev/null 2>&1
mkdir "$work/mnt"
mount -o loop "$work/fs.img" "$work/mnt"

cat > "$work/driver.js" <<'JS'
const b = require(process.cwd() + '/dist/src/native/btrfs.js');
const fs = require('fs');
const m = process.argv[2];
const rounds = Number(process.env.ROUNDS || 10);
(async () => {
  await b.createSubvolume(m + '/src');
  fs.mkdirSync(m + '/d');
  for (let r = 0; r < rounds; r++) {
    await b.snapshot(m + '/src', `${m}/d/s${r}`, { readOnly: r % 2 === 0 });
    await b.isSubvolume(`${m}/d/s${r}`);
    await b.listSubvolumes(m);
    await b.fsInfo(m);
    const names = ['a', 'b', 'c', 'a'].map((n) => n + r);
    await b.snapshotMany(m + '/src', m + '/d', names, { readOnly: true, parallelism: 3 });
    await b.deleteMany(m + '/d', [...names, 'missing'], { parallelism: 2 });
    await b.deleteSubvolume(`${m}/d/s${r}`);
    for (const bad of [() => b.createSubvolume('/tmp/not-btrfs-' + r), () => b.deleteSubvolume(m + '/nope'), () => b.snapshot(m + '/nope', m + '/x', { readOnly: true })]) {
      await bad().then(() => { throw new Error('expected an error'); }, (e) => { if (!e.code) throw e; });
    }
  }
  console.log('memcheck driver: ' + rounds + ' rounds done');
})().catch((e) => { console.error(e); process.exit(2); });
JS

valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --trace-children=no \
  node "$work/driver.js" "$work/mnt" 2> "$work/valgrind.log" || { tail -60 "$work/valgrind.log"; exit 1; }
grep -E "ERROR SUMMARY|definitely lost" "$work/valgrind.log"
