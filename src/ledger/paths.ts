// Where the ledger lives inside the state directory, and how its append-only line files are read:
// complete lines only, a trailing partial line (a torn write) reported separately.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LedgerPaths {
  dir: string;
  blocks: string;
  checkpoints: string;
  /** ed25519 private key (PKCS#8 PEM, mode 0600) and its public half (SPKI PEM). */
  privateKey: string;
  publicKey: string;
  /** Written by prune: the signed anchor and the leaf hashes of the pruned blocks. */
  anchor: string;
  prunedLeaves: string;
  /** The store's cache of the ledger's tail (tail.ts). */
  tail: string;
  lock: string;
}

export function ledgerPaths(stateDir: string): LedgerPaths {
  const dir = path.join(stateDir, 'ledger');
  return {
    dir,
    blocks: path.join(dir, 'blocks.jsonl'),
    checkpoints: path.join(dir, 'checkpoints.jsonl'),
    privateKey: path.join(dir, 'host-key.pem'),
    publicKey: path.join(dir, 'host-key.pub'),
    anchor: path.join(dir, 'anchor.json'),
    prunedLeaves: path.join(dir, 'pruned-leaves.bin'),
    tail: path.join(dir, 'tail.json'),
    lock: path.join(dir, 'lock'),
  };
}

export interface LineFile {
  /** Complete lines, without their newline (views into one buffer). */
  lines: Buffer[];
  /** Bytes up to and including the last newline. */
  wholeBytes: number;
  /** Bytes after the last newline: a write that did not finish. */
  tornBytes: number;
}

export function readLines(file: string): LineFile {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], wholeBytes: 0, tornBytes: 0 };
    throw err;
  }
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
    lines.push(data.subarray(start, nl));
    start = nl + 1;
  }
  return { lines, wholeBytes: start, tornBytes: data.length - start };
}
