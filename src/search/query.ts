// Semantic search over history: keeps the index in step with a history source (incrementally, in
// batches through the embedding pool) and answers text and --like queries with hybrid ranking.
import { OpdbusError } from '../errors';
import type { Embedder } from './embedder';
import { Ranker, type RankedRow } from './hybrid';
import { VectorIndex, type IndexEntry } from './index';
import { hotText, LexicalIndex } from './lexical';
import { modelId } from './model';
import { stateObjects, type PluginSections } from './objects';
import type { HistorySource } from './source';
import { stateView, type TextView } from './textview';
import type { RowMask } from './topk';

export interface SearchOptions {
  limit?: number;
  /** Only states at or after this time (ISO 8601). */
  since?: string;
  /** Only states where this plugin changed or has a problem. */
  plugin?: string;
  lexicalOnly?: boolean;
}

export interface SearchHit extends RankedRow {
  id: string;
  time: string;
}

/** States indexed per embedding call. */
const INDEX_BATCH = 256;

/** Lexical document and plugin list of a state view. */
function indexEntry(id: string, time: string, state: PluginSections, view: TextView): IndexEntry {
  const plugins = new Set<string>();
  for (const line of [...view.problems, ...view.changes]) {
    const plugin = Object.keys(state).find((p) => line.startsWith(`${p} `) || line.includes(` ${p} `));
    if (plugin) plugins.add(plugin);
  }
  const ids = stateObjects(state).flatMap((o) => [o.name, ...Object.values(o.fields).flat().filter((v): v is string => typeof v === 'string' && /[./:]/.test(v) && /\d/.test(v))]);
  return { id, time, plugins: [...plugins].sort(), lexical: { problems: view.problems.join('\n'), changes: view.changes.join('\n'), ids: [...new Set(ids)] } };
}

export class StateSearch {
  private readonly lexical = new LexicalIndex();
  private readonly ranker = new Ranker();

  private constructor(readonly index: VectorIndex, private readonly embedder: Embedder) {
    for (const e of index.entries) this.lexical.add(e.lexical);
  }

  static async open(stateDir: string, embedder: Embedder): Promise<StateSearch> {
    const [probe] = await embedder.embed(['probe']);
    return new StateSearch(VectorIndex.open(stateDir, modelId(embedder.modelFiles), probe.length), embedder);
  }

  /** Indexes every history entry not indexed yet, oldest first. Returns how many were added. */
  async update(source: HistorySource, onProgress?: (done: number, total: number) => void): Promise<number> {
    const all = await source.list();
    const missing = all.map((info, i) => ({ info, i })).filter(({ info }) => this.index.rowOf(info.id) === undefined);
    let done = 0;
    for (let b = 0; b < missing.length; b += INDEX_BATCH) {
      const batch = missing.slice(b, b + INDEX_BATCH);
      const items = await Promise.all(batch.map(async ({ info, i }) => {
        const entry = await source.load(info.id);
        const previous = i > 0 ? (await source.load(all[i - 1].id)).state : undefined;
        const view = stateView(entry.state, previous);
        return { view, entry: indexEntry(entry.id, entry.time, entry.state, view) };
      }));
      const vectors = await this.embedder.embed(items.map((it) => it.view.segments));
      this.index.append(items.map((it, k) => ({ entry: it.entry, vector: vectors[k] })));
      for (const it of items) this.lexical.add(it.entry.lexical);
      done += batch.length;
      onProgress?.(done, missing.length);
    }
    return missing.length;
  }

  /** The rows the filters let through (undefined: all of them), built once per query. */
  private accept(opts: SearchOptions, exclude?: number): RowMask {
    const since = opts.since ? Date.parse(opts.since) : undefined;
    if (since !== undefined && Number.isNaN(since)) throw new OpdbusError('InvalidInput', 'SEARCH_SINCE', `--since: expected an ISO 8601 time, found "${opts.since}"`);
    if (since === undefined && !opts.plugin && exclude === undefined) return undefined;
    const mask = new Uint8Array(this.index.size);
    this.index.entries.forEach((e, row) => {
      if (since !== undefined && Date.parse(e.time) < since) return;
      if (!opts.plugin || e.plugins.includes(opts.plugin)) mask[row] = 1;
    });
    if (exclude !== undefined) mask[exclude] = 0;
    return mask;
  }

  private hits(rows: RankedRow[]): SearchHit[] {
    return rows.map((r) => ({ ...r, id: this.index.entries[r.row].id, time: this.index.entries[r.row].time }));
  }

  /** States that match a text query. */
  async search(text: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const vector = opts.lexicalOnly ? undefined : (await this.embedder.embed([text]))[0];
    return this.searchVector(text, vector, opts);
  }

  /** Ranking alone, for a query already embedded. */
  async searchVector(text: string, vector: Float32Array | undefined, opts: SearchOptions = {}): Promise<SearchHit[]> {
    return this.hits(this.ranker.rank(this.index, this.lexical, text, vector, { limit: opts.limit ?? 10, accept: this.accept(opts), lexicalOnly: opts.lexicalOnly }));
  }

  /** States nearest to an indexed one (by id) or to a state document given whole. */
  async like(target: { id: string } | { state: PluginSections }, opts: SearchOptions = {}): Promise<SearchHit[]> {
    let vector: Float32Array;
    let text: string;
    let exclude: number | undefined;
    if ('id' in target) {
      exclude = this.index.rowOf(target.id);
      if (exclude === undefined) throw new OpdbusError('NotFound', 'SEARCH_NO_SUCH_STATE', `--like ${target.id}: no indexed history entry with that id (run "opdbus index rebuild" if history has it)`);
      vector = this.index.vector(exclude);
      text = hotText(this.index.entries[exclude].lexical);
    } else {
      const view = stateView(target.state);
      vector = (await this.embedder.embed([view.segments]))[0];
      text = view.problems.join('\n');
    }
    return this.hits(this.ranker.rank(this.index, this.lexical, text, vector, { limit: opts.limit ?? 10, accept: this.accept(opts, exclude), lexicalOnly: opts.lexicalOnly }));
  }
}

