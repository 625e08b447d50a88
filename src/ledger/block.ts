// One ledger block: what it holds, how it is serialised (one canonical-JSON line) and what its hash
// covers. hash = SHA-256(previous hash || canonical body), body = every field except `prev` and `hash`
// (the link is in the hash input, so a batch of bodies can be chained in one addon call).
import type { TransactionRecord, Actor, PluginFootprint } from '../transaction/record';
import { canonicalJson } from '../util/canonical';

export const BLOCK_VERSION = 1;
/** The `prev` of block 0. */
export const GENESIS_PREV = '0'.repeat(64);

export type LedgerOperation = 'apply' | 'rollback' | 'recover' | 'verify' | 'drift';

export interface BlockFootprint {
  plugin: string;
  actions: PluginFootprint['actions'];
  beforeHash: string;
  afterHash?: string;
  applied: boolean;
  verified: boolean;
  rolledBack: boolean;
  error?: PluginFootprint['error'];
}

/** The hashed part of a block. */
export interface BlockBody {
  v: number;
  index: number;
  time: string;
  host: string;
  /** Key id (SHA-256 of the raw ed25519 public key) of the host key that signs this ledger. */
  hostKey: string;
  txid: string;
  operation: LedgerOperation;
  outcome: string;
  actor: Actor;
  footprints: BlockFootprint[];
  /** RFC 6962 root over the canonical JSON of each footprint. */
  footprintsRoot: string;
  source?: { file: string; sha256: string };
  error?: TransactionRecord['error'];
}

export interface Block extends BlockBody {
  prev: string;
  hash: string;
}

/** What a writer supplies; the store assigns the index, host key id and footprints root. */
export type NewBlock = Omit<BlockBody, 'index' | 'footprintsRoot' | 'hostKey'>;

export function bodyFromRecord(record: TransactionRecord): NewBlock {
  const body: NewBlock = {
    v: BLOCK_VERSION,
    time: record.finishedAt,
    host: record.host,
    txid: record.txid,
    operation: record.operation,
    outcome: record.outcome,
    actor: record.actor,
    footprints: record.footprints.map((f) => {
      const fp: BlockFootprint = { plugin: f.plugin, actions: f.actions, beforeHash: f.beforeHash, applied: f.applied, verified: f.verified, rolledBack: f.rolledBack };
      if (f.afterHash !== undefined) fp.afterHash = f.afterHash;
      if (f.error !== undefined) fp.error = f.error;
      return fp;
    }),
  };
  if (record.source) body.source = record.source;
  if (record.error) body.error = record.error;
  return body;
}

export function footprintBytes(footprints: readonly BlockFootprint[]): Buffer[] {
  return footprints.map((f) => Buffer.from(canonicalJson(f)));
}

export function bodyBytes(body: BlockBody): Buffer {
  return Buffer.from(canonicalJson(body));
}

/** Splits a parsed block into its hashed body and its link fields. */
export function splitBlock(block: Block): { body: BlockBody; prev: string; hash: string } {
  const { prev, hash, ...body } = block;
  return { body, prev, hash };
}

/** The stored line (without its newline). */
export function blockLine(body: BlockBody, prev: string, hash: string): Buffer {
  return Buffer.from(canonicalJson({ ...body, prev, hash }));
}
