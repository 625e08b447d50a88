// Which bus to talk to: the system bus (config dbus.system, DBUS_SYSTEM_BUS_ADDRESS, or the standard
// socket), the session bus, or an explicit address; and whether its socket exists at all.
import { promises as fsp } from 'node:fs';
import type { OpdbusConfig } from '../config';
import { OpdbusError } from '../errors';

export const DEFAULT_SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket';

/** `system`, `session` or an explicit D-Bus address ("unix:path=/run/x/bus"). */
export type BusName = string;

export function resolveBusAddress(config: Pick<OpdbusConfig, 'dbus'>, bus: BusName = 'system'): string {
  if (bus === 'system') return config.dbus.system ?? process.env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS;
  if (bus === 'session') {
    const session = config.dbus.session ?? process.env.DBUS_SESSION_BUS_ADDRESS;
    if (!session) throw new OpdbusError('Unavailable', 'NO_SESSION_BUS', 'no session bus address (set DBUS_SESSION_BUS_ADDRESS or dbus.session in the config)');
    return session;
  }
  return bus;
}

/** The socket path of a `unix:path=` address, if it is one (the other kinds cannot be checked cheaply). */
export function unixSocketPath(address: string): string | undefined {
  for (const part of address.split(';')) {
    const m = /^unix:(?:.*,)?path=([^,]+)/.exec(part);
    if (m) return m[1].replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return undefined;
}

/** Undefined when the bus looks reachable, else a reason a user can act on. */
export async function busAbsentReason(address: string, label = 'system bus'): Promise<string | undefined> {
  const socket = unixSocketPath(address);
  if (socket === undefined) return undefined;
  try {
    const st = await fsp.stat(socket);
    return st.isSocket() ? undefined : `no ${label} at ${address} (not a socket)`;
  } catch {
    return `no ${label} at ${address}`;
  }
}
