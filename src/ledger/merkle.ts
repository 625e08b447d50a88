// TypeScript face of the addon's hashing core (native/hash/): hash chains, RFC 6962 leaf hashes,
// tree roots, inclusion and consistency proofs. Validates here, hands the addon packed buffers.
import { OpdbusError } from '../errors';
import { native } from '../native/binding';

export const HASH_SIZE = 32;

/** A Buffer for small batches, a Promise for those the addon runs off the event loop. */
type Batch = Buffer | Promise<Buffer>;

interface HashAddon {
  hashChain(prev: Buffer, records: Buffer, lengths: Uint32Array): Batch;
  merkleLeafHashes(records: Buffer, lengths: Uint32Array): Batch;
  merkleRoot(leafHashes: Buffer, size: number): Batch;
  merkleRootsAt(leafHashes: Buffer, sizes: number[]): Batch;
  merkleInclusionProof(leafHashes: Buffer, index: number, size: number): Batch;
  merkleConsistencyProof(leafHashes: Buffer, size1: number, size2: number): Batch;
  merkleVerifyInclusion(leafHash: Buffer, index: number | bigint, size: number | bigint, proof: Buffer, root: Buffer): boolean;
  merkleVerifyConsistency(size1: number | bigint, size2: number | bigint, root1: Buffer, root2: Buffer, proof: Buffer): boolean;
  hashAsyncThresholdBytes: number;
}

const addon = (): HashAddon => native() as unknown as HashAddon;

/** Records packed as the addon wants them: one Buffer and their lengths. */
export interface PackedRecords {
  data: Buffer;
  lengths: Uint32Array;
}

export function packRecords(records: readonly Buffer[]): PackedRecords {
  const lengths = new Uint32Array(records.length);
  records.forEach((r, i) => (lengths[i] = r.length));
  return { data: Buffer.concat(records as Buffer[]), lengths };
}

function checkHash(value: Buffer, what: string): void {
  if (!Buffer.isBuffer(value) || value.length !== HASH_SIZE) {
    throw new OpdbusError('Bug', 'HASH_SIZE', `${what}: expected a 32-byte hash, found ${Buffer.isBuffer(value) ? `${value.length} bytes` : typeof value}`);
  }
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new OpdbusError('Bug', 'MERKLE_SIZE', `${what}: expected a non-negative integer, found ${n}`);
}

/** Every link of the chain `prev -> records`: link[i] = SHA-256(link[i-1] || record[i]); N*32 bytes. */
export async function chainLinks(prev: Buffer, records: PackedRecords | readonly Buffer[]): Promise<Buffer> {
  checkHash(prev, 'chain start');
  const packed = Array.isArray(records) ? packRecords(records) : (records as PackedRecords);
  return addon().hashChain(prev, packed.data, packed.lengths);
}

/** RFC 6962 leaf hashes of `records`, N*32 bytes. */
export async function leafHashes(records: PackedRecords | readonly Buffer[]): Promise<Buffer> {
  const packed = Array.isArray(records) ? packRecords(records) : (records as PackedRecords);
  return addon().merkleLeafHashes(packed.data, packed.lengths);
}

function leafCount(leaves: Buffer): number {
  if (leaves.length % HASH_SIZE !== 0) throw new OpdbusError('Bug', 'HASH_SIZE', `leaf hashes: ${leaves.length} bytes is not a multiple of 32`);
  return leaves.length / HASH_SIZE;
}

/** The tree hash of the first `size` leaves (all of them by default). */
export async function treeRoot(leaves: Buffer, size = leafCount(leaves)): Promise<Buffer> {
  checkSize(size, 'tree size');
  return addon().merkleRoot(leaves, size);
}

/** Roots of several prefixes (ascending sizes) in one pass over the leaves. */
export async function treeRootsAt(leaves: Buffer, sizes: readonly number[]): Promise<Buffer[]> {
  sizes.forEach((s) => checkSize(s, 'tree size'));
  return splitHashes(await addon().merkleRootsAt(leaves, [...sizes]));
}

export function splitHashes(joined: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < joined.length; i += HASH_SIZE) out.push(joined.subarray(i, i + HASH_SIZE));
  return out;
}

export async function inclusionProof(leaves: Buffer, index: number, size = leafCount(leaves)): Promise<Buffer[]> {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  return splitHashes(await addon().merkleInclusionProof(leaves, index, size));
}

export async function consistencyProof(leaves: Buffer, size1: number, size2 = leafCount(leaves)): Promise<Buffer[]> {
  checkSize(size1, 'old size');
  checkSize(size2, 'new size');
  return splitHashes(await addon().merkleConsistencyProof(leaves, size1, size2));
}

/** Any malformed part (a hash that is not 32 bytes) makes the proof fail rather than throw. */
const wellFormed = (hashes: readonly Buffer[]): boolean => hashes.every((h) => Buffer.isBuffer(h) && h.length === HASH_SIZE);

export function verifyInclusion(p: { leafHash: Buffer; index: number | bigint; size: number | bigint; proof: readonly Buffer[]; root: Buffer }): boolean {
  if (!wellFormed([p.leafHash, p.root, ...p.proof])) return false;
  return addon().merkleVerifyInclusion(p.leafHash, p.index, p.size, Buffer.concat(p.proof as Buffer[]), p.root);
}

export function verifyConsistency(p: { size1: number | bigint; size2: number | bigint; root1: Buffer; root2: Buffer; proof: readonly Buffer[] }): boolean {
  if (!wellFormed([p.root1, p.root2, ...p.proof])) return false;
  return addon().merkleVerifyConsistency(p.size1, p.size2, p.root1, p.root2, Buffer.concat(p.proof as Buffer[]));
}

/** Inputs at or above this many bytes are hashed in the thread pool (see native/hash/batch.h). */
export function asyncThresholdBytes(): number {
  return addon().hashAsyncThresholdBytes;
}
