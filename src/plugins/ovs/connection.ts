// One OVSDB client (and one monitor cache) per endpoint for this process, shared by query, apply and
// verify; errors leave here as OpdbusErrors carrying plugin "ovs".
import * as fs from 'node:fs';
import { OpdbusError, toOpdbusError } from '../../errors';
import type { DatabaseCache } from '../../ovsdb/cache';
import { OvsdbClient } from '../../ovsdb/client';
import { parseEndpoint } from '../../ovsdb/endpoint';
import type { PluginContext } from '../../plugin/contract';
import { DB, MONITORED } from './query';

const clients = new Map<string, Promise<OvsdbClient>>();
const caches = new Map<string, Promise<DatabaseCache>>();

export function ovsError(err: unknown, operation: string): OpdbusError {
  const e = toOpdbusError(err, { plugin: 'ovs', operation });
  return e.plugin ? e : new OpdbusError(e.kind, e.code, e.message, { ...e.toData(), plugin: 'ovs', cause: e });
}

/** A reason the endpoint cannot work, or undefined when a connection could be tried. */
export function missingSocket(endpoint: string): string | undefined {
  const ep = parseEndpoint(endpoint);
  return ep.kind === 'unix' && !fs.existsSync(ep.path) ? `no OVSDB socket at ${endpoint}` : undefined;
}

export function clientFor(ctx: PluginContext): Promise<OvsdbClient> {
  const endpoint = ctx.config.ovsdb;
  let client = clients.get(endpoint);
  if (!client) {
    const missing = missingSocket(endpoint);
    if (missing) return Promise.reject(new OpdbusError('Unavailable', 'OVSDB_NO_SOCKET', missing, { plugin: 'ovs' }));
    client = OvsdbClient.connect(endpoint, { timeoutMs: Math.min(ctx.config.queryTimeoutMs, 10_000) });
    clients.set(endpoint, client);
    client.catch(() => clients.delete(endpoint));
  }
  return client;
}

/** The monitor-fed replica of the tables the plugin reads (kept current by update2 notifications). */
export function cacheFor(ctx: PluginContext): Promise<DatabaseCache> {
  const endpoint = ctx.config.ovsdb;
  let cache = caches.get(endpoint);
  if (!cache) {
    cache = clientFor(ctx).then((c) => c.monitor(DB, 'opdbus-ovs', MONITORED, { cond: true }));
    caches.set(endpoint, cache);
    cache.catch(() => caches.delete(endpoint));
  }
  return cache;
}

export async function closeAll(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  caches.clear();
  for (const c of all) (await c.catch(() => undefined))?.close();
}
