// Checkpoint and rollback of units: the old states and file contents of every unit an action touches;
// rollback diffs the host against that record and applies the difference with the same code as apply.
import * as path from 'node:path';
import type { Action, PluginContext } from '../../plugin/contract';
import type { BusConnection } from '../../dbus/connection';
import { unitFileDir } from './bus';
import { diffSystemd, removalOf, unitOfAction } from './diff';
import { applyUnitActions } from './apply';
import { querySystemd, readUnitFile } from './query';
import type { SystemdState, UnitDesired } from './schema';

export interface SystemdCheckpoint {
  /** Each touched unit as it was; null file content = the file did not exist. */
  units: Record<string, UnitDesired>;
}

export async function checkpointUnits(ctx: PluginContext, actions: Action[], current: SystemdState): Promise<SystemdCheckpoint> {
  const units: Record<string, UnitDesired> = {};
  const dir = unitFileDir(ctx);
  for (const action of actions) {
    const name = unitOfAction(action);
    const have = current.units[name];
    // Removing a unit touches its file and every drop-in it has.
    const after = action.op === 'delete' ? removalOf(have ?? {}) : ((action.after ?? {}) as UnitDesired);
    const old: UnitDesired = { active_state: have?.active_state ?? 'inactive', masked: have?.masked ?? false };
    // A unit that was absent or static was, in effect, disabled: an enable must be undone before its file goes.
    if (have?.enabled !== undefined) old.enabled = have.enabled;
    else if (after.enabled !== undefined) old.enabled = false;
    if (after.unit_file !== undefined) old.unit_file = (await readUnitFile(path.join(dir, name))) ?? null;
    for (const file of Object.keys(after.dropins ?? {})) (old.dropins ??= {})[file] = (await readUnitFile(path.join(dir, `${name}.d`, file))) ?? null;
    units[name] = old;
  }
  return { units };
}

export async function rollbackUnits(ctx: PluginContext, bus: BusConnection, checkpoint: SystemdCheckpoint): Promise<void> {
  const target: SystemdState = { units: checkpoint.units };
  const current = await querySystemd(ctx, bus, target);
  const actions = diffSystemd(current, target);
  await applyUnitActions(ctx, bus, actions);
}
