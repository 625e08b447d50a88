// Ranks indexed states for one query. Hybrid: reciprocal-rank fusion of the vector ranking (cosine)
// and the BM25 ranking, plus an identifier boost larger than any fused score, so states whose
// problems/changes name the query's identifiers come first. Lexical-only (the evaluation baseline):
// BM25 scaled to the best match plus the same identifier boost.
import { similarities, type VectorIndex } from './index';
import { queryIdentifiers, type LexicalIndex } from './lexical';

/** Reciprocal-rank fusion constant: a row at rank r (0-based) adds 1 / (RRF_K + r + 1). */
export const RRF_K = 10;
/** Rows ranked per signal; deeper ranks would add less than 1/(RRF_K + RRF_DEPTH). */
export const RRF_DEPTH = 1000;
/**
 * Weight of the vector ranking's votes next to BM25's (1). The static model knows the words but not
 * the syntax ("changed to active" after a failure looks like the failure), so it re-orders more than it leads.
 */
export const SEMANTIC_RRF_WEIGHT = 0.7;
/** Weight of the identifier match (0..1): above any fused score (at most 2 / (RRF_K + 1)). */
export const IDENTIFIER_WEIGHT = 1;

export interface RankOptions {
  limit: number;
  /** Rows that may be returned (filters: --since, --plugin, not the --like state itself). */
  accept?: (row: number) => boolean;
  /** Leave the vectors out (the lexical-only baseline of the evaluation). */
  lexicalOnly?: boolean;
}

export interface RankedRow {
  row: number;
  score: number;
  semantic: number;
  lexical: number;
  identifier: number;
}

/** The k-th largest value of `values` (1-based k), by quickselect on the array, which it reorders. */
function kthLargest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = values.length - k;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i++] = values[j];
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target];
}

/**
 * Adds reciprocal-rank votes to `out` for the RRF_DEPTH best accepted rows by `scores` (ties: lower
 * row first). A quickselect threshold keeps this linear; only the rows above it are sorted.
 */
function addRankVotes(scores: Float32Array, accept: ((row: number) => boolean) | undefined, positiveOnly: boolean, weight: number, out: Float32Array): void {
  const eligible = new Float32Array(scores.length);
  let count = 0;
  for (let row = 0; row < scores.length; row++) {
    if ((!positiveOnly || scores[row] > 0) && (!accept || accept(row))) eligible[count++] = scores[row];
  }
  if (count === 0) return;
  const threshold = count > RRF_DEPTH ? kthLargest(eligible.subarray(0, count), RRF_DEPTH) : -Infinity;
  const ranked: number[] = [];
  for (let row = 0; row < scores.length; row++) {
    if (scores[row] >= threshold && (!positiveOnly || scores[row] > 0) && (!accept || accept(row))) ranked.push(row);
  }
  ranked.sort((a, b) => scores[b] - scores[a] || a - b);
  for (let r = 0; r < Math.min(ranked.length, RRF_DEPTH); r++) out[ranked[r]] += weight / (RRF_K + r + 1);
}

/** The `limit` best rows, best first. `vector` may be absent for lexical-only ranking. */
export function rank(index: VectorIndex, lexical: LexicalIndex, text: string, vector: Float32Array | undefined, opts: RankOptions): RankedRow[] {
  const n = index.size;
  const useVectors = !!vector && !opts.lexicalOnly;
  const semantic = useVectors ? similarities(index.matrix, index.dim, vector) : new Float32Array(n);
  const bm25 = text ? lexical.score(text) : new Float32Array(n);
  const identifiers = text ? lexical.identifierMatch(queryIdentifiers(text)) : undefined;
  let best = 0;
  for (let row = 0; row < n; row++) if (bm25[row] > best) best = bm25[row];
  const lexicalOf = (row: number) => (best > 0 ? bm25[row] / best : 0);

  const fused = new Float32Array(n);
  if (useVectors) {
    addRankVotes(semantic, opts.accept, false, SEMANTIC_RRF_WEIGHT, fused);
    addRankVotes(bm25, opts.accept, true, 1, fused);
  } else {
    for (let row = 0; row < n; row++) fused[row] = lexicalOf(row);
  }
  if (identifiers) for (let row = 0; row < n; row++) fused[row] += IDENTIFIER_WEIGHT * identifiers[row];

  // Top-k by a bounded insertion list: O(n) for the usual small k.
  const top: { row: number; score: number }[] = [];
  for (let row = 0; row < n; row++) {
    const s = fused[row];
    if (top.length === opts.limit && s <= top[top.length - 1].score) continue;
    if (opts.accept && !opts.accept(row)) continue;
    let i = top.length - 1;
    while (i >= 0 && top[i].score < s) i--;
    top.splice(i + 1, 0, { row, score: s });
    if (top.length > opts.limit) top.pop();
  }
  return top.map(({ row, score }) => ({ row, score, semantic: semantic[row], lexical: lexicalOf(row), identifier: identifiers ? identifiers[row] : 0 }));
}
