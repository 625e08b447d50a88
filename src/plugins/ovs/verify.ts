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
  const ifaces = new Map([...tables.interfaces.values()].map((r) => [String(r.name), r]));
  (desired.bridges ?? []).forEach((b, bi) => {
    if (b.state === 'absent') return;
    (b.ports ?? []).forEach((p, pi) => {
      if (p.state === 'absent') return;
      (p.interfaces ?? [{ name: p.name }]).forEach((i, ii) => {
        const row = ifaces.get(i.name);
        if (!row) return; // already reported by the diff
        const ofport = optional<number>(row.ofport);
        const error = optional<string>(row.error);
        if (error !== undefined || ofport === undefined || ofport < 0) {
          const path = pointer(['plugins', 'ovs', 'bridges', bi, 'ports', pi, ...(p.interfaces ? ['interfaces', ii] : []), 'ofport']);
          mismatches.push({ path, expected: 'an OpenFlow port assigned by ovs-vswitchd', found: error ?? ofport ?? null });
        }
      });
    });
  });
  return mismatches;
}
