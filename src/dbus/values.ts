// D-Bus values <-> JSON, driven by the type signature: integers range-checked per type, 64-bit
// integers as numbers when exact (else decimal strings), byte arrays as number arrays, dicts as
// objects, structs as arrays, variants unwrapped on read and typed by their JSON value on write.
import type { Variant } from 'dbus-next';
import { variant } from './lib';
import { isDict, parseSingleType, type DbusType } from './signature';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const INT_RANGES: Record<string, [bigint, bigint, string]> = {
  y: [0n, 255n, 'a byte (0..255)'],
  n: [-32768n, 32767n, 'a signed 16-bit integer'],
  q: [0n, 65535n, 'an unsigned 16-bit integer'],
  i: [-2147483648n, 2147483647n, 'a signed 32-bit integer'],
  u: [0n, 4294967295n, 'an unsigned 32-bit integer'],
  x: [-(2n ** 63n), 2n ** 63n - 1n, 'a signed 64-bit integer'],
  t: [0n, 2n ** 64n - 1n, 'an unsigned 64-bit integer'],
};

/** A value that does not fit the D-Bus type; `where` is a JSON pointer suffix inside the value. */
export class ValueTypeError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

export function dbusToJson(t: DbusType, v: unknown): Json {
  switch (t.code) {
    case 'x':
    case 't': {
      const n = BigInt(v as bigint);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    case 'v': {
      const variant = v as Variant;
      return dbusToJson(parseSingleType(variant.signature), variant.value);
    }
    case 'a': {
      if (isDict(t)) {
        const out: Record<string, Json> = {};
        for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = dbusToJson(t.children[0].children[1], val);
        return out;
      }
      return Array.from(v as ArrayLike<unknown>, (e) => dbusToJson(t.children[0], e));
    }
    case '(':
      return (v as unknown[]).map((e, i) => dbusToJson(t.children[i], e));
    default:
      return v as Json;
  }
}

/** The D-Bus type a JSON value gets inside a variant. */
export function inferSignature(j: Json): string {
  if (typeof j === 'boolean') return 'b';
  if (typeof j === 'string') return 's';
  if (typeof j === 'number') return Number.isInteger(j) ? (j >= -2147483648 && j <= 2147483647 ? 'i' : 'x') : 'd';
  if (Array.isArray(j)) {
    if (j.length && j.every((e) => typeof e === 'string')) return 'as';
    if (j.length && j.every((e) => typeof e === 'number' && Number.isInteger(e) && e >= -2147483648 && e <= 2147483647)) return 'ai';
    return 'av';
  }
  if (j !== null && typeof j === 'object') return 'a{sv}';
  throw new ValueTypeError('', 'null has no D-Bus type');
}

function describe(j: unknown): string {
  return JSON.stringify(j) ?? String(j);
}

function toInteger(t: DbusType, j: Json, where: string): number | bigint {
  const [min, max, what] = INT_RANGES[t.code];
  let n: bigint | undefined;
  if (typeof j === 'number' && Number.isInteger(j)) n = BigInt(j);
  else if (typeof j === 'string' && /^-?[0-9]+$/.test(j) && (t.code === 'x' || t.code === 't')) n = BigInt(j);
  if (n === undefined || n < min || n > max) throw new ValueTypeError(where, `expected ${what} (D-Bus type ${t.code}), found ${describe(j)}`);
  return t.code === 'x' || t.code === 't' ? n : Number(n);
}

/** Converts a JSON value to what dbus-next marshals for type `t`; throws ValueTypeError naming where. */
export function jsonToDbus(t: DbusType, j: Json, where = ''): unknown {
  const mismatch = (what: string): never => {
    throw new ValueTypeError(where, `expected ${what} (D-Bus type ${t.text}), found ${describe(j)}`);
  };
  switch (t.code) {
    case 'y':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
    case 'x':
    case 't':
      return toInteger(t, j, where);
    case 'd':
      return typeof j === 'number' && Number.isFinite(j) ? j : mismatch('a number');
    case 'b':
      return typeof j === 'boolean' ? j : mismatch('true or false');
    case 's':
      return typeof j === 'string' ? j : mismatch('a string');
    case 'o':
      return typeof j === 'string' && /^\/([A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*)?$/.test(j) ? j : mismatch('an object path');
    case 'g':
      return typeof j === 'string' ? j : mismatch('a type signature');
    case 'h':
      return mismatch('a file descriptor, which a document cannot carry');
    case 'v': {
      if (j === null) throw new ValueTypeError(where, 'null has no D-Bus type');
      const signature = inferSignature(j);
      return variant(signature, jsonToDbus(parseSingleType(signature), j, where));
    }
    case '(':
      if (!Array.isArray(j) || j.length !== t.children.length) mismatch(`an array of ${t.children.length} fields`);
      return (j as Json[]).map((e, i) => jsonToDbus(t.children[i], e, `${where}/${i}`));
    case 'a':
      if (isDict(t)) {
        if (j === null || typeof j !== 'object' || Array.isArray(j)) return mismatch('an object');
        const [kt, vt] = t.children[0].children;
        const out: Record<string, unknown> = {};
        for (const [k, val] of Object.entries(j)) {
          const key = 'ybnqiuxtd'.includes(kt.code) ? jsonToDbus(kt, Number(k), `${where}/${k}`) : k;
          out[String(key)] = jsonToDbus(vt, val, `${where}/${k}`);
        }
        return out;
      }
      if (!Array.isArray(j)) return mismatch('an array');
      return (j as Json[]).map((e, i) => jsonToDbus(t.children[0], e, `${where}/${i}`));
    default:
      return mismatch('a supported type');
  }
}

/** Canonical JSON text for comparing values (object keys sorted). */
export function canonical(j: unknown): string {
  if (Array.isArray(j)) return `[${j.map(canonical).join(',')}]`;
  if (j !== null && typeof j === 'object') {
    return `{${Object.keys(j as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((j as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(j);
}
