// The host-wide transaction lock: flock(2) on <stateDir>/lock through the addon. The kernel releases it
// when the holder exits or is killed, so there is no stale-lock cleanup. Waiting is a bounded poll.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpdbusError, toOpdbusError } from '../errors';
import { native } from '../native/binding';
import { ensureStateDir } from '../util/fsync';

export interface HostLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  command: string;
  since: string;
}

export async function acquireHostLock(stateDir: string, timeoutMs: number): Promise<HostLock> {
  ensureStateDir(stateDir);
  const lockFile = path.join(stateDir, 'lock');
  const ownerFile = path.join(stateDir, 'lock.owner');
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    let fd: number | null;
    try {
      fd = native().tryLock(lockFile);
    } catch (err) {
      throw toOpdbusError(err, { operation: `lock ${lockFile}` });
    }
    if (fd !== null) {
      const owner: LockOwner = { pid: process.pid, command: process.argv.slice(2).join(' '), since: new Date().toISOString() };
      fs.writeFileSync(ownerFile, JSON.stringify(owner) + '\n', { mode: 0o600 });
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          try {
            fs.unlinkSync(ownerFile);
          } catch {
            // the owner note is informational; the flock is what counts
          }
          native().unlock(fd as number);
        },
      };
    }
    if (Date.now() >= deadline) {
      const owner = readOwner(ownerFile);
      const who = owner ? ` by pid ${owner.pid} (opdbus ${owner.command}, since ${owner.since})` : '';
      const hint = timeoutMs > 0 ? `gave up after waiting ${timeoutMs} ms` : 'use --lock-timeout to wait for it';
      throw new OpdbusError('Locked', 'LOCKED', `another opdbus transaction holds the host lock ${lockFile}${who}; ${hint}`, { path: lockFile, details: owner });
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 500);
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}
