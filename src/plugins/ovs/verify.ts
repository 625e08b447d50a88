// Verify through the monitor cache: the document's fields (as diff sees them) plus what only
// ovs-vswitchd settles: every interface named must have an OpenFlow port number and no error.
import type { Mismatch } from '../../plugin/contract';
import { optional } from '../../ovsdb/datum';
import { pointer } from '../../util/pointer';
import { diffOvs } from './diff';
import type { OvsTables, OvsState } from './model';
import { stateFromTables } from './model';

/** `current`: stateFromTables(tables), when the caller has it already. */
export function verifyTables(tables: OvsTables, desired: OvsState, current: OvsState = stateFromTables(tables)): Mismatch[] {
  const mismatches: Mismatch[] = diffOvs(current, desired).map((a) => ({ path: a.path, expected: a.after ?? null, found: a.before ?? null }));
  mismatches.push(...unattachedInterfaces(tables, desired));
  return mismatches;
}

/**
 * Interfaces the document names that exist but that ovs-vswitchd has not attached (no OpenFlow port,
 * or an error), at most `limit` of them: a cheap first look while ovs-vswitchd may still be working.
 */
export function unattachedInterfaces(tables: OvsTables, desired: OvsState, limit = Infinity): Mismatch[] {
  const found: Mismatch[] = [];
  const ifaces = new Map([...tables.interfaces.values()].map((r) => [String(r.name), r]));
  for (const [bi, b] of (desired.bridges ?? []).entries()) {
    if (b.state === 'absent') continue;
    for (const [pi, p] of (b.ports ?? []).entries()) {
      if (p.state === 'absent') continue;
      for (const [ii, i] of (p.interfaces ?? [{ name: p.name }]).entries()) {
        const row = ifaces.get(i.name);
        if (!row) continue; // the diff reports it
        const ofport = optional<number>(row.ofport);
        const error = optional<string>(row.error);
        if (error === undefined && ofport !== undefined && ofport >= 0) continue;
        const path = pointer(['plugins', 'ovs', 'bridges', bi, 'ports', pi, ...(p.interfaces ? ['interfaces', ii] : []), 'ofport']);
        found.push({ path, expected: 'an OpenFlow port assigned by ovs-vswitchd', found: error ?? ofport ?? null });
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}
