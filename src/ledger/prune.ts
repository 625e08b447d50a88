// `audit prune --before T`: drops the leading blocks older than T, keeping the log verifiable: their
// leaf hashes stay (32 bytes each, so every root and proof can still be computed), the chain resumes
// from the last pruned hash, and both are bound by an anchor signed together with the latest checkpoint.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { OpdbusError } from '../errors';
import { writeFileDurable } from '../util/fsync';
import { signAnchor, type Anchor } from './anchor';
import { loadOrCreateHostKey, readCheckpoints } from './checkpoint';
import { leafHashes } from './merkle';
import { ledgerPaths } from './paths';
import { loadLedger, parseBlock } from './read';
import { lockLedger } from './store';
import { verifyLedger } from './verify';

export interface PruneResult {
  pruned: number;
  retained: number;
  anchor?: Anchor;
}

export async function pruneBefore(stateDir: string, before: Date): Promise<PruneResult> {
  const paths = ledgerPaths(stateDir);
  const unlock = await lockLedger(paths);
  try {
    // Pruning a damaged ledger would destroy the evidence: refuse.
    const report = await verifyLedger(stateDir);
    if (!report.ok) throw new OpdbusError('Integrity', 'LEDGER_VERIFY', `refusing to prune a ledger that does not verify: ${report.failure!.message}`);
    const ledger = loadLedger(paths);
    const checkpoint = readCheckpoints(paths).at(-1);
    const blocks = ledger.lines.map((l) => parseBlock(l)!);
    // Only a prefix can go, and only blocks a signed checkpoint covers.
    const signedRetained = checkpoint ? checkpoint.size - ledger.firstIndex : 0;
    let count = 0;
    while (count < blocks.length && count < signedRetained && Date.parse(blocks[count].time) < before.getTime()) count++;
    if (count === 0 || !checkpoint) return { pruned: 0, retained: blocks.length };

    const prunedLeaves = Buffer.concat([ledger.prunedLeaves, await leafHashes(ledger.lines.slice(0, count))]);
    const key = loadOrCreateHostKey(paths);
    const anchor = signAnchor(key, {
      prunedCount: ledger.firstIndex + count,
      lastHash: blocks[count - 1].hash,
      prunedLeavesSha256: crypto.createHash('sha256').update(prunedLeaves).digest('hex'),
      checkpoint,
      time: new Date().toISOString(),
    });
    // Order matters for a crash in between: leaves (a longer file is harmless), then the anchor (the
    // reader skips blocks it covers), then the shorter block file.
    writeFileDurable(paths.prunedLeaves, prunedLeaves);
    writeFileDurable(paths.anchor, JSON.stringify(anchor, null, 2) + '\n');
    // The store's cached tail describes the old file (it would be rebuilt anyway: the file shrinks).
    fs.rmSync(paths.tail, { force: true });
    const kept = ledger.lines.slice(count);
    writeFileDurable(paths.blocks, kept.length ? Buffer.concat(kept.flatMap((l) => [l, Buffer.from('\n')])) : Buffer.alloc(0));
    return { pruned: count, retained: kept.length, anchor };
  } finally {
    unlock();
  }
}
