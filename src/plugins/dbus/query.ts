// Reads the named properties of each object: introspection gives each property's type signature, Get
// gives the value, converted to JSON by that type. Connections are shared per bus within one call.
import type { PluginContext } from '../../plugin/contract';
import { OpdbusError } from '../../errors';
import { resolveBusAddress } from '../../dbus/address';
import { BusConnection } from '../../dbus/connection';
import { introspect, type InterfaceInfo } from '../../dbus/introspect';
import { parseSingleType } from '../../dbus/signature';
import { dbusToJson, type Json } from '../../dbus/values';
import { pointer } from '../../util/pointer';
import type { DbusObjectDesired, DbusState } from './schema';

/** Open connections by bus address, closed together. */
export class BusPool {
  private readonly buses = new Map<string, Promise<BusConnection>>();
  constructor(private readonly ctx: PluginContext) {}

  get(bus: string): Promise<BusConnection> {
    const address = resolveBusAddress(this.ctx.config, bus);
    let conn = this.buses.get(address);
    if (!conn) {
      conn = BusConnection.open(address, 'dbus');
      this.buses.set(address, conn);
    }
    return conn;
  }

  async close(): Promise<void> {
    for (const conn of this.buses.values()) await conn.then((c) => c.close()).catch(() => undefined);
  }
}

export async function withPool<T>(ctx: PluginContext, fn: (pool: BusPool) => Promise<T>): Promise<T> {
  const pool = new BusPool(ctx);
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

/** The interface description of an object, or NotFound naming the document path. */
export async function interfaceOf(pool: BusPool, o: DbusObjectDesired, index: number): Promise<InterfaceInfo> {
  const bus = await pool.get(o.bus);
  const interfaces = await introspect(bus, o.service, o.path);
  const info = interfaces[o.interface];
  if (!info) throw new OpdbusError('NotFound', 'DBUS_NO_INTERFACE', `${o.service} ${o.path} has no interface ${o.interface}`, { plugin: 'dbus', path: pointer(['plugins', 'dbus', 'objects', index, 'interface']) });
  return info;
}

export async function readObject(pool: BusPool, o: DbusObjectDesired, index: number): Promise<DbusObjectDesired> {
  const info = await interfaceOf(pool, o, index);
  const bus = await pool.get(o.bus);
  const properties: Record<string, Json> = {};
  for (const name of Object.keys(o.properties).sort()) {
    const prop = info[name];
    if (!prop || prop.access === 'write') continue;
    properties[name] = dbusToJson(parseSingleType(prop.type), await bus.getProperty(o.service, o.path, o.interface, name));
  }
  return { bus: o.bus, service: o.service, path: o.path, interface: o.interface, properties };
}

/** Without a scope there is nothing to enumerate: a document names the objects it manages. */
export async function queryDbus(ctx: PluginContext, scope?: DbusState): Promise<DbusState> {
  if (!scope || scope.objects.length === 0) return { objects: [] };
  return withPool(ctx, async (pool) => ({ objects: await Promise.all(scope.objects.map((o, i) => readObject(pool, o, i))) }));
}
