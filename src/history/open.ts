// Opening the history store of a state directory: which backend (btrfs when <stateDir>/history is,
// or would be created, on btrfs; plain files elsewhere), and the History API on top of it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpdbusError } from '../errors';
import * as btrfs from '../native/btrfs';
import { pathExists } from '../util/path-exists';
import { BtrfsBackend } from './btrfs';
import { FilesBackend } from './files';
import { matches, type HistoryFilter } from './filter';
import { withStoreLock } from './lock';
import type { BackendKind, HistoryBackend, HistoryDocument, HistoryPoint, NewPoint } from './store';

export type BackendChoice = 'auto' | BackendKind;

export interface OpenOptions {
  /** Force a backend; `auto` (default) picks btrfs when the store's filesystem is btrfs. */
  backend?: BackendChoice;
  /** How long a writer waits for another writer of the same store. */
  lockTimeoutMs?: number;
}

const PLUGIN_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export class History {
  constructor(
    private readonly backend: HistoryBackend,
    private readonly exists: boolean,
    private readonly lockTimeoutMs: number,
  ) {}

  get kind(): BackendKind {
    return this.backend.kind;
  }

  get location(): string {
    return this.backend.root;
  }

  async list(filter: HistoryFilter = {}): Promise<HistoryPoint[]> {
    if (!this.exists && !(await pathExists(this.backend.root))) return [];
    return (await this.backend.points()).filter((p) => matches(p, filter));
  }

  async get(id: number): Promise<HistoryPoint> {
    const point = await this.backend.point(id);
    if (!point) throw new OpdbusError('NotFound', 'HISTORY_POINT', `no history point ${id} in ${this.location}`);
    return point;
  }

  /** One point as a state document (only the plugins it covers). */
  async load(id: number): Promise<{ point: HistoryPoint; document: HistoryDocument }> {
    const point = await this.get(id);
    const plugins = await this.backend.sections(point);
    return { point, document: { version: 1, plugins, meta: { history_point: point.id, time: point.time, host: point.host, reason: point.reason } } };
  }

  /** Keeps a new point. `meta.time` and `meta.host` default to now and this host. */
  async record(meta: Partial<NewPoint> & Pick<NewPoint, 'kind' | 'reason'>, sections: Record<string, unknown>): Promise<HistoryPoint> {
    for (const plugin of Object.keys(sections)) {
      if (!PLUGIN_NAME.test(plugin)) throw new OpdbusError('InvalidInput', 'BAD_PLUGIN', `/plugins/${plugin}: not a plugin name (expected ${PLUGIN_NAME.source})`);
    }
    const backend = await this.writable();
    // The time is taken under the lock, so ids and times of points made now increase together.
    return withStoreLock(backend.root, this.lockTimeoutMs, () => backend.add({ ...meta, time: meta.time ?? new Date().toISOString(), host: meta.host ?? os.hostname() }, sections));
  }

  /** Deletes points; returns the ids that could not be deleted, with why. Never stops at the first failure. */
  async remove(ids: number[]): Promise<Map<number, Error>> {
    if (ids.length === 0) return new Map();
    return withStoreLock(this.backend.root, this.lockTimeoutMs, () => this.backend.remove(ids));
  }

  space(): Promise<btrfs.FsInfo> {
    return this.backend.space();
  }

  private async writable(): Promise<HistoryBackend> {
    if (this.backend.kind === 'btrfs') return BtrfsBackend.create(this.backend.root);
    fs.mkdirSync(this.backend.root, { recursive: true }); // synchronous: see FilesBackend.add
    return this.backend;
  }
}

/** The store of `stateDir` (at <stateDir>/history). Opening creates nothing; the first write does. */
export async function openHistory(stateDir: string, options: OpenOptions = {}): Promise<History> {
  const root = path.join(path.resolve(stateDir), 'history');
  const choice = options.backend ?? 'auto';
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  const exists = fs.existsSync(root);
  let onBtrfs: boolean;
  if (exists) {
    onBtrfs = await btrfs.isSubvolume(root);
    if (choice === 'btrfs' && !onBtrfs) {
      throw new OpdbusError('Conflict', 'HISTORY_BACKEND', `history store ${root} already exists as a plain directory; the btrfs backend needs it to be a subvolume (move it away to start a btrfs store)`);
    }
  } else {
    onBtrfs = (await btrfs.fsInfo(await nearestExisting(root))).btrfs;
    if (choice === 'btrfs' && !onBtrfs) {
      throw new OpdbusError('Unavailable', 'NOT_BTRFS', `history backend btrfs: ${path.dirname(root)} is not on a btrfs filesystem`);
    }
  }
  const kind: BackendKind = choice === 'files' ? 'files' : onBtrfs ? 'btrfs' : 'files';
  const backend = kind === 'btrfs' ? new BtrfsBackend(root) : new FilesBackend(root);
  return new History(backend, exists, lockTimeoutMs);
}

/** One line for `opdbus doctor`: which backend the store uses and where. */
export async function describeHistoryBackend(stateDir: string, options: OpenOptions = {}): Promise<string> {
  const history = await openHistory(stateDir, options);
  const where = (await pathExists(history.location)) ? history.location : `${history.location} (not created yet)`;
  return history.kind === 'btrfs'
    ? `history: btrfs (read-only snapshots by ioctl) at ${where}`
    : `history: plain files (content-addressed) at ${where}`;
}

async function nearestExisting(p: string): Promise<string> {
  let dir = path.dirname(p);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
