// A lean D-Bus client for read-only method calls (a query's ListUnits/ListUnitFiles): no dbus-next to
// load (40-100 ms at start-up), one round trip for EXTERNAL auth, then Hello and the calls written
// together without waiting for Hello's reply, and replies read by a compiled per-signature reader.
// Same deadlines and OpdbusErrors as BusConnection; withReadBus falls back to it when it cannot serve.
import * as net from 'node:net';
import { OpdbusError } from '../../errors';
import { unixSocketPath } from '../address';
import { DEFAULT_CALL_TIMEOUT_MS, withBus, type CallSpec, type MethodCaller } from '../connection';
import { dbusError } from '../errors';
import { marshalCall } from './marshal';
import { ERROR, METHOD_RETURN, messageLength, readMessage, type WireMessage } from './unmarshal';

interface Pending {
  resolve: (body: unknown[]) => void;
  reject: (err: OpdbusError) => void;
  operation: string;
}

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

/** The EXTERNAL mechanism's answer: one "OK <guid>" line, or anything else (REJECTED, ERROR). */
function authenticate(sock: net.Socket, address: string, plugin: string, timeoutMs: number): Promise<string> {
  const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex');
  return new Promise((resolve, reject) => {
    let got = '';
    const done = (err?: OpdbusError, line?: string) => {
      clearTimeout(timer);
      sock.off('data', onData).off('error', onError).off('close', onClose);
      if (err) {
        sock.destroy();
        reject(err);
      } else resolve(line!);
    };
    const timer = setTimeout(() => done(new OpdbusError('Timeout', 'DBUS_CONNECT_TIMEOUT', `connect to ${address}: no answer within ${timeoutMs} ms`, { plugin })), timeoutMs);
    const onData = (chunk: Buffer) => {
      got += chunk.toString('latin1');
      const end = got.indexOf('\r\n');
      if (end >= 0) done(undefined, got.slice(0, end));
    };
    const onError = (err: Error) => done(dbusError(err, { plugin, operation: `connect to ${address}` }));
    const onClose = () => done(new OpdbusError('Unavailable', 'DBUS_DISCONNECTED', `connect to ${address}: closed by the bus during authentication`, { plugin }));
    sock.on('data', onData).once('error', onError).once('close', onClose);
    sock.write(`\0AUTH EXTERNAL ${uid}\r\n`);
  });
}

export class WireBus implements MethodCaller {
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private lost?: OpdbusError;
  private chunks: Buffer[] = [];
  private size = 0;
  private need = 16;

  private constructor(
    private readonly sock: net.Socket,
    readonly address: string,
    readonly plugin: string,
    readonly timeoutMs: number,
  ) {
    sock.on('data', (chunk: Buffer) => this.receive(chunk));
    sock.on('error', (err) => this.fail(err.message));
    sock.on('close', () => this.fail('closed by peer'));
    // The bus requires Hello first; its reply (our unique name) is not needed, so nothing waits for it.
    sock.write(Buffer.concat([Buffer.from('BEGIN\r\n'), marshalCall({ ...BUS, serial: ++this.serial, member: 'Hello' })]));
  }

  /** Undefined when this client cannot serve the address (not one unix:path socket, EXTERNAL refused). */
  static async open(address: string, plugin: string, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<WireBus | undefined> {
    const socketPath = unixSocketPath(address);
    if (socketPath === undefined || address.includes(';')) return undefined;
    const sock = net.createConnection(socketPath);
    const line = await authenticate(sock, address, plugin, timeoutMs);
    if (line.startsWith('OK ')) return new WireBus(sock, address, plugin, timeoutMs);
    sock.destroy();
    return undefined;
  }

  call(spec: CallSpec, operation?: string, timeoutMs = this.timeoutMs): Promise<unknown[]> {
    const op = operation ?? `${spec.interface}.${spec.member} on ${spec.path}`;
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      const serial = ++this.serial;
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        reject(new OpdbusError('Timeout', 'DBUS_CALL_TIMEOUT', `${op}: no reply within ${timeoutMs} ms`, { plugin: this.plugin }));
      }, timeoutMs);
      const settle = <A>(fn: (a: A) => void) => (a: A) => {
        clearTimeout(timer);
        this.pending.delete(serial);
        fn(a);
      };
      try {
        const msg = marshalCall({ ...spec, serial });
        this.pending.set(serial, { resolve: settle(resolve), reject: settle(reject), operation: op });
        this.sock.write(msg);
      } catch (err) {
        settle(reject)(dbusError(err, { plugin: this.plugin, operation: op }));
      }
    });
  }

  close(): void {
    this.lost ??= new OpdbusError('Unavailable', 'DBUS_CLOSED', `D-Bus connection to ${this.address} closed`, { plugin: this.plugin });
    this.sock.destroy();
  }

  private fail(why: string): void {
    this.lost ??= new OpdbusError('Unavailable', 'DBUS_DISCONNECTED', `D-Bus connection to ${this.address} lost: ${why}`, { plugin: this.plugin });
    for (const p of [...this.pending.values()]) p.reject(this.lost);
    this.sock.destroy();
  }

  /** Collects chunks until a whole message is there (one copy per message, not per chunk). */
  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    try {
      while (this.size >= this.need) {
        const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
        this.chunks = [buf];
        const length = messageLength(buf)!;
        if (buf.length < length) {
          this.need = length;
          return;
        }
        const rest = buf.subarray(length);
        this.chunks = rest.length ? [rest] : [];
        this.size = rest.length;
        this.need = 16;
        this.dispatch(readMessage(buf.subarray(0, length)));
      }
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  private dispatch(msg: WireMessage): void {
    const p = msg.replySerial === undefined ? undefined : this.pending.get(msg.replySerial);
    if (!p) return; // signals (NameAcquired) and Hello's reply
    if (msg.type === METHOD_RETURN) p.resolve(msg.body);
    else if (msg.type === ERROR) {
      const text = typeof msg.body[0] === 'string' ? msg.body[0] : '';
      p.reject(dbusError({ name: 'DBusError', type: msg.errorName ?? 'org.freedesktop.DBus.Error.Failed', text }, { plugin: this.plugin, operation: p.operation }));
    }
  }
}

/**
 * Runs read-only calls on the lean client, or on a full BusConnection (dbus-next) when the lean one
 * cannot serve the address; the connection is always closed.
 */
export async function withReadBus<T>(address: string, plugin: string, fn: (bus: MethodCaller) => Promise<T>): Promise<T> {
  const bus = await WireBus.open(address, plugin);
  if (!bus) return withBus(address, plugin, fn);
  try {
    return await fn(bus);
  } finally {
    bus.close();
  }
}
