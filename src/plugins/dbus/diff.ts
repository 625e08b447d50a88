// Pure comparison of current and desired objects: one action per object whose named properties
// differ, with the differing properties before and after.
import type { Action } from '../../plugin/contract';
import { canonical, type Json } from '../../dbus/values';
import { pointer } from '../../util/pointer';
import { objectKey, type DbusObjectDesired, type DbusState } from './schema';

export function diffDbus(current: DbusState, desired: DbusState): Action[] {
  const byKey = new Map(current.objects.map((o) => [objectKey(o), o]));
  const actions: Action[] = [];
  desired.objects.forEach((want, index) => {
    const have = byKey.get(objectKey(want));
    const before: Record<string, Json> = {};
    const after: Record<string, Json> = {};
    for (const name of Object.keys(want.properties).sort()) {
      const found = have?.properties[name];
      if (found !== undefined && canonical(found) === canonical(want.properties[name])) continue;
      if (found !== undefined) before[name] = found;
      after[name] = want.properties[name];
    }
    if (Object.keys(after).length === 0) return;
    const id = { bus: want.bus, service: want.service, path: want.path, interface: want.interface };
    actions.push({
      plugin: 'dbus',
      op: 'modify',
      path: pointer(['plugins', 'dbus', 'objects', index]),
      resource: `dbus:${objectKey(want)}`,
      before: { ...id, properties: before },
      after: { ...id, properties: after },
    });
  });
  return actions;
}

export function objectOfAction(a: Action, side: 'before' | 'after'): DbusObjectDesired {
  return a[side] as DbusObjectDesired;
}
