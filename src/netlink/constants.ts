// rtnetlink numbers and their iproute2 names (the words `ip route` prints and accepts).

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

const TABLES: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };
export const PROTOCOLS: Record<number, string> = { 0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 8: 'gated', 9: 'ra', 10: 'mrt', 11: 'zebra', 12: 'bird', 13: 'dnrouted', 14: 'xorp', 15: 'ntk', 16: 'dhcp', 42: 'babel', 186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp' };
export const SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
export const ROUTE_TYPES: Record<number, string> = { 0: 'unspec', 1: 'unicast', 2: 'local', 3: 'broadcast', 4: 'anycast', 5: 'multicast', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit', 9: 'throw', 10: 'nat', 11: 'xresolve' };

export const RTPROT_KERNEL = 2;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RTN_UNICAST = 1;

export const IFF_UP = 0x1;
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
/** IFA_F_PERMANENT: an address configured by someone, as opposed to SLAAC / temporary ones. */
export const IFA_F_PERMANENT = 0x80;

function invert(map: Record<number, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, Number(k)]));
}
const PROTOCOL_NUMBERS = invert(PROTOCOLS);
const SCOPE_NUMBERS = { ...invert(SCOPES), universe: 0 };
const TYPE_NUMBERS = invert(ROUTE_TYPES);
const TABLE_NUMBERS = invert(TABLES);

export const protocolName = (n: number): string | number => PROTOCOLS[n] ?? n;
export const scopeName = (n: number): string | number => SCOPES[n] ?? n;
export const routeTypeName = (n: number): string => ROUTE_TYPES[n] ?? String(n);

/** A name or a number (as `ip` accepts both); undefined when unknown. */
function lookup(map: Record<string, number>, v: string | number): number | undefined {
  if (typeof v === 'number') return v;
  if (/^\d+$/.test(v)) return Number(v);
  return map[v];
}
export const protocolNumber = (v: string | number) => lookup(PROTOCOL_NUMBERS, v);
export const scopeNumber = (v: string | number) => lookup(SCOPE_NUMBERS, v);
export const routeTypeNumber = (v: string | number) => lookup(TYPE_NUMBERS, v);
export const tableNumber = (v: string | number) => lookup(TABLE_NUMBERS, v);
export const tableName = (n: number): string | number => TABLES[n] ?? n;
