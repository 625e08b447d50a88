// Database schemas (RFC 7047 section 3.2) and the check every operation passes before it is sent:
// known table and columns, mutable columns only in update/mutate, and values of the column's type
// (atomic type, enum, integer range, string length, set size). A bad operation fails here with a
// message naming the operation, the column and the value, instead of an opaque server error.
import { OpdbusError } from '../errors';
import type { Operation } from './operations';

export interface BaseType {
  type: 'integer' | 'real' | 'boolean' | 'string' | 'uuid';
  enum?: unknown;
  minInteger?: number;
  maxInteger?: number;
  minLength?: number;
  maxLength?: number;
  refTable?: string;
}
export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  max: number;
}
export interface ColumnSchema {
  type: ColumnType;
  mutable: boolean;
  ephemeral: boolean;
}
export interface TableSchema {
  columns: Record<string, ColumnSchema>;
  isRoot: boolean;
  indexes: string[][];
}
export interface DatabaseSchema {
  name: string;
  version: string;
  tables: Record<string, TableSchema>;
}

type RawBase = string | (Omit<BaseType, 'type'> & { type: string });
type RawType = string | { key: RawBase; value?: RawBase; min?: number; max?: number | 'unlimited' };

function base(raw: RawBase): BaseType {
  return (typeof raw === 'string' ? { type: raw } : raw) as BaseType;
}

/** Normalises the schema JSON get_schema returns (short forms expanded). */
export function parseSchema(raw: unknown): DatabaseSchema {
  const r = raw as { name: string; version: string; tables: Record<string, { columns: Record<string, { type: RawType; mutable?: boolean; ephemeral?: boolean }>; isRoot?: boolean; indexes?: string[][] }> };
  const tables: Record<string, TableSchema> = {};
  for (const [name, t] of Object.entries(r.tables)) {
    const columns: Record<string, ColumnSchema> = {};
    for (const [cname, c] of Object.entries(t.columns)) {
      const rt = c.type;
      const type: ColumnType = typeof rt === 'string'
        ? { key: base(rt), min: 1, max: 1 }
        : { key: base(rt.key), value: rt.value === undefined ? undefined : base(rt.value), min: rt.min ?? 1, max: rt.max === 'unlimited' ? Infinity : rt.max ?? 1 };
      columns[cname] = { type, mutable: c.mutable !== false, ephemeral: c.ephemeral === true };
    }
    const uuidType: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };
    columns._uuid = { type: uuidType, mutable: false, ephemeral: false };
    columns._version = { type: uuidType, mutable: false, ephemeral: false };
    tables[name] = { columns, isRoot: t.isRoot === true, indexes: t.indexes ?? [] };
  }
  return { name: r.name, version: r.version, tables };
}

class Checker {
  constructor(private readonly schema: DatabaseSchema, private readonly where: string) {}

  fail(msg: string): never {
    throw new OpdbusError('InvalidInput', 'OVSDB_SCHEMA', `${this.where}: ${msg}`);
  }

  table(name: unknown): TableSchema {
    const t = typeof name === 'string' ? this.schema.tables[name] : undefined;
    return t ?? this.fail(`unknown table ${JSON.stringify(name)} in database ${this.schema.name}`);
  }

  column(t: TableSchema, tname: string, col: string, writing: 'insert' | 'update' | 'read'): ColumnSchema {
    const c = t.columns[col] ?? this.fail(`table ${tname} has no column ${JSON.stringify(col)}`);
    if (writing !== 'read' && (col === '_uuid' || col === '_version')) this.fail(`column ${tname}.${col} cannot be written`);
    if (writing === 'update' && !c.mutable) this.fail(`column ${tname}.${col} is immutable`);
    return c;
  }

  datum(v: unknown, type: ColumnType, label: string, setOfKeysOk = false): void {
    const els = Array.isArray(v) && v[0] === 'set' ? (v[1] as unknown[]) : Array.isArray(v) && v[0] === 'map' ? undefined : [v];
    if (els === undefined) {
      if (!type.value) this.fail(`${label}: expected ${describe(type)}, found a map`);
      const pairs = (v as ['map', unknown[]])[1];
      if (!Array.isArray(pairs)) this.fail(`${label}: malformed map ${JSON.stringify(v)}`);
      for (const p of pairs) {
        if (!Array.isArray(p) || p.length !== 2) this.fail(`${label}: malformed map entry ${JSON.stringify(p)}`);
        this.atom(p[0], type.key, `${label} key`);
        this.atom(p[1], type.value, `${label}[${JSON.stringify(p[0])}]`);
      }
      this.size(pairs.length, type, label);
      return;
    }
    if (type.value && !setOfKeysOk && !(Array.isArray(v) && v[0] === 'set' && els.length === 0)) this.fail(`${label}: expected ${describe(type)}, found ${JSON.stringify(v)}`);
    for (const e of els) this.atom(e, type.key, label);
    if (!setOfKeysOk) this.size(els.length, type, label);
  }

  private size(n: number, type: ColumnType, label: string): void {
    if (n < type.min || n > type.max) this.fail(`${label}: expected ${describe(type)}, found ${n} element(s)`);
  }

  private atom(a: unknown, b: BaseType, label: string): void {
    const ok =
      b.type === 'integer' ? Number.isInteger(a)
      : b.type === 'real' ? typeof a === 'number'
      : b.type === 'boolean' ? typeof a === 'boolean'
      : b.type === 'string' ? typeof a === 'string'
      : Array.isArray(a) && (a[0] === 'uuid' || a[0] === 'named-uuid') && typeof a[1] === 'string';
    if (!ok) this.fail(`${label}: expected ${b.type}, found ${JSON.stringify(a)}`);
    if (b.enum !== undefined) {
      const allowed = Array.isArray(b.enum) && b.enum[0] === 'set' ? (b.enum[1] as unknown[]) : [b.enum];
      if (!allowed.includes(a)) this.fail(`${label}: expected one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}, found ${JSON.stringify(a)}`);
    }
    if (typeof a === 'number' && ((b.minInteger !== undefined && a < b.minInteger) || (b.maxInteger !== undefined && a > b.maxInteger))) {
      this.fail(`${label}: expected an integer in ${b.minInteger ?? '-inf'}..${b.maxInteger ?? 'inf'}, found ${a}`);
    }
    if (typeof a === 'string' && ((b.minLength !== undefined && a.length < b.minLength) || (b.maxLength !== undefined && a.length > b.maxLength))) {
      this.fail(`${label}: string length must be ${b.minLength ?? 0}..${b.maxLength ?? 'unlimited'}, found ${a.length}`);
    }
  }
}

function describe(t: ColumnType): string {
  const inner = t.value ? `map of ${t.key.type} to ${t.value.type}` : t.key.type;
  if (t.min === 1 && t.max === 1) return `one ${inner}`;
  return `${t.value ? '' : 'set of '}${t.min}..${t.max === Infinity ? 'unlimited' : t.max} ${inner}`;
}

const WHERE_FUNCTIONS = new Set(['<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes']);
const MUTATORS = new Set(['+=', '-=', '*=', '/=', '%=', 'insert', 'delete']);

/** Throws InvalidInput naming the operation and field when `op` does not fit `schema`. */
export function checkOperation(schema: DatabaseSchema, op: Operation, index: number): void {
  const ck = new Checker(schema, `operation ${index} (${op.op}${'table' in op ? ' ' + op.table : ''})`);
  if (op.op === 'commit' || op.op === 'abort' || op.op === 'comment' || op.op === 'assert') return;
  const t = ck.table(op.table);
  if ('where' in op && op.where !== undefined) {
    for (const [col, fn, value] of op.where) {
      const c = ck.column(t, op.table, col, 'read');
      if (!WHERE_FUNCTIONS.has(fn)) ck.fail(`unknown condition function ${JSON.stringify(fn)}`);
      // A condition compares with any subset of the column's values (an empty set included).
      ck.datum(value, { ...c.type, min: 0 }, `where ${col}`);
    }
  }
  if (op.op === 'insert' || op.op === 'update') {
    for (const [col, value] of Object.entries(op.row)) ck.datum(value, ck.column(t, op.table, col, op.op).type, `${op.table}.${col}`);
  } else if (op.op === 'mutate') {
    for (const [col, mutator, value] of op.mutations) {
      const c = ck.column(t, op.table, col, 'update');
      if (!MUTATORS.has(mutator)) ck.fail(`unknown mutator ${JSON.stringify(mutator)}`);
      const elementwise = mutator === 'insert' || mutator === 'delete';
      ck.datum(value, elementwise ? { ...c.type, min: 0 } : { key: c.type.key, min: 1, max: 1 }, `${op.table}.${col} ${mutator}`, mutator === 'delete');
    }
  } else if (op.op === 'wait') {
    if (op.until !== '==' && op.until !== '!=') ck.fail(`until must be "==" or "!=", found ${JSON.stringify(op.until)}`);
    for (const col of op.columns) ck.column(t, op.table, col, 'read');
    for (const row of op.rows) for (const [col, value] of Object.entries(row)) ck.datum(value, ck.column(t, op.table, col, 'read').type, `wait ${op.table}.${col}`);
  } else if (op.op === 'select' && op.columns) {
    for (const col of op.columns) ck.column(t, op.table, col, 'read');
  }
}
