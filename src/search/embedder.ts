// The embedding pool client: splits inputs into batches and runs them on a Piscina pool of
// workers/embed.js. Pool size is configurable; each worker gets cores/poolSize intra-op threads so the
// pool never oversubscribes the CPU. A batch whose worker dies is retried once on a fresh worker; one
// idle anchor thread per process (workers/ort-anchor.ts) keeps onnxruntime loadable for those fresh
// workers and for later pools. Workers are only ever terminated with no onnxruntime call in progress
// (src/search/ort-gate.ts): close() and process exit close the gate and wait for the calls inside it.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { OpdbusError } from '../errors';
import { modelFiles, type ModelFiles } from './model';
import { GATE_WAIT_MS, holdExit, OrtGate, releaseExit } from './ort-gate';
import { packInputs } from './pack';
import type { EmbedInput, EmbedResult, EmbedWorkerData } from './types';

export interface EmbedderOptions {
  /** Worker threads (default: every core, at most 4). */
  poolSize?: number;
  /** Inputs per task (default 32). */
  batchSize?: number;
  modelDir?: string;
}

/**
 * Tasks Piscina hands a worker at once: the next batch waits in the worker's port while it computes
 * the current one, so a worker never idles for the round trip through a main thread that may itself
 * be waiting for a CPU. (A worker tokenises a whole batch before its first await, so the two never
 * interleave inside the session's scratch arrays.)
 */
const TASKS_PER_WORKER = 2;
const WORKER_FILE = path.resolve(__dirname, '..', '..', 'workers', 'embed.js');
const ANCHOR_FILE = path.resolve(__dirname, '..', '..', 'workers', 'ort-anchor.js');

let anchor: Promise<void> | undefined;
/**
 * Resolves once the process's anchor thread holds onnxruntime (started on first use, never ended). A
 * failed load is not kept: the next pool tries again.
 */
function ortAnchor(): Promise<void> {
  if (!anchor) {
    const gate = new OrtGate();
    holdExit(gate);
    const worker = new Worker(ANCHOR_FILE, { workerData: gate.buffer });
    worker.unref();
    const loading: Promise<void> = new Promise((resolve, reject) => {
      worker.once('message', (m: { loaded?: boolean; error?: string }) => (m.loaded ? resolve() : reject(new Error(m.error ?? 'unknown error'))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the thread ended (exit code ${code}) before it had loaded it`)));
    });
    anchor = loading.catch((err: Error) => {
      anchor = undefined;
      releaseExit(gate);
      throw new OpdbusError('Backend', 'EMBED_FAILED', `onnxruntime could not be loaded: ${err.message}`);
    });
  }
  return anchor;
}

export class Embedder {
  readonly pool: Piscina;
  readonly poolSize: number;
  readonly intraOpThreads: number;
  readonly modelFiles: ModelFiles;
  /** Closed before any worker is terminated; tests close it to stop a worker mid-run safely. */
  readonly gate = new OrtGate();
  private readonly batchSize: number;
  private readonly anchored: Promise<void>;
  private closed = false;

  constructor(options: EmbedderOptions = {}) {
    const cores = os.availableParallelism();
    this.poolSize = Math.max(1, options.poolSize ?? Math.min(cores, 4));
    this.intraOpThreads = Math.max(1, Math.floor(cores / this.poolSize));
    this.batchSize = Math.max(1, options.batchSize ?? 32);
    this.modelFiles = modelFiles(options.modelDir);
    const workerData: EmbedWorkerData = { modelDir: this.modelFiles.dir, intraOpThreads: this.intraOpThreads, gate: this.gate.buffer };
    this.anchored = ortAnchor();
    this.anchored.catch(() => undefined); // reported by the first batch that awaits it
    holdExit(this.gate);
    this.pool = new Piscina({ filename: WORKER_FILE, minThreads: this.poolSize, maxThreads: this.poolSize, concurrentTasksPerWorker: TASKS_PER_WORKER, workerData });
  }

  /** One L2-normalised vector per input, in order. */
  async embed(inputs: EmbedInput[]): Promise<Float32Array[]> {
    const batches: Promise<EmbedResult>[] = [];
    for (let i = 0; i < inputs.length; i += this.batchSize) batches.push(this.runBatch(inputs.slice(i, i + this.batchSize)));
    const vectors: Float32Array[] = [];
    for (const result of await Promise.all(batches)) {
      for (let r = 0; r < result.vectors.length / result.dim; r++) vectors.push(result.vectors.subarray(r * result.dim, (r + 1) * result.dim));
    }
    return vectors;
  }

  /** The ids of the worker threads that ran each batch (for tests: never 0, the main thread). */
  async embedWithThreads(inputs: EmbedInput[]): Promise<{ vectors: Float32Array; threadId: number }> {
    const r = await this.runBatch(inputs);
    return { vectors: r.vectors, threadId: r.threadId };
  }

  private async runBatch(inputs: EmbedInput[]): Promise<EmbedResult> {
    await this.anchored;
    this.throwIfClosed();
    // Packed here, each batch just before it is queued: packing every batch before the first was
    // queued kept the workers idle meanwhile (~30 ms of 4,000 state views).
    const task = packInputs(inputs);
    try {
      return (await this.pool.run(task)) as EmbedResult;
    } catch (first) {
      this.throwIfClosed((first as Error).message);
      // A worker that died (killed, out of memory) takes its task down; Piscina starts a new one.
      try {
        return (await this.pool.run(task)) as EmbedResult;
      } catch (err) {
        throw new OpdbusError('Backend', 'EMBED_FAILED', `embedding worker failed twice: ${(err as Error).message} (first: ${(first as Error).message})`);
      }
    }
  }

  /** Piscina would start new workers for a task given after destroy(), and they would keep the process alive. */
  private throwIfClosed(detail?: string): void {
    if (this.closed) throw new OpdbusError('Backend', 'EMBED_FAILED', `the embedding pool was closed before this batch could finish${detail ? ` (${detail})` : ''}`);
  }

  /** Ends the pool. Batches still running are refused (EMBED_FAILED): callers close when done. */
  async close(): Promise<void> {
    this.closed = true;
    this.gate.pause();
    await this.gate.idle(GATE_WAIT_MS);
    await this.pool.destroy();
    releaseExit(this.gate); // only now: an exit during the wait above must still hold for the gate
  }
}
