// SHA-256 on the calling thread for the few records of one append (its footprints, body and line),
// fed piece by piece so a block is never copied just to be hashed. The addon (merkle.ts) hashes
// inputs of 64 KiB and more in the thread pool; inside `opdbus apply` each such round trip cost
// 2-16 ms (a no-op fs.promises.stat took as long), against ~0.3 ms to hash a 180 KB block here.
import * as crypto from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function sha256(pieces: readonly Buffer[]): Buffer {
  const h = crypto.createHash('sha256');
  for (const p of pieces) h.update(p);
  return h.digest();
}

/** RFC 6962 leaf hash of the record made of `pieces`. */
export const leafHash = (pieces: readonly Buffer[]): Buffer => sha256([LEAF, ...pieces]);

/** RFC 6962 interior node. */
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256([NODE, left, right]);

/** The chain link SHA-256(prev || record). */
export const chainLink = (prev: Buffer, pieces: readonly Buffer[]): Buffer => sha256([prev, ...pieces]);
