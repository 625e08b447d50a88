// Which points to keep, snapper-style: the newest N, plus a timeline (the first point of each of the
// last H hours, D days, W ISO weeks, M months, Y years that have points, in UTC). Pure: the same
// points and rules always give the same answer. The free-space floor is applied by prune.ts.
import { OpdbusError } from '../errors';
import type { HistoryPoint } from './store';

export interface RetentionRules {
  keepLast: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
  /** Delete more (oldest first, never the newest) while free space is below this: bytes, or a fraction of the filesystem. */
  minFree: { bytes: number } | { fraction: number } | null;
}

/** snapper's defaults (NUMBER_LIMIT=50, TIMELINE_LIMIT_* 10/10/0/10/10, FREE_LIMIT=0.2). */
export const DEFAULT_RULES: RetentionRules = { keepLast: 50, hourly: 10, daily: 10, weekly: 0, monthly: 10, yearly: 10, minFree: { fraction: 0.2 } };

export type KeepReason = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
export const TIMELINE: readonly Exclude<KeepReason, 'last'>[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

export interface RetentionPlan {
  /** Kept points (newest first) and every rule that keeps each. */
  keep: { point: HistoryPoint; reasons: KeepReason[] }[];
  /** Points no rule keeps, oldest first. */
  remove: HistoryPoint[];
}

/** The period a time falls in, as a comparable key. Weeks are ISO weeks (Monday first). */
export function periodKey(time: Date, period: Exclude<KeepReason, 'last'>): string {
  const iso = time.toISOString();
  switch (period) {
    case 'hourly':
      return iso.slice(0, 13);
    case 'daily':
      return iso.slice(0, 10);
    case 'monthly':
      return iso.slice(0, 7);
    case 'yearly':
      return iso.slice(0, 4);
    case 'weekly': {
      const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
      const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
      return `W${monday.toISOString().slice(0, 10)}`;
    }
  }
}

export function planRetention(points: readonly HistoryPoint[], rules: RetentionRules): RetentionPlan {
  const newestFirst = [...points].sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id - a.id);
  const reasons = new Map<number, KeepReason[]>();
  const keepFor = (p: HistoryPoint, why: KeepReason) => reasons.set(p.id, [...(reasons.get(p.id) ?? []), why]);

  newestFirst.slice(0, rules.keepLast).forEach((p) => keepFor(p, 'last'));
  for (const period of TIMELINE) {
    const limit = rules[period];
    if (limit <= 0) continue;
    // Walking newest -> oldest, the last point seen in a period is its first (oldest) point.
    const firstOfPeriod = new Map<string, HistoryPoint>();
    for (const p of newestFirst) firstOfPeriod.set(periodKey(new Date(p.time), period), p);
    [...firstOfPeriod.values()].slice(0, limit).forEach((p) => keepFor(p, period));
  }
  return {
    keep: newestFirst.filter((p) => reasons.has(p.id)).map((point) => ({ point, reasons: reasons.get(point.id)! })),
    remove: newestFirst.filter((p) => !reasons.has(p.id)).reverse(),
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Rules from the config file's `plugins.history` mapping (keys keep_last, hourly, ..., min_free). */
export function rulesFromConfig(options: Record<string, unknown> | undefined, file = 'config'): RetentionRules {
  const rules: RetentionRules = { ...DEFAULT_RULES };
  if (!options) return rules;
  const count = (key: string): number | undefined => {
    const v = options[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/history/${key}: expected a non-negative integer, found ${JSON.stringify(v)}`, { path: `/plugins/history/${key}` });
    }
    return v;
  };
  rules.keepLast = count('keep_last') ?? rules.keepLast;
  for (const period of TIMELINE) rules[period] = count(period) ?? rules[period];
  if (options.min_free !== undefined) rules.minFree = parseMinFree(options.min_free, file);
  return rules;
}

function parseMinFree(v: unknown, file: string): RetentionRules['minFree'] {
  if (v === null || v === 0 || v === '0') return null;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return { bytes: v };
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*(%|[KMGT]?)$/i.exec(v.trim()) : null;
  if (m && m[2] === '%' && Number(m[1]) <= 100) return { fraction: Number(m[1]) / 100 };
  if (m && m[2] !== '%') return { bytes: Math.round(Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()]) };
  throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/history/min_free: expected a percentage ("20%"), a size ("2G") or bytes, found ${JSON.stringify(v)}`, {
    path: '/plugins/history/min_free',
  });
}
