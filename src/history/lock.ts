// Serialises writers of one history store (an apply's observer and `opdbus snapshot` may run at the
// same time): flock on <root>/.lock through the addon, polled because the native call never blocks.
import * as path from 'node:path';
import { OpdbusError } from '../errors';
import { native } from '../native/binding';

const POLL_MS = 20;

export async function withStoreLock<T>(root: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lockPath = path.join(root, '.lock');
  const deadline = Date.now() + timeoutMs;
  let fd = native().tryLock(lockPath);
  while (fd === null) {
    if (Date.now() >= deadline) throw new OpdbusError('Locked', 'HISTORY_LOCKED', `history store ${root} is busy (another writer holds ${lockPath})`, { path: lockPath });
    await new Promise((r) => setTimeout(r, POLL_MS));
    fd = native().tryLock(lockPath);
  }
  try {
    return await fn();
  } finally {
    native().unlock(fd);
  }
}
