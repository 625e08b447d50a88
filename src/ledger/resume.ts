// Opening the ledger for an append without reading it: the tail state from tail.json when it still
// describes the block file (same prune count, the file at least as long, and the line ending at its
// length has its leaf hash), extended by any whole blocks written after it; otherwise rebuilt from the
// whole file (a ledger from before tail.json, a prune, a damaged or foreign tail.json). Torn tails are
// cut here. Costs O(size of the last block) when tail.json is current, O(ledger) only on a rebuild.
import * as fs from 'node:fs';
import { OpdbusError } from '../errors';
import { readAnchor } from './anchor';
import { leafHash } from './digest';
import { frontierAppend, frontierOf } from './frontier';
import { HASH_SIZE, leafHashes } from './merkle';
import type { LedgerPaths } from './paths';
import { allLeafHashes, chainStart, loadLedger, parseBlock, totalBlocks } from './read';
import { readTail, type TailState } from './tail';

const NEWLINE = 10;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) return buf.subarray(0, done);
    done += n;
  }
  return buf;
}

/** Cuts the file back to `whole` bytes (a write a crash left unfinished), durably. */
function cutTo(fd: number, whole: number): void {
  fs.ftruncateSync(fd, whole);
  fs.fsyncSync(fd);
}

/** Cuts a trailing partial line, reading only the end of the file (checkpoints.jsonl). */
export function cutTornLine(fd: number): void {
  const size = fs.fstatSync(fd).size;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - 4096);
    const nl = readAt(fd, start, end - start).lastIndexOf(NEWLINE);
    if (nl !== -1) {
      end = start + nl + 1;
      break;
    }
    end = start;
  }
  if (end < size) cutTo(fd, end);
}


/** Does the line that ends at `s.bytes` have the leaf hash tail.json recorded for it? */
function describesFile(fd: number, s: TailState, size: number): boolean {
  if (s.bytes > size) return false;
  if (s.bytes === 0) return s.lastLineBytes === 0 && s.blocks === s.firstIndex;
  const start = s.bytes - 1 - s.lastLineBytes;
  if (start < 0) return false;
  const before = start > 0 ? 1 : 0;
  const buf = readAt(fd, start - before, s.lastLineBytes + 1 + before);
  if (buf.length !== s.lastLineBytes + 1 + before || buf[buf.length - 1] !== NEWLINE || (before && buf[0] !== NEWLINE)) return false;
  return leafHash([buf.subarray(before, buf.length - 1)]).toString('hex') === s.lastLeaf;
}

const damaged = (index: number, paths: LedgerPaths): OpdbusError =>
  new OpdbusError('Integrity', 'LEDGER_DAMAGED', `ledger block ${index} is damaged; nothing can be appended after it (run \`opdbus audit verify\`)`, { path: paths.blocks });

/** The hash and txid of the last of `lines` (blocks from index `first`); a damaged one refuses the append. */
function lastOf(lines: Buffer[], first: number, paths: LedgerPaths): { lastHash: string; lastTxid: string } | undefined {
  let last: { lastHash: string; lastTxid: string } | undefined;
  for (const [i, line] of lines.entries()) {
    const block = parseBlock(line);
    if (!block) throw damaged(first + i, paths);
    last = { lastHash: block.hash, lastTxid: block.txid };
  }
  return last;
}

/** Adds whole lines to the state (their leaf hashes to the frontier, the last one's hash and txid). */
async function extend(s: TailState, lines: Buffer[], paths: LedgerPaths): Promise<TailState> {
  const last = lastOf(lines, s.blocks, paths);
  if (!last) return s;
  const leaves = await leafHashes(lines);
  let frontier = s.frontier;
  lines.forEach((_, i) => (frontier = frontierAppend(frontier, s.blocks + i, leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))));
  const bytes = lines.reduce((n, l) => n + l.length + 1, s.bytes);
  return { ...s, ...last, blocks: s.blocks + lines.length, bytes, lastLineBytes: lines[lines.length - 1].length, lastLeaf: leaves.subarray(-HASH_SIZE).toString('hex'), frontier };
}

/** Whole blocks written after the stored state (a crash before tail.json was rewritten); cuts a torn tail. */
async function catchUp(fd: number, s: TailState, size: number, paths: LedgerPaths): Promise<TailState> {
  const data = readAt(fd, s.bytes, size - s.bytes);
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
    lines.push(data.subarray(start, nl));
    start = nl + 1;
  }
  const next = await extend(s, lines, paths);
  if (start < data.length) cutTo(fd, s.bytes + start);
  return next;
}

/** The whole-file path: every block parsed (a damaged one refuses the append) and every leaf hashed. */
async function rebuild(paths: LedgerPaths, fd: number, keyId: () => string): Promise<TailState> {
  const ledger = loadLedger(paths);
  if (ledger.tornBytes) cutTo(fd, ledger.wholeBytes);
  const last = lastOf(ledger.lines, ledger.firstIndex, paths) ?? { lastHash: chainStart(ledger), lastTxid: '' };
  const blocks = totalBlocks(ledger);
  const leaves = await allLeafHashes(ledger);
  const lastLine = ledger.lines[ledger.lines.length - 1];
  return {
    ...last, blocks, firstIndex: ledger.firstIndex, bytes: ledger.wholeBytes, lastLineBytes: lastLine?.length ?? 0,
    lastLeaf: lastLine ? leaves.subarray(-HASH_SIZE).toString('hex') : '', keyId: keyId(), frontier: await frontierOf(leaves, blocks),
  };
}

/** The tail state to append after; `stored` is false when tail.json must be (re)written. */
export async function resumeLedger(
  paths: LedgerPaths, fds: { blocks: number; tail: number }, tailKey: Buffer, keyId: () => string,
): Promise<{ state: TailState; stored: boolean }> {
  const fd = fds.blocks;
  const size = fs.fstatSync(fd).size;
  const firstIndex = readAnchor(paths)?.prunedCount ?? 0;
  const tail = readTail(fds.tail, tailKey);
  if (tail && tail.firstIndex === firstIndex && describesFile(fd, tail, size)) {
    if (size === tail.bytes) return { state: tail, stored: true };
    return { state: await catchUp(fd, tail, size, paths), stored: false };
  }
  return { state: await rebuild(paths, fd, keyId), stored: false };
}
