// Current state as a document section, built from one netlink dump of links, addresses and routes.
// Kernel-owned objects (IPv6 link-local and autoconfigured addresses, loopback addresses, `proto kernel`
// routes, the local table, multicast/broadcast routes) are left out unless `includeKernel` is set: a
// document cannot sensibly manage them, and leaving them out keeps query output an appliable document.
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, IFA_F_PERMANENT, IFF_UP, RT_TABLE_LOCAL, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL, protocolName, routeTypeName, scopeName, tableName } from '../../netlink/constants';
import type { RawAddr, RawLink, RawRoute } from '../../netlink/types';
import type { Family } from './ip';
import { defaultMetric, destinationText, isKernelAddress } from './model';
import { defaultScope } from './routes';
import type { InterfaceType, NetInterface, NetRoute, NetState } from './schema';

export interface QueryOptions {
  includeKernel?: boolean;
  /** Only these interfaces (by name); undefined = all. */
  names?: ReadonlySet<string>;
}

export function interfaceType(l: RawLink): InterfaceType {
  switch (l.kind) {
    case undefined:
      return l.type === ARPHRD_LOOPBACK ? 'loopback' : l.type === ARPHRD_ETHER ? 'ethernet' : 'other';
    case 'tun':
      return l.info?.tunType === 'tap' ? 'tap' : 'tun';
    case 'openvswitch':
      return 'ovs-interface';
    case 'veth': case 'bridge': case 'ifb': case 'vxlan': case 'macvlan': case 'macvtap':
      return l.kind;
    default:
      return 'other';
  }
}

function interfaceOf(l: RawLink, names: Map<number, string>): NetInterface {
  const type = interfaceType(l);
  const iface: NetInterface = { name: l.name, type, state: l.flags & IFF_UP ? 'up' : 'down' };
  if (l.mtu !== undefined) iface.mtu = l.mtu;
  if (l.mac && type !== 'loopback' && l.mac.length === 17) iface.mac = l.mac;
  if (l.master) iface.controller = names.get(l.master) ?? null;
  if (type === 'veth' && l.link && l.linkNetnsid === undefined && names.has(l.link)) iface.veth = { peer: names.get(l.link)! };
  if (type === 'vxlan' && l.info?.id !== undefined) {
    const v: NonNullable<NetInterface['vxlan']> = { id: l.info.id };
    if (l.info.remote) v.remote = l.info.remote;
    if (l.info.local) v.local = l.info.local;
    if (l.info.dstport !== undefined) v.dstport = l.info.dstport;
    if (l.info.dev && names.has(l.info.dev)) v.dev = names.get(l.info.dev);
    iface.vxlan = v;
  }
  if ((type === 'macvlan' || type === 'macvtap') && l.info?.mode && l.link && names.has(l.link)) {
    iface.macvlan = { mode: l.info.mode as NonNullable<NetInterface['macvlan']>['mode'], base: names.get(l.link)! };
  }
  return iface;
}

function keepAddress(a: RawAddr, ifname: string, includeKernel: boolean): boolean {
  if (includeKernel) return true;
  if (a.family === 6 && !(a.flags & IFA_F_PERMANENT)) return false; // SLAAC / privacy addresses
  return !isKernelAddress(ifname, a.family, a.local, a.prefix);
}

/** Routes the kernel makes for itself (prefix routes, local table, broadcast/multicast). */
export function isKernelRoute(r: RawRoute): boolean {
  return r.protocol === RTPROT_KERNEL || r.table === RT_TABLE_LOCAL || r.type === 2 || r.type === 3 || r.type === 4 || r.type === 5 || (r.family === 6 && r.dst.startsWith('ff'));
}

export function routeOf(r: RawRoute, names: Map<number, string>): NetRoute {
  const family = r.family as Family;
  const route: NetRoute = { destination: destinationText(family, r.dst || (family === 4 ? '0.0.0.0' : '::'), r.dstLen) };
  if (r.gateway) route.gateway = r.gateway;
  if (r.oif && names.has(r.oif)) route.dev = names.get(r.oif);
  route.metric = r.metric ?? defaultMetric(family);
  if (r.table !== RT_TABLE_MAIN) route.table = tableName(r.table);
  route.protocol = protocolName(r.protocol);
  if (r.type !== RTN_UNICAST) route.type = routeTypeName(r.type) as NetRoute['type'];
  if (r.scope !== defaultScope(family, r.type, !!r.gateway)) route.scope = scopeName(r.scope);
  return route;
}

/**
 * Named links plus what changing or deleting them can take along: veth peers, bridge ports, and links
 * built on them (macvlan/macvtap on a base, vxlan on a dev), whose MTU follows the base's.
 */
function withDependents(links: RawLink[], named: ReadonlySet<string>, names: Map<number, string>): Set<string> {
  const out = new Set(named);
  const isNamed = (index: number | undefined) => index !== undefined && named.has(names.get(index) ?? '');
  for (const l of links) {
    if (l.kind === 'veth' && l.link && named.has(l.name) && names.has(l.link)) out.add(names.get(l.link)!);
    if (isNamed(l.master) || ((l.kind === 'macvlan' || l.kind === 'macvtap') && isNamed(l.link)) || (l.kind === 'vxlan' && isNamed(l.info?.dev))) out.add(l.name);
  }
  return out;
}

export function stateFromDump(d: { link: RawLink[]; addr: RawAddr[]; route: RawRoute[] }, opts: QueryOptions = {}): NetState {
  const names = new Map<number, string>();
  for (const l of d.link) names.set(l.index, l.name);
  const wanted = opts.names ? withDependents(d.link, opts.names, names) : undefined;
  const byIndex = new Map<number, NetInterface>();
  const interfaces: NetInterface[] = [];
  for (const l of d.link) {
    if (wanted && !wanted.has(l.name)) continue;
    const iface = interfaceOf(l, names);
    byIndex.set(l.index, iface);
    interfaces.push(iface);
  }
  for (const a of d.addr) {
    const iface = byIndex.get(a.index);
    if (!iface || !keepAddress(a, iface.name, !!opts.includeKernel)) continue;
    const key = a.family === 4 ? 'ipv4' : 'ipv6';
    (iface[key] ??= { address: [] }).address!.push({ ip: a.local, prefix: a.prefix });
  }
  const routes: NetRoute[] = [];
  for (const r of d.route) {
    // Multipath routes are not modelled (no document form yet): left out rather than shown wrongly.
    if (r.nexthops || r.srcLen) continue;
    if (!opts.includeKernel && isKernelRoute(r)) continue;
    routes.push(routeOf(r, names));
  }
  return { interfaces, routes };
}
