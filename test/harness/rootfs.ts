// The Debian root filesystem with systemd that test containers boot from: built once with debootstrap
// (about 32 s), cached as a zstd tarball, extracted into a private directory per test process.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bump the version when the build recipe below changes, so a stale cache is not reused. */
export const ROOTFS_TARBALL = process.env.OPDBUS_TEST_ROOTFS ?? '/var/cache/opdbus-test/bookworm-systemd-v1.tar.zst';
/** The unprivileged user baked into the image, for login sessions (login1 tests). */
export const TEST_USER = 'opdbus-user';

/** The mirror this machine's apt uses (the only one reachable here), else Debian's default. */
export function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822 && !deb822[1].includes('security')) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (oneLine) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).slice(-2000)}`);
}

/** Builds the tarball unless it exists. A lock directory serialises concurrent test processes. */
export function ensureRootfsTarball(): string {
  if (fs.existsSync(ROOTFS_TARBALL)) return ROOTFS_TARBALL;
  const dir = path.dirname(ROOTFS_TARBALL);
  fs.mkdirSync(dir, { recursive: true });
  const lock = ROOTFS_TARBALL + '.lock';
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than 15 minutes belongs to a killed build.
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      execFileSync('sleep', ['1']);
      if (fs.existsSync(ROOTFS_TARBALL)) return ROOTFS_TARBALL;
    }
  }
  const root = fs.mkdtempSync(path.join(dir, 'build-'));
  try {
    if (fs.existsSync(ROOTFS_TARBALL)) return ROOTFS_TARBALL;
    run('debootstrap', ['--variant=minbase', '--include=dbus,systemd,systemd-sysv,libpam-systemd', 'bookworm', root, debianMirror()]);
    for (const f of fs.readdirSync(path.join(root, 'var/cache/apt/archives'))) if (f.endsWith('.deb')) fs.rmSync(path.join(root, 'var/cache/apt/archives', f));
    run('chroot', [root, 'passwd', '-d', 'root']);
    run('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', TEST_USER]);
    const tmp = ROOTFS_TARBALL + '.tmp';
    run('bash', ['-c', 'set -o pipefail; tar -C "$1" --numeric-owner -cf - . | zstd -3 -T0 -q -f -o "$2"', 'tar', root, tmp]);
    fs.renameSync(tmp, ROOTFS_TARBALL);
    return ROOTFS_TARBALL;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Extracts the cached image into `dir` (which must exist and be empty). */
export function extractRootfs(dir: string): void {
  run('bash', ['-c', 'set -o pipefail; zstd -d -q -c "$1" | tar -C "$2" --numeric-owner -xf -', 'tar', ensureRootfsTarball(), dir]);
}

// `node dist/test/harness/rootfs.js` builds the cache ahead of the tests (CI does this once).
if (require.main === module) console.log(ensureRootfsTarball());
