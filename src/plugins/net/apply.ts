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

/** The kind part of a creation request (IFLA_LINKINFO; tun/tap go through /dev/net/tun natively). */
function kindFields(want: NetInterface): Partial<LinkRequest> {
  switch (want.type) {
    case 'tun': case 'tap':
      return { kind: 'tun', tunType: want.type };
    case 'veth':
      return { kind: 'veth', peer: want.veth?.peer };
    case 'vxlan':
      return { kind: 'vxlan', vxlanId: want.vxlan?.id, vxlanRemote: want.vxlan?.remote, vxlanLocal: want.vxlan?.local, vxlanPort: want.vxlan?.dstport, vxlanDev: want.vxlan?.dev };
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

/** The netlink requests of a plan, by phase. */
interface Phases {
  /** Route, address and link deletions, in that order. */
  deletes: [Tagged<NetlinkRequest>[], Tagged<NetlinkRequest>[], Tagged<NetlinkRequest>[]];
  creates: Tagged<LinkRequest>[];
  sets: Tagged<LinkRequest>[];
  addrAdds: Tagged<AddrRequest>[];
  routeAdds: Tagged<RouteRequest>[];
  /** ovs-interface links to wait for before configuring them. */
  awaited: string[];
}

function planRoute(a: Action, p: Phases): void {
  if (a.op === 'delete') {
    // protocol 0 matches whatever protocol the kernel has for the route.
    p.deletes[0].push({ ...routeRequest('delroute', { ...routeSpec(a.before as NetRoute)!, protocol: 0 }), path: a.path });
  } else {
    p.routeAdds.push({ ...routeRequest(a.op === 'create' ? 'newroute' : 'replaceroute', routeSpec(a.after as NetRoute)!), path: a.path });
  }
}

function planAddress(a: Action, p: Phases): void {
  const c = (a.op === 'delete' ? a.before : a.after) as AddrChange;
  const req: Tagged<AddrRequest> = { op: a.op === 'delete' ? 'deladdr' : 'newaddr', subject: `${a.op === 'delete' ? 'delete' : 'add'} address ${c.ip}/${c.prefix} on ${c.dev}`, family: c.family, dev: c.dev, address: c.ip, prefix: c.prefix, path: a.path };
  (a.op === 'delete' ? p.deletes[1] : p.addrAdds).push(req);
}

/** `deleted`: links this plan deletes; `implicitPeers`: veth ends created along with their peer. */
function planLink(a: Action, p: Phases, deleted: Set<string>, implicitPeers: Set<string>): void {
  if (a.op === 'delete') {
    const before = a.before as NetInterface;
    // Deleting one end of a veth pair deletes both: send one request for the pair.
    if (before.veth && deleted.has(before.veth.peer) && before.veth.peer < before.name) return;
    p.deletes[2].push({ op: 'dellink', subject: `delete link ${before.name}`, name: before.name, path: a.path });
    return;
  }
  const want = a.after as NetInterface;
  const before = a.op === 'modify' ? (a.before as NetInterface) : undefined;
  const recreate = before !== undefined && needsRecreate(before, want);
  const configure = (from: NetInterface | undefined) => {
    const req = settings(want, from, a.path);
    if (req) p.sets.push(req);
  };
  if (before && !recreate) {
    if (want.type && want.type !== 'ovs-interface' && want.type !== before.type) {
      throw new OpdbusError('Conflict', 'LINK_TYPE', `link ${want.name} exists with type ${before.type}; the document says ${want.type}, which opdbus cannot create: remove or rename one of them`, { plugin: 'net', path: a.path });
    }
    return configure(before);
  }
  if (!before && want.type === 'ovs-interface') {
    p.awaited.push(want.name);
    return configure(undefined);
  }
  if (implicitPeers.has(want.name)) return configure(undefined);
  if (want.type === undefined || !CREATABLE_TYPES.includes(want.type)) {
    throw new OpdbusError('NotFound', 'ENODEV', `link ${want.name} does not exist, and type ${want.type ?? '(none)'} cannot be created by opdbus (only ${CREATABLE_TYPES.join(', ')} can)`, { plugin: 'net', path: a.path });
  }
  if (recreate) p.deletes[2].push({ op: 'dellink', subject: `delete link ${want.name} (to recreate it as ${want.type})`, name: want.name, path: a.path });
  p.creates.push({ op: 'newlink', subject: `create link ${want.name} (${want.type})`, name: want.name, ...kindFields(want), mtu: want.mtu, mac: want.mac, up: want.state !== 'down', path: a.path });
  if (want.controller) p.sets.push({ op: 'setlink', subject: `attach link ${want.name} to ${want.controller}`, name: want.name, master: want.controller, path: a.path });
}

/** `stage` names the failpoints between phases: net.<stage>.after-deletes, net.<stage>.after-links. */
export async function applyActions(actions: Action[], netns: string | undefined, settle: SettlePolicy, stage: 'apply' | 'rollback'): Promise<void> {
  const p: Phases = { deletes: [[], [], []], creates: [], sets: [], addrAdds: [], routeAdds: [], awaited: [] };
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
    if (a.resource.startsWith('net:route:')) planRoute(a, p);
    else if (a.resource.startsWith('net:addr:')) planAddress(a, p);
    else planLink(a, p, deleted, implicitPeers);
  }

  await applyOrThrow(p.deletes, netns);
  await failpoint(`net.${stage}.after-deletes`);
  await awaitLinks(p.awaited, netns, settle);
  await applyOrThrow([...layered(p.creates), p.sets], netns);
  await failpoint(`net.${stage}.after-links`);
  await applyOrThrow([p.addrAdds, p.routeAdds], netns);
}
