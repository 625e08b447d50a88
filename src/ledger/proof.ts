// Inclusion proofs against the latest signed checkpoint, as self-contained JSON that can be checked
// offline (block line, audit path, signed checkpoint, public key), and consistency proofs.
import * as crypto from 'node:crypto';
import { OpdbusError } from '../errors';
import { checkpointSignatureValid, keyIdOf, loadPublicKey, parseCheckpoint, publicKeyFromRaw, readCheckpoints, type Checkpoint } from './checkpoint';
import { consistencyProof, inclusionProof, treeRootsAt, verifyConsistency, verifyInclusion } from './merkle';
import { allLeafHashes, loadLedger, parseBlock, totalBlocks } from './read';

export const INCLUSION_FORMAT = 'opdbus-ledger-inclusion-proof/1';
export const CONSISTENCY_FORMAT = 'opdbus-ledger-consistency-proof/1';

export interface InclusionProofDoc {
  format: typeof INCLUSION_FORMAT;
  index: number;
  treeSize: number;
  /** The block exactly as stored (its RFC 6962 leaf is SHA-256(0x00 || block)). */
  block: string;
  proof: string[];
  checkpoint: Checkpoint;
  /** Raw ed25519 public key, base64. */
  publicKey: string;
}

export interface ConsistencyProofDoc {
  format: typeof CONSISTENCY_FORMAT;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
  verified: boolean;
}

export async function proveInclusion(stateDir: string, index: number): Promise<InclusionProofDoc> {
  const ledger = loadLedger(stateDir);
  const checkpoint = readCheckpoints(ledger.paths).at(-1);
  const key = loadPublicKey(ledger.paths);
  if (!checkpoint || !key) throw new OpdbusError('NotFound', 'NO_CHECKPOINT', 'the ledger has no signed checkpoint yet');
  if (index < ledger.firstIndex) throw new OpdbusError('NotFound', 'BLOCK_PRUNED', `block ${index} was pruned (the ledger starts at block ${ledger.firstIndex})`);
  if (index >= checkpoint.size) {
    throw new OpdbusError('NotFound', 'BLOCK_NOT_SIGNED', `block ${index} is not covered by the latest signed checkpoint (${checkpoint.size} blocks)`);
  }
  const leaves = await allLeafHashes(ledger);
  const [root] = await treeRootsAt(leaves, [checkpoint.size]);
  if (root.toString('hex') !== checkpoint.root) {
    throw new OpdbusError('Integrity', 'LEDGER_ROOT', `the ledger does not match its latest signed checkpoint; run \`opdbus audit verify\``);
  }
  const proof = await inclusionProof(leaves, index, checkpoint.size);
  return {
    format: INCLUSION_FORMAT, index, treeSize: checkpoint.size, block: ledger.lines[index - ledger.firstIndex].toString('utf8'),
    proof: proof.map((h) => h.toString('hex')), checkpoint, publicKey: key.publicRaw,
  };
}

const bad = (message: string): OpdbusError => new OpdbusError('Integrity', 'PROOF_INVALID', `proof does not verify: ${message}`);

function field<T>(doc: Record<string, unknown>, name: string, ok: (v: unknown) => boolean, expected: string): T {
  if (!ok(doc[name])) throw new OpdbusError('InvalidInput', 'PROOF_FORMAT', `/${name}: expected ${expected}, found ${JSON.stringify(doc[name]) ?? 'nothing'}`, { path: `/${name}` });
  return doc[name] as T;
}

const isHexList = (v: unknown): boolean => Array.isArray(v) && v.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));

/** Checks a proof document offline; returns what it proves or throws an Integrity error naming the failure. */
export function checkInclusionProof(input: unknown, expectKeyId?: string): { index: number; treeSize: number; time: string; keyId: string } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new OpdbusError('InvalidInput', 'PROOF_FORMAT', `expected a proof object, found ${JSON.stringify(input)}`);
  const doc = input as Record<string, unknown>;
  field(doc, 'format', (v) => v === INCLUSION_FORMAT, `"${INCLUSION_FORMAT}"`);
  const index = field<number>(doc, 'index', (v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a block index');
  const treeSize = field<number>(doc, 'treeSize', (v) => Number.isSafeInteger(v) && (v as number) > 0, 'a tree size');
  const block = field<string>(doc, 'block', (v) => typeof v === 'string', 'the block line');
  const proof = field<string[]>(doc, 'proof', isHexList, 'a list of 64-hex-digit hashes');
  const checkpoint = field<Checkpoint>(doc, 'checkpoint', (v) => parseCheckpoint(Buffer.from(JSON.stringify(v ?? null))) !== undefined, 'a signed checkpoint {origin, size, root, time, keyId, sig}');
  const publicKey = publicKeyFromRaw(field<string>(doc, 'publicKey', (v) => typeof v === 'string', 'a base64 public key'));
  const keyId = keyIdOf(publicKey);
  if (expectKeyId && keyId !== expectKeyId) throw bad(`signed by host key ${keyId}, expected ${expectKeyId}`);
  if (checkpoint.keyId !== keyId || !checkpointSignatureValid(publicKey, checkpoint)) throw bad('the checkpoint signature is not valid for the included public key');
  if (checkpoint.size !== treeSize) throw bad(`treeSize ${treeSize} is not the checkpoint's size ${checkpoint.size}`);
  const parsed = parseBlock(Buffer.from(block));
  if (!parsed) throw bad('the block is not a valid ledger block');
  if (parsed.index !== index) throw bad(`the block says it is block ${parsed.index}, the proof is for block ${index}`);
  if (parsed.hostKey !== keyId) throw bad('the block was written under a different host key');
  const leafHash = crypto.createHash('sha256').update(Buffer.from([0])).update(block).digest();
  const ok = verifyInclusion({ leafHash, index, size: treeSize, proof: proof.map((h) => Buffer.from(h, 'hex')), root: Buffer.from(checkpoint.root, 'hex') });
  if (!ok) throw bad(`the audit path does not lead from block ${index} to the signed root`);
  return { index, treeSize, time: checkpoint.time, keyId };
}

export async function proveConsistency(stateDir: string, size1: number, size2: number): Promise<ConsistencyProofDoc> {
  const ledger = loadLedger(stateDir);
  const total = totalBlocks(ledger);
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0 && size1 <= size2 && size2 <= total)) {
    throw new OpdbusError('InvalidInput', 'USAGE', `consistency: expected 0 <= OLD <= NEW <= ${total} (the ledger's size), found ${size1} and ${size2}`);
  }
  const leaves = await allLeafHashes(ledger);
  const [root1, root2] = await treeRootsAt(leaves, [size1, size2]);
  const proof = await consistencyProof(leaves, size1, size2);
  const verified = verifyConsistency({ size1, size2, root1, root2, proof });
  return { format: CONSISTENCY_FORMAT, size1, size2, root1: root1.toString('hex'), root2: root2.toString('hex'), proof: proof.map((h) => h.toString('hex')), verified };
}
