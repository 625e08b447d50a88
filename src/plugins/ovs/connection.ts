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

/** Per endpoint: the next_cfg our last change asked ovs-vswitchd to reach. */
const expected = new Map<string, number>();

export function expectCfg(ctx: PluginContext, nextCfg: number): void {
  expected.set(ctx.config.ovsdb, nextCfg);
}

/**
 * Waits (on the monitor's updates, not by polling) until ovs-vswitchd reports cur_cfg at or past the
 * next_cfg of our last change, or `timeoutMs` passes. True when it was reached only now (the caller
 * should read again); false when there was nothing to wait for or the wait timed out.
 */
export async function cfgApplied(ctx: PluginContext, timeoutMs: number): Promise<boolean> {
  const target = expected.get(ctx.config.ovsdb);
  if (target === undefined) return false;
  const cache = await cacheFor(ctx);
  const client = await clientFor(ctx);
  const reached = () => {
    const root = cache.table('Open_vSwitch').values().next().value as Record<string, unknown> | undefined;
    return typeof root?.cur_cfg === 'number' && root.cur_cfg >= target;
  };
  if (reached() || ctx.signal?.aborted) return false;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('update', onUpdate);
      ctx.signal?.removeEventListener('abort', onAbort);
      expected.delete(ctx.config.ovsdb); // reached, or ovs-vswitchd is not answering: wait once, not at every verify
      resolve(ok);
    };
    const onUpdate = () => reached() && done(true);
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('update', onUpdate);
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function closeAll(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  caches.clear();
  expected.clear();
  for (const c of all) (await c.catch(() => undefined))?.close();
}
