// Loads a ledger from disk for the store, verify and proofs: the retained block lines, the pruned
// prefix (anchor + leaf hashes), and every block's RFC 6962 leaf hash (computed in one addon batch).
import { readAnchor, readPrunedLeaves, type Anchor } from './anchor';
import { GENESIS_PREV, type Block } from './block';
import { leafHashes } from './merkle';
import { ledgerPaths, readLines, type LedgerPaths } from './paths';

export interface LoadedLedger {
  paths: LedgerPaths;
  anchor?: Anchor;
  /** Index of the first retained block (the number of pruned blocks). */
  firstIndex: number;
  /** The retained block lines, without newlines. */
  lines: Buffer[];
  /** Bytes of complete lines, and of an unfinished last line. */
  wholeBytes: number;
  tornBytes: number;
  /** Leaf hashes of the pruned blocks (firstIndex*32 bytes). */
  prunedLeaves: Buffer;
}

export function parseBlock(line: Buffer): Block | undefined {
  try {
    const b = JSON.parse(line.toString('utf8')) as Block;
    const ok = b !== null && typeof b === 'object' && Number.isSafeInteger(b.index) && typeof b.hash === 'string' &&
      typeof b.prev === 'string' && typeof b.time === 'string' && Array.isArray(b.footprints);
    return ok ? b : undefined;
  } catch {
    return undefined;
  }
}

export function loadLedger(stateDirOrPaths: string | LedgerPaths): LoadedLedger {
  const paths = typeof stateDirOrPaths === 'string' ? ledgerPaths(stateDirOrPaths) : stateDirOrPaths;
  const anchor = readAnchor(paths);
  const firstIndex = anchor?.prunedCount ?? 0;
  const file = readLines(paths.blocks);
  // A prune interrupted after its anchor was written but before the block file was replaced leaves
  // the pruned lines in place: skip them, exactly as the finished prune would have.
  let skip = 0;
  while (skip < file.lines.length && (parseBlock(file.lines[skip])?.index ?? Infinity) < firstIndex) skip++;
  return {
    paths,
    anchor,
    firstIndex,
    lines: file.lines.slice(skip),
    wholeBytes: file.wholeBytes,
    tornBytes: file.tornBytes,
    prunedLeaves: readPrunedLeaves(paths, anchor),
  };
}

/** Leaf hashes of every block ever written (pruned ones from the anchor's file), N*32 bytes. */
export async function allLeafHashes(ledger: LoadedLedger): Promise<Buffer> {
  if (ledger.lines.length === 0) return ledger.prunedLeaves;
  return Buffer.concat([ledger.prunedLeaves, await leafHashes(ledger.lines)]);
}

/** The hash the next block chains onto. */
export function chainStart(ledger: LoadedLedger): string {
  return ledger.anchor?.lastHash ?? GENESIS_PREV;
}

export function totalBlocks(ledger: LoadedLedger): number {
  return ledger.firstIndex + ledger.lines.length;
}
