// What one transaction did, as plain data. The transaction manager builds exactly one record per
// transaction (apply, rollback, recover) and hands it to every observer: the audit ledger writes one
// block from it, the history store keeps the before/after states it names.
import type { ErrorData } from '../errors';
import type { Action } from '../plugin/contract';

export type TransactionOperation = 'apply' | 'rollback' | 'recover';

export type TransactionOutcome =
  | 'no-changes' // the host already matched; nothing was touched
  | 'committed' // applied and verified
  | 'rolled-back' // failed; every applied plugin was restored
  | 'rollback-failed'; // failed and at least one plugin could not be restored

export interface Actor {
  uid: number;
  user: string;
  sudoUser?: string;
  command: string;
  pid: number;
}

export interface PluginFootprint {
  plugin: string;
  actions: Action[];
  /** SHA-256 (hex) of the canonical JSON of the plugin's section before and after. */
  beforeHash: string;
  afterHash?: string;
  applied: boolean;
  verified: boolean;
  rolledBack: boolean;
  error?: ErrorData;
}

export interface TransactionRecord {
  txid: string;
  operation: TransactionOperation;
  outcome: TransactionOutcome;
  host: string;
  actor: Actor;
  startedAt: string;
  finishedAt: string;
  /** Where the desired state came from (file path or "-"), and its canonical hash. */
  source?: { file: string; sha256: string };
  footprints: PluginFootprint[];
  /** The whole plugins sections before and after (only the plugins this transaction touched). */
  before: Record<string, unknown>;
  after?: Record<string, unknown>;
  error?: ErrorData;
}

/** Something that wants to know about every finished transaction (ledger, history, metrics). */
export interface TransactionObserver {
  readonly name: string;
  onTransaction(record: TransactionRecord, stateDir: string): Promise<void>;
  /**
   * Optional: called once while the changes are being applied, when the main thread would otherwise
   * wait for the kernel or a backend. It loads code and nothing else: it records nothing and reads
   * no state (the transaction's outcome is not known yet).
   */
  prepare?(): void;
}
