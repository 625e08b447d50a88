// Ranks indexed states for one query: cosine similarity of the vectors, plus BM25 (scaled to the best
// match) and an identifier boost large enough that states naming the query's identifiers come first.
import { similarities, type VectorIndex } from './index';
import { queryIdentifiers, type LexicalIndex } from './lexical';

/** Weight of the BM25 score (0..1 after scaling) next to cosine similarity (-1..1). */
export const LEXICAL_WEIGHT = 0.6;
/** Weight of the identifier match (0..1): above any similarity gap. */
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

/** The `limit` best rows, best first. `vector` may be absent for lexical-only ranking. */
export function rank(index: VectorIndex, lexical: LexicalIndex, text: string, vector: Float32Array | undefined, opts: RankOptions): RankedRow[] {
  const n = index.size;
  const semantic = vector && !opts.lexicalOnly ? similarities(index.matrix, index.dim, vector) : new Float32Array(n);
  const bm25 = text ? lexical.score(text) : new Map<number, number>();
  const identifiers = text ? lexical.identifierMatch(queryIdentifiers(text)) : new Map<number, number>();
  let best = 0;
  for (const s of bm25.values()) best = Math.max(best, s);
  const score = (row: number) => semantic[row] + LEXICAL_WEIGHT * (best > 0 ? (bm25.get(row) ?? 0) / best : 0) + IDENTIFIER_WEIGHT * (identifiers.get(row) ?? 0);

  // Top-k by a bounded insertion list: O(n) for the usual small k.
  const top: { row: number; score: number }[] = [];
  for (let row = 0; row < n; row++) {
    if (opts.accept && !opts.accept(row)) continue;
    const s = score(row);
    if (top.length === opts.limit && s <= top[top.length - 1].score) continue;
    let i = top.length - 1;
    while (i >= 0 && top[i].score < s) i--;
    top.splice(i + 1, 0, { row, score: s });
    if (top.length > opts.limit) top.pop();
  }
  return top.map(({ row, score: s }) => ({
    row,
    score: s,
    semantic: semantic[row],
    lexical: best > 0 ? (bm25.get(row) ?? 0) / best : 0,
    identifier: identifiers.get(row) ?? 0,
  }));
}
