// Reads units: one ListUnits plus one ListUnitFiles (the ByNames/ByPatterns forms when a document
// scopes the query), and the unit files and drop-ins a scope names, from the unit-file root.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { PluginContext } from '../../plugin/contract';
import type { MethodCaller } from '../../dbus/connection';
import { toOpdbusError } from '../../errors';
import { managerCall, unitFileDir } from './bus';
import { UNIT_NAME_PATTERN, type SystemdState, type UnitDesired } from './schema';

/** What systemd reports about one unit, before it is reduced to what a document can set. */
export interface UnitRecord {
  name: string;
  loadState?: string;
  activeState?: string;
  subState?: string;
  unitFileState?: string;
}

const SETTABLE_NAME = new RegExp(UNIT_NAME_PATTERN);

/** A template ("getty@.service") has a unit file but is never a loaded unit; systemd refuses it by name. */
function isTemplate(name: string): boolean {
  return /@\.[a-z]+$/.test(name);
}

export async function listUnits(bus: MethodCaller, names?: string[]): Promise<Map<string, UnitRecord>> {
  const loadable = names?.filter((n) => !isTemplate(n));
  // Both calls go out at once; systemd answers in order, and the units are sorted in while it is
  // still working on the file list (its slow part: about 1 s of its CPU for 700 unit files).
  const unitsCall = loadable ? (loadable.length ? managerCall(bus, 'ListUnitsByNames', 'as', [loadable]) : Promise.resolve([[]])) : managerCall(bus, 'ListUnits');
  const filesCall = names ? managerCall(bus, 'ListUnitFilesByPatterns', 'asas', [[], names]) : managerCall(bus, 'ListUnitFiles');
  // A failing first call must not leave the second one's rejection unhandled.
  filesCall.catch(() => undefined);
  const [units] = await unitsCall;
  const out = new Map<string, UnitRecord>();
  for (const [name, , loadState, activeState, subState] of units as string[][]) {
    if (loadState === 'not-found' && activeState === 'inactive') continue;
    out.set(name, { name, loadState, activeState, subState });
  }
  const [files] = await filesCall;
  for (const [file, state] of files as string[][]) {
    const name = path.basename(file);
    const rec = out.get(name) ?? { name };
    // The first path listed is the one in effect (/etc before /run before /lib).
    rec.unitFileState ??= state;
    out.set(name, rec);
  }
  return out;
}

/** Reduces a record to the document shape: only what a document can set. */
export function unitToDesired(rec: UnitRecord): UnitDesired {
  const active = rec.activeState === 'active' || rec.activeState === 'reloading' || rec.activeState === 'activating';
  const unit: UnitDesired = { active_state: active ? 'active' : 'inactive' };
  const fileState = rec.unitFileState ?? '';
  if (fileState === 'enabled' || fileState === 'enabled-runtime') unit.enabled = true;
  else if (fileState === 'disabled') unit.enabled = false;
  unit.masked = fileState === 'masked' || fileState === 'masked-runtime' || rec.loadState === 'masked';
  return unit;
}

/** A regular file's content, or undefined (absent, or a symlink such as a mask). */
export async function readUnitFile(file: string): Promise<string | undefined> {
  try {
    const st = await fsp.lstat(file);
    if (!st.isFile()) return undefined;
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw toOpdbusError(err, { plugin: 'systemd', operation: `read ${file}` });
  }
}

/** The drop-in files (*.conf) in /etc/systemd/system/NAME.d, sorted. */
async function dropinNames(dir: string, name: string): Promise<string[]> {
  try {
    return (await fsp.readdir(path.join(dir, `${name}.d`))).filter((f) => f.endsWith('.conf')).sort();
  } catch {
    return [];
  }
}

/**
 * Adds the unit file and drop-ins that `wanted` names (and that exist) to `unit`; for a unit to be
 * removed, all of them (they are what a rollback must restore).
 */
export async function readUnitFiles(ctx: PluginContext, name: string, wanted: UnitDesired, unit: UnitDesired): Promise<void> {
  const dir = unitFileDir(ctx);
  const removing = wanted.state === 'absent';
  if (wanted.unit_file !== undefined || removing) {
    const content = await readUnitFile(path.join(dir, name));
    if (content !== undefined) unit.unit_file = content;
  }
  const dropins = removing ? await dropinNames(dir, name) : Object.keys(wanted.dropins ?? {}).sort();
  for (const file of dropins) {
    const content = await readUnitFile(path.join(dir, `${name}.d`, file));
    if (content !== undefined) (unit.dropins ??= {})[file] = content;
  }
}

export async function querySystemd(ctx: PluginContext, bus: MethodCaller, scope?: SystemdState): Promise<SystemdState> {
  const names = scope ? Object.keys(scope.units).sort() : undefined;
  if (names && names.length === 0) return { units: {} };
  const records = await listUnits(bus, names);
  const units: Record<string, UnitDesired> = {};
  for (const name of [...records.keys()].sort()) {
    if (!SETTABLE_NAME.test(name)) continue;
    const unit = unitToDesired(records.get(name)!);
    if (scope) await readUnitFiles(ctx, name, scope.units[name], unit);
    units[name] = unit;
  }
  if (scope) {
    // A unit systemd does not know may still have files we are about to replace.
    for (const name of names!) {
      if (units[name]) continue;
      const unit: UnitDesired = {};
      await readUnitFiles(ctx, name, scope.units[name], unit);
      if (Object.keys(unit).length) units[name] = unit;
    }
  }
  return { units };
}
