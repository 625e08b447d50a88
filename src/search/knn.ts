// Exact k-NN scores at half the memory traffic: a first pass over an int16 copy of the rows (per-row
// scale), whose error per row is bounded, then float32 dot products only for the rows that bound
// cannot rule out of the k best. The k best rows and their scores are exactly those of the full
// float32 pass (native/search/dot.cc). At 100,000 states the first pass streams 50 MB instead of
// 100 MB (AVX2: ~2.4 against ~5 ms); the int16 copy costs those 50 MB of memory.
import { native } from '../native/binding';
import type { RowMask } from './topk';

interface KnnAddon {
  dotRows(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array): void;
  knnI16(rows: Int16Array, scales: Float32Array, matrix: Float32Array, dim: number, query: Float32Array, k: number, bound: number, mask: Uint8Array | null, out: Float32Array): number;
  dotRowsAt(matrix: Float32Array, dim: number, query: Float32Array, rows: Int32Array, out: Float32Array): void;
}

const addon = (): KnnAddon => native() as unknown as KnnAddon;

/** Below this many rows one float32 pass is as cheap as two. */
export const EXACT_BELOW = 8192;
/** Float rounding of both passes (256 products of |x| <= 1 summed in 8-16 lanes), well above its real size. */
const ROUNDING = 1e-4;
const LEVELS = 32767;

/** int16 copy of the rows: x ~ scales[r] * q, |x - scales[r] * q| <= scales[r] / 2 per coordinate. */
export class QuantizedRows {
  q = new Int16Array(0);
  scales = new Float32Array(0);
  count = 0;
  /** The largest scale: bounds every row's first-pass error with one number. */
  maxScale = 0;

  constructor(readonly dim: number) {}

  append(rows: Float32Array): void {
    const dim = this.dim;
    const added = rows.length / dim;
    if (this.count + added > this.scales.length) {
      const capacity = Math.max(this.count + added, this.scales.length * 2, 1024);
      const q = new Int16Array(capacity * dim);
      q.set(this.q.subarray(0, this.count * dim));
      const scales = new Float32Array(capacity);
      scales.set(this.scales.subarray(0, this.count));
      [this.q, this.scales] = [q, scales];
    }
    for (let r = 0; r < added; r++) {
      let max = 0;
      for (let c = 0; c < dim; c++) max = Math.max(max, Math.abs(rows[r * dim + c]));
      const scale = Math.fround(max / LEVELS);
      const base = this.count * dim;
      this.scales[this.count++] = scale;
      this.maxScale = Math.max(this.maxScale, scale);
      for (let c = 0; c < dim; c++) this.q[base + c] = scale > 0 ? Math.max(-LEVELS, Math.min(LEVELS, Math.round(rows[r * dim + c] / scale))) : 0;
    }
  }
}

/** Dot product of `query` with every row (rows and query normalised: cosine similarity), in native code. */
export function similarities(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array = new Float32Array(matrix.length / dim)): Float32Array {
  addon().dotRows(matrix, dim, query, out);
  return out;
}

/**
 * Fills `out` (one score per row) so that its k best rows allowed by `mask` (ties: lower row first)
 * are the exact float32 k best, with their exact scores; every other entry is a first-pass estimate
 * below all of them. Returns how many rows got the float32 dot product.
 */
export function semanticScores(matrix: Float32Array, quant: QuantizedRows, query: Float32Array, k: number, mask: RowMask, out: Float32Array): number {
  const n = out.length;
  const dim = quant.dim;
  if (n < EXACT_BELOW) {
    similarities(matrix, dim, query, out);
    return n;
  }
  // |exact - estimate| <= scale * |query|_1 / 2 (+ rounding) <= bound, for every row.
  let l1 = 0;
  for (let c = 0; c < dim; c++) l1 += Math.abs(query[c]);
  const bound = quant.maxScale * (l1 / 2) * 1.01 + ROUNDING;
  return addon().knnI16(quant.q, quant.scales, matrix, dim, query, k, bound, mask ?? null, out);
}

/** Exact float32 scores of a few rows into out[row] (the reported similarity of a hit). */
export function exactScores(matrix: Float32Array, dim: number, query: Float32Array, rows: Int32Array, out: Float32Array): void {
  addon().dotRowsAt(matrix, dim, query, rows, out);
}
