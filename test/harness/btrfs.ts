// A real btrfs filesystem for tests: a sparse image file, mkfs.btrfs, loop-mounted under a unique
// /tmp/opdbus-t-* directory. `remove()` (and a process exit hook) unmounts and deletes everything.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { uniqueName } from './netns';

export interface TestBtrfs {
  /** The mount point (top level subvolume, id 5). */
  mnt: string;
  dir: string;
  /** Runs the reference client (`btrfs ...`) and returns stdout; throws on failure. */
  btrfs(args: string[]): string;
  remove(): void;
}

const live = new Set<TestBtrfs>();
process.on('exit', () => {
  for (const fsys of live) fsys.remove();
});

function teardown(dir: string, mnt: string): void {
  // Lazy unmount: a failed test may leave an fd or a bind mount behind; the image must still go.
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint && mountPoint.startsWith(dir + '/') && mountPoint !== mnt) spawnSync('umount', ['-l', mountPoint]);
  }
  spawnSync('umount', ['-l', mnt]);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `mountOptions` e.g. "nobarrier" (the benchmark uses it so the disk's flush latency does not hide the call cost). */
export function createBtrfs(sizeMb = 512, mountOptions?: string): TestBtrfs {
  for (const tool of ['mkfs.btrfs', 'btrfs']) {
    if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is missing: install btrfs-progs (apt-get install btrfs-progs)`);
  }
  const dir = path.join('/tmp', uniqueName('opdbus-t-btrfs'));
  const img = path.join(dir, 'fs.img');
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt, { recursive: true });
  try {
    execFileSync('truncate', ['-s', `${sizeMb}M`, img]);
    execFileSync('mkfs.btrfs', ['-q', '-f', img], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('mount', ['-o', mountOptions ? `loop,${mountOptions}` : 'loop', img, mnt]);
  } catch (err) {
    teardown(dir, mnt);
    throw err;
  }
  const handle: TestBtrfs = {
    mnt,
    dir,
    btrfs(args) {
      return execFileSync('btrfs', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    },
    remove() {
      if (!live.has(handle)) return;
      live.delete(handle);
      teardown(dir, mnt);
    },
  };
  live.add(handle);
  return handle;
}

export interface ReferenceSubvolume {
  id: number;
  generation: number;
  topLevel: number;
  path: string;
}

/** `btrfs subvolume list` parsed: the reference listing the addon is checked against. */
export function referenceList(fsys: TestBtrfs): ReferenceSubvolume[] {
  return fsys
    .btrfs(['subvolume', 'list', fsys.mnt])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^ID (\d+) gen (\d+) top level (\d+) path (.*)$/.exec(line);
      if (!m) throw new Error(`unexpected btrfs subvolume list line: ${line}`);
      return { id: Number(m[1]), generation: Number(m[2]), topLevel: Number(m[3]), path: m[4] };
    });
}

/** `btrfs property get -ts PATH ro` -> true/false. */
export function referenceReadOnly(fsys: TestBtrfs, p: string): boolean {
  const out = fsys.btrfs(['property', 'get', '-ts', p, 'ro']).trim();
  if (out !== 'ro=true' && out !== 'ro=false') throw new Error(`unexpected btrfs property output: ${out}`);
  return out === 'ro=true';
}
