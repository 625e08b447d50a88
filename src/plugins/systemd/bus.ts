// The systemd Manager over D-Bus: names, the unit-file root, and the small calls the plugin layers share.
import * as path from 'node:path';
import type { PluginContext } from '../../plugin/contract';
import { busAbsentReason, resolveBusAddress } from '../../dbus/address';
import { withBus, type BusConnection, type MethodCaller } from '../../dbus/connection';
import { withReadBus } from '../../dbus/wire/client';

export const SYSTEMD = 'org.freedesktop.systemd1';
export const MANAGER_PATH = '/org/freedesktop/systemd1';
export const MANAGER = 'org.freedesktop.systemd1.Manager';

export function systemdBusAddress(ctx: PluginContext): string {
  return resolveBusAddress(ctx.config, 'system');
}

/**
 * Where /etc/systemd/system lives as seen from opdbus: "/" on the host itself; for a container managed
 * from outside, its root (e.g. /proc/<init pid>/root). Config: plugins.systemd.root.
 */
export function unitFileRoot(ctx: PluginContext): string {
  const root = ctx.config.pluginOptions.systemd?.root;
  return typeof root === 'string' && root ? root : '/';
}

export function unitFileDir(ctx: PluginContext): string {
  return path.join(unitFileRoot(ctx), 'etc/systemd/system');
}

/** How long apply waits for one start/stop job (plugins.systemd.job_timeout_ms, default 90 s like systemctl). */
export function jobTimeoutMs(ctx: PluginContext): number {
  const t = ctx.config.pluginOptions.systemd?.job_timeout_ms;
  return typeof t === 'number' && t > 0 ? t : 90_000;
}

export async function systemdAbsentReason(ctx: PluginContext): Promise<string | undefined> {
  return busAbsentReason(systemdBusAddress(ctx));
}

export function withSystemd<T>(ctx: PluginContext, fn: (bus: BusConnection) => Promise<T>): Promise<T> {
  return withBus(systemdBusAddress(ctx), 'systemd', fn);
}

/** For read-only work (query, validate): the lean client, which does not load dbus-next. */
export function withSystemdReader<T>(ctx: PluginContext, fn: (bus: MethodCaller) => Promise<T>): Promise<T> {
  return withReadBus(systemdBusAddress(ctx), 'systemd', fn);
}

export function managerCall(bus: MethodCaller, member: string, signature = '', body: unknown[] = [], operation?: string): Promise<unknown[]> {
  return bus.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: MANAGER, member, signature, body }, operation ?? member);
}
