// `audit verify`: re-derives every block hash, link, footprint root and signed checkpoint and names
// the first bad block and what is wrong with it: its content, its link to the block before, a
// signature (checkpoint, anchor or host key), or truncation (blocks a signed checkpoint covers are gone).
import * as crypto from 'node:crypto';
import { anchorSignatureValid } from './anchor';
import { encodeBody, footprintBytes, splitBlock, type Block } from './block';
import { checkpointSignatureValid, loadPublicKey, parseCheckpoint, type Checkpoint, type HostKey } from './checkpoint';
import { chainLinks, leafHashes, treeRoot, treeRootsAt } from './merkle';
import { readLines } from './paths';
import { allLeafHashes, chainStart, loadLedger, parseBlock, totalBlocks, type LoadedLedger } from './read';

export type FailureKind = 'content' | 'link' | 'signature' | 'truncation';

export interface VerifyFailure {
  index: number;
  kind: FailureKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  blocks: number;
  pruned: number;
  checkpoints: number;
  latestCheckpoint?: { size: number; root: string; time: string };
  notes: string[];
  failure?: VerifyFailure;
}

const fail = (index: number, kind: FailureKind, message: string): VerifyFailure => ({ index, kind, message: `block ${index}: ${kind}: ${message}` });

export interface VerifyOptions {
  /** A signed checkpoint kept outside the state directory: catches a tail cut from both files. */
  witness?: Checkpoint;
}

export async function verifyLedger(stateDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const ledger = loadLedger(stateDir);
  const total = totalBlocks(ledger);
  const first = ledger.firstIndex;
  const notes: string[] = [];
  const report = (failure?: VerifyFailure, checkpoints: Checkpoint[] = []): VerifyReport => {
    const latest = checkpoints[checkpoints.length - 1];
    return {
      ok: !failure, blocks: total, pruned: first, checkpoints: checkpoints.length, notes, failure,
      latestCheckpoint: latest && { size: latest.size, root: latest.root, time: latest.time },
    };
  };
  const key = loadPublicKey(ledger.paths);
  if (!key) return report(total || ledger.tornBytes ? fail(first, 'signature', `the host public key ${ledger.paths.publicKey} is missing`) : undefined);
  const anchorCp = ledger.anchor?.checkpoint;
  if (ledger.anchor && (!anchorSignatureValid(key, ledger.anchor) || !checkpointSignatureValid(key.publicKey, anchorCp!) || anchorCp!.size < first)) {
    return report(fail(Math.max(first - 1, 0), 'signature', `the prune anchor ${ledger.paths.anchor} is not signed by the host key ${key.keyId}`));
  }
  if (ledger.anchor && crypto.createHash('sha256').update(ledger.prunedLeaves).digest('hex') !== ledger.anchor.prunedLeavesSha256) {
    return report(fail(first - 1, 'content', `the pruned leaf hashes do not match the signed anchor`));
  }

  const blocks: Block[] = [];
  for (const [i, line] of ledger.lines.entries()) {
    const block = parseBlock(line);
    if (!block) return report(fail(first + i, 'content', 'not a valid block (damaged JSON)'));
    blocks.push(block);
  }
  const blockFailure = await checkBlocks(blocks, first, chainStart(ledger), key.keyId);
  const cpFailure = await checkCheckpoints(ledger, key, total, notes, opts.witness);
  if (ledger.tornBytes) notes.push(`${ledger.tornBytes} bytes of an unfinished append after block ${total - 1} (cut back on the next write)`);
  const failures = [blockFailure, cpFailure.failure].filter((f): f is VerifyFailure => !!f).sort((a, b) => a.index - b.index);
  return report(failures[0], cpFailure.checkpoints);
}

async function checkBlocks(blocks: Block[], first: number, start: string, keyId: string): Promise<VerifyFailure | undefined> {
  const parts = blocks.map((b) => {
    const split = splitBlock(b);
    const footprints = footprintBytes(split.body.footprints);
    return { ...split, footprints, bytes: Buffer.concat(encodeBody(split.body, footprints).body) };
  });
  const links = await chainLinks(Buffer.from(start, 'hex'), parts.map((p) => p.bytes));
  const linkHex = (i: number): string => (i < 0 ? start : links.subarray(i * 32, i * 32 + 32).toString('hex'));
  for (const [i, { body, prev, hash, footprints }] of parts.entries()) {
    const index = first + i;
    if (hash !== linkHex(i)) {
      if (prev !== linkHex(i - 1)) return fail(index, 'link', `its prev ${prev.slice(0, 16)}... is not the hash of block ${index - 1} (${linkHex(i - 1).slice(0, 16)}...): a block is missing, inserted or out of order`);
      return fail(index, 'content', `its content does not match its hash ${hash.slice(0, 16)}...`);
    }
    if (prev !== linkHex(i - 1)) return fail(index, 'link', `its prev field was altered (the hash chains onto ${linkHex(i - 1).slice(0, 16)}...)`);
    if (body.index !== index) return fail(index, 'link', `it says it is block ${body.index}: blocks are out of order`);
    if (body.hostKey !== keyId) return fail(index, 'signature', `it was written under host key ${String(body.hostKey).slice(0, 16)}... but the ledger's public key is ${keyId.slice(0, 16)}... (host key replaced)`);
    const fpRoot = (await treeRoot(await leafHashes(footprints))).toString('hex');
    if (fpRoot !== body.footprintsRoot) return fail(index, 'content', 'its footprints do not match its footprints root');
  }
  return undefined;
}

async function checkCheckpoints(
  ledger: LoadedLedger, key: HostKey, total: number, notes: string[], witness?: Checkpoint,
): Promise<{ failure?: VerifyFailure; checkpoints: Checkpoint[] }> {
  const file = readLines(ledger.paths.checkpoints);
  if (file.tornBytes) notes.push(`${file.tornBytes} bytes of an unfinished checkpoint write (cut back on the next write)`);
  const checkpoints: Checkpoint[] = [];
  let coveredBefore = 0;
  for (const [n, line] of file.lines.entries()) {
    const cp = parseCheckpoint(line);
    if (!cp) return { failure: fail(coveredBefore, 'signature', `checkpoint ${n + 1} is damaged (not a valid checkpoint)`), checkpoints };
    if (cp.keyId !== key.keyId || !checkpointSignatureValid(key.publicKey, cp)) {
      return { failure: fail(Math.max(cp.size - 1, 0), 'signature', `checkpoint ${n + 1} (size ${cp.size}, ${cp.time}) has a bad signature for host key ${key.keyId.slice(0, 16)}...`), checkpoints };
    }
    if (cp.size < coveredBefore) return { failure: fail(cp.size, 'truncation', `checkpoint ${n + 1} covers ${cp.size} blocks, fewer than an earlier one (${coveredBefore}): the log was rolled back`), checkpoints };
    if (cp.size > total) {
      const torn = ledger.tornBytes ? ` (block ${total} is torn)` : '';
      return { failure: fail(total, 'truncation', `the signed checkpoint of ${cp.time} covers ${cp.size} blocks but the ledger ends after ${total}${torn}`), checkpoints };
    }
    checkpoints.push(cp);
    coveredBefore = cp.size;
  }
  const roots = await treeRootsAt(await allLeafHashes(ledger), checkpoints.map((c) => c.size));
  let good = 0;
  for (const [n, cp] of checkpoints.entries()) {
    if (roots[n].toString('hex') !== cp.root) {
      return { failure: fail(Math.max(good, ledger.firstIndex), 'content', `blocks ${good}..${cp.size - 1} do not match the root signed in checkpoint ${n + 1} (${cp.time})`), checkpoints };
    }
    good = cp.size;
  }
  if (witness) {
    const failure = await checkWitness(ledger, key, total, witness);
    if (failure) return { failure, checkpoints };
  }
  const unsigned = total - good;
  if (unsigned > 0) notes.push(`${unsigned} block${unsigned === 1 ? '' : 's'} after the latest signed checkpoint`);
  return { checkpoints };
}

async function checkWitness(ledger: LoadedLedger, key: HostKey, total: number, witness: Checkpoint): Promise<VerifyFailure | undefined> {
  const what = `the checkpoint kept outside the ledger (size ${witness.size}, ${witness.time})`;
  if (witness.keyId !== key.keyId || !checkpointSignatureValid(key.publicKey, witness)) {
    return fail(Math.max(Math.min(witness.size, total) - 1, 0), 'signature', `${what} is not signed by this ledger's host key ${key.keyId.slice(0, 16)}...`);
  }
  if (witness.size > total) return fail(total, 'truncation', `${what} covers ${witness.size} blocks but the ledger ends after ${total}`);
  const [root] = await treeRootsAt(await allLeafHashes(ledger), [witness.size]);
  if (root.toString('hex') !== witness.root) return fail(ledger.firstIndex, 'content', `the first ${witness.size} blocks do not match the root of ${what}`);
  return undefined;
}
