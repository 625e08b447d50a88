// Carries out a net plan as ordered netlink batches: deletions first (routes, addresses, links), then
// link creation and settings (controller after creation), then addresses, then routes. Every request
// names its object, so a refusal says what failed; the first refusal stops the rest.
import { OpdbusError } from '../../errors';
import { applyOrThrow, dumpLinks, type AddrRequest, type LinkRequest, type NetlinkRequest, type RouteRequest } from '../../netlink';
import type { Action, SettlePolicy } from '../../plugin/contract';
import { failpoint } from '../../transaction/failpoints';
import { needsRecreate, type AddrChange } from './diff';
import { routeSpec } from './model';
import { routeRequest } from './routes';
import { CREATABLE_TYPES, type NetInterface, type NetRoute } from './schema';

type Tagged<T> = T & { path: string };

function kindFields(want: NetInterface): Partial<LinkRequest> {
  const f: Partial<LinkRequest> = {};
  switch (want.type) {
    case 'tun': case 'tap':
      return { kind: 'tun', tunType: want.type };
    case 'veth':
      return { kind: 'veth', peer: want.veth?.peer };
    case 'vxlan':
      Object.assign(f, { kind: 'vxlan', vxlanId: want.vxlan?.id, vxlanRemote: want.vxlan?.remote, vxlanLocal: want.vxlan?.local, vxlanPort: want.vxlan?.dstport, vxlanDev: want.vxlan?.dev });
      return f;
    case 'macvlan': case 'macvtap':
      return { kind: want.type, macvlanMode: want.macvlan?.mode, macvlanBase: want.macvlan?.base };
    default:
      return { kind: want.type };
  }
}

/** Settings of an existing link that differ from `want` (all of them when `before` is undefined). */
function settings(want: NetInterface, before: NetInterface | undefined, path: string): Tagged<LinkRequest> | undefined {
  const req: Tagged<LinkRequest> = { op: 'setlink', subject: `configure link ${want.name}`, name: want.name, path };
  let any = false;
  if (want.mtu !== undefined && want.mtu !== before?.mtu) (req.mtu = want.mtu), (any = true);
  if (want.mac !== undefined && want.mac !== before?.mac) (req.mac = want.mac), (any = true);
  if (want.controller !== undefined && (want.controller ?? null) !== (before?.controller ?? null)) (req.master = want.controller), (any = true);
  const up = (want.state ?? (before ? before.state : 'up')) !== 'down';
  if (before === undefined || (want.state && want.state !== before.state)) (req.up = up), (any = true);
  return any ? req : undefined;
}

/** Waits for links another plugin creates (OVS internal ports) to appear, within the settle time. */
async function awaitLinks(names: string[], netns: string | undefined, settle: SettlePolicy): Promise<void> {
  if (!names.length) return;
  const deadline = Date.now() + Math.max(settle.timeoutMs, 1000);
  for (;;) {
    const present = new Set((await dumpLinks({ netns })).map((l) => l.name));
    const missing = names.filter((n) => !present.has(n));
    if (!missing.length) return;
    if (Date.now() >= deadline) {
      throw new OpdbusError('NotFound', 'ENODEV', `link ${missing.join(', ')} (type ovs-interface) did not appear within ${Math.max(settle.timeoutMs, 1000)} ms: it is created by the ovs plugin, which must list it as an internal port`, { plugin: 'net' });
    }
    await new Promise((r) => setTimeout(r, settle.intervalMs || 50));
  }
}

/**
 * Splits link creations into layers so a link is created after the links it is built on (a vxlan's
 * dev, a macvlan's base): the addon resolves names to ifindexes once per phase.
 */
function layered(creates: Tagged<LinkRequest>[]): Tagged<LinkRequest>[][] {
  const layerOf = new Map<string, number>();
  const creating = new Set(creates.map((c) => c.name));
  let pending = creates;
  const layers: Tagged<LinkRequest>[][] = [];
  while (pending.length) {
    const layer = pending.filter((c) => [c.vxlanDev, c.macvlanBase].every((d) => !d || !creating.has(d) || layerOf.has(d)));
    if (!layer.length) {
      layers.push(pending); // a cycle: let the kernel name the missing link
      break;
    }
    layers.push(layer);
    for (const c of layer) layerOf.set(c.name, layers.length);
    pending = pending.filter((c) => !layerOf.has(c.name));
  }
  return layers;
}

/** `stage` names the failpoints between phases: net.<stage>.after-deletes, net.<stage>.after-links. */
export async function applyActions(actions: Action[], netns: string | undefined, settle: SettlePolicy, stage: 'apply' | 'rollback'): Promise<void> {
  const deletes: Tagged<NetlinkRequest>[][] = [[], [], []];
  const creates: Tagged<LinkRequest>[] = [];
  const sets: Tagged<LinkRequest>[] = [];
  const addrAdds: Tagged<AddrRequest>[] = [];
  const routeAdds: Tagged<RouteRequest>[] = [];
  const awaited: string[] = [];

  const linkActions = actions.filter((a) => a.resource.startsWith('net:link:'));
  const deleted = new Set(linkActions.filter((a) => a.op === 'delete').map((a) => (a.before as NetInterface).name));
  const createdNow = new Map(linkActions.filter((a) => a.op === 'create').map((a) => [(a.after as NetInterface).name, a.after as NetInterface]));
  // A veth pair both of whose ends are created is made by one request; the other end is configured after.
  const implicitPeers = new Set<string>();
  for (const [name, want] of createdNow) {
    const peer = want.type === 'veth' ? want.veth?.peer : undefined;
    if (peer && createdNow.has(peer) && !implicitPeers.has(name)) implicitPeers.add(peer);
  }

  for (const a of actions) {
    if (a.resource.startsWith('net:route:')) {
      if (a.op === 'delete') {
        const spec = routeSpec(a.before as NetRoute)!;
        deletes[0].push({ ...routeRequest('delroute', { ...spec, protocol: 0 }), path: a.path });
      } else {
        const spec = routeSpec(a.after as NetRoute)!;
        routeAdds.push({ ...routeRequest(a.op === 'create' ? 'newroute' : 'replaceroute', spec), path: a.path });
      }
    } else if (a.resource.startsWith('net:addr:')) {
      const c = (a.op === 'delete' ? a.before : a.after) as AddrChange;
      const req: Tagged<AddrRequest> = { op: a.op === 'delete' ? 'deladdr' : 'newaddr', subject: `${a.op === 'delete' ? 'delete' : 'add'} address ${c.ip}/${c.prefix} on ${c.dev}`, family: c.family, dev: c.dev, address: c.ip, prefix: c.prefix, path: a.path };
      (a.op === 'delete' ? deletes[1] : addrAdds).push(req);
    } else if (a.op === 'delete') {
      const before = a.before as NetInterface;
      // Deleting one end of a veth pair deletes both: send one request for the pair.
      if (before.veth && deleted.has(before.veth.peer) && before.veth.peer < before.name) continue;
      deletes[2].push({ op: 'dellink', subject: `delete link ${before.name}`, name: before.name, path: a.path });
    } else {
      const want = a.after as NetInterface;
      const before = a.op === 'modify' ? (a.before as NetInterface) : undefined;
      const creatable = want.type !== undefined && CREATABLE_TYPES.includes(want.type);
      const recreate = before !== undefined && needsRecreate(before, want);
      if (before && !recreate) {
        if (want.type && want.type !== 'ovs-interface' && want.type !== before.type) {
          throw new OpdbusError('Conflict', 'LINK_TYPE', `link ${want.name} exists with type ${before.type}; the document says ${want.type}, which opdbus cannot create: remove or rename one of them`, { plugin: 'net', path: a.path });
        }
        const req = settings(want, before, a.path);
        if (req) sets.push(req);
        continue;
      }
      if (!before && want.type === 'ovs-interface') {
        awaited.push(want.name);
        const req = settings(want, undefined, a.path);
        if (req) sets.push(req);
        continue;
      }
      if (implicitPeers.has(want.name)) {
        const req = settings(want, undefined, a.path);
        if (req) sets.push(req);
        continue;
      }
      if (!creatable) {
        throw new OpdbusError('NotFound', 'ENODEV', `link ${want.name} does not exist, and type ${want.type ?? '(none)'} cannot be created by opdbus (only ${CREATABLE_TYPES.join(', ')} can)`, { plugin: 'net', path: a.path });
      }
      if (recreate) deletes[2].push({ op: 'dellink', subject: `delete link ${want.name} (to recreate it as ${want.type})`, name: want.name, path: a.path });
      const up = want.state !== 'down';
      creates.push({ op: 'newlink', subject: `create link ${want.name} (${want.type})`, name: want.name, ...kindFields(want), mtu: want.mtu, mac: want.mac, up, path: a.path });
      if (want.controller) sets.push({ op: 'setlink', subject: `attach link ${want.name} to ${want.controller}`, name: want.name, master: want.controller, path: a.path });
    }
  }

  await applyOrThrow(deletes, netns);
  await failpoint(`net.${stage}.after-deletes`);
  await awaitLinks(awaited, netns, settle);
  await applyOrThrow([...layered(creates), sets], netns);
  await failpoint(`net.${stage}.after-links`);
  await applyOrThrow([addrAdds, routeAdds], netns);
}
