// The client-side replica fed by monitor notifications: `update` (RFC 7047 "old"/"new" rows) and
// `update2` (monitor_cond: initial/insert/modify-as-diff/delete). Readers see plain rows by UUID.
import type { Atom, Datum } from './datum';
import type { Row } from './operations';
import type { DatabaseSchema } from './schema';

export type TableRows = Map<string, Row>;

export class DatabaseCache {
  readonly tables = new Map<string, TableRows>();
  /** Bumped on every applied update: a cheap "has anything changed" for settle loops. */
  generation = 0;

  /**
   * The schema tells single-valued columns (diff = new value, as ovsdb-server sends it for max 1)
   * from sets and maps; the client sets it before any row is loaded when it was not known yet.
   */
  constructor(public schema?: DatabaseSchema) {}

  table(name: string): TableRows {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  clear(): void {
    this.tables.clear();
    this.generation++;
  }

  /** Applies a `monitor` table-updates object: {table: {uuid: {old?, new?}}}. */
  applyUpdate(updates: Record<string, Record<string, { old?: Row; new?: Row }>>): void {
    for (const [tname, rows] of Object.entries(updates)) {
      const t = this.table(tname);
      for (const [id, change] of Object.entries(rows)) {
        if (change.new === undefined) t.delete(id);
        else t.set(id, { ...(t.get(id) ?? {}), ...change.new });
      }
    }
    this.generation++;
  }

  /** Applies a `monitor_cond` table-updates2 object: {table: {uuid: {initial|insert|modify|delete}}}. */
  applyUpdate2(updates: Record<string, Record<string, { initial?: Row; insert?: Row; modify?: Row; delete?: null }>>): void {
    for (const [tname, rows] of Object.entries(updates)) {
      const t = this.table(tname);
      for (const [id, change] of Object.entries(rows)) {
        if (change.initial || change.insert) t.set(id, { ...(change.initial ?? change.insert) });
        else if (change.modify) {
          const row = { ...(t.get(id) ?? {}) };
          const columns = this.schema?.tables[tname]?.columns ?? {};
          for (const [col, diff] of Object.entries(change.modify)) {
            const type = columns[col]?.type;
            row[col] = type && type.max === 1 && !type.value ? diff : applyDiff(row[col], diff);
          }
          t.set(id, row);
        } else if ('delete' in change) t.delete(id);
      }
    }
    this.generation++;
  }
}

/**
 * update2 "modify" carries a diff per column: for a set, the elements to toggle; for a map, keys to
 * add, keys whose value changes (new value) and keys to remove (same value).
 */
export function applyDiff(old: Datum | undefined, diff: Datum): Datum {
  if (Array.isArray(diff) && diff[0] === 'map') {
    const entries = new Map<string, [Atom, Atom]>();
    if (Array.isArray(old) && old[0] === 'map') for (const p of old[1] as [Atom, Atom][]) entries.set(JSON.stringify(p[0]), p);
    for (const [k, v] of diff[1] as [Atom, Atom][]) {
      const key = JSON.stringify(k);
      const cur = entries.get(key);
      if (cur && JSON.stringify(cur[1]) === JSON.stringify(v)) entries.delete(key);
      else entries.set(key, [k, v]);
    }
    return ['map', [...entries.values()]];
  }
  const isSetDiff = Array.isArray(diff) && diff[0] === 'set';
  const oldIsSet = Array.isArray(old) && old[0] === 'set';
  const elements = new Map<string, Atom>();
  for (const a of oldIsSet ? ((old as ['set', Atom[]])[1]) : old === undefined ? [] : [old as Atom]) elements.set(JSON.stringify(a), a);
  for (const a of isSetDiff ? ((diff as ['set', Atom[]])[1]) : [diff as Atom]) {
    const key = JSON.stringify(a);
    if (elements.has(key)) elements.delete(key);
    else elements.set(key, a);
  }
  const out = [...elements.values()];
  return out.length === 1 ? out[0] : ['set', out];
}
