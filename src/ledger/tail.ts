// tail.json: what an append needs to know about the ledger (block count, last hash and txid, the
// tree's frontier) so that opening it reads a few KB instead of every block. A cache, not a record:
// overwritten in place after each append without fsync, authenticated with a key derived from the
// host key (a state this store did not write, or a torn write, is never used), and checked against
// the block file (its length and the leaf hash of its last line) on every open; anything else
// rebuilds it from the blocks (resume.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export interface TailState {
  /** Blocks ever written, pruned ones included: the tree size. */
  blocks: number;
  /** Pruned blocks (the anchor's count) when this was written. */
  firstIndex: number;
  /** Bytes of blocks.jsonl described (whole lines), and the length of the last line without its newline. */
  bytes: number;
  lastLineBytes: number;
  /** RFC 6962 leaf hash of that last line (empty when there is none): ties this state to the file. */
  lastLeaf: string;
  /** The hash the next block chains onto, and the txid of the last block ('' when there is none). */
  lastHash: string;
  lastTxid: string;
  /** The host key id written into every block. */
  keyId: string;
  /** Roots of the tree's perfect subtrees, largest first (frontier.ts). */
  frontier: Buffer[];
}

const VERSION = 1;

/** The MAC key: only the holder of the private host key writes a tail state this store trusts. */
export function tailKey(privateKeyPem: Buffer): Buffer {
  return crypto.createHash('sha256').update('opdbus-ledger tail v1\n').update(privateKeyPem).digest();
}

function payload(s: TailState): string {
  return JSON.stringify([VERSION, s.blocks, s.firstIndex, s.bytes, s.lastLineBytes, s.lastLeaf, s.lastHash, s.lastTxid, s.keyId, s.frontier.map((h) => h.toString('hex'))]);
}

const mac = (key: Buffer, s: TailState): string => crypto.createHmac('sha256', key).update(payload(s)).digest('hex');

/** Always written whole at offset 0, padded: a fixed size needs no truncate (one pwrite per append). */
const FILE_BYTES = 8192;

/** Opens (creating) tail.json for reading and rewriting in place. */
export function openTail(file: string): number {
  return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
}

/** The stored tail state, or undefined when it is missing, damaged or not authentic. */
export function readTail(fd: number, key: Buffer): TailState | undefined {
  let doc: { payload?: unknown; mac?: unknown };
  try {
    const buf = Buffer.alloc(FILE_BYTES);
    doc = JSON.parse(buf.toString('utf8', 0, fs.readSync(fd, buf, 0, FILE_BYTES, 0))) as typeof doc;
  } catch {
    return undefined;
  }
  const p = doc?.payload;
  if (!Array.isArray(p) || p.length !== 10 || p[0] !== VERSION || !Array.isArray(p[9])) return undefined;
  const [, blocks, firstIndex, bytes, lastLineBytes, lastLeaf, lastHash, lastTxid, keyId, frontier] = p as [number, number, number, number, number, string, string, string, string, string[]];
  const s: TailState = { blocks, firstIndex, bytes, lastLineBytes, lastLeaf, lastHash, lastTxid, keyId, frontier: frontier.map((h) => Buffer.from(String(h), 'hex')) };
  if (typeof doc.mac !== 'string' || doc.mac.length !== 64) return undefined;
  return crypto.timingSafeEqual(Buffer.from(doc.mac), Buffer.from(mac(key, s))) ? s : undefined;
}

/** Overwrites tail.json in place, without fsync: losing or tearing it costs one rebuild, never a block. */
export function writeTail(fd: number, key: Buffer, s: TailState): void {
  const buf = Buffer.alloc(FILE_BYTES, ' ');
  const text = Buffer.from(`{"payload":${payload(s)},"mac":"${mac(key, s)}"}`);
  // The frontier is at most 53 hashes; only an absurdly long txid could overflow: then store nothing
  // usable, and the next open rebuilds.
  if (text.length < FILE_BYTES) text.copy(buf);
  buf[FILE_BYTES - 1] = 10;
  fs.writeSync(fd, buf, 0, FILE_BYTES, 0);
}
