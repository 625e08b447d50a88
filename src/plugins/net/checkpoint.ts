// Checkpoint and rollback: the checkpoint is a net document that restores every object the plan
// touches (including what a deletion takes with it: a veth's peer, a bridge's ports, routes through a
// deleted link). Rollback is then an ordinary diff + apply towards that document, so it is idempotent.
import type { Action } from '../../plugin/contract';
import type { AddrChange } from './diff';
import { routeKey, routeSpec } from './model';
import type { NetInterface, NetRoute, NetState } from './schema';

export interface NetCheckpoint {
  /** Applying this document restores the state before the plan. */
  restore: NetState;
}

function restoreEntry(cur: NetInterface): NetInterface {
  const entry: NetInterface = { ...cur, controller: cur.controller ?? null };
  entry.ipv4 = { address: cur.ipv4?.address ?? [] };
  entry.ipv6 = { address: cur.ipv6?.address ?? [] };
  return entry;
}

export function buildCheckpoint(actions: Action[], current: NetState): NetCheckpoint {
  const curLinks = new Map((current.interfaces ?? []).map((x) => [x.name, x]));
  const touchedLinks = new Map<string, NetInterface | undefined>(); // name -> desired (for created ones)
  const touchedRoutes = new Map<string, NetRoute>(); // key -> route to restore
  const curRoutes = new Map<string, NetRoute>();
  for (const r of current.routes ?? []) {
    const s = routeSpec(r);
    if (s) curRoutes.set(routeKey(s), r);
  }
  const touchLink = (name: string, want?: NetInterface) => {
    if (!touchedLinks.has(name) || want) touchedLinks.set(name, want ?? touchedLinks.get(name));
  };

  for (const a of actions) {
    if (a.resource.startsWith('net:addr:')) {
      touchLink(((a.after ?? a.before) as AddrChange).dev);
    } else if (a.resource.startsWith('net:route:')) {
      const key = a.resource.slice('net:route:'.length);
      touchedRoutes.set(key, curRoutes.get(key) ?? { ...(a.after as NetRoute), state: 'absent' });
    } else {
      const name = a.resource.slice('net:link:'.length);
      touchLink(name, a.after as NetInterface | undefined);
      if (a.op === 'create') continue;
      // A change or deletion also reaches the veth peer, the bridge's ports, links built on this one
      // (their MTU follows it; they go when it goes) and routes through it.
      const cur = curLinks.get(name);
      if (cur?.veth) touchLink(cur.veth.peer);
      for (const other of current.interfaces ?? []) {
        if (other.controller === name || other.macvlan?.base === name || other.vxlan?.dev === name) touchLink(other.name);
      }
      for (const [key, r] of curRoutes) if (r.dev === name) touchedRoutes.set(key, r);
    }
  }

  const interfaces: NetInterface[] = [];
  for (const [name, want] of touchedLinks) {
    const cur = curLinks.get(name);
    if (cur) interfaces.push(restoreEntry(cur));
    // Links the ovs plugin makes are removed by its own rollback; net only ever configured them.
    else if (want?.type !== 'ovs-interface') interfaces.push({ name, state: 'absent' });
  }
  return { restore: { interfaces, routes: [...touchedRoutes.values()] } };
}
