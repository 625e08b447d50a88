// The small interface search needs from the history store: list entries in time order and load one.
// The adapter to src/history (openHistory) lives in history-adapter.ts; tests use in-memory sources.
import { OpdbusError } from '../errors';

export interface HistoryEntry {
  id: string;
  /** ISO 8601 time of the transaction that produced this state. */
  time: string;
  /** Plugin sections of the whole state after that transaction: plugin name -> section. */
  state: Record<string, unknown>;
}

export interface HistoryEntryInfo {
  id: string;
  time: string;
}

export interface HistorySource {
  /** Every entry, oldest first. */
  list(): Promise<HistoryEntryInfo[]>;
  load(id: string): Promise<HistoryEntry>;
}

/** A source over entries already in memory (tests, `--like FILE`). */
export function memorySource(entries: HistoryEntry[]): HistorySource {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const sorted = [...entries].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return {
    list: async () => sorted.map(({ id, time }) => ({ id, time })),
    load: async (id) => {
      const e = byId.get(id);
      if (!e) throw new OpdbusError('NotFound', 'HISTORY_NOT_FOUND', `no history entry ${id}`);
      return e;
    },
  };
}
