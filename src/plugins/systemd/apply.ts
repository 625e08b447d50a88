// Carries out unit actions in systemd's order: stop and disable what must go down, unmask, write
// files, Reload, enable, mask, Reload, then start (awaiting every job). Rollback reuses this path.
import type { Action, PluginContext } from '../../plugin/contract';
import { OpdbusError } from '../../errors';
import type { BusConnection } from '../../dbus/connection';
import { failpoint } from '../../transaction/failpoints';
import { jobTimeoutMs, managerCall, unitFileDir } from './bus';
import { removalOf, unitOfAction, unitPath } from './diff';
import { syncUnitFiles } from './files';
import { runJobs } from './jobs';
import type { UnitDesired } from './schema';

interface UnitStep {
  name: string;
  before: UnitDesired;
  after: UnitDesired;
}

function select(steps: UnitStep[], test: (s: UnitStep) => boolean): string[] {
  return steps.filter(test).map((s) => s.name);
}

async function enableUnits(bus: BusConnection, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const [carriesInstallInfo] = (await managerCall(bus, 'EnableUnitFiles', 'asbb', [names, false, true], `EnableUnitFiles ${names.join(' ')}`)) as [boolean];
  if (!carriesInstallInfo) {
    throw new OpdbusError('Backend', 'UNIT_NOT_ENABLEABLE', `cannot enable ${names.join(', ')}: no [Install] section (WantedBy=, RequiredBy=, Alias= or Also=)`, {
      plugin: 'systemd',
      path: unitPath(names[0]),
    });
  }
}

async function maskUnits(bus: BusConnection, names: string[]): Promise<void> {
  try {
    await managerCall(bus, 'MaskUnitFiles', 'asbb', [names, false, true], `MaskUnitFiles ${names.join(' ')}`);
  } catch (err) {
    // A mask is a /dev/null symlink in /etc/systemd/system: a real unit file there stands in its way.
    if ((err as OpdbusError).code !== 'org.freedesktop.systemd1.UnitExists') throw err;
    throw new OpdbusError('Conflict', 'UNIT_FILE_IN_ETC', `cannot mask ${names.join(', ')}: ${(err as Error).message.replace(/^[^:]*: /, '')} (a unit whose file lives in /etc/systemd/system cannot be masked; remove the file instead)`, {
      plugin: 'systemd',
      path: unitPath(names[0]),
      cause: err,
    });
  }
}

export async function applyUnitActions(ctx: PluginContext, bus: BusConnection, actions: Action[]): Promise<void> {
  const steps: UnitStep[] = actions.map((a) => {
    const before = (a.before ?? {}) as UnitDesired;
    return { name: unitOfAction(a), before, after: a.op === 'delete' ? removalOf(before) : ((a.after ?? {}) as UnitDesired) };
  });
  const timeout = jobTimeoutMs(ctx);

  await runJobs(bus, 'StopUnit', select(steps, (s) => s.after.active_state === 'inactive'), timeout);
  const toDisable = select(steps, (s) => s.after.enabled === false);
  if (toDisable.length) await managerCall(bus, 'DisableUnitFiles', 'asb', [toDisable, false], `DisableUnitFiles ${toDisable.join(' ')}`);
  const toUnmask = select(steps, (s) => s.after.masked === false);
  if (toUnmask.length) await managerCall(bus, 'UnmaskUnitFiles', 'asb', [toUnmask, false], `UnmaskUnitFiles ${toUnmask.join(' ')}`);

  let filesChanged = false;
  for (const s of steps) filesChanged = (await syncUnitFiles(unitFileDir(ctx), s.name, s.after)) || filesChanged;
  if (filesChanged || toUnmask.length) await managerCall(bus, 'Reload');
  await failpoint('systemd.after-files');

  const toEnable = select(steps, (s) => s.after.enabled === true);
  await enableUnits(bus, toEnable);
  const toMask = select(steps, (s) => s.after.masked === true);
  if (toMask.length) await maskUnits(bus, toMask);
  if (toDisable.length || toEnable.length || toMask.length) await managerCall(bus, 'Reload');

  await runJobs(bus, 'StartUnit', select(steps, (s) => s.after.active_state === 'active'), timeout);
  await resetFailed(bus, select(steps, (s) => s.after.unit_file === null));
}

/** A removed unit that had failed stays loaded with its "failed" mark; clearing it lets systemd forget the unit. */
async function resetFailed(bus: BusConnection, names: string[]): Promise<void> {
  for (const name of names) await managerCall(bus, 'ResetFailedUnit', 's', [name]).catch(() => undefined);
}
