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

/**
 * In-memory lexical index; documents are appended in row order. BM25 runs over the problem/change
 * text. Identifiers present in a state are kept as row ranges: consecutive states share almost all
 * of them, so 100,000 states cost a few ranges per identifier, not a posting per state.
 */
export class LexicalIndex {
  /** Term -> rows whose problems/changes contain it, with its frequency there. */
  private readonly postings = new Map<string, { rows: number[]; tf: number[] }>();
  private readonly lengths: number[] = [];
  private totalLength = 0;
  /** Identifier -> flat, disjoint [start, end) row ranges where the state has it (closed runs). */
  private readonly presentRanges = new Map<string, number[]>();
  /**
   * Tokens of the current problems + identifier list -> the row since which they are present. While
   * both stay the same (most consecutive states), a row costs nothing here; a run is closed into
   * presentRanges only when its token leaves.
   */
  private readonly openRuns = new Map<string, number>();

  /** The previous document's problems and ids with their tokens: consecutive states mostly repeat them. */
  private last = { problems: '', problemTokens: [] as string[], ids: [] as string[], idTokens: [] as string[] };

  add(doc: LexicalDoc): void {
    const row = this.lengths.length;
    const baseChanged = row === 0 || doc.problems !== this.last.problems || doc.ids !== this.last.ids;
    if (doc.problems !== this.last.problems) Object.assign(this.last, { problems: doc.problems, problemTokens: lexicalTokens(doc.problems) });
    if (doc.ids !== this.last.ids) Object.assign(this.last, { ids: doc.ids, idTokens: [...new Set(doc.ids.flatMap((id) => lexicalTokens(id)))] });
    if (baseChanged) this.moveRuns(new Set([...this.last.problemTokens, ...this.last.idTokens]), row);

    const changeTokens = lexicalTokens(doc.changes);
    const hot = [...this.last.problemTokens, ...changeTokens];
    const tf = new Map<string, number>();
    for (const t of hot) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, n] of tf) {
      let p = this.postings.get(term);
      if (!p) this.postings.set(term, (p = { rows: [], tf: [] }));
      p.rows.push(row);
      p.tf.push(n);
    }
    this.lengths.push(hot.length);
    this.totalLength += hot.length;
    for (const t of new Set(changeTokens)) if (!this.openRuns.has(t)) this.addRange(t, row, row + 1);
  }

  /** Closes the runs of tokens no longer in `base` at `row`, opens runs for the new ones. */
  private moveRuns(base: Set<string>, row: number): void {
    for (const [t, start] of this.openRuns) {
      if (base.has(t)) continue;
      this.addRange(t, start, row);
      this.openRuns.delete(t);
    }
    for (const t of base) if (!this.openRuns.has(t)) this.openRuns.set(t, row);
  }

  private addRange(token: string, start: number, end: number): void {
    const ranges = this.presentRanges.get(token);
    if (ranges && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = end;
    else if (ranges) ranges.push(start, end);
    else this.presentRanges.set(token, [start, end]);
  }

  get size(): number {
    return this.lengths.length;
  }

  /** BM25 score of every row into `scores` (0 where no query term matches). */
  score(query: string, scores: Float32Array): void {
    scores.fill(0, 0, this.size);
    const n = this.lengths.length;
    const avg = this.totalLength / Math.max(1, n);
    for (const term of new Set(lexicalTokens(query))) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = Math.log(1 + (n - p.rows.length + 0.5) / (p.rows.length + 0.5));
      for (let i = 0; i < p.rows.length; i++) {
        const row = p.rows[i];
        const tf = p.tf[i];
        const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[row]) / Math.max(avg, 1)));
        scores[row] += s;
      }
    }
  }

  /**
   * How well rows match the query's identifiers, into `out`: 1 per identifier in their
   * problems/changes, 0.5 if only present. Undefined (and `out` untouched) when there are none.
   */
  identifierMatch(identifiers: string[], out: Float32Array): Float32Array | undefined {
    if (!identifiers.length) return undefined;
    out.fill(0, 0, this.size);
    const share = 0.5 / identifiers.length;
    for (const id of identifiers) {
      const ranges = this.presentRanges.get(id) ?? [];
      for (let i = 0; i < ranges.length; i += 2) for (let row = ranges[i]; row < ranges[i + 1]; row++) out[row] += share;
      const open = this.openRuns.get(id);
      if (open !== undefined) for (let row = open; row < this.size; row++) out[row] += share;
      for (const row of this.postings.get(id)?.rows ?? []) out[row] += share;
    }
    return out;
  }
}
