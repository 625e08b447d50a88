// Semantic checks of the systemd section: combinations systemd would refuse halfway through an apply
// (a masked unit cannot be started, enabled or given a unit file in /etc), units that do not exist,
// and removals of units the distribution ships.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { PluginContext, ValidationIssue } from '../../plugin/contract';
import { pointer } from '../../util/pointer';
import { systemdAbsentReason, unitFileRoot, withSystemdReader } from './bus';
import { listUnits } from './query';
import type { SystemdState, UnitDesired } from './schema';

function contradictions(name: string, u: UnitDesired): ValidationIssue[] {
  if (u.masked !== true) return [];
  const issues: ValidationIssue[] = [];
  const at = (field: string) => pointer(['units', name, field]);
  if (u.active_state === 'active') issues.push({ path: at('active_state'), message: 'a masked unit cannot be active (systemd refuses to start it)', found: 'active' });
  if (u.enabled === true) issues.push({ path: at('enabled'), message: 'a masked unit cannot be enabled', found: true });
  if (u.unit_file !== undefined) issues.push({ path: at('unit_file'), message: 'a masked unit cannot have a unit file in /etc/systemd/system (the mask takes its place)', found: '(unit file)' });
  return issues;
}

/** A unit shipped by the distribution would still exist after its /etc file went: it cannot be absent. */
async function vendorFile(ctx: PluginContext, name: string): Promise<string | undefined> {
  for (const dir of ['usr/lib/systemd/system', 'lib/systemd/system']) {
    const file = path.join(unitFileRoot(ctx), dir, name);
    if (await fsp.lstat(file).then(() => true, () => false)) return file;
  }
  return undefined;
}

export async function validateSystemd(desired: SystemdState, ctx: PluginContext): Promise<ValidationIssue[]> {
  const names = Object.keys(desired.units).sort();
  const issues = names.flatMap((n) => contradictions(n, desired.units[n]));
  for (const name of names.filter((n) => desired.units[n].state === 'absent')) {
    const vendor = await vendorFile(ctx, name);
    if (vendor) issues.push({ path: pointer(['units', name, 'state']), message: `comes with the system (${vendor}) and cannot be removed; mask it, or stop and disable it`, found: 'absent' });
  }
  if (await systemdAbsentReason(ctx)) return issues;
  const unknown = names.filter((n) => desired.units[n].unit_file === undefined && desired.units[n].state !== 'absent');
  if (unknown.length === 0) return issues;
  const known = await withSystemdReader(ctx, (bus) => listUnits(bus, unknown));
  for (const name of unknown) {
    const rec = known.get(name);
    if (!rec || (rec.loadState === 'not-found' && rec.unitFileState === undefined)) {
      issues.push({ path: pointer(['units', name]), message: 'no such unit on this host (give unit_file to create it)', found: name });
    }
  }
  return issues;
}
