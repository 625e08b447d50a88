// The two-pass k-NN (int16 first pass, float32 for the rows its error bound keeps) gives exactly the
// rows, order and scores of one full float32 pass, also among near-duplicate rows and with a mask.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXACT_BELOW, QuantizedRows, semanticScores, similarities } from '../../src/search/knn';
import { TopK } from '../../src/search/topk';

function unitRows(n: number, dim: number, rnd: () => number): Float32Array {
  const rows = new Float32Array(n * dim);
  // Clusters of near-duplicates, as consecutive states are: scores crowd around the k-th best.
  const bases = Array.from({ length: 40 }, () => Float32Array.from({ length: dim }, () => rnd() - 0.5));
  for (let r = 0; r < n; r++) {
    const base = bases[r % bases.length];
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += (rows[r * dim + c] = base[c] + (rnd() - 0.5) * 0.02) ** 2;
    for (let c = 0; c < dim; c++) rows[r * dim + c] /= Math.sqrt(norm);
  }
  return rows;
}

test('two-pass k-NN equals a full float32 pass: rows, order and scores', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const n = EXACT_BELOW + 4000;
  const dim = 64;
  const matrix = unitRows(n, dim, rnd);
  const quant = new QuantizedRows(dim);
  quant.append(matrix.subarray(0, 5000 * dim));
  quant.append(matrix.subarray(5000 * dim));
  const mask = Uint8Array.from({ length: n }, () => (rnd() < 0.8 ? 1 : 0));
  const topK = new TopK(16);
  for (let t = 0; t < 6; t++) {
    const query = matrix.slice((t * 997) * dim, (t * 997 + 1) * dim);
    const exact = similarities(matrix, dim, query);
    const fast = new Float32Array(n);
    for (const [k, m] of [[1000, undefined], [50, mask]] as const) {
      const rescored = semanticScores(matrix, quant, query, k, m, fast);
      assert.ok(rescored < n / 2, `the first pass rules most rows out (${rescored} of ${n} rescored)`);
      const want = Array.from(topK.select(exact, n, k, m, false));
      const got = Array.from(topK.select(fast, n, k, m, false));
      assert.deepEqual(got, want);
      assert.deepEqual(got.map((r) => fast[r]), want.map((r) => exact[r]));
    }
  }
  // No more accepted rows than k: every accepted row gets its float32 score.
  const few = new Uint8Array(n);
  [3, 4000, n - 1].forEach((r) => (few[r] = 1));
  const query = matrix.slice(0, dim);
  const fast = new Float32Array(n);
  assert.equal(semanticScores(matrix, quant, query, 10, few, fast), 3);
  const exact = similarities(matrix, dim, query);
  assert.deepEqual([fast[3], fast[4000], fast[n - 1]], [exact[3], exact[4000], exact[n - 1]]);
});

test('knnI16 refuses mismatched shapes', () => {
  const quant = new QuantizedRows(16);
  quant.append(new Float32Array(16 * EXACT_BELOW).fill(0.25));
  assert.throws(() => semanticScores(new Float32Array(16), quant, new Float32Array(16), 5, undefined, new Float32Array(EXACT_BELOW)), /knnI16: query must have dim floats, rows and matrix at least out.length x dim/);
});
