// Plain-data shapes shared by the search modules and the embedding worker (they cross thread boundaries).

/** A piece of text and how much it counts in the pooled embedding (changes and problems count more). */
export interface Segment {
  text: string;
  weight: number;
}

/** What an embedding model reads: a plain string or weighted segments. */
export type EmbedInput = string | Segment[];

/**
 * One task for workers/embed.ts: a batch packed for the trip to the worker (src/search/pack.ts): an
 * array of strings and two typed arrays clone for less than arrays of segment objects (the main
 * thread's share per state view went from ~10 to ~7.5 us). The strings stay separate: joined, one
 * non-ASCII character would make the whole text two-byte, and the tokenizer's ASCII path would be
 * lost for every segment.
 */
export interface EmbedTask {
  /** Every segment's text, in order. */
  texts: string[];
  /** How much each segment counts. */
  weights: Float32Array;
  /** Input j is segments inputEnds[j - 1] ?? 0 up to inputEnds[j]; a plain string input is one segment of weight 1. */
  inputEnds: Uint32Array;
}

/** Its answer: inputs.length row-major vectors of `dim` floats, L2-normalised. */
export interface EmbedResult {
  vectors: Float32Array;
  dim: number;
  /** worker_threads threadId that ran the inference (0 would be the main thread). */
  threadId: number;
}

/** Set once per worker through Piscina's workerData. */
export interface EmbedWorkerData {
  modelDir: string;
  intraOpThreads: number;
  /** The pool's OrtGate cells (src/search/ort-gate.ts). */
  gate: SharedArrayBuffer;
}
