// 1,000 read-only snapshots created then deleted: by the addon's ioctls (one call per snapshot, and
// batched) against the reference client `btrfs subvolume snapshot -r` / `btrfs subvolume delete`
// run once per snapshot. Each case runs in its own child process on its own fresh loop-mounted btrfs,
// with the default mount options and again with nobarrier (no disk flush per btrfs commit).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as btrfs from '../src/native/btrfs';
import { createBtrfs } from '../test/harness/btrfs';
import { round } from './util';

const COUNT = Number(process.env.BENCH_SNAPSHOTS ?? 1000);
const CASES = ['cli', 'addon', 'addon-batch'] as const;
type Case = (typeof CASES)[number];
const MOUNTS = ['default', 'nobarrier'] as const;
/** Directories (and threads) of the batched case. */
const SHARDS = Number(process.env.BENCH_SHARDS ?? 16);

interface CaseResult {
  createMs: number;
  deleteMs: number;
}

const elapsed = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** One case, in this (child) process: fresh filesystem, a source subvolume with a small state. */
async function runCase(kind: Case, mount: string): Promise<CaseResult> {
  const fsys = createBtrfs(1024, mount === 'default' ? undefined : mount);
  try {
    const src = `${fsys.mnt}/live`;
    await btrfs.createSubvolume(src);
    fs.mkdirSync(`${src}/sections`);
    for (const p of ['net', 'sysctl', 'systemd']) fs.writeFileSync(`${src}/sections/${p}.json`, JSON.stringify({ p, pad: 'x'.repeat(3000) }));
    const shards = kind === 'addon-batch' ? SHARDS : 1;
    const dirs = Array.from({ length: shards }, (_, i) => `${fsys.mnt}/points${i}`);
    dirs.forEach((d) => fs.mkdirSync(d));
    const names = Array.from({ length: COUNT }, (_, i) => String(i + 1));
    const dirOf = (i: number) => dirs[i % shards];

    let t0 = process.hrtime.bigint();
    if (kind === 'cli') {
      for (const n of names) execFileSync('btrfs', ['subvolume', 'snapshot', '-r', src, `${dirs[0]}/${n}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else if (kind === 'addon') {
      for (const n of names) await btrfs.snapshot(src, `${dirs[0]}/${n}`, { readOnly: true });
    } else {
      // Snapshots into one directory serialise on its inode lock; spread over SHARDS directories and
      // made by as many threads, concurrent snapshots share the kernel's transaction commits.
      const results = await btrfs.snapshotMany(src, names.map((n, i) => `${dirOf(i)}/${n}`), { readOnly: true, parallelism: shards });
      if (results.some(Boolean)) throw new Error('a batched snapshot failed');
    }
    const createMs = elapsed(t0);
    const made = names.filter((n, i) => fs.existsSync(`${dirOf(i)}/${n}`)).length;
    if (made !== COUNT) throw new Error(`${kind}: expected ${COUNT} snapshots, found ${made}`);

    t0 = process.hrtime.bigint();
    if (kind === 'cli') {
      for (const n of names) execFileSync('btrfs', ['subvolume', 'delete', `${dirs[0]}/${n}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else if (kind === 'addon') {
      for (const n of names) await btrfs.deleteSubvolume(`${dirs[0]}/${n}`);
    } else {
      const results = await btrfs.deleteMany(names.map((n, i) => `${dirOf(i)}/${n}`), { parallelism: shards });
      if (results.some(Boolean)) throw new Error('a batched delete failed');
    }
    const deleteMs = elapsed(t0);
    if (dirs.some((d) => fs.readdirSync(d).length)) throw new Error(`${kind}: snapshots left after delete`);
    return { createMs, deleteMs };
  } finally {
    fsys.remove();
  }
}

function inChild(kind: Case, mount: string): CaseResult {
  const r = spawnSync(process.execPath, [__filename, 'case', kind, mount], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`case ${kind} (${mount}) exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as CaseResult;
}

function main(): void {
  const summary: Record<string, unknown> = { snapshots: COUNT };
  for (const mount of MOUNTS) {
    const results = Object.fromEntries(CASES.map((c) => [c, inChild(c, mount)])) as Record<Case, CaseResult>;
    const total = (c: Case) => results[c].createMs + results[c].deleteMs;
    const ratio = (c: Case) => round(total('cli') / total(c));
    for (const c of CASES) {
      console.log(`${mount.padEnd(9)} ${c.padEnd(11)} create ${round(results[c].createMs)} ms, delete ${round(results[c].deleteMs)} ms, total ${round(total(c))} ms`);
    }
    console.log(`${mount.padEnd(9)} ratio btrfs-progs / addon: per call ${ratio('addon')}x, batched ${ratio('addon-batch')}x`);
    summary[mount] = {
      ms: Object.fromEntries(CASES.map((c) => [c, { create: round(results[c].createMs), delete: round(results[c].deleteMs) }])),
      ratio_cli_over_addon: ratio('addon'),
      ratio_cli_over_addon_batch: ratio('addon-batch'),
      ratio_create_cli_over_addon_batch: round(results.cli.createMs / results['addon-batch'].createMs),
      ratio_delete_cli_over_addon_batch: round(results.cli.deleteMs / results['addon-batch'].deleteMs),
    };
  }
  console.log(JSON.stringify(summary));
}

if (process.argv[2] === 'case') {
  runCase(process.argv[3] as Case, process.argv[4])
    .then((r) => console.log(JSON.stringify(r)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
} else {
  main();
}
