// The net model: canonical form of a desired section (normalize), resolved route specs with their
// identity key, and the rules for which kernel objects belong to the kernel rather than to a document.
import { RT_TABLE_MAIN, protocolNumber, routeTypeNumber, scopeNumber, tableNumber } from '../../netlink/constants';
import { canonicalIp, familyOf, parseCidr, type Family } from './ip';
import type { AddressEntry, IpConfig, NetInterface, NetRoute, NetState } from './schema';

/** A route with every default resolved: what diff compares and apply sends. */
export interface RouteSpec {
  family: Family;
  /** Network address ("" never: the default route is 0.0.0.0 / ::). */
  dst: string;
  prefix: number;
  table: number;
  metric: number;
  gateway?: string;
  dev?: string;
  /** Only set when the document names them (diff ignores unnamed fields). */
  protocol?: number;
  scope?: number;
  type?: number;
}

export function defaultMetric(family: Family): number {
  return family === 6 ? 1024 : 0;
}

/** Route types the kernel gives no real device (IPv6 shows them on lo whatever the request said). */
const DEVICELESS_TYPES = new Set([6, 7, 8, 9]); // blackhole, unreachable, prohibit, throw

/**
 * Identity of a route in the kernel: table, destination and metric; for an IPv6 route without a
 * gateway also its device (IPv6 keeps one such route per device, e.g. fe80::/64 on every link).
 */
export function routeKey(r: RouteSpec): string {
  const perDevice = r.family === 6 && !r.gateway && r.dev && !DEVICELESS_TYPES.has(r.type ?? 1);
  return `${r.table}:${r.dst}/${r.prefix}:${r.metric}${perDevice ? `:${r.dev}` : ''}`;
}

/** The document form of a destination: "default", "::/0" or a CIDR. */
export function destinationText(family: Family, dst: string, prefix: number): string {
  if (prefix === 0) return family === 4 ? 'default' : '::/0';
  return `${dst}/${prefix}`;
}

/** Resolves a (validated) document route; undefined when its text cannot be understood. */
export function routeSpec(r: NetRoute): RouteSpec | undefined {
  let family: Family;
  let dst: string;
  let prefix: number;
  if (r.destination === 'default') {
    family = (r.gateway && familyOf(r.gateway)) || 4;
    dst = family === 4 ? '0.0.0.0' : '::';
    prefix = 0;
  } else {
    const c = parseCidr(r.destination);
    if (!c) return undefined;
    ({ family, ip: dst, prefix } = c);
  }
  const table = r.table === undefined ? RT_TABLE_MAIN : tableNumber(r.table);
  if (table === undefined) return undefined;
  let metric = r.metric ?? defaultMetric(family);
  if (family === 6 && metric === 0) metric = 1024; // the kernel stores IPv6 metric 0 as 1024
  const spec: RouteSpec = { family, dst, prefix, table, metric };
  if (r.gateway) spec.gateway = canonicalIp(r.gateway) ?? r.gateway;
  if (r.dev) spec.dev = r.dev;
  if (r.protocol !== undefined) spec.protocol = protocolNumber(r.protocol);
  if (r.scope !== undefined) spec.scope = scopeNumber(r.scope);
  if (r.type !== undefined) spec.type = routeTypeNumber(r.type);
  return spec;
}

function normalizeIp(cfg: IpConfig | undefined): IpConfig | undefined {
  if (!cfg) return undefined;
  // dhcp: true is kept so validate() reports it (with the document path); it is never applied.
  const dhcp = cfg.dhcp ? { dhcp: true } : {};
  if (cfg.enabled === false) return { ...dhcp, address: [] };
  if (!cfg.address) return cfg.dhcp ? dhcp : undefined;
  const address: AddressEntry[] = cfg.address.map((a) => ({ ip: canonicalIp(a.ip) ?? a.ip, prefix: a.prefix }));
  return { ...dhcp, address };
}

export const DHCP_MESSAGE = 'dhcp is not supported by opdbus; expected false (or no dhcp field) with static addresses in "address"';

/**
 * Canonical form: IPv4 `gateway` becomes a default route through the interface, bridge `ports` become
 * `controller` on the ports, `enabled: false` becomes an empty address list, addresses and
 * destinations are written the way the kernel prints them. Pure; order of entries is kept.
 */
export function normalizeState(desired: NetState): NetState {
  if (NORMALIZED.has(desired)) return desired;
  const interfaces: NetInterface[] = [];
  const routes: NetRoute[] = (desired.routes ?? []).map((r) => normalizeRoute(r));
  const byName = new Map<string, NetInterface>();
  (desired.interfaces ?? []).forEach((iface) => {
    const { ports, ipv4, ipv6, ...rest } = iface;
    const out: NetInterface = { ...rest };
    const v4 = normalizeIp(ipv4);
    const v6 = normalizeIp(ipv6);
    if (v4) out.ipv4 = v4;
    if (v6) out.ipv6 = v6;
    if (out.mac) out.mac = out.mac.toLowerCase();
    for (const cfg of [ipv4, ipv6]) {
      if (!cfg?.gateway) continue;
      const gw = canonicalIp(cfg.gateway) ?? cfg.gateway;
      const route: NetRoute = { destination: familyOf(gw) === 6 ? '::/0' : 'default', gateway: gw, dev: iface.name };
      if (!routes.some((r) => r.destination === route.destination && r.gateway === gw && (r.table ?? RT_TABLE_MAIN) === RT_TABLE_MAIN)) routes.push(route);
    }
    interfaces.push(out);
    byName.set(out.name, out);
    for (const port of ports ?? []) {
      const existing = byName.get(port) ?? (desired.interfaces ?? []).find((x) => x.name === port);
      if (!existing) {
        const entry: NetInterface = { name: port, controller: iface.name };
        interfaces.push(entry);
        byName.set(port, entry);
      }
    }
  });
  // Ports named on a bridge and also listed as interfaces get the controller too.
  for (const iface of desired.interfaces ?? []) {
    for (const port of iface.ports ?? []) {
      const entry = interfaces.find((x) => x.name === port);
      if (entry && entry.controller === undefined) entry.controller = iface.name;
    }
  }
  const out: NetState = {};
  if (desired.interfaces) out.interfaces = interfaces;
  if (desired.routes || routes.length) out.routes = routes;
  NORMALIZED.add(out);
  return out;
}

/**
 * The states normalizeState made. Normalizing one again would give an equal state, so it is returned
 * as it is: a document is normalized when it is read, and plan and every verify would otherwise
 * normalize it again (a few ms each for 1,000 interfaces). Nothing in opdbus changes a state after
 * normalizing it.
 */
const NORMALIZED = new WeakSet<NetState>();

/**
 * The names normalizeState(desired).interfaces holds (every interface, and every bridge port), without
 * normalizing: a query scoped to a document needs only these.
 */
export function interfaceNames(desired: NetState): Set<string> {
  const names = new Set<string>();
  for (const iface of desired.interfaces ?? []) {
    names.add(iface.name);
    for (const port of iface.ports ?? []) names.add(port);
  }
  return names;
}

function normalizeRoute(r: NetRoute): NetRoute {
  const out: NetRoute = { ...r };
  if (r.gateway) out.gateway = canonicalIp(r.gateway) ?? r.gateway;
  if (r.destination !== 'default') {
    const c = parseCidr(r.destination);
    if (c) out.destination = c.prefix === 0 ? (c.family === 4 ? 'default' : '::/0') : `${c.ip}/${c.prefix}`;
  } else if (r.gateway && familyOf(r.gateway) === 6) {
    out.destination = '::/0';
  }
  return out;
}

/** Addresses the kernel adds by itself: never removed because a document does not list them. */
export function isKernelAddress(ifname: string, family: Family, ip: string, prefix: number): boolean {
  if (family === 6 && /^fe[89ab][0-9a-f]:/i.test(ip)) return true;
  if (ifname === 'lo' && ((family === 4 && ip === '127.0.0.1' && prefix === 8) || (family === 6 && ip === '::1'))) return true;
  return false;
}
