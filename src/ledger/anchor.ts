// The signed anchor that prune leaves behind: how many leading blocks were dropped, the hash of the
// last one (where the chain resumes), the SHA-256 of their leaf hashes (kept in pruned-leaves.bin so
// every tree root and proof can still be computed) and the signed checkpoint covering them.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { OpdbusError } from '../errors';
import type { Checkpoint, HostKey } from './checkpoint';
import type { LedgerPaths } from './paths';

export interface Anchor {
  prunedCount: number;
  lastHash: string;
  prunedLeavesSha256: string;
  checkpoint: Checkpoint;
  time: string;
  keyId: string;
  sig: string;
}

export function anchorMessage(a: Omit<Anchor, 'sig' | 'keyId' | 'time'>): Buffer {
  return Buffer.from(
    `opdbus-ledger anchor v1\n${a.prunedCount}\n${a.lastHash}\n${a.prunedLeavesSha256}\n${a.checkpoint.size}\n${a.checkpoint.root}\n`,
  );
}

export function signAnchor(key: HostKey, a: Omit<Anchor, 'sig' | 'keyId'>): Anchor {
  if (!key.privateKey) throw new OpdbusError('Bug', 'NO_PRIVATE_KEY', 'signing needs the private host key');
  return { ...a, keyId: key.keyId, sig: crypto.sign(null, anchorMessage(a), key.privateKey).toString('base64') };
}

export function anchorSignatureValid(key: HostKey, a: Anchor): boolean {
  try {
    return a.keyId === key.keyId && crypto.verify(null, anchorMessage(a), key.publicKey, Buffer.from(a.sig, 'base64'));
  } catch {
    return false;
  }
}

export function readAnchor(paths: LedgerPaths): Anchor | undefined {
  let text: string;
  try {
    text = fs.readFileSync(paths.anchor, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as Anchor;
  } catch (err) {
    throw new OpdbusError('Integrity', 'LEDGER_ANCHOR', `${paths.anchor}: not valid JSON: ${(err as Error).message}`, { path: paths.anchor });
  }
}

/** The leaf hashes of the pruned prefix (exactly prunedCount*32 bytes; a longer file is an interrupted prune). */
export function readPrunedLeaves(paths: LedgerPaths, anchor: Anchor | undefined): Buffer {
  if (!anchor) return Buffer.alloc(0);
  const data = fs.readFileSync(paths.prunedLeaves);
  if (data.length < anchor.prunedCount * 32) {
    throw new OpdbusError('Integrity', 'LEDGER_ANCHOR', `${paths.prunedLeaves}: holds ${data.length / 32} leaf hashes, the anchor says ${anchor.prunedCount}`, { path: paths.prunedLeaves });
  }
  return data.subarray(0, anchor.prunedCount * 32);
}
