// The OVSDB client API (RFC 7047 section 4.1): list_dbs, get_schema, transact (checked against the
// schema first; a failure names the operation), cancel through an AbortSignal, monitor/monitor_cond
// feeding a DatabaseCache (re-established after every reconnect), lock/steal/unlock, echo.
import { EventEmitter } from 'node:events';
import { OpdbusError } from '../errors';
import { DatabaseCache } from './cache';
import { isOvsdbErrorObject, ovsdbError } from './errors';
import type { Operation, OperationResult } from './operations';
import type { RpcConnection } from './protocol';
import { checkOperation, parseSchema, type DatabaseSchema } from './schema';
import { Session, type SessionOptions } from './session';

export interface MonitorRequest {
  columns?: string[];
  /** monitor_cond only: rows to send, e.g. [["name", "==", "br0"]]; omitted = every row. */
  where?: unknown[];
}

interface MonitorRegistration {
  db: string;
  requests: Record<string, MonitorRequest>;
  cond: boolean;
  cache: DatabaseCache;
  /**
   * Updates that arrived before the initial rows were loaded. The server sends them after its reply
   * to the monitor request, but a reply settles a promise (later) while a notification in the same
   * chunk is dispatched at once: without this queue an early "modify" would be overwritten.
   */
  early?: unknown[];
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Operations that change nothing: a transaction made only of these may be resent after a lost connection. */
const READ_ONLY_OPS = new Set(['select', 'wait', 'comment', 'assert']);

/** Lock names are RFC 7047 <id>s: ovsdb-server refuses anything else with a bare "syntax error". */
function checkLockId(lockId: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(lockId)) throw new OpdbusError('InvalidInput', 'OVSDB_LOCK_ID', `lock name ${JSON.stringify(lockId)}: expected letters, digits and _ (not starting with a digit)`);
}

/** Events: 'update' (monitorId, db), 'locked' (lockId), 'stolen' (lockId), plus the session's. */
export class OvsdbClient extends EventEmitter {
  readonly session: Session;
  private readonly schemas = new Map<string, DatabaseSchema>();
  private readonly monitors = new Map<string, MonitorRegistration>();

  private constructor(endpoint: string, options: Partial<SessionOptions>) {
    super();
    this.session = new Session(endpoint, options);
    this.session.on('notification', (method: string, params: unknown[]) => this.notification(method, params));
    this.session.on('disconnected', (err) => this.emit('disconnected', err));
    this.session.on('connected', () => this.emit('connected'));
    this.session.onReconnect = (conn) => this.reestablish(conn);
  }

  static async connect(endpoint: string, options: Partial<SessionOptions> = {}): Promise<OvsdbClient> {
    const client = new OvsdbClient(endpoint, options);
    await client.session.open();
    return client;
  }

  get endpoint(): string {
    return this.session.endpoint.text;
  }

  async listDbs(opts: CallOptions = {}): Promise<string[]> {
    return (await this.session.request('list_dbs', [], opts.timeoutMs, opts.signal, true)) as string[];
  }

  async getSchema(db: string, opts: CallOptions = {}): Promise<DatabaseSchema> {
    const known = this.schemas.get(db);
    if (known) return known;
    const schema = parseSchema(await this.session.request('get_schema', [db], opts.timeoutMs, opts.signal, true));
    this.schemas.set(db, schema);
    return schema;
  }

  /**
   * Runs `ops` as one transaction. Throws InvalidInput when an operation does not fit the schema:
   * before sending (a read-only transaction before the schema is known: before using its results), and an OpdbusError naming the failed operation when the server refuses it. A failed
   * `wait` means the rows changed under us: kind Conflict (the RFC says "timed out").
   */
  async transact(db: string, ops: Operation[], opts: CallOptions = {}): Promise<OperationResult[]> {
    const readOnly = ops.every((op) => READ_ONLY_OPS.has(op.op));
    const send = () => this.session.request('transact', [db, ...ops], opts.timeoutMs, opts.signal, readOnly) as Promise<(OperationResult | null)[]>;
    let results: (OperationResult | null)[];
    if (readOnly && !this.schemas.has(db)) {
      // A first read need not wait for the schema: both requests go out at once, and the operations
      // are checked before any result is used (a read changes nothing, whatever the server makes of it).
      const [schema, reply] = await Promise.allSettled([this.getSchema(db, opts), send()]);
      if (schema.status === 'rejected') throw schema.reason;
      ops.forEach((op, i) => checkOperation(schema.value, op, i));
      if (reply.status === 'rejected') throw reply.reason;
      results = reply.value;
    } else {
      const schema = await this.getSchema(db, opts);
      ops.forEach((op, i) => checkOperation(schema, op, i));
      results = await send();
    }
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (!isOvsdbErrorObject(r)) continue;
      const op = ops[i] as Operation | undefined;
      const isWait = op?.op === 'wait' && r.error === 'timed out';
      throw ovsdbError(r, {
        operation: `transact ${db}`,
        opIndex: op ? i : undefined,
        op,
        ...(isWait ? { kind: 'Conflict' as const, code: 'OVSDB_WAIT_FAILED' } : {}),
      });
    }
    return results as OperationResult[];
  }

  /**
   * Starts a monitor (monitor_cond with update2 when `cond`, else plain monitor) and returns its
   * cache, filled with the initial rows. The monitor is re-established after every reconnect.
   */
  async monitor(db: string, monitorId: string, requests: Record<string, MonitorRequest>, opts: CallOptions & { cond?: boolean } = {}): Promise<DatabaseCache> {
    if (this.monitors.has(monitorId)) throw new OpdbusError('Bug', 'OVSDB_MONITOR_ID', `monitor id ${monitorId} is already in use`);
    const checkTables = (schema: DatabaseSchema) => {
      for (const table of Object.keys(requests)) if (!schema.tables[table]) throw new OpdbusError('InvalidInput', 'OVSDB_SCHEMA', `monitor ${monitorId}: unknown table ${table} in database ${db}`);
    };
    const known = this.schemas.get(db);
    if (known) checkTables(known);
    const reg: MonitorRegistration = { db, requests, cond: opts.cond ?? true, cache: new DatabaseCache(known), early: [] };
    this.monitors.set(monitorId, reg);
    try {
      const initial = this.session.request(reg.cond ? 'monitor_cond' : 'monitor', [db, monitorId, requests], opts.timeoutMs, opts.signal);
      if (!known) {
        // A first monitor need not wait for the schema either: both requests go out at once. The
        // tables are checked before the rows are used; the server refuses an unknown table itself.
        const [schema, reply] = await Promise.allSettled([this.getSchema(db, opts), initial]);
        try {
          if (schema.status === 'rejected') throw schema.reason;
          checkTables(schema.value);
        } catch (err) {
          // The server may have started the monitor all the same: stop it, or the id stays taken.
          if (reply.status === 'fulfilled') this.session.request('monitor_cancel', [monitorId], opts.timeoutMs).catch(() => undefined);
          throw err;
        }
        if (reply.status === 'rejected') throw reply.reason;
        reg.cache.schema = schema.value;
      }
      this.loadInitial(monitorId, reg, await initial);
    } catch (err) {
      this.monitors.delete(monitorId);
      throw err;
    }
    return reg.cache;
  }

  async monitorCancel(monitorId: string, opts: CallOptions = {}): Promise<void> {
    if (!this.monitors.delete(monitorId)) return;
    await this.session.request('monitor_cancel', [monitorId], opts.timeoutMs, opts.signal);
  }

  /** True when the lock was granted at once; otherwise a 'locked' event follows when it is. */
  async lock(lockId: string, opts: CallOptions = {}): Promise<boolean> {
    checkLockId(lockId);
    return ((await this.session.request('lock', [lockId], opts.timeoutMs, opts.signal)) as { locked: boolean }).locked;
  }

  async steal(lockId: string, opts: CallOptions = {}): Promise<boolean> {
    checkLockId(lockId);
    return ((await this.session.request('steal', [lockId], opts.timeoutMs, opts.signal)) as { locked: boolean }).locked;
  }

  async unlock(lockId: string, opts: CallOptions = {}): Promise<void> {
    await this.session.request('unlock', [lockId], opts.timeoutMs, opts.signal);
  }

  async echo(opts: CallOptions = {}): Promise<void> {
    await this.session.request('echo', ['opdbus'], opts.timeoutMs, opts.signal, true);
  }

  close(): void {
    this.session.close();
  }

  /** `announce`: emit 'update' even without queued updates (a reload after a reconnect changes the rows). */
  private loadInitial(monitorId: string, reg: MonitorRegistration, initial: unknown, announce = false): void {
    const early = reg.early ?? [];
    reg.early = undefined;
    reg.cache.clear();
    this.load(reg, initial);
    for (const updates of early) this.load(reg, updates);
    if (early.length || announce) this.emit('update', monitorId, reg.db);
  }

  private load(reg: MonitorRegistration, updates: unknown): void {
    if (reg.cond) reg.cache.applyUpdate2(updates as Parameters<DatabaseCache['applyUpdate2']>[0]);
    else reg.cache.applyUpdate(updates as Parameters<DatabaseCache['applyUpdate']>[0]);
  }

  private notification(method: string, params: unknown[]): void {
    if (method === 'update' || method === 'update2') {
      const reg = this.monitors.get(String(params[0]));
      if (!reg) return;
      if (reg.early) return void reg.early.push(params[1]);
      this.load(reg, params[1]);
      this.emit('update', params[0], reg.db);
    } else if (method === 'locked' || method === 'stolen') {
      this.emit(method, params[0]);
    }
  }

  /** After a reconnect: the server may have a new schema and has forgotten our monitors. */
  private async reestablish(conn: RpcConnection): Promise<void> {
    this.schemas.clear();
    for (const [id, reg] of this.monitors) {
      reg.early = [];
      this.loadInitial(id, reg, await conn.request(reg.cond ? 'monitor_cond' : 'monitor', [reg.db, id, reg.requests], this.session.options.timeoutMs), true);
    }
  }
}
