// Plain-data shapes shared by the search modules and the embedding worker (they cross thread boundaries).

/** A piece of text and how much it counts in the pooled embedding (changes and problems count more). */
export interface Segment {
  text: string;
  weight: number;
}

/** What an embedding model reads: a plain string or weighted segments. */
export type EmbedInput = string | Segment[];

/** One task for workers/embed.ts. */
export interface EmbedTask {
  inputs: EmbedInput[];
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
}
