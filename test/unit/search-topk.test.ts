// The bounded-heap row selection that ranking uses equals a stable sort's prefix (score descending,
// lower row first on ties), with masks, positive-only scores, and heavy ties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopK } from '../../src/search/topk';

function reference(scores: Float32Array, k: number, mask: Uint8Array | undefined, positiveOnly: boolean): number[] {
  const rows = [...scores.keys()].filter((r) => (!positiveOnly || scores[r] > 0) && (!mask || mask[r]));
  return rows.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
}

test('TopK.select equals a stable sort prefix, with ties, masks and positive-only', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const topK = new TopK(4);
  for (const [n, levels] of [[5000, 3], [5000, 1000], [300, 0], [3, 2]]) {
    // `levels` distinct values make many ties (0: continuous scores, some negative).
    const scores = Float32Array.from({ length: n }, () => (levels ? Math.floor(rnd() * levels) / levels : rnd() - 0.3));
    const mask = Uint8Array.from({ length: n }, () => (rnd() < 0.7 ? 1 : 0));
    for (const k of [1, 10, 1000]) {
      for (const m of [undefined, mask]) {
        for (const positiveOnly of [false, true]) {
          assert.deepEqual(Array.from(topK.select(scores, n, k, m, positiveOnly)), reference(scores, k, m, positiveOnly), `n=${n} levels=${levels} k=${k} mask=${!!m} positiveOnly=${positiveOnly}`);
        }
      }
    }
  }
});

test('TopK.select looks only at the first n rows', () => {
  const scores = Float32Array.from([0.1, 0.5, 0.3, 0.9]);
  assert.deepEqual(Array.from(new TopK(2).select(scores, 3, 2, undefined, false)), [1, 2]);
});
