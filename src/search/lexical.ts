// Lexical side of hybrid search: identifier-aware tokens (an address or unit name is one token and
// also its parts), BM25 over each state's problem/change text, and which identifiers each state has.

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
  /** What is wrong in this state and what changed: the text that says what the state is about. */
  problems: string;
  changes: string;
  /** Names and addresses of every object in the state. */
  ids: string[];
}

/** The problem/change text of a document, as one string (a --like query). */
export function hotText(doc: LexicalDoc): string {
  return [doc.problems, doc.changes].filter(Boolean).join('\n');
}

const K1 = 1.2;
const B = 0.75;

/** A run of consecutive rows that share one text (a state's problems, or its identifier list). */
interface Segment {
  start: number;
  end: number;
  tf: Map<string, number>;
  length: number;
}

const bm25 = (idf: number, tf: number, length: number, avg: number) => (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / Math.max(avg, 1)));

/**
 * In-memory lexical index; documents are appended in row order. BM25 over each state's problems +
 * changes. Problems and identifier lists repeat from state to state, so they are kept as runs of rows
 * (segments), and their lines/identifiers are tokenised once: 100,000 states cost one entry per
 * change of problems, not one per state.
 */
export class LexicalIndex {
  private rows = 0;
  private readonly problemSegments: Segment[] = [];
  private readonly problemSegmentsOf = new Map<string, number[]>();
  private readonly idSegments: Segment[] = [];
  private readonly idSegmentsOf = new Map<string, number[]>();
  /** Changes differ on every row: ordinary postings. */
  private readonly changePostings = new Map<string, Map<number, number>>();
  private readonly problemLength: number[] = [];
  private readonly changeLength: number[] = [];
  private totalLength = 0;
  private lastProblems?: string;
  private lastIds?: string[];
  private readonly tokenCache = new Map<string, string[]>();

  /** Tokens of one line or identifier, cached: the same lines recur across many states. */
  private tokens(text: string): string[] {
    let t = this.tokenCache.get(text);
    if (!t) {
      if (this.tokenCache.size > 100_000) this.tokenCache.clear();
      this.tokenCache.set(text, (t = lexicalTokens(text)));
    }
    return t;
  }

  add(doc: LexicalDoc): void {
    const row = this.rows++;
    if (doc.problems !== this.lastProblems || !this.problemSegments.length) {
      this.startSegment(this.problemSegments, this.problemSegmentsOf, row, doc.problems.split('\n').flatMap((line) => this.tokens(line)));
      this.lastProblems = doc.problems;
    } else {
      this.problemSegments[this.problemSegments.length - 1].end = row + 1;
    }
    const last = this.lastIds;
    if (!last || (doc.ids !== last && (doc.ids.length !== last.length || doc.ids.some((id, i) => id !== last[i])))) {
      this.startSegment(this.idSegments, this.idSegmentsOf, row, doc.ids.flatMap((id) => this.tokens(id)));
    } else {
      this.idSegments[this.idSegments.length - 1].end = row + 1;
    }
    this.lastIds = doc.ids;

    const changeTokens = doc.changes.split('\n').flatMap((line) => this.tokens(line));
    for (const t of changeTokens) {
      let rows = this.changePostings.get(t);
      if (!rows) this.changePostings.set(t, (rows = new Map()));
      rows.set(row, (rows.get(row) ?? 0) + 1);
    }
    const problemLength = this.problemSegments[this.problemSegments.length - 1].length;
    this.problemLength.push(problemLength);
    this.changeLength.push(changeTokens.length);
    this.totalLength += problemLength + changeTokens.length;
  }

  private startSegment(segments: Segment[], byTerm: Map<string, number[]>, row: number, tokens: string[]): void {
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    segments.push({ start: row, end: row + 1, tf, length: tokens.length });
    for (const term of tf.keys()) {
      const list = byTerm.get(term);
      if (list) list.push(segments.length - 1);
      else byTerm.set(term, [segments.length - 1]);
    }
  }

  get size(): number {
    return this.rows;
  }

  /** BM25 score of every row (0 where no query term matches). */
  score(query: string): Float32Array {
    const scores = new Float32Array(this.rows);
    const avg = this.totalLength / Math.max(1, this.rows);
    for (const term of new Set(lexicalTokens(query))) {
      const segs = (this.problemSegmentsOf.get(term) ?? []).map((i) => this.problemSegments[i]);
      const inChanges = this.changePostings.get(term) ?? new Map<number, number>();
      let df = 0;
      for (const seg of segs) df += seg.end - seg.start;
      const onlyInChanges = [...inChanges.keys()].filter((row) => !segs.some((seg) => row >= seg.start && row < seg.end));
      df += onlyInChanges.length;
      if (!df) continue;
      const idf = Math.log(1 + (this.rows - df + 0.5) / (df + 0.5));
      for (const seg of segs) {
        const tfProblems = seg.tf.get(term)!;
        for (let row = seg.start; row < seg.end; row++) {
          scores[row] += bm25(idf, tfProblems + (inChanges.get(row) ?? 0), this.problemLength[row] + this.changeLength[row], avg);
        }
      }
      for (const row of onlyInChanges) scores[row] += bm25(idf, inChanges.get(row)!, this.problemLength[row] + this.changeLength[row], avg);
    }
    return scores;
  }

  /** Per row, how well it matches the query's identifiers: 1 per identifier in its problems/changes, 0.5 if only present. */
  identifierMatch(identifiers: string[]): Float32Array | undefined {
    if (!identifiers.length) return undefined;
    const out = new Float32Array(this.rows);
    const share = 0.5 / identifiers.length;
    const flags = new Uint8Array(this.rows);
    for (const id of identifiers) {
      flags.fill(0);
      for (const i of this.idSegmentsOf.get(id) ?? []) flags.fill(1, this.idSegments[i].start, this.idSegments[i].end);
      for (const i of this.problemSegmentsOf.get(id) ?? []) flags.fill(2, this.problemSegments[i].start, this.problemSegments[i].end);
      for (const row of this.changePostings.get(id)?.keys() ?? []) flags[row] = 2;
      for (let row = 0; row < this.rows; row++) if (flags[row]) out[row] += share * flags[row];
    }
    return out;
  }
}
