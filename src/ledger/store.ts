// The append-only block file. Durable appends with group commit: appends queued before a flush
// starts are chained together, written with one write and one fdatasync, then covered by one signed
// checkpoint before any of their promises resolves. Opening reads tail.json, not the blocks
// (resume.ts), so an append costs the same on a ledger of any length.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { OpdbusError } from '../errors';
import { native } from '../native/binding';
import { fsyncDir } from '../util/fsync';
import { encodeBody, footprintBytes, type Block, type BlockBody, type NewBlock } from './block';
import { hostKeyFromPem, readOrCreatePrivateKey, signCheckpoint, type Checkpoint, type HostKey } from './checkpoint';
import { chainLink, leafHash } from './digest';
import { frontierAppend, frontierRoot } from './frontier';
import { treeRoot } from './merkle';
import { ledgerPaths, type LedgerPaths } from './paths';
import { cutTornLine, resumeLedger } from './resume';
import { openTail, tailKey, writeTail, type TailState } from './tail';

const NEWLINE = Buffer.from('\n');

interface Pending {
  body: NewBlock;
  resolve(block: Block): void;
  reject(err: unknown): void;
}

/** Holds the ledger's own flock while a writer (store or prune) has it open. */
export async function lockLedger(paths: LedgerPaths, timeoutMs = 30_000): Promise<() => void> {
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fd = native().tryLock(paths.lock);
    if (fd !== null) return () => native().unlock(fd);
    if (Date.now() >= deadline) throw new OpdbusError('Locked', 'LEDGER_LOCKED', `${paths.lock}: another process is writing the ledger`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Writes all of `pieces` at the end of the file (a short write is continued), then fdatasyncs it.
 * On the calling thread: inside `opdbus apply` a thread-pool round trip cost more than the write.
 */
function appendDurably(fd: number, pieces: Buffer[]): void {
  let rest = pieces;
  while (rest.length) {
    let n = fs.writevSync(fd, rest);
    while (rest.length && n >= rest[0].length) n -= rest.shift()!.length;
    if (n) rest = [rest[0].subarray(n), ...rest.slice(1)];
  }
  fs.fdatasyncSync(fd);
}

export class LedgerStore {
  private pending: Pending[] = [];
  /** The running flush loop, if any: close() waits for it. */
  private flushing?: Promise<void>;
  private broken?: Error;
  private closed = false;
  /** The signing key, parsed on first use (keyId comes from tail.json). */
  private signer?: Pick<HostKey, 'keyId' | 'privateKey'>;

  private constructor(
    readonly paths: LedgerPaths,
    private readonly privateKeyPem: Buffer,
    private readonly unlock: () => void,
    private readonly fds: { blocks: number; checkpoints: number; tail: number },
    private state: TailState,
  ) {}

  static async open(stateDir: string, opts: { lockTimeoutMs?: number } = {}): Promise<LedgerStore> {
    const paths = ledgerPaths(stateDir);
    const unlock = await lockLedger(paths, opts.lockTimeoutMs);
    const opened: number[] = [];
    try {
      const pem = readOrCreatePrivateKey(paths);
      const fds = { blocks: fs.openSync(paths.blocks, 'a+', 0o600), checkpoints: -1, tail: -1 };
      opened.push(fds.blocks);
      opened.push((fds.checkpoints = fs.openSync(paths.checkpoints, 'a+', 0o600)));
      opened.push((fds.tail = openTail(paths.tail)));
      cutTornLine(fds.checkpoints);
      const { state, stored } = await resumeLedger(paths, fds, tailKey(pem), () => hostKeyFromPem(pem).keyId);
      if (!stored) {
        // No current tail.json: possibly new files, whose names must be durable before any block is.
        fsyncDir(paths.dir);
        writeTail(fds.tail, tailKey(pem), state);
      }
      return new LedgerStore(paths, pem, unlock, fds, state);
    } catch (err) {
      opened.forEach((fd) => fs.closeSync(fd));
      unlock();
      throw err;
    }
  }

  get blockCount(): number {
    return this.state.blocks;
  }

  /**
   * The txid of the last block ('' if none). The one record the transaction manager can deliver
   * twice is that of the transaction just written: no other block is written before its journal is
   * settled (every observer call runs under the host lock, after recovery).
   */
  get lastTxid(): string {
    return this.state.lastTxid;
  }

  /** Resolves once the block and a checkpoint covering it are on disk. */
  append(body: NewBlock): Promise<Block> {
    return new Promise<Block>((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      this.pending.push({ body, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    if (this.closed) return;
    this.closed = true;
    Object.values(this.fds).forEach((fd) => fs.closeSync(fd));
    this.unlock();
  }

  private async flush(): Promise<void> {
    // Always asynchronous, so append()'s assignment of `flushing` happens before this loop can clear it.
    await null;
    while (this.pending.length && !this.broken) {
      const batch = this.pending.splice(0);
      try {
        const blocks = await this.writeBatch(batch.map((p) => p.body));
        batch.forEach((p, i) => p.resolve(blocks[i]));
      } catch (err) {
        // What reached the file is unknown now; the next open cuts any torn tail and re-reads.
        this.broken = new OpdbusError('Backend', 'LEDGER_WRITE', `ledger write failed: ${(err as Error).message}`, { cause: err });
        batch.forEach((p) => p.reject(this.broken));
      }
    }
    this.pending.splice(0).forEach((p) => p.reject(this.broken));
    // Cleared in the same synchronous step as the last look at `pending`: no append can fall between.
    this.flushing = undefined;
  }

  private async writeBatch(news: NewBlock[]): Promise<Block[]> {
    // The descriptors are plain numbers: after close they may already name another file.
    if (this.closed) throw new Error('the store is closed');
    const s = this.state;
    const blocks: Block[] = [];
    const pieces: Buffer[] = [];
    let { frontier, lastHash } = s;
    let lastLeaf = s.lastLeaf;
    let lastLineBytes = s.lastLineBytes;
    for (const [i, b] of news.entries()) {
      // Each footprint is serialised once: its bytes give the footprints root, the body and the line.
      const footprints = footprintBytes(b.footprints);
      const footprintsRoot = (await treeRoot(Buffer.concat(footprints.map((f) => leafHash([f]))))).toString('hex');
      const body: BlockBody = { ...b, index: s.blocks + i, hostKey: s.keyId, footprintsRoot };
      const encoded = encodeBody(body, footprints);
      const hash = chainLink(Buffer.from(lastHash, 'hex'), encoded.body).toString('hex');
      blocks.push({ ...body, prev: lastHash, hash });
      const line = encoded.line(lastHash, hash);
      const leaf = leafHash(line);
      frontier = frontierAppend(frontier, s.blocks + i, leaf);
      pieces.push(...line, NEWLINE);
      lastLeaf = leaf.toString('hex');
      lastLineBytes = line.reduce((n, p) => n + p.length, 0);
      lastHash = hash;
    }
    const bytes = s.bytes + pieces.reduce((n, p) => n + p.length, 0);
    const next: TailState = { ...s, blocks: s.blocks + news.length, bytes, lastLineBytes, lastLeaf, lastHash, lastTxid: news[news.length - 1].txid, frontier };
    // Blocks first, then the checkpoint covering them: a checkpoint must never cover a missing block.
    appendDurably(this.fds.blocks, pieces);
    appendDurably(this.fds.checkpoints, [Buffer.from(JSON.stringify(this.checkpoint(next)) + '\n')]);
    this.state = next;
    try {
      writeTail(this.fds.tail, tailKey(this.privateKeyPem), next);
    } catch {
      // Only a cache, and the blocks are durable: the next open finds them after the stale tail.json.
    }
    return blocks;
  }

  private checkpoint(s: TailState): Checkpoint {
    this.signer ??= { keyId: s.keyId, privateKey: crypto.createPrivateKey(this.privateKeyPem) };
    return signCheckpoint(this.signer, { origin: `opdbus-ledger/${os.hostname()}`, size: s.blocks, root: frontierRoot(s.frontier).toString('hex'), time: new Date().toISOString() });
  }
}
