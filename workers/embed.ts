// Piscina worker: embeds batches of texts with onnxruntime (CPU execution provider). Tokenisation and
// inference both run here, never on the main thread; the session is opened once per worker.
import { threadId, workerData } from 'node:worker_threads';
import { OrtGate } from '../src/search/ort-gate';
import { unpackInputs } from '../src/search/pack';
import { embedBatch, openSession, type EmbeddingSession } from '../src/search/session';
import type { EmbedResult, EmbedTask, EmbedWorkerData } from '../src/search/types';

const config = workerData as EmbedWorkerData;
const gate = new OrtGate(config.gate);
let session: Promise<EmbeddingSession> | undefined;

export default async function embed(task: EmbedTask): Promise<EmbedResult> {
  session ??= openSession(config.modelDir, config.intraOpThreads, gate);
  const es = await session;
  const vectors = await embedBatch(es, unpackInputs(task));
  return { vectors, dim: es.dim, threadId };
}
