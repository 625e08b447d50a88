// The on-disk vector index of historical states, in <stateDir>/search/: meta.json (model, dim),
// vectors.f32 (row-major float32, one L2-normalised row per state) and entries.jsonl (one line per row:
// id, time, plugins, lexical text; the problem text and identifier list only when they differ from
// the previous row's, as consecutive states share nearly all of them). Append-only; rows beyond the shorter of the two files are dropped
// on open, so a crash between the two appends costs at most the entry being written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpdbusError } from '../errors';
import { QuantizedRows } from './knn';
import type { LexicalDoc } from './lexical';

export interface IndexEntry {
  id: string;
  time: string;
  /** Plugins whose objects changed or have problems in this state (for --plugin). */
  plugins: string[];
  lexical: LexicalDoc;
}

interface IndexMeta {
  model: string;
  dim: number;
}

export class VectorIndex {
  readonly entries: IndexEntry[] = [];
  private rows: Float32Array;
  private readonly rowById = new Map<string, number>();
  /** int16 copy of the rows for the first k-NN pass (src/search/knn.ts), kept in step with them. */
  readonly quantized: QuantizedRows;

  private constructor(readonly dir: string, readonly dim: number) {
    this.rows = new Float32Array(dim * 1024);
    this.quantized = new QuantizedRows(dim);
  }

  static dirFor(stateDir: string): string {
    return path.join(stateDir, 'search');
  }

  /** Opens (or creates) the index for `model`; an index built by another model must be rebuilt. */
  static open(stateDir: string, model: string, dim: number): VectorIndex {
    const dir = VectorIndex.dirFor(stateDir);
    fs.mkdirSync(dir, { recursive: true });
    const metaFile = path.join(dir, 'meta.json');
    if (fs.existsSync(metaFile)) {
      const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as IndexMeta;
      if (meta.model !== model || meta.dim !== dim) {
        throw new OpdbusError('Conflict', 'SEARCH_INDEX_STALE', `search index in ${dir} was built by model ${meta.model} (dim ${meta.dim}), not ${model} (dim ${dim}): run "opdbus index rebuild"`);
      }
    } else {
      fs.writeFileSync(metaFile, JSON.stringify({ model, dim } satisfies IndexMeta) + '\n');
    }
    const index = new VectorIndex(dir, dim);
    index.load();
    return index;
  }

  /** Deletes the index files (rebuild). */
  static remove(stateDir: string): void {
    fs.rmSync(VectorIndex.dirFor(stateDir), { recursive: true, force: true });
  }

  private get vectorsFile(): string {
    return path.join(this.dir, 'vectors.f32');
  }

  private get entriesFile(): string {
    return path.join(this.dir, 'entries.jsonl');
  }

  private load(): void {
    const lines = fs.existsSync(this.entriesFile) ? fs.readFileSync(this.entriesFile, 'utf8').split('\n') : [];
    const entries: IndexEntry[] = [];
    for (const line of lines) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as IndexEntry);
      } catch {
        break; // a torn last line from a crash
      }
    }
    const bytes = fs.existsSync(this.vectorsFile) ? fs.readFileSync(this.vectorsFile) : Buffer.alloc(0);
    const count = Math.min(entries.length, Math.floor(bytes.length / (4 * this.dim)));
    this.ensureCapacity(count);
    this.rows.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * this.dim * 4)));
    this.quantized.append(this.rows.subarray(0, count * this.dim));
    for (const e of entries.slice(0, count)) this.push(this.resolve(e));
    // Drop any torn tail so the next append lines up rows and entries again.
    if (bytes.length !== count * this.dim * 4) fs.truncateSync(this.vectorsFile, count * this.dim * 4);
    if (entries.length !== count || lines.filter(Boolean).length !== count) {
      fs.writeFileSync(this.entriesFile, this.entries.map((e, i) => this.serialize(e, i > 0 ? this.entries[i - 1] : undefined)).join(''));
    }
  }

  private ensureCapacity(count: number): void {
    if (count * this.dim <= this.rows.length) return;
    const grown = new Float32Array(Math.max(count, (this.rows.length / this.dim) * 2) * this.dim);
    grown.set(this.rows);
    this.rows = grown;
  }

  /** Fills in what a stored line left out (same as the previous row). */
  private resolve(stored: IndexEntry): IndexEntry {
    const previous = this.entries[this.entries.length - 1]?.lexical;
    const lexical = stored.lexical as Partial<LexicalDoc>;
    return { ...stored, lexical: { problems: lexical.problems ?? previous?.problems ?? '', changes: lexical.changes ?? '', ids: lexical.ids ?? previous?.ids ?? [] } };
  }

  /** One entries.jsonl line; problems and ids left out when equal to the previous row's (and then shared in memory). */
  private serialize(entry: IndexEntry, previous: IndexEntry | undefined): string {
    const stored: { problems?: string; changes: string; ids?: string[] } = { ...entry.lexical };
    const ids = entry.lexical.ids;
    if (previous && previous.lexical.ids.length === ids.length && previous.lexical.ids.every((id, i) => id === ids[i])) {
      entry.lexical.ids = previous.lexical.ids;
      delete stored.ids;
    }
    if (previous && previous.lexical.problems === entry.lexical.problems) {
      entry.lexical.problems = previous.lexical.problems;
      delete stored.problems;
    }
    return JSON.stringify({ ...entry, lexical: stored }) + '\n';
  }

  private push(entry: IndexEntry): void {
    this.rowById.set(entry.id, this.entries.length);
    this.entries.push(entry);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The live rows (row-major, size x dim); valid until the next append. */
  get matrix(): Float32Array {
    return this.rows.subarray(0, this.size * this.dim);
  }

  rowOf(id: string): number | undefined {
    return this.rowById.get(id);
  }

  vector(row: number): Float32Array {
    return this.rows.subarray(row * this.dim, (row + 1) * this.dim);
  }

  /** Appends states (vectors first, then entries: see the header). */
  append(items: { entry: IndexEntry; vector: Float32Array }[]): void {
    if (!items.length) return;
    const block = new Float32Array(items.length * this.dim);
    items.forEach((it, i) => block.set(it.vector, i * this.dim));
    fs.appendFileSync(this.vectorsFile, Buffer.from(block.buffer));
    let previous = this.entries[this.entries.length - 1];
    const lines = items.map((it) => {
      const line = this.serialize(it.entry, previous);
      previous = it.entry;
      return line;
    });
    fs.appendFileSync(this.entriesFile, lines.join(''));
    this.ensureCapacity(this.size + items.length);
    this.rows.set(block, this.size * this.dim);
    this.quantized.append(block);
    for (const it of items) this.push(it.entry);
  }
}
