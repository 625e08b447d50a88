// One D-Bus connection with deadlines: connecting, every method call and every signal wait time out,
// pending calls fail at once when the connection drops, and every error comes out as OpdbusError.
import type * as dbus from 'dbus-next';
import { OpdbusError } from '../errors';
import { dbusError } from './errors';
import { dbusNext } from './lib';

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export interface CallSpec {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

export interface SignalMatch {
  sender?: string;
  path?: string;
  interface: string;
  member: string;
}

/** What read-only code needs of a connection: BusConnection, or the lean client (wire/client.ts). */
export interface MethodCaller {
  call(spec: CallSpec, operation?: string): Promise<unknown[]>;
}

export type SignalHandler = (body: unknown[], msg: dbus.Message) => void;

export class BusConnection implements MethodCaller {
  private readonly pending = new Set<(err: OpdbusError) => void>();
  private lost?: OpdbusError;

  private constructor(
    private readonly bus: dbus.MessageBus,
    readonly address: string,
    readonly plugin: string,
    readonly timeoutMs: number,
  ) {
    const fail = (err: unknown) => {
      this.lost ??= new OpdbusError('Unavailable', 'DBUS_DISCONNECTED', `D-Bus connection to ${address} lost: ${(err as Error)?.message ?? 'closed'}`, { plugin });
      for (const reject of this.pending) reject(this.lost);
      this.pending.clear();
    };
    bus.on('error', fail);
    (bus as unknown as { _connection: NodeJS.EventEmitter })._connection.on('end', () => fail(new Error('closed by peer')));
  }

  /** Connects and completes the Hello handshake within `timeoutMs`. */
  static async open(address: string, plugin: string, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<BusConnection> {
    let bus: dbus.MessageBus;
    try {
      bus = dbusNext().sessionBus({ busAddress: address });
    } catch (err) {
      throw dbusError(err, { plugin, operation: `connect to ${address}` });
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        bus.disconnect();
        reject(new OpdbusError('Timeout', 'DBUS_CONNECT_TIMEOUT', `connect to ${address}: no answer within ${timeoutMs} ms`, { plugin }));
      }, timeoutMs);
      bus.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      bus.once('error', (err: unknown) => {
        clearTimeout(timer);
        bus.disconnect();
        reject(dbusError(err, { plugin, operation: `connect to ${address}` }));
      });
    });
    return new BusConnection(bus, address, plugin, timeoutMs);
  }

  /** Calls a method and returns the reply body. `operation` names it in errors. */
  call(spec: CallSpec, operation?: string, timeoutMs = this.timeoutMs): Promise<unknown[]> {
    const op = operation ?? `${spec.interface}.${spec.member} on ${spec.path}`;
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      const abort = (err: OpdbusError) => {
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        this.pending.delete(abort);
        reject(new OpdbusError('Timeout', 'DBUS_CALL_TIMEOUT', `${op}: no reply within ${timeoutMs} ms`, { plugin: this.plugin }));
      }, timeoutMs);
      this.pending.add(abort);
      const msg = new (dbusNext().Message)({ ...spec, signature: spec.signature ?? '', body: spec.body ?? [] });
      this.bus.call(msg).then(
        (reply) => {
          clearTimeout(timer);
          this.pending.delete(abort);
          resolve(reply?.body ?? []);
        },
        (err: unknown) => {
          clearTimeout(timer);
          this.pending.delete(abort);
          reject(dbusError(err, { plugin: this.plugin, operation: op }));
        },
      );
    });
  }

  async getProperty(destination: string, path: string, iface: string, name: string): Promise<unknown> {
    const [v] = await this.call({ destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [iface, name] }, `read ${iface}.${name} of ${path}`);
    return (v as dbus.Variant).value;
  }

  /** All properties of an interface as name -> Variant. */
  async getAllProperties(destination: string, path: string, iface: string): Promise<Record<string, dbus.Variant>> {
    const [v] = await this.call({ destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface] }, `read properties of ${iface} at ${path}`);
    return v as Record<string, dbus.Variant>;
  }

  async setProperty(destination: string, path: string, iface: string, name: string, value: dbus.Variant): Promise<void> {
    await this.call({ destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'Set', signature: 'ssv', body: [iface, name, value] }, `set ${iface}.${name} of ${path}`);
  }

  /** Subscribes to a signal (AddMatch); the returned function unsubscribes. */
  async onSignal(match: SignalMatch, handler: SignalHandler): Promise<() => Promise<void>> {
    const rule = Object.entries({ type: 'signal', ...match })
      .map(([k, v]) => `${k}='${v}'`)
      .join(',');
    const listener = (msg: dbus.Message) => {
      if (msg.type !== dbusNext().MessageType.SIGNAL || msg.interface !== match.interface || msg.member !== match.member) return;
      if (match.path && msg.path !== match.path) return;
      handler(msg.body, msg);
    };
    this.bus.on('message', listener);
    const busCall = (member: string) => this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member, signature: 's', body: [rule] });
    await busCall('AddMatch');
    return async () => {
      this.bus.removeListener('message', listener);
      if (!this.lost) await busCall('RemoveMatch');
    };
  }

  close(): void {
    this.lost ??= new OpdbusError('Unavailable', 'DBUS_CLOSED', `D-Bus connection to ${this.address} closed`, { plugin: this.plugin });
    this.bus.disconnect();
  }
}

/** Opens a connection, runs `fn`, and always closes it. */
export async function withBus<T>(address: string, plugin: string, fn: (bus: BusConnection) => Promise<T>, timeoutMs?: number): Promise<T> {
  const bus = await BusConnection.open(address, plugin, timeoutMs);
  try {
    return await fn(bus);
  } finally {
    bus.close();
  }
}
