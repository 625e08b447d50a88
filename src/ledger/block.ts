// One ledger block: what it holds, how it is serialised (one canonical-JSON line) and what its hash
// covers. hash = SHA-256(previous hash || canonical body), body = every field except `prev` and `hash`
// (the link is in the hash input, so a batch of bodies can be chained in one addon call).
import type { TransactionRecord, Actor, PluginFootprint } from '../transaction/record';
import { canonicalJson, canonicalJsonOnce } from '../util/canonical';

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

/**
 * Each footprint's canonical JSON: the records under footprintsRoot, and the pieces of the body.
 * `actions` is the first of a footprint's keys in sorted order and nearly all of its bytes; its JSON
 * is usually made already (canonicalJsonOnce, while the plugins applied), so it is put in front of
 * the rest's, which gives the same text as canonicalJson of the whole footprint.
 */
export function footprintBytes(footprints: readonly BlockFootprint[]): Buffer[] {
  return footprints.map((f) => {
    const { actions, ...rest } = f;
    if (!Array.isArray(actions) || Object.keys(rest).some((k) => k < 'actions')) return Buffer.from(canonicalJson(f));
    const others = canonicalJson(rest);
    return Buffer.from(`{"actions":${canonicalJsonOnce(actions)}${others === '{}' ? '}' : `,${others.slice(1)}`}`);
  });
}

/** Splits a parsed block into its hashed body and its link fields. */
export function splitBlock(block: Block): { body: BlockBody; prev: string; hash: string } {
  const { prev, hash, ...body } = block;
  return { body, prev, hash };
}

/** A body serialised once, as pieces (never copied into one buffer): the hashed bytes and the stored line. */
export interface EncodedBody {
  /** canonical_json(body): what the chain hash covers. */
  body: Buffer[];
  /** canonical_json({...body, prev, hash}), without its newline. */
  line(prev: string, hash: string): Buffer[];
}

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');

/**
 * Byte for byte canonicalJson(body) and canonicalJson({...body, prev, hash}), built from the
 * footprints' canonical JSON (`footprints`, from footprintBytes) instead of serialising them again:
 * they are nearly all of a block (a 1,000-link apply is ~180 KB of them).
 */
export function encodeBody(body: BlockBody, footprints: readonly Buffer[]): EncodedBody {
  const fields = new Map<string, Buffer[]>();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'footprints') continue;
    // canonicalJson(undefined) is undefined: the key is left out, as JSON.stringify leaves it out.
    const json = canonicalJson(value) as string | undefined;
    if (json !== undefined) fields.set(key, [Buffer.from(`${JSON.stringify(key)}:${json}`)]);
  }
  fields.set('footprints', [Buffer.from('"footprints":['), ...footprints.flatMap((f, i) => (i ? [COMMA, f] : [f])), Buffer.from(']')]);
  const object = (all: Map<string, Buffer[]>): Buffer[] => [OPEN, ...[...all.keys()].sort().flatMap((k, i) => (i ? [COMMA, ...all.get(k)!] : all.get(k)!)), CLOSE];
  const link = (key: string, value: string): [string, Buffer[]] => [key, [Buffer.from(`"${key}":${JSON.stringify(value)}`)]];
  return {
    body: object(fields),
    line: (prev, hash) => object(new Map([...fields, link('prev', prev), link('hash', hash)])),
  };
}
