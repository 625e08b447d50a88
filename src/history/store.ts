// The history store's data model and the interface both backends (btrfs.ts, files.ts) implement.
// A history point is one kept host state: some plugin sections plus who/when/why.
import type { FsInfo } from '../native/btrfs';
import type { TransactionOperation, TransactionOutcome } from '../transaction/record';

/** Why a point exists: before/after an apply, on demand (`opdbus snapshot`), or seen by the daemon. */
export type PointKind = 'pre' | 'post' | 'manual' | 'drift';
export const POINT_KINDS: readonly PointKind[] = ['pre', 'post', 'manual', 'drift'];

export interface HistoryPoint {
  /** Increasing integer, unique within the store. */
  id: number;
  /** ISO 8601 UTC. */
  time: string;
  kind: PointKind;
  reason: string;
  host: string;
  /** The plugins this point covers, sorted. */
  plugins: string[];
  /** plugin -> SHA-256 of the section's canonical JSON: equal hashes mean equal sections. */
  sections: Record<string, string>;
  /** The transaction this point belongs to; the ledger block of that transaction carries the same txid. */
  txid?: string;
  operation?: TransactionOperation;
  outcome?: TransactionOutcome;
  /** For a `post` point: the id of the `pre` point of the same transaction. */
  pre?: number;
}

/** What a caller gives to keep a new point (the store assigns id and hashes). */
export type NewPoint = Omit<HistoryPoint, 'id' | 'plugins' | 'sections'>;

/** A historical state as a state document (`{version: 1, plugins}`), ready for diff or apply. */
export interface HistoryDocument {
  version: 1;
  plugins: Record<string, unknown>;
  meta: { history_point: number; time: string; host: string; reason: string };
}

export type BackendKind = 'btrfs' | 'files';

/** Storage of points. Implementations keep every point's sections retrievable until it is removed. */
export interface HistoryBackend {
  readonly kind: BackendKind;
  /** The directory (btrfs: subvolume) holding the store. */
  readonly root: string;
  /** Stores the point; `sections` maps plugin -> section. Returns the point with its id. */
  add(point: NewPoint, sections: Record<string, unknown>): Promise<HistoryPoint>;
  /** Every point, oldest (lowest id) first. */
  points(): Promise<HistoryPoint[]>;
  /** One point by id (undefined when there is none). */
  point(id: number): Promise<HistoryPoint | undefined>;
  /** The sections of one point, verified against its hashes. */
  sections(point: HistoryPoint): Promise<Record<string, unknown>>;
  /** Removes points; each id's failure is reported and the others still go. */
  remove(ids: number[]): Promise<Map<number, Error>>;
  /** Free space on the filesystem holding the store. */
  space(): Promise<FsInfo>;
}
