// The RFC 6962 tree of a ledger in O(log N) space: the roots of the perfect subtrees its size
// decomposes into (a compact range over [0, N), largest first). Appending a leaf and the tree root
// cost O(log N) hashes, so a checkpoint never needs every leaf hash again.
import * as crypto from 'node:crypto';
import { nodeHash as node } from './digest';
import { treeRoot, HASH_SIZE } from './merkle';

/** The frontier after appending `leaf` (an RFC 6962 leaf hash) to a tree of `size` leaves. */
export function frontierAppend(frontier: readonly Buffer[], size: number, leaf: Buffer): Buffer[] {
  const out = [...frontier];
  let carry = leaf;
  // Like a binary counter: each trailing 1 bit of `size` is a subtree of equal size to merge with.
  for (let n = size; n % 2 === 1; n = (n - 1) / 2) carry = node(out.pop()!, carry);
  out.push(carry);
  return out;
}

/** RFC 6962 MTH of the whole tree: the subtrees folded right to left (MTH({}) = SHA-256 of nothing). */
export function frontierRoot(frontier: readonly Buffer[]): Buffer {
  if (frontier.length === 0) return crypto.createHash('sha256').digest();
  let root = frontier[frontier.length - 1];
  for (let i = frontier.length - 2; i >= 0; i--) root = node(frontier[i], root);
  return root;
}

/** The frontier of the first `size` of `leaves` (N*32 bytes), each subtree root from the addon. */
export async function frontierOf(leaves: Buffer, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = 0;
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) {
    if (size - offset < bit) continue;
    out.push(await treeRoot(leaves.subarray(offset * HASH_SIZE, (offset + bit) * HASH_SIZE), bit));
    offset += bit;
  }
  return out;
}
