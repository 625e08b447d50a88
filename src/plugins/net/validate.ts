// Checks beyond the JSON Schema, each naming the JSON pointer (relative to the net section), what was
// expected and what was found: unsupported DHCP, malformed addresses and destinations, duplicate
// names, links that must exist but do not, kind options missing for a link to be created.
import { tableNumber } from '../../netlink/constants';
import type { ValidationIssue } from '../../plugin/contract';
import { canonicalIp, familyOf, networkOf, parseCidr } from './ip';
import { DHCP_MESSAGE } from './model';
import { CREATABLE_TYPES, type NetState } from './schema';

/** `present`: the names of the links the host has now. */
export function validateState(desired: NetState, present: ReadonlySet<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const named = new Set<string>();
  (desired.interfaces ?? []).forEach((iface, i) => {
    const at = `/interfaces/${i}`;
    if (named.has(iface.name)) issues.push({ path: `${at}/name`, message: `interface ${iface.name} is listed twice`, found: iface.name });
    named.add(iface.name);
    for (const [key, family] of [['ipv4', 4], ['ipv6', 6]] as const) {
      const cfg = iface[key];
      if (!cfg) continue;
      if (cfg.dhcp) issues.push({ path: `${at}/${key}/dhcp`, message: DHCP_MESSAGE, found: true });
      if (cfg.gateway !== undefined && familyOf(cfg.gateway) !== family) issues.push({ path: `${at}/${key}/gateway`, message: `expected an IPv${family} address`, found: cfg.gateway });
      (cfg.address ?? []).forEach((a, j) => {
        if (familyOf(a.ip) !== family) issues.push({ path: `${at}/${key}/address/${j}/ip`, message: `expected an IPv${family} address`, found: a.ip });
        else if (a.prefix > (family === 4 ? 32 : 128)) issues.push({ path: `${at}/${key}/address/${j}/prefix`, message: `expected a prefix length 0-${family === 4 ? 32 : 128}`, found: a.prefix });
      });
    }
    if (iface.state === 'absent' || present.has(iface.name)) return;
    const type = iface.type;
    if (type === 'ethernet' || type === 'loopback' || type === 'other') {
      issues.push({ path: at, message: `link ${iface.name} does not exist, and type ${type} cannot be created (a physical or foreign device must already be there)`, found: iface.name });
    } else if (type === undefined && !(desired.interfaces ?? []).some((x) => x.veth?.peer === iface.name)) {
      issues.push({ path: `${at}/type`, message: `link ${iface.name} does not exist: give a type (one of ${CREATABLE_TYPES.join(', ')}) to create it`, found: null });
    } else if (type === 'veth' && !iface.veth && !(desired.interfaces ?? []).some((x) => x.veth?.peer === iface.name)) {
      issues.push({ path: `${at}/veth`, message: 'a new veth needs veth.peer (the name of its other end)', found: null });
    } else if (type === 'vxlan' && !iface.vxlan) {
      issues.push({ path: `${at}/vxlan`, message: 'a new vxlan needs vxlan.id', found: null });
    } else if ((type === 'macvlan' || type === 'macvtap') && !iface.macvlan) {
      issues.push({ path: `${at}/macvlan`, message: `a new ${type} needs macvlan.mode and macvlan.base`, found: null });
    }
  });
  (desired.interfaces ?? []).forEach((iface, i) => {
    if (iface.controller && !named.has(iface.controller) && !present.has(iface.controller)) {
      issues.push({ path: `/interfaces/${i}/controller`, message: `no bridge named ${iface.controller} exists or is listed`, found: iface.controller });
    }
  });
  (desired.routes ?? []).forEach((r, k) => {
    const at = `/routes/${k}`;
    if (r.destination !== 'default') {
      const c = parseCidr(r.destination);
      if (!c) issues.push({ path: `${at}/destination`, message: 'expected "default", "::/0" or a network in CIDR form (10.0.0.0/24, 2001:db8::/64)', found: r.destination });
      else if (networkOf(c.ip, c.prefix) !== c.ip) issues.push({ path: `${at}/destination`, message: `host bits set: expected the network ${networkOf(c.ip, c.prefix)}/${c.prefix}`, found: r.destination });
    }
    if (r.table !== undefined && tableNumber(r.table) === undefined) issues.push({ path: `${at}/table`, message: 'expected a table number or one of main, default, local', found: r.table });
    if (r.gateway !== undefined && !canonicalIp(r.gateway)) issues.push({ path: `${at}/gateway`, message: 'expected an IP address', found: r.gateway });
  });
  return issues;
}
