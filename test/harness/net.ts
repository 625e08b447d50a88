// Helpers for net plugin tests: a plugin context aimed at a test namespace, `ip -j` as the reference
// client, a comparable snapshot of a namespace, and a minimal transaction (validate -> normalize ->
// query -> diff -> checkpoint -> apply -> verify, rollback on any failure) like the manager's.
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { OpdbusError } from '../../src/errors';
import type { Plugin, PluginContext } from '../../src/plugin/contract';
import { verifySettled } from '../../src/transaction/verify';
import { netPlugin, type NetState } from '../../src/plugins/net';
import { createLogger } from '../../src/util/log';
import { defaultConfig } from '../../src/config';

export function netCtx(netns: string, pluginOptions: Record<string, Record<string, unknown>> = {}): PluginContext {
  return { config: { ...defaultConfig(), netns, pluginOptions }, log: createLogger('warn') };
}

/** `ip -n NS -j ARGS` parsed. */
export function ipJson<T = any>(netns: string, args: string[]): T {
  return JSON.parse(execFileSync('ip', ['-n', netns, '-j', ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }) || '[]') as T;
}

export function ip(netns: string, args: string[]): string {
  return execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8' });
}

/** What `ip -j` says about a namespace, reduced to the fields a transaction may change, sorted. */
export function snapshot(netns: string): unknown {
  const links = ipJson(netns, ['-d', 'link', 'show']).map((l: any) => ({
    ifname: l.ifname, mtu: l.mtu, flags: [...l.flags].sort(), master: l.master, address: l.address, kind: l.linkinfo?.info_kind, link: l.link,
  }));
  const addrs = ipJson(netns, ['addr', 'show']).flatMap((l: any) =>
    l.addr_info.map((a: any) => `${l.ifname} ${a.family} ${a.local}/${a.prefixlen} ${a.scope}`),
  );
  // With table all and no family, ip lists IPv4 and IPv6 routes together.
  const routes = ipJson(netns, ['route', 'show', 'table', 'all']).map((r: any) => JSON.stringify(r));
  const by = (a: any, b: any) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  return { links: links.sort(by), addrs: addrs.sort(), routes: routes.sort() };
}

/**
 * A snapshot() the kernel has finished with: carrier changes (NO-CARRIER) reach `ip` through the
 * kernel's link-watch queue up to a second after the change that caused them, so a "before" taken
 * right after an earlier step could hold a state that is about to change by itself. Waits until two
 * snapshots 1.1 s apart agree (for up to 10 s).
 */
export async function stableSnapshot(netns: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  let last = snapshot(netns);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1100));
    const next = snapshot(netns);
    if (isDeepStrictEqual(next, last) || Date.now() >= deadline) return next;
    last = next;
  }
}

/**
 * Waits until `ip -j` shows `expected` (a snapshot()) again, for up to 10 s: IPv6 link-local addresses
 * and their local routes come back through kernel work queues once a link has carrier, later on a
 * loaded machine. Returns the last snapshot, for the caller to assert on.
 */
export async function settledSnapshot(netns: string, expected: unknown): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  let current = snapshot(netns);
  while (!isDeepStrictEqual(current, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    current = snapshot(netns);
  }
  return current;
}

/** No IPv6 duplicate address detection in a test namespace: addresses and their local routes appear at once. */
export function withoutDad(netns: string): void {
  execFileSync('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
}

export interface TxResult {
  applied: boolean;
  actions: number;
  error?: OpdbusError;
}

/** One net transaction the way the manager runs it; rolls back on failure. Throws on validation issues. */
export async function netTransaction(ctx: PluginContext, desired: NetState): Promise<TxResult> {
  const issues = await netPlugin.validate!(desired, ctx);
  if (issues.length) throw new OpdbusError('InvalidInput', 'VALIDATION', issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const normalized = netPlugin.normalize!(desired);
  const current = await netPlugin.query(ctx, normalized);
  const actions = netPlugin.diff(current, normalized);
  const checkpoint = await netPlugin.checkpoint(ctx, actions, current);
  try {
    await netPlugin.apply(ctx, actions);
    await verifySettled(netPlugin as Plugin, ctx, normalized);
    return { applied: true, actions: actions.length };
  } catch (err) {
    await netPlugin.rollback(ctx, checkpoint);
    return { applied: false, actions: actions.length, error: err as OpdbusError };
  }
}
