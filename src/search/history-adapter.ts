// HistorySource over the history store (src/history, docs/history.md). A history point holds only the
// plugins it covers, so the state at a point is every earlier point's sections with this point's on
// top: the adapter folds them forward in id order, reusing sections by hash.
import { openHistory } from '../history';
import type { HistoryPoint } from '../history';
import { OpdbusError } from '../errors';
import type { HistoryEntry, HistoryEntryInfo, HistorySource } from './source';

export async function historySource(stateDir: string): Promise<HistorySource> {
  const history = await openHistory(stateDir);
  let points: HistoryPoint[] | undefined;
  /** The whole state at points[i], filled in order. */
  const states: Record<string, unknown>[] = [];
  const sectionsByHash = new Map<string, unknown>();

  /** Folding is sequential; concurrent loads queue behind each other. */
  let folding: Promise<unknown> = Promise.resolve();
  function stateAt(index: number): Promise<Record<string, unknown>> {
    const next = folding.then(() => foldUpTo(index));
    folding = next.catch(() => undefined);
    return next;
  }

  async function foldUpTo(index: number): Promise<Record<string, unknown>> {
    const all = points!;
    for (let i = states.length; i <= index; i++) {
      const point = all[i];
      const state = { ...(i > 0 ? states[i - 1] : {}) };
      const missing = point.plugins.filter((p) => !sectionsByHash.has(point.sections[p]));
      const loaded = missing.length ? (await history.load(point.id)).document.plugins : {};
      for (const plugin of point.plugins) {
        const hash = point.sections[plugin];
        if (!sectionsByHash.has(hash)) sectionsByHash.set(hash, loaded[plugin]);
        state[plugin] = sectionsByHash.get(hash);
      }
      states.push(state);
    }
    return states[index];
  }

  async function list(): Promise<HistoryEntryInfo[]> {
    points = await history.list();
    states.length = 0;
    return points.map((p) => ({ id: String(p.id), time: p.time }));
  }

  return {
    list,
    async load(id: string): Promise<HistoryEntry> {
      if (!points) await list();
      const index = points!.findIndex((p) => String(p.id) === id);
      if (index < 0) throw new OpdbusError('NotFound', 'HISTORY_NOT_FOUND', `no history point ${id}`);
      return { id, time: points![index].time, state: await stateAt(index) };
    },
  };
}
