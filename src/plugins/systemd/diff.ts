// Pure comparison of current and desired units: one action per unit that differs, carrying the
// fields that differ before and after, in unit-name order.
import type { Action } from '../../plugin/contract';
import { pointer } from '../../util/pointer';
import type { SystemdState, UnitDesired } from './schema';

export function unitPath(name: string): string {
  return pointer(['plugins', 'systemd', 'units', name]);
}

/** Absent and null mean the same (no such file); masked defaults to false. */
function same(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}

/** The fields of `want` that `have` does not match, as [before, after] halves of the unit shape. */
export function unitChanges(have: UnitDesired | undefined, want: UnitDesired): { before: UnitDesired; after: UnitDesired } | undefined {
  const before: UnitDesired = {};
  const after: UnitDesired = {};
  let changed = false;
  if (want.active_state !== undefined && want.active_state !== (have?.active_state ?? 'inactive')) {
    before.active_state = have?.active_state ?? 'inactive';
    after.active_state = want.active_state;
    changed = true;
  }
  // A static or absent unit is not enabled: `enabled: false` already holds for it.
  if (want.enabled !== undefined && want.enabled !== (have?.enabled ?? (want.enabled ? undefined : false))) {
    if (have?.enabled !== undefined) before.enabled = have.enabled;
    after.enabled = want.enabled;
    changed = true;
  }
  if (want.masked !== undefined && want.masked !== (have?.masked ?? false)) {
    before.masked = have?.masked ?? false;
    after.masked = want.masked;
    changed = true;
  }
  if (want.unit_file !== undefined && !same(want.unit_file, have?.unit_file)) {
    before.unit_file = have?.unit_file ?? null;
    after.unit_file = want.unit_file;
    changed = true;
  }
  for (const [file, content] of Object.entries(want.dropins ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (same(content, have?.dropins?.[file])) continue;
    (before.dropins ??= {})[file] = have?.dropins?.[file] ?? null;
    (after.dropins ??= {})[file] = content;
    changed = true;
  }
  return changed ? { before, after } : undefined;
}

/** What removing a unit changes, in the unit shape apply understands: down, disabled, files gone. */
export function removalOf(have: UnitDesired): UnitDesired {
  const after: UnitDesired = { active_state: 'inactive', unit_file: null };
  if (have.enabled) after.enabled = false;
  if (have.dropins) after.dropins = Object.fromEntries(Object.keys(have.dropins).map((f) => [f, null]));
  return after;
}

export function diffSystemd(current: SystemdState, desired: SystemdState): Action[] {
  const actions: Action[] = [];
  for (const name of Object.keys(desired.units).sort()) {
    const have = current.units[name];
    if (desired.units[name].state === 'absent') {
      if (have && have.state !== 'absent') actions.push({ plugin: 'systemd', op: 'delete', path: unitPath(name), resource: `systemd:unit:${name}`, before: have });
      continue;
    }
    const change = unitChanges(have, desired.units[name]);
    if (!change) continue;
    actions.push({
      plugin: 'systemd',
      op: have === undefined ? 'create' : 'modify',
      path: unitPath(name),
      resource: `systemd:unit:${name}`,
      ...(have === undefined ? {} : { before: change.before }),
      after: change.after,
    });
  }
  return actions;
}

export function unitOfAction(action: Action): string {
  return action.resource.slice('systemd:unit:'.length);
}
