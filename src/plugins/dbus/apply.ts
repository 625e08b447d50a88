// Sets properties with the type their introspection declares (Properties.Set), object by object;
// rollback sets the checkpointed values back where they differ.
import type { Action, PluginContext } from '../../plugin/contract';
import { variant } from '../../dbus/lib';
import { parseSingleType } from '../../dbus/signature';
import { canonical, jsonToDbus } from '../../dbus/values';
import { failpoint } from '../../transaction/failpoints';
import { objectOfAction } from './diff';
import { interfaceOf, readObject, withPool, type BusPool } from './query';
import type { DbusObjectDesired, DbusState } from './schema';

export type DbusCheckpoint = DbusState;

async function setProperties(pool: BusPool, o: DbusObjectDesired, index: number): Promise<void> {
  const info = await interfaceOf(pool, o, index);
  const bus = await pool.get(o.bus);
  for (const [name, value] of Object.entries(o.properties)) {
    const type = info[name].type;
    await bus.setProperty(o.service, o.path, o.interface, name, variant(type, jsonToDbus(parseSingleType(type), value)));
    await failpoint('dbus.after-set');
  }
}

export function applyDbus(ctx: PluginContext, actions: Action[]): Promise<void> {
  return withPool(ctx, async (pool) => {
    // The object's index in the document is the last token of the action's path.
    for (const a of actions) await setProperties(pool, objectOfAction(a, 'after'), Number(a.path.split('/').pop()));
  });
}

/** The old values of every property an action changes. */
export function checkpointDbus(actions: Action[]): DbusCheckpoint {
  return { objects: actions.map((a) => objectOfAction(a, 'before')) };
}

export function rollbackDbus(ctx: PluginContext, checkpoint: DbusCheckpoint): Promise<void> {
  return withPool(ctx, async (pool) => {
    for (const [i, old] of checkpoint.objects.entries()) {
      const now = await readObject(pool, old, i);
      const changed = Object.fromEntries(Object.entries(old.properties).filter(([k, v]) => canonical(now.properties[k]) !== canonical(v)));
      if (Object.keys(changed).length) await setProperties(pool, { ...old, properties: changed }, i);
    }
  });
}
