// Lexical side of hybrid search: identifier-aware tokens (an address or unit name is one token and
// also its parts) and BM25 over each state's problem/change text plus its object identifiers.

const SPLIT = /[\s,;()=\[\]"'{}<>!?]+/;
const PARTS = /[._\-/:@]+/;
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'is', 'was', 'were', 'be', 'and', 'or', 'from', 'for', 'with', 'when', 'while', 'had', 'has', 'have', 'it', 'its', 'we', 'did', 'our', 'this', 'that', 'any', 'by']);
/** An identifier: contains a digit or joining punctuation (br-ex, eth0, 10.0.0.1/24, nginx.service). */
const IDENTIFIER = /[0-9._\-/:@]/;

export function lexicalTokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(SPLIT)) {
    const token = raw.replace(/^[.:\-]+|[.:\-]+$/g, '');
    if (!token || STOP.has(token)) continue;
    out.push(token);
    if (PARTS.test(token)) for (const part of token.split(PARTS)) if (part && part !== token && !STOP.has(part)) out.push(part);
  }
  return out;
}

/** Query tokens that look like identifiers (kept whole, not their parts). */
export function queryIdentifiers(query: string): string[] {
  return query.toLowerCase().split(SPLIT).map((t) => t.replace(/^[.:\-]+|[.:\-]+$/g, '')).filter((t) => t && IDENTIFIER.test(t));
}

export interface LexicalDoc {
  /** Problems and changes: the text that says what this state is about. */
  hot: string;
  /** Names and addresses of every object in the state. */
  ids: string[];
}

const K1 = 1.2;
const B = 0.75;
/** A term found only among a state's identifiers counts this much of a problem/change term. */
const ID_TF = 0.3;

/** In-memory BM25 index; documents are appended in row order. */
export class LexicalIndex {
  private readonly postings = new Map<string, { rows: number[]; tf: number[] }>();
  private readonly lengths: number[] = [];
  /** Identifier -> rows where it appears in problems/changes (hot) or anywhere. */
  private readonly hotRows = new Map<string, number[]>();
  private readonly anyRows = new Map<string, number[]>();
  private totalLength = 0;

  add(doc: LexicalDoc): void {
    const row = this.lengths.length;
    const tf = new Map<string, number>();
    const hot = lexicalTokens(doc.hot);
    for (const t of hot) tf.set(t, (tf.get(t) ?? 0) + 1);
    const idTokens = doc.ids.flatMap((id) => lexicalTokens(id));
    for (const t of idTokens) tf.set(t, (tf.get(t) ?? 0) + ID_TF);
    for (const [term, n] of tf) {
      let p = this.postings.get(term);
      if (!p) this.postings.set(term, (p = { rows: [], tf: [] }));
      p.rows.push(row);
      p.tf.push(n);
    }
    const length = hot.length + idTokens.length * ID_TF;
    this.lengths.push(length);
    this.totalLength += length;
    for (const t of new Set(hot)) push(this.hotRows, t, row);
    for (const t of new Set([...hot, ...idTokens])) push(this.anyRows, t, row);
  }

  get size(): number {
    return this.lengths.length;
  }

  /** BM25 score of every row that matches a query term (sparse: row -> score). */
  score(query: string): Map<number, number> {
    const scores = new Map<number, number>();
    const n = this.lengths.length;
    const avg = this.totalLength / Math.max(1, n);
    for (const term of new Set(lexicalTokens(query))) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = Math.log(1 + (n - p.rows.length + 0.5) / (p.rows.length + 0.5));
      for (let i = 0; i < p.rows.length; i++) {
        const row = p.rows[i];
        const tf = p.tf[i];
        const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[row]) / avg));
        scores.set(row, (scores.get(row) ?? 0) + s);
      }
    }
    return scores;
  }

  /** How well rows match the query's identifiers: 1 per identifier in their problems/changes, 0.5 if only present. */
  identifierMatch(identifiers: string[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const id of identifiers) {
      for (const row of this.anyRows.get(id) ?? []) out.set(row, (out.get(row) ?? 0) + 0.5 / identifiers.length);
      for (const row of this.hotRows.get(id) ?? []) out.set(row, (out.get(row) ?? 0) + 0.5 / identifiers.length);
    }
    return out;
  }
}

function push(map: Map<string, number[]>, key: string, row: number): void {
  const rows = map.get(key);
  if (rows) rows.push(row);
  else map.set(key, [row]);
}
