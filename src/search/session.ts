// One onnxruntime session of the static embedding model, and batched inference over it. Used by the
// embedding worker (workers/embed.ts); tests and the benchmark use it directly as the in-thread reference.
import type * as Ort from 'onnxruntime-node';
import { modelFiles } from './model';
import type { OrtGate } from './ort-gate';
import { Tokenizer } from './tokenizer';
import type { EmbedInput } from './types';

/** Distinct tokens kept per input (repeats are merged into one weighted token). */
const MAX_TOKENS = 2048;
/**
 * batch x tokens per onnxruntime run. The graph materialises [batch, tokens, dim] three times (Gather
 * float16, Cast, Mul): at 4096 cells that is 10 MB per run, against 80 MB at 32,768, and the smaller
 * runs cost about 30 instead of 88 us per state view (one thread); a much smaller bound would pay
 * onnxruntime's fixed cost per run too often.
 */
const MAX_CELLS = 4096;

let ort: typeof Ort | undefined;
/**
 * onnxruntime-node, loaded on first use: in a worker inside the gate, because loading its binding
 * makes N-API calls too (a worker terminated then aborts the process, see ort-gate.ts).
 */
function loadOrt(): typeof Ort {
  return (ort ??= require('onnxruntime-node') as typeof Ort);
}

export interface EmbeddingSession {
  session: Ort.InferenceSession;
  tokenizer: Tokenizer;
  dim: number;
  /** Per-session scratch of weightedTokens, indexed by token id and cleared after each input. */
  scratch: { sums: Float64Array; seen: Uint8Array };
  /** Every onnxruntime call goes through it (src/search/ort-gate.ts): in a worker, the pool's gate. */
  guard: <T>(call: () => Promise<T>) => Promise<T>;
}

/** `gate`: a worker's (an in-thread session, as in tests and the benchmark, needs none). */
export async function openSession(modelDir: string, intraOpThreads: number, gate?: OrtGate): Promise<EmbeddingSession> {
  const guard = gate ? <T>(call: () => Promise<T>) => gate.through(call) : <T>(call: () => Promise<T>) => call();
  const files = modelFiles(modelDir);
  const session = await guard(() =>
    loadOrt().InferenceSession.create(files.onnx, {
      executionProviders: ['cpu'],
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    }),
  );
  const tokenizer = Tokenizer.load(files.tokenizer);
  const probe = await guard(() => runTokens(session, [{ ids: new Int32Array(1), weights: new Float32Array(1) }]));
  return { session, tokenizer, dim: probe.dims[1] as number, scratch: { sums: new Float64Array(tokenizer.vocabSize), seen: new Uint8Array(tokenizer.vocabSize) }, guard };
}

/** An input's distinct token ids in first-seen order, each with its summed weight. */
interface WeightedTokens {
  ids: Int32Array;
  weights: Float32Array;
}

/** id -> summed weight, in first-seen order: the pooled sum is the same, the tensor far shorter. */
function weightedTokens(es: EmbeddingSession, input: EmbedInput): WeightedTokens {
  const segments = typeof input === 'string' ? [{ text: input, weight: 1 }] : input;
  const { sums, seen } = es.scratch;
  const order = new Int32Array(MAX_TOKENS);
  let count = 0;
  for (const seg of segments) {
    const weight = seg.weight;
    es.tokenizer.forEachId(seg.text, (id) => {
      if (!seen[id]) {
        if (count >= MAX_TOKENS) return;
        seen[id] = 1;
        order[count++] = id;
      }
      sums[id] += weight;
    });
  }
  if (count === 0) return { ids: new Int32Array(1), weights: new Float32Array(1) };
  const weights = new Float32Array(count);
  for (let t = 0; t < count; t++) {
    weights[t] = sums[order[t]];
    sums[order[t]] = 0;
    seen[order[t]] = 0;
  }
  return { ids: order.slice(0, count), weights };
}

async function runTokens(session: Ort.InferenceSession, docs: WeightedTokens[]): Promise<Ort.Tensor> {
  let width = 0;
  for (const d of docs) width = Math.max(width, d.ids.length);
  const ids = new BigInt64Array(docs.length * width);
  // int64 ids written as their low 32 bits (onnxruntime-node runs on little-endian x64 and arm64):
  // no BigInt per token. Padding stays id 0 with weight 0.
  const idWords = new Int32Array(ids.buffer);
  const weights = new Float32Array(docs.length * width);
  docs.forEach((doc, b) => {
    for (let t = 0; t < doc.ids.length; t++) idWords[2 * (b * width + t)] = doc.ids[t];
    weights.set(doc.weights, b * width);
  });
  const { Tensor } = loadOrt();
  const out = await session.run({
    input_ids: new Tensor('int64', ids, [docs.length, width]),
    weights: new Tensor('float32', weights, [docs.length, width]),
  });
  return out.sentence_embedding;
}

/** Embeds a batch: row-major, inputs.length x dim, each row L2-normalised (zero for an empty text). */
export async function embedBatch(es: EmbeddingSession, inputs: EmbedInput[]): Promise<Float32Array> {
  const docs = inputs.map((input) => weightedTokens(es, input));
  const out = new Float32Array(inputs.length * es.dim);
  let start = 0;
  while (start < docs.length) {
    let end = start + 1;
    let width = docs[start].ids.length;
    while (end < docs.length && Math.max(width, docs[end].ids.length) * (end - start + 1) <= MAX_CELLS) {
      width = Math.max(width, docs[end].ids.length);
      end++;
    }
    const batch = docs.slice(start, end);
    const tensor = await es.guard(() => runTokens(es.session, batch));
    out.set(tensor.data as Float32Array, start * es.dim);
    start = end;
  }
  return out;
}
