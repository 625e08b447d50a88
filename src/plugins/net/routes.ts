// Route defaults shared by query, diff and apply: the scope the kernel gives a route when none is
// named (what `ip route add` does), and the request sent for a resolved route.
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RTN_UNICAST, RTPROT_STATIC } from '../../netlink/constants';
import type { RouteRequest } from '../../netlink/types';
import type { Family } from './ip';
import type { RouteSpec } from './model';

export function defaultScope(family: Family, type: number, hasGateway: boolean): number {
  if (type === 2) return RT_SCOPE_HOST; // local
  if (family === 4 && type === RTN_UNICAST && !hasGateway) return RT_SCOPE_LINK;
  return RT_SCOPE_UNIVERSE;
}

export function routeRequest(op: RouteRequest['op'], r: RouteSpec): RouteRequest {
  const type = r.type ?? RTN_UNICAST;
  const req: RouteRequest = {
    op,
    subject: `${op === 'delroute' ? 'delete' : op === 'replaceroute' ? 'replace' : 'add'} route ${r.prefix === 0 ? 'default' : `${r.dst}/${r.prefix}`}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''} table ${r.table} metric ${r.metric}`,
    family: r.family,
    prefix: r.prefix,
    table: r.table,
    metric: r.metric,
    protocol: r.protocol ?? RTPROT_STATIC,
    scope: r.scope ?? defaultScope(r.family, type, !!r.gateway),
    type,
  };
  if (r.prefix > 0) req.address = r.dst;
  if (r.gateway) req.gateway = r.gateway;
  if (r.dev) req.dev = r.dev;
  return req;
}
