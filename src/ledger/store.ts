// The append-only block file. Durable appends with group commit: appends that arrive while a write
// is being flushed are chained in one addon call, written with one write and one fdatasync, then
// covered by one signed checkpoint before any of their promises resolves. A torn tail (a crash in
// the middle of a write) is cut back to the last whole line on open.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { OpdbusError } from '../errors';
import { native } from '../native/binding';
import { fsyncDir } from '../util/fsync';
import { blockLine, bodyBytes, footprintBytes, type Block, type BlockBody, type NewBlock } from './block';
import { loadOrCreateHostKey, signCheckpoint, type Checkpoint, type HostKey } from './checkpoint';
import { chainLinks, leafHashes, treeRoot } from './merkle';
import { ledgerPaths, readLines, type LedgerPaths } from './paths';
import { allLeafHashes, chainStart, loadLedger, parseBlock, totalBlocks } from './read';

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

/** Cuts a trailing partial line left by a crash; returns how many bytes went. */
export function cutTornTail(file: string, wholeBytes: number, tornBytes: number): number {
  if (tornBytes === 0) return 0;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.ftruncateSync(fd, wholeBytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return tornBytes;
}

export class LedgerStore {
  private pending: Pending[] = [];
  /** The running flush loop, if any: close() waits for it. */
  private flushing?: Promise<void>;
  private broken?: Error;

  private constructor(
    readonly paths: LedgerPaths,
    private readonly key: HostKey,
    private readonly unlock: () => void,
    private readonly blocksFh: fs.promises.FileHandle,
    private readonly checkpointsFh: fs.promises.FileHandle,
    private size: number,
    private lastHash: string,
    private leaves: Buffer,
    private readonly txids: Set<string>,
  ) {}

  static async open(stateDir: string, opts: { lockTimeoutMs?: number } = {}): Promise<LedgerStore> {
    const paths = ledgerPaths(stateDir);
    const unlock = await lockLedger(paths, opts.lockTimeoutMs);
    try {
      const key = loadOrCreateHostKey(paths);
      const ledger = loadLedger(paths);
      cutTornTail(paths.blocks, ledger.wholeBytes, ledger.tornBytes);
      const cps = readLines(paths.checkpoints);
      cutTornTail(paths.checkpoints, cps.wholeBytes, cps.tornBytes);
      const txids = new Set<string>();
      let lastHash = chainStart(ledger);
      ledger.lines.forEach((line, i) => {
        const block = parseBlock(line);
        if (!block) {
          throw new OpdbusError('Integrity', 'LEDGER_DAMAGED', `ledger block ${ledger.firstIndex + i} is damaged; nothing can be appended after it (run \`opdbus audit verify\`)`, { path: paths.blocks });
        }
        txids.add(block.txid);
        lastHash = block.hash;
      });
      const leaves = await allLeafHashes(ledger);
      const blocksFh = await fs.promises.open(paths.blocks, 'a', 0o600);
      const checkpointsFh = await fs.promises.open(paths.checkpoints, 'a', 0o600);
      fsyncDir(paths.dir);
      return new LedgerStore(paths, key, unlock, blocksFh, checkpointsFh, totalBlocks(ledger), lastHash, leaves, txids);
    } catch (err) {
      unlock();
      throw err;
    }
  }

  get blockCount(): number {
    return this.size;
  }

  has(txid: string): boolean {
    return this.txids.has(txid);
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
    await this.blocksFh.close();
    await this.checkpointsFh.close();
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
    const bodies: BlockBody[] = [];
    for (const [i, b] of news.entries()) {
      const fpRoot = await treeRoot(await leafHashes(footprintBytes(b.footprints)));
      bodies.push({ ...b, index: this.size + i, hostKey: this.key.keyId, footprintsRoot: fpRoot.toString('hex') });
    }
    const links = await chainLinks(Buffer.from(this.lastHash, 'hex'), bodies.map(bodyBytes));
    const blocks: Block[] = [];
    const lines: Buffer[] = [];
    let prev = this.lastHash;
    bodies.forEach((body, i) => {
      const hash = links.subarray(i * 32, i * 32 + 32).toString('hex');
      blocks.push({ ...body, prev, hash });
      lines.push(blockLine(body, prev, hash));
      prev = hash;
    });
    await this.blocksFh.write(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    await this.blocksFh.datasync();
    this.leaves = Buffer.concat([this.leaves, await leafHashes(lines)]);
    this.size += bodies.length;
    this.lastHash = prev;
    for (const b of bodies) this.txids.add(b.txid);
    await this.writeCheckpoint();
    return blocks;
  }

  private async writeCheckpoint(): Promise<Checkpoint> {
    const root = await treeRoot(this.leaves, this.size);
    const cp = signCheckpoint(this.key, { origin: `opdbus-ledger/${os.hostname()}`, size: this.size, root: root.toString('hex'), time: new Date().toISOString() });
    await this.checkpointsFh.write(JSON.stringify(cp) + '\n');
    await this.checkpointsFh.datasync();
    return cp;
  }
}
