// Compares current and desired net state in one pass, producing both the plan (actions, for diff and
// apply) and the field-level mismatches (for verify), so the two can never disagree. Objects the
// document does not name are left alone; kernel-owned addresses are never removed by omission.
import type { Action, Mismatch } from '../../plugin/contract';
import { pointer } from '../../util/pointer';
import type { Family } from './ip';
import { isKernelAddress, normalizeState, routeKey, routeSpec, type RouteSpec } from './model';
import { defaultScope } from './routes';
import { CREATABLE_TYPES, type AddressEntry, type NetInterface, type NetRoute, type NetState } from './schema';

// Paths are built for every action and mismatch (thousands on a large document): skip the escaping
// pass for tokens that need none.
const at = (...tokens: (string | number)[]) =>
  tokens.every((t) => typeof t === 'number' || !/[~/]/.test(t)) ? `/plugins/net/${tokens.join('/')}` : pointer(['plugins', 'net', ...tokens]);

export interface AddrChange {
  dev: string;
  family: Family;
  ip: string;
  prefix: number;
}

export interface Comparison {
  actions: Action[];
  mismatches: Mismatch[];
}

function typeMatches(want: NetInterface['type'], have: NetInterface['type']): boolean {
  return want === undefined || want === 'ovs-interface' || want === have;
}

/** Kind settings that can only change by deleting and recreating the link. */
export function needsRecreate(have: NetInterface, want: NetInterface): boolean {
  if (!want.type || !CREATABLE_TYPES.includes(want.type)) return false;
  if (want.type !== have.type) return true;
  if (want.veth && have.veth?.peer !== want.veth.peer) return true;
  if (want.vxlan) {
    const h = have.vxlan ?? ({} as NonNullable<NetInterface['vxlan']>);
    const w = want.vxlan;
    if (w.id !== h.id || (w.remote !== undefined && w.remote !== h.remote) || (w.local !== undefined && w.local !== h.local) || (w.dstport !== undefined && w.dstport !== h.dstport) || (w.dev !== undefined && w.dev !== h.dev)) return true;
  }
  if (want.macvlan && (have.macvlan?.mode !== want.macvlan.mode || have.macvlan?.base !== want.macvlan.base)) return true;
  return false;
}

/** Fields of a link (not its addresses) that differ, as [field, expected, found]. */
export function linkFieldDiffs(have: NetInterface, want: NetInterface): [string, unknown, unknown][] {
  const out: [string, unknown, unknown][] = [];
  if (!typeMatches(want.type, have.type)) out.push(['type', want.type, have.type]);
  if (want.state && want.state !== 'absent' && want.state !== have.state) out.push(['state', want.state, have.state]);
  if (want.mtu !== undefined && want.mtu !== have.mtu) out.push(['mtu', want.mtu, have.mtu ?? null]);
  if (want.mac !== undefined && want.mac.toLowerCase() !== have.mac) out.push(['mac', want.mac, have.mac ?? null]);
  if (want.controller !== undefined && (want.controller ?? null) !== (have.controller ?? null)) out.push(['controller', want.controller, have.controller ?? null]);
  if (want.veth && have.veth?.peer !== want.veth.peer) out.push(['veth', want.veth, have.veth ?? null]);
  if (want.vxlan && needsRecreate(have, { ...want, type: 'vxlan' })) out.push(['vxlan', want.vxlan, have.vxlan ?? null]);
  if (want.macvlan && (have.macvlan?.mode !== want.macvlan.mode || have.macvlan?.base !== want.macvlan.base)) out.push(['macvlan', want.macvlan, have.macvlan ?? null]);
  return out;
}

const addrKey = (a: AddressEntry) => `${a.ip}/${a.prefix}`;

function compareAddresses(want: NetInterface, have: NetInterface | undefined, i: number, out: Comparison): void {
  for (const [key, family] of [['ipv4', 4], ['ipv6', 6]] as const) {
    const wanted = want[key]?.address;
    if (!wanted) continue;
    const present = have?.[key]?.address ?? [];
    const presentKeys = new Set(present.map(addrKey));
    const wantedKeys = new Set(wanted.map(addrKey));
    wanted.forEach((a, j) => {
      if (presentKeys.has(addrKey(a))) return;
      const after: AddrChange = { dev: want.name, family, ip: a.ip, prefix: a.prefix };
      out.actions.push({ plugin: 'net', op: 'create', path: at('interfaces', i, key, 'address', j), resource: `net:addr:${want.name}:${addrKey(a)}`, after });
      out.mismatches.push({ path: at('interfaces', i, key, 'address', j), expected: a, found: null });
    });
    for (const a of present) {
      if (wantedKeys.has(addrKey(a)) || isKernelAddress(want.name, family, a.ip, a.prefix)) continue;
      const before: AddrChange = { dev: want.name, family, ip: a.ip, prefix: a.prefix };
      out.actions.push({ plugin: 'net', op: 'delete', path: at('interfaces', i, key, 'address'), resource: `net:addr:${want.name}:${addrKey(a)}`, before });
      out.mismatches.push({ path: at('interfaces', i, key, 'address'), expected: wanted, found: a });
    }
  }
}

function compareInterfaces(current: NetState, desired: NetState, out: Comparison): void {
  // A current document (history, golden files) may list removed objects with state: absent.
  const byName = new Map((current.interfaces ?? []).filter((x) => x.state !== 'absent').map((x) => [x.name, x]));
  (desired.interfaces ?? []).forEach((want, i) => {
    const have = byName.get(want.name);
    const path = at('interfaces', i);
    const resource = `net:link:${want.name}`;
    if (want.state === 'absent') {
      // An OVS internal port is removed by the ovs plugin (applied before net), never by net.
      if (!have || want.type === 'ovs-interface') return;
      out.actions.push({ plugin: 'net', op: 'delete', path, resource, before: have });
      out.mismatches.push({ path: at('interfaces', i, 'state'), expected: 'absent', found: have.state ?? 'present' });
      return;
    }
    if (!have) {
      out.actions.push({ plugin: 'net', op: 'create', path, resource, after: want });
      out.mismatches.push({ path, expected: want, found: null });
      compareAddresses(want, undefined, i, out);
      return;
    }
    const recreate = needsRecreate(have, want);
    const fields = linkFieldDiffs(have, want);
    if (recreate || fields.length) out.actions.push({ plugin: 'net', op: 'modify', path, resource, before: have, after: want });
    for (const [field, expected, found] of fields) out.mismatches.push({ path: at('interfaces', i, field), expected, found });
    compareAddresses(want, recreate ? undefined : have, i, out);
  });
}

function routeFieldDiffs(have: RouteSpec, want: RouteSpec): [string, unknown, unknown][] {
  const out: [string, unknown, unknown][] = [];
  if (want.gateway !== undefined && want.gateway !== have.gateway) out.push(['gateway', want.gateway, have.gateway ?? null]);
  if (want.dev !== undefined && want.dev !== have.dev) out.push(['dev', want.dev, have.dev ?? null]);
  if (want.protocol !== undefined && want.protocol !== have.protocol) out.push(['protocol', want.protocol, have.protocol ?? null]);
  if (want.scope !== undefined && want.scope !== have.scope) out.push(['scope', want.scope, have.scope ?? null]);
  if (want.type !== undefined && want.type !== (have.type ?? 1)) out.push(['type', want.type, have.type ?? 1]);
  return out;
}

function compareRoutes(current: NetState, desired: NetState, out: Comparison): void {
  const byKey = new Map<string, { doc: NetRoute; spec: RouteSpec }>();
  for (const doc of current.routes ?? []) {
    if (doc.state === 'absent') continue;
    const spec = routeSpec(doc);
    if (spec) byKey.set(routeKey(spec), { doc, spec: { ...spec, type: spec.type ?? 1, scope: spec.scope ?? defaultScope(spec.family, spec.type ?? 1, !!spec.gateway) } });
  }
  (desired.routes ?? []).forEach((want, k) => {
    const spec = routeSpec(want);
    if (!spec) return; // validate() reports it
    const key = routeKey(spec);
    const have = byKey.get(key);
    const path = at('routes', k);
    const resource = `net:route:${key}`;
    if (want.state === 'absent') {
      if (!have) return;
      out.actions.push({ plugin: 'net', op: 'delete', path, resource, before: have.doc });
      out.mismatches.push({ path: at('routes', k, 'state'), expected: 'absent', found: 'present' });
      return;
    }
    if (!have) {
      out.actions.push({ plugin: 'net', op: 'create', path, resource, after: want });
      out.mismatches.push({ path, expected: want, found: null });
      return;
    }
    const fields = routeFieldDiffs(have.spec, spec);
    if (fields.length) out.actions.push({ plugin: 'net', op: 'modify', path, resource, before: have.doc, after: want });
    for (const [field, expected, found] of fields) out.mismatches.push({ path: at('routes', k, field), expected, found });
  });
}

export function compareState(current: NetState, desired: NetState): Comparison {
  const normalized = normalizeState(desired);
  const out: Comparison = { actions: [], mismatches: [] };
  compareInterfaces(current, normalized, out);
  compareRoutes(current, normalized, out);
  return out;
}
