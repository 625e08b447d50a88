// Ranks indexed states for one query. Hybrid: reciprocal-rank fusion of the vector ranking (cosine)
// and the BM25 ranking, plus an identifier boost larger than any fused score, so states whose
// problems/changes name the query's identifiers come first. Lexical-only (the evaluation baseline):
// BM25 scaled to the best match plus the same identifier boost.
import type { VectorIndex } from './index';
import { exactScores, semanticScores } from './knn';
import { queryIdentifiers, type LexicalIndex } from './lexical';
import { TopK, type RowMask } from './topk';

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
  /** Rows that may be returned, 1 per row (filters: --since, --plugin, not the --like state itself); absent: all. */
  accept?: RowMask;
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

/**
 * Ranks rows against queries, one at a time. The per-row score arrays are kept between queries (and
 * grown with the index), so a query over 100,000 states allocates no large array: no garbage that
 * would make the next query pay for a collection of a heap holding the whole index.
 */
export class Ranker {
  private semantic = new Float32Array(0);
  private bm25 = new Float32Array(0);
  private identifiers = new Float32Array(0);
  private fused = new Float32Array(0);
  private readonly topK = new TopK(RRF_DEPTH);

  private ensure(n: number): void {
    if (this.fused.length >= n) return;
    const capacity = Math.max(n, this.fused.length * 2, 1024);
    [this.semantic, this.bm25, this.identifiers, this.fused] = [0, 1, 2, 3].map(() => new Float32Array(capacity));
  }

  /** The `limit` best rows, best first. `vector` may be absent for lexical-only ranking. */
  rank(index: VectorIndex, lexical: LexicalIndex, text: string, vector: Float32Array | undefined, opts: RankOptions): RankedRow[] {
    const n = index.size;
    this.ensure(n);
    const semantic = this.semantic.subarray(0, n);
    const bm25 = this.bm25.subarray(0, n);
    const fused = this.fused.subarray(0, n);
    const useVectors = !!vector && !opts.lexicalOnly;
    if (useVectors) semanticScores(index.matrix, index.quantized, vector, RRF_DEPTH, opts.accept, semantic);
    else semantic.fill(0);
    lexical.score(text, bm25);
    const identifiers = lexical.identifierMatch(queryIdentifiers(text), this.identifiers.subarray(0, n));
    let best = 0;
    for (let row = 0; row < n; row++) if (bm25[row] > best) best = bm25[row];
    const lexicalOf = (row: number) => (best > 0 ? bm25[row] / best : 0);

    if (useVectors) {
      fused.fill(0);
      this.addRankVotes(semantic, opts.accept, false, SEMANTIC_RRF_WEIGHT, fused);
      this.addRankVotes(bm25, opts.accept, true, 1, fused);
    } else {
      for (let row = 0; row < n; row++) fused[row] = lexicalOf(row);
    }
    if (identifiers) for (let row = 0; row < n; row++) fused[row] += IDENTIFIER_WEIGHT * identifiers[row];

    const top = this.topK.select(fused, n, opts.limit, opts.accept, false);
    // A hit outside the semantic k best (an identifier match) has only a first-pass estimate there.
    if (useVectors) exactScores(index.matrix, index.dim, vector, top, semantic);
    return Array.from(top, (row) => ({ row, score: fused[row], semantic: semantic[row], lexical: lexicalOf(row), identifier: identifiers ? identifiers[row] : 0 }));
  }

  /** Adds reciprocal-rank votes to `out` for the RRF_DEPTH best accepted rows by `scores` (ties: lower row first). */
  private addRankVotes(scores: Float32Array, accept: RowMask, positiveOnly: boolean, weight: number, out: Float32Array): void {
    const ranked = this.topK.select(scores, scores.length, RRF_DEPTH, accept, positiveOnly);
    for (let r = 0; r < ranked.length; r++) out[ranked[r]] += weight / (RRF_K + r + 1);
  }
}
