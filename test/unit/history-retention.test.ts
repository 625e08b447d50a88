// Retention over a simulated year of points (one every 6 hours): exactly the points the rules name
// are kept, each with the rules that keep it. Expected sets are written out by hand from the calendar.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { planRetention, rulesFromConfig, DEFAULT_RULES } from '../../src/history/retention';
import type { HistoryPoint } from '../../src/history/store';

const START = Date.parse('2025-03-15T00:00:00Z');
const SIX_HOURS = 6 * 3_600_000;
const YEAR: HistoryPoint[] = Array.from({ length: 365 * 4 }, (_, i) => ({
  id: i + 1,
  time: new Date(START + i * SIX_HOURS).toISOString(),
  kind: 'manual',
  reason: 'timeline',
  host: 'h',
  plugins: [],
  sections: {},
}));

const at = (s: string) => `${s}:00:00.000Z`;

it('keeps exactly the last N and the first point of each recent hour/day/week/month/year', () => {
  const shuffled = [...YEAR].sort((a, b) => (a.id * 7919) % 1460 - (b.id * 7919) % 1460);
  const plan = planRetention(shuffled, { keepLast: 5, hourly: 10, daily: 7, weekly: 4, monthly: 6, yearly: 2, minFree: null });
  assert.equal(YEAR.at(-1)!.time, at('2026-03-14T18'));
  const kept = Object.fromEntries(plan.keep.map((k) => [k.point.time, k.reasons.join('+')]));
  assert.deepEqual(kept, {
    [at('2026-03-14T18')]: 'last+hourly',
    [at('2026-03-14T12')]: 'last+hourly',
    [at('2026-03-14T06')]: 'last+hourly',
    [at('2026-03-14T00')]: 'last+hourly+daily',
    [at('2026-03-13T18')]: 'last+hourly',
    [at('2026-03-13T12')]: 'hourly',
    [at('2026-03-13T06')]: 'hourly',
    [at('2026-03-13T00')]: 'hourly+daily',
    [at('2026-03-12T18')]: 'hourly',
    [at('2026-03-12T12')]: 'hourly',
    [at('2026-03-12T00')]: 'daily',
    [at('2026-03-11T00')]: 'daily',
    [at('2026-03-10T00')]: 'daily',
    // 2026-03-09 is a Monday: first point of its ISO week.
    [at('2026-03-09T00')]: 'daily+weekly',
    [at('2026-03-08T00')]: 'daily',
    [at('2026-03-02T00')]: 'weekly',
    [at('2026-03-01T00')]: 'monthly',
    [at('2026-02-23T00')]: 'weekly',
    [at('2026-02-16T00')]: 'weekly',
    [at('2026-02-01T00')]: 'monthly',
    [at('2026-01-01T00')]: 'monthly+yearly',
    [at('2025-12-01T00')]: 'monthly',
    [at('2025-11-01T00')]: 'monthly',
    [at('2025-10-01T00')]: 'monthly',
    // The simulated year started mid-March 2025: its first point is 2025's first.
    [at('2025-03-15T00')]: 'yearly',
  });
  assert.deepEqual(plan.keep.map((k) => k.point.time), Object.keys(kept), 'kept newest first');
  assert.equal(plan.remove.length, 1460 - 25);
  assert.equal(plan.remove[0].time, at('2025-03-15T06'), 'removals oldest first');
  assert.ok(plan.remove.every((p) => !(p.time in kept)));
});

it('zero everywhere keeps nothing; a long keepLast keeps everything', () => {
  assert.equal(planRetention(YEAR, { keepLast: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, minFree: null }).remove.length, 1460);
  assert.equal(planRetention(YEAR, { ...DEFAULT_RULES, keepLast: 5000 }).remove.length, 0);
});

it('reads rules from the config file section, naming the path of a bad value', () => {
  assert.deepEqual(rulesFromConfig({ keep_last: 3, daily: 2, min_free: '10%' }), { ...DEFAULT_RULES, keepLast: 3, daily: 2, minFree: { fraction: 0.1 } });
  assert.deepEqual(rulesFromConfig({ min_free: '2G' }).minFree, { bytes: 2 * 1024 ** 3 });
  assert.equal(rulesFromConfig({ min_free: 0 }).minFree, null);
  assert.deepEqual(rulesFromConfig(undefined), DEFAULT_RULES);
  assert.throws(() => rulesFromConfig({ daily: -1 }, '/etc/opdbus/config.yaml'), {
    kind: 'InvalidInput',
    message: '/etc/opdbus/config.yaml: /plugins/history/daily: expected a non-negative integer, found -1',
  });
  assert.throws(() => rulesFromConfig({ min_free: 'lots' }, 'c.yaml'), {
    message: 'c.yaml: /plugins/history/min_free: expected a percentage ("20%"), a size ("2G") or bytes, found "lots"',
  });
});
