// `history prune`: apply the retention plan, then the free-space floor. A point that cannot be
// deleted is reported and every other deletion still happens (snapper's cleanup does the same).
import type { History } from './open';
import { planRetention, type RetentionPlan, type RetentionRules } from './retention';
import type { HistoryPoint } from './store';

export interface PruneResult {
  plan: RetentionPlan;
  /** Deleted (or, with dryRun, to be deleted) by the rules. */
  removed: number[];
  /** Deleted because free space was below the floor (never in a dry run: it depends on the deletions). */
  removedForSpace: number[];
  failed: { id: number; error: string }[];
  /** Free space is still below the floor after deleting everything allowed. */
  belowFloor: boolean;
}

export async function prune(history: History, rules: RetentionRules, opts: { dryRun?: boolean } = {}): Promise<PruneResult> {
  const plan = planRetention(await history.list(), rules);
  const ids = plan.remove.map((p) => p.id);
  if (opts.dryRun) return { plan, removed: ids, removedForSpace: [], failed: [], belowFloor: await belowFloor(history, rules) };

  const failures = await history.remove(ids);
  const failed = [...failures].map(([id, err]) => ({ id, error: err.message }));
  const removed = ids.filter((id) => !failures.has(id));

  // Free-space floor: oldest kept points go first; the newest point always stays.
  const removedForSpace: number[] = [];
  const candidates: HistoryPoint[] = plan.keep.slice(1).reverse().map((k) => k.point);
  while ((await belowFloor(history, rules)) && candidates.length > 0) {
    const next = candidates.shift()!;
    const err = (await history.remove([next.id])).get(next.id);
    if (err) failed.push({ id: next.id, error: err.message });
    else removedForSpace.push(next.id);
  }
  return { plan, removed, removedForSpace, failed, belowFloor: await belowFloor(history, rules) };
}

async function belowFloor(history: History, rules: RetentionRules): Promise<boolean> {
  if (!rules.minFree) return false;
  const space = await history.space().catch(() => undefined);
  if (!space) return false;
  const floor = 'bytes' in rules.minFree ? rules.minFree.bytes : rules.minFree.fraction * space.totalBytes;
  return space.availableBytes < floor;
}
