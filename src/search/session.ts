// One onnxruntime session of the static embedding model, and batched inference over it. Used by the
// embedding worker (workers/embed.ts); tests and the benchmark use it directly as the in-thread reference.
import * as ort from 'onnxruntime-node';
import { modelFiles } from './model';
import { Tokenizer } from './tokenizer';
import type { EmbedInput } from './types';

/** Distinct tokens kept per input (repeats are merged into one weighted token). */
const MAX_TOKENS = 2048;
/** batch x tokens per onnxruntime run, bounding the [batch, tokens, dim] intermediate. */
const MAX_CELLS = 32_768;

export interface EmbeddingSession {
  session: ort.InferenceSession;
  tokenizer: Tokenizer;
  dim: number;
}

export async function openSession(modelDir: string, intraOpThreads: number): Promise<EmbeddingSession> {
  const files = modelFiles(modelDir);
  const session = await ort.InferenceSession.create(files.onnx, {
    executionProviders: ['cpu'],
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const tokenizer = Tokenizer.load(files.tokenizer);
  const probe = await runTokens(session, [[[0, 0]]]);
  return { session, tokenizer, dim: probe.dims[1] as number };
}

/** id -> summed weight, in first-seen order: the pooled sum is the same, the tensor far shorter. */
function weightedTokens(tokenizer: Tokenizer, input: EmbedInput): [number, number][] {
  const segments = typeof input === 'string' ? [{ text: input, weight: 1 }] : input;
  const weights = new Map<number, number>();
  for (const seg of segments) {
    for (const id of tokenizer.encode(seg.text)) {
      if (!weights.has(id) && weights.size >= MAX_TOKENS) continue;
      weights.set(id, (weights.get(id) ?? 0) + seg.weight);
    }
  }
  return weights.size ? [...weights] : [[0, 0]];
}

async function runTokens(session: ort.InferenceSession, docs: [number, number][][]): Promise<ort.Tensor> {
  const width = Math.max(...docs.map((d) => d.length));
  const ids = new BigInt64Array(docs.length * width);
  const weights = new Float32Array(docs.length * width);
  docs.forEach((doc, b) => doc.forEach(([id, w], t) => { ids[b * width + t] = BigInt(id); weights[b * width + t] = w; }));
  const out = await session.run({
    input_ids: new ort.Tensor('int64', ids, [docs.length, width]),
    weights: new ort.Tensor('float32', weights, [docs.length, width]),
  });
  return out.sentence_embedding;
}

/** Embeds a batch: row-major, inputs.length x dim, each row L2-normalised (zero for an empty text). */
export async function embedBatch(es: EmbeddingSession, inputs: EmbedInput[]): Promise<Float32Array> {
  const docs = inputs.map((input) => weightedTokens(es.tokenizer, input));
  const out = new Float32Array(inputs.length * es.dim);
  let start = 0;
  while (start < docs.length) {
    let end = start + 1;
    let width = docs[start].length;
    while (end < docs.length && Math.max(width, docs[end].length) * (end - start + 1) <= MAX_CELLS) {
      width = Math.max(width, docs[end].length);
      end++;
    }
    const tensor = await runTokens(es.session, docs.slice(start, end));
    out.set(tensor.data as Float32Array, start * es.dim);
    start = end;
  }
  return out;
}
