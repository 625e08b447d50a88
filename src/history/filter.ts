// Selecting points: by time (`--since 2026-01-01`, `--since 7d`), by plugin, kind and transaction.
import { OpdbusError } from '../errors';
import type { HistoryPoint, PointKind } from './store';

export interface HistoryFilter {
  /** Points at or after this time. */
  since?: Date;
  /** Points at or before this time. */
  until?: Date;
  /** Points covering this plugin. */
  plugin?: string;
  kind?: PointKind;
  txid?: string;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "2026-11-01", "2026-11-01T10:00:00Z" or a duration ago: "90m", "12h", "7d", "2w". */
export function parseTimeArg(text: string, what: string, now = Date.now()): Date {
  const rel = /^(\d+)([smhdw])$/.exec(text.trim());
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2]]);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new OpdbusError('InvalidInput', 'BAD_TIME', `${what}: expected an ISO 8601 time or a duration like 12h or 7d, found ${JSON.stringify(text)}`);
  }
  return new Date(t);
}

export function matches(point: HistoryPoint, filter: HistoryFilter): boolean {
  const t = Date.parse(point.time);
  if (filter.since && t < filter.since.getTime()) return false;
  if (filter.until && t > filter.until.getTime()) return false;
  if (filter.plugin && !point.plugins.includes(filter.plugin)) return false;
  if (filter.kind && point.kind !== filter.kind) return false;
  if (filter.txid && point.txid !== filter.txid) return false;
  return true;
}
