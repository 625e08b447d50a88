// JSON-RPC 1.0 as RFC 7047 uses it, over one socket: requests with ids, responses carrying both
// `result` and `error`, notifications with `id: null`, and requests in both directions (the server
// sends `echo`, which we answer). Written by hand: json-rpc-2.0 requires `"jsonrpc": "2.0"` on every
// message and JSON-RPC 2.0 error objects, neither of which ovsdb-server sends (see docs/ovs.md).
import type * as net from 'node:net';
import { OpdbusError } from '../errors';
import { isOvsdbErrorObject, ovsdbError } from './errors';
import { JsonStreamSplitter } from './framing';

export type Id = number | string;
export interface RequestMessage { method: string; params: unknown[]; id: Id }
export interface NotificationMessage { method: string; params: unknown[]; id: null }
export interface ResponseMessage { result: unknown; error: unknown; id: Id | null }
export type Message = RequestMessage | NotificationMessage | ResponseMessage;

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface RpcHandlers {
  /** Server-to-client notifications: update, update2, locked, stolen. */
  onNotification(method: string, params: unknown[]): void;
  /** The socket closed (err is set when it broke rather than being closed by us). */
  onClose(err?: Error): void;
}

export class RpcConnection {
  private nextId = 1;
  private readonly pending = new Map<Id, Pending>();
  private readonly splitter = new JsonStreamSplitter();
  private closed = false;
  /** Time of the last byte received: the liveness check probes only an idle connection. */
  lastReceive = Date.now();

  constructor(private readonly socket: net.Socket, private readonly handlers: RpcHandlers, private readonly label: string) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.shutdown(new OpdbusError('Unavailable', 'OVSDB_DISCONNECTED', `OVSDB connection to ${label} lost: ${err.message}`, { cause: err })));
    socket.on('close', () => this.shutdown(new OpdbusError('Unavailable', 'OVSDB_DISCONNECTED', `OVSDB connection to ${label} closed`)));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Sends a request; settles with its result, a converted OVSDB error, a Timeout after timeoutMs, or
   * the signal's abort. A transact given up on is cancelled on the server (RFC 7047 4.1.4): one
   * blocked on a `wait` would otherwise keep running there.
   */
  request(method: string, params: unknown[], timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new OpdbusError('Unavailable', 'OVSDB_DISCONNECTED', `${method}: not connected to OVSDB at ${this.label}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const giveUp = (err: OpdbusError) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (method === 'transact') this.send({ method: 'cancel', params: [id], id: null });
        reject(err);
      };
      const onAbort = () => giveUp(new OpdbusError('Timeout', 'OVSDB_CANCELED', `${method} to OVSDB at ${this.label}: cancelled by the caller`));
      const timer = setTimeout(() => giveUp(new OpdbusError('Timeout', 'OVSDB_TIMEOUT', `${method} to OVSDB at ${this.label}: no reply in ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        method,
        resolve: (v) => (signal?.removeEventListener('abort', onAbort), resolve(v)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
        timer,
      });
      this.send({ method, params, id });
    });
  }

  notify(method: string, params: unknown[]): void {
    this.send({ method, params, id: null });
  }

  /** Closed by us on purpose: pending calls fail, onClose is not called. */
  close(): void {
    this.closed = true;
    this.socket.destroy();
    this.failPending(new OpdbusError('Unavailable', 'OVSDB_DISCONNECTED', `OVSDB connection to ${this.label} closed`));
  }

  /** Drops a connection found broken (no echo reply): like a socket error, onClose is called. */
  fail(err: Error): void {
    this.shutdown(err);
  }

  private send(msg: Message): void {
    if (!this.closed) this.socket.write(JSON.stringify(msg));
  }

  private receive(chunk: Buffer): void {
    this.lastReceive = Date.now();
    let messages: unknown[];
    try {
      messages = this.splitter.push(chunk);
    } catch (err) {
      this.shutdown(new OpdbusError('Backend', 'OVSDB_PROTOCOL', `OVSDB at ${this.label}: ${(err as Error).message}`));
      return;
    }
    for (const m of messages) this.dispatch(m as Partial<RequestMessage & ResponseMessage>);
  }

  private dispatch(m: Partial<RequestMessage & ResponseMessage>): void {
    if (typeof m.method === 'string') {
      const params = Array.isArray(m.params) ? m.params : [];
      if (m.id === null || m.id === undefined) this.handlers.onNotification(m.method, params);
      else if (m.method === 'echo') this.send({ result: params, error: null, id: m.id });
      else this.send({ result: null, error: { error: 'unknown method', details: m.method }, id: m.id });
      return;
    }
    const p = m.id === null || m.id === undefined ? undefined : this.pending.get(m.id);
    if (!p) return; // a reply to a request we already gave up on (timeout)
    this.pending.delete(m.id as Id);
    clearTimeout(p.timer);
    if (m.error !== null && m.error !== undefined) {
      p.reject(ovsdbError(isOvsdbErrorObject(m.error) ? m.error : { error: String(m.error) }, { operation: `${p.method} to OVSDB at ${this.label}` }));
    } else {
      p.resolve(m.result);
    }
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.failPending(err);
    this.handlers.onClose(err);
  }
}
