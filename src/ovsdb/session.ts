// A reconnecting OVSDB session: one RpcConnection at a time, replaced after a failure with
// exponential backoff; callers wait (within their own timeout) for the next connection. An idle
// connection is probed with our own `echo`, and dropped if the server stops answering.
import { EventEmitter } from 'node:events';
import { OpdbusError, toOpdbusError } from '../errors';
import { connectEndpoint, parseEndpoint, type Endpoint } from './endpoint';
import { RpcConnection } from './protocol';

export interface SessionOptions {
  /** Default timeout of every call, including the initial connect. */
  timeoutMs: number;
  /** Probe an idle connection after this long (0 = never). */
  echoIntervalMs: number;
  /** Reconnect after a failure; false makes a broken connection final. */
  reconnect: boolean;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { timeoutMs: 10_000, echoIntervalMs: 5_000, reconnect: true, backoffInitialMs: 100, backoffMaxMs: 5_000 };

/** Events: 'connected' (after every reconnect), 'disconnected' (err), 'retrying' (delayMs), 'notification' (method, params). */
export class Session extends EventEmitter {
  readonly endpoint: Endpoint;
  readonly options: SessionOptions;
  private conn?: RpcConnection;
  private closed = false;
  private backoffMs: number;
  private retryTimer?: NodeJS.Timeout;
  private echoTimer?: NodeJS.Timeout;
  /** False from a failure until the next connection has been re-established (monitors included). */
  private up = false;
  /** Runs on each new connection before waiting callers proceed (re-establishes monitors). */
  onReconnect: (conn: RpcConnection) => Promise<void> = async () => undefined;

  constructor(endpoint: string, options: Partial<SessionOptions> = {}) {
    super();
    this.endpoint = parseEndpoint(endpoint);
    this.options = { ...DEFAULT_SESSION_OPTIONS, ...options };
    this.backoffMs = this.options.backoffInitialMs;
  }

  /** The first connection: fails at once (no retry) so `available()`/query report a missing server plainly. */
  async open(): Promise<void> {
    this.conn = await this.dial();
    this.up = true;
    this.startEcho();
  }

  get connected(): boolean {
    return this.up && this.conn?.isOpen === true;
  }

  /**
   * Sends a request on the current connection. A request that can safely run twice (`retry`: it
   * changes nothing) and was lost with a connection is sent again on the next one, within the same
   * deadline; a changing transact is never resent (it may have committed).
   */
  async request(method: string, params: unknown[], timeoutMs = this.options.timeoutMs, signal?: AbortSignal, retry = false): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const conn = await this.ready(Math.max(1, deadline - Date.now()), method);
      try {
        return await conn.request(method, params, Math.max(1, deadline - Date.now()), signal);
      } catch (err) {
        const lost = err instanceof OpdbusError && err.code === 'OVSDB_DISCONNECTED';
        if (!retry || !lost || this.closed || !this.options.reconnect || Date.now() >= deadline) throw err;
      }
    }
  }

  notify(method: string, params: unknown[]): void {
    this.conn?.notify(method, params);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.echoTimer);
    this.conn?.close();
  }

  private async dial(): Promise<RpcConnection> {
    let socket;
    try {
      socket = await connectEndpoint(this.endpoint, this.options.timeoutMs);
    } catch (err) {
      const e = toOpdbusError(err, { operation: `connect to OVSDB at ${this.endpoint.text}` });
      throw e.kind === 'NotFound' || e.code === 'ECONNREFUSED' ? new OpdbusError('Unavailable', e.code, e.message, { cause: err }) : e;
    }
    // The socket alone must not keep a CLI process alive; pending calls hold their own timers.
    socket.unref();
    return new RpcConnection(socket, {
      onNotification: (method, params) => this.emit('notification', method, params),
      onClose: (err) => this.lost(err),
    }, this.endpoint.text);
  }

  private lost(err?: Error): void {
    this.up = false;
    this.emit('disconnected', err);
    if (this.closed || !this.options.reconnect) return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return; // a retry is already due (the connection broke while re-establishing)
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMaxMs);
    this.emit('retrying', delay);
    this.retryTimer = setTimeout(() => void this.retry(), delay);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    if (this.closed) return;
    try {
      this.conn = await this.dial();
      await this.onReconnect(this.conn);
      this.up = true;
      this.backoffMs = this.options.backoffInitialMs;
      this.emit('connected');
    } catch {
      if (this.conn?.isOpen) this.conn.close();
      this.scheduleRetry();
    }
  }

  /** The open connection, or the next one within timeoutMs. */
  private ready(timeoutMs: number, method: string): Promise<RpcConnection> {
    if (this.connected) return Promise.resolve(this.conn as RpcConnection);
    if (this.closed || !this.options.reconnect) {
      return Promise.reject(new OpdbusError('Unavailable', 'OVSDB_DISCONNECTED', `${method}: not connected to OVSDB at ${this.endpoint.text}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new OpdbusError('Timeout', 'OVSDB_TIMEOUT', `${method}: OVSDB at ${this.endpoint.text} did not come back within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve(this.conn as RpcConnection);
      };
      this.once('connected', onConnected);
    });
  }

  private startEcho(): void {
    if (!this.options.echoIntervalMs) return;
    this.echoTimer = setInterval(() => {
      const conn = this.conn;
      if (!conn?.isOpen || Date.now() - conn.lastReceive < this.options.echoIntervalMs) return;
      conn.request('echo', ['opdbus-liveness'], this.options.echoIntervalMs).catch((err: Error) => {
        if (conn.isOpen) conn.fail(new OpdbusError('Timeout', 'OVSDB_ECHO', `OVSDB at ${this.endpoint.text} did not answer echo: ${err.message}`));
      });
    }, this.options.echoIntervalMs);
    this.echoTimer.unref();
  }
}
