// Typed wrapper over the addon's btrfs ioctls (native/btrfs/): validates arguments, then turns
// errno into OpdbusError kinds (not btrfs -> Unavailable/NOT_BTRFS, EPERM -> PermissionDenied,
// EEXIST -> Conflict, EBUSY -> Backend/EBUSY). Every call runs off the event loop.
import * as path from 'node:path';
import { OpdbusError, toOpdbusError } from '../errors';
import { isNativeError, native } from './binding';

export interface SubvolumeInfo {
  id: number;
  /** The subvolume containing this one (5 = the top level), as `btrfs subvolume list` "top level". */
  parentId: number;
  dirId: number;
  name: string;
  /** Path from the top of the filesystem. */
  path: string;
  generation: number;
  otransid: number;
  readOnly: boolean;
  uuid: string;
  /** The uuid of the subvolume this one is a snapshot of ("" when it is not a snapshot). */
  parentUuid: string;
  receivedUuid: string;
  ctimeMs: number;
  otimeMs: number;
}

export interface FsInfo {
  btrfs: boolean;
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
}

interface BtrfsAddon {
  createSubvolume(path: string): Promise<void>;
  snapshot(source: string, dest: string, readOnly: boolean): Promise<void>;
  deleteSubvolume(path: string): Promise<void>;
  isSubvolume(path: string): Promise<boolean>;
  snapshotMany(source: string, dests: string[], readOnly: boolean, parallelism: number): Promise<(Error | null)[]>;
  deleteMany(paths: string[], parallelism: number): Promise<(Error | null)[]>;
  listSubvolumes(path: string): Promise<SubvolumeInfo[]>;
  fsInfo(path: string): Promise<FsInfo>;
}

function addon(): BtrfsAddon {
  return (native() as unknown as { btrfs: BtrfsAddon }).btrfs;
}

/** errno from a btrfs ioctl -> OpdbusError with the kind the rest of opdbus decides on. */
export function btrfsError(err: unknown, operation: string): OpdbusError {
  if (!isNativeError(err)) return toOpdbusError(err, { operation });
  const subject = err.subject;
  const msg = `${operation}: ${err.message}`;
  switch (err.code) {
    case 'ENOTTY':
    case 'EXDEV':
    case 'EOPNOTSUPP':
      return new OpdbusError('Unavailable', 'NOT_BTRFS', msg, { path: subject, errno: err.errno, cause: err });
    case 'EPERM':
    case 'EACCES':
    case 'EROFS':
      return new OpdbusError('PermissionDenied', err.code, msg, { path: subject, errno: err.errno, cause: err });
    case 'EEXIST':
      return new OpdbusError('Conflict', 'EEXIST', msg, { path: subject, errno: err.errno, cause: err });
    case 'EBUSY':
      return new OpdbusError('Backend', 'EBUSY', msg, { path: subject, errno: err.errno, cause: err });
    case 'ENOENT':
      return new OpdbusError('NotFound', 'ENOENT', msg, { path: subject, errno: err.errno, cause: err });
    default:
      return toOpdbusError(err, { operation, path: subject });
  }
}

function checkPath(p: unknown, what: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
    throw new OpdbusError('InvalidInput', 'BAD_PATH', `${what}: expected a non-empty path, found ${JSON.stringify(p)}`);
  }
  return p;
}

/** Subvolume names: one path component of at most 255 bytes (what a directory entry allows). */
export function checkSubvolumeName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || Buffer.byteLength(name) > 255) {
    throw new OpdbusError('InvalidInput', 'BAD_NAME', `subvolume name: expected one path component of 1-255 bytes, found ${JSON.stringify(name)}`);
  }
  return name;
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw btrfsError(err, operation);
  }
}

export function createSubvolume(p: string): Promise<void> {
  checkPath(p, 'createSubvolume');
  checkSubvolumeName(path.basename(p));
  return call(`create subvolume ${p}`, () => addon().createSubvolume(p));
}

export function snapshot(source: string, dest: string, opts: { readOnly: boolean }): Promise<void> {
  checkPath(source, 'snapshot source');
  checkPath(dest, 'snapshot destination');
  checkSubvolumeName(path.basename(dest));
  return call(`snapshot ${source} -> ${dest}`, () => addon().snapshot(source, dest, opts.readOnly));
}

export function deleteSubvolume(p: string): Promise<void> {
  checkPath(p, 'deleteSubvolume');
  return call(`delete subvolume ${p}`, () => addon().deleteSubvolume(p));
}

export function isSubvolume(p: string): Promise<boolean> {
  checkPath(p, 'isSubvolume');
  return call(`is-subvolume ${p}`, () => addon().isSubvolume(p));
}

/**
 * One ioctl per destination (full paths), all in one worker job; each outcome is returned and none
 * stops the rest. `parallelism` > 1 runs that many at once: snapshots into different directories
 * then proceed concurrently and share btrfs transaction commits.
 */
export async function snapshotMany(source: string, dests: string[], opts: { readOnly: boolean; parallelism?: number }): Promise<(OpdbusError | null)[]> {
  checkPath(source, 'snapshot source');
  dests.forEach((d) => checkSubvolumeName(path.basename(checkPath(d, 'snapshot destination'))));
  const results = await call(`snapshot ${source}`, () => addon().snapshotMany(source, dests, opts.readOnly, opts.parallelism ?? 1));
  return results.map((e, i) => (e ? btrfsError(e, `snapshot ${source} -> ${dests[i]}`) : null));
}

export async function deleteMany(paths: string[], opts: { parallelism?: number } = {}): Promise<(OpdbusError | null)[]> {
  paths.forEach((p) => checkSubvolumeName(path.basename(checkPath(p, 'subvolume path'))));
  const results = await call('delete subvolumes', () => addon().deleteMany(paths, opts.parallelism ?? 1));
  return results.map((e, i) => (e ? btrfsError(e, `delete subvolume ${paths[i]}`) : null));
}

export function listSubvolumes(p: string): Promise<SubvolumeInfo[]> {
  checkPath(p, 'listSubvolumes');
  return call(`list subvolumes of ${p}`, () => addon().listSubvolumes(p));
}

export function fsInfo(p: string): Promise<FsInfo> {
  checkPath(p, 'fsInfo');
  return call(`statfs ${p}`, () => addon().fsInfo(p));
}
