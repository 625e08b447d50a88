// Canonical JSON (sorted keys, no whitespace) and its SHA-256: how states are hashed for the journal,
// the ledger footprints and history deduplication, so equal states always hash equal.
import { native } from '../native/binding';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Whether two JSON values are equal as canonicalJson sees them (key order ignored, undefined object
 * fields left out, undefined array elements and non-finite numbers as null), without serialising them: for plain data
 * (no toJSON, no classes), as diff compares states.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // NaN and the infinities print as null.
  if (typeof a === 'number' && !Number.isFinite(a)) return b === null || (typeof b === 'number' && !Number.isFinite(b));
  if (typeof b === 'number' && !Number.isFinite(b)) return a === null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let fields = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    fields++;
    if (y[k] === undefined || !Object.prototype.hasOwnProperty.call(y, k) || !jsonEqual(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) fields--;
  return fields === 0;
}

const once = new WeakMap<object, string>();
/**
 * canonicalJson(value), kept for the object's lifetime: for values made once and never changed
 * afterwards (a plan's actions, serialised while the plugins apply and put in the ledger after).
 */
export function canonicalJsonOnce(value: object): string {
  let json = once.get(value);
  if (json === undefined) once.set(value, (json = canonicalJson(value)));
  return json;
}

/**
 * The value with every plain object's keys in sorted order. A part that is already canonical is
 * returned as it is, not copied: the states and footprints hashed here are mostly built in sorted
 * order, and copying them was most of the cost (and of the garbage) of hashing a large state.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = sortKeys(value[i]);
      if (out) out.push(v);
      else if (v !== value[i]) (out = value.slice(0, i)).push(v);
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    let keep = isPlain(obj);
    for (let i = 1; keep && i < keys.length; i++) keep = keys[i - 1] < keys[i];
    const sorted = keep ? keys : keys.sort();
    let out: Record<string, unknown> | undefined = keep ? undefined : {};
    for (let i = 0; i < sorted.length; i++) {
      const v = obj[sorted[i]];
      if (v === undefined) continue; // JSON.stringify leaves it out either way
      const c = sortKeys(v);
      if (!out && c !== v) {
        out = {};
        for (let j = 0; j < i; j++) if (obj[sorted[j]] !== undefined) out[sorted[j]] = obj[sorted[j]];
      }
      if (out) out[sorted[i]] = c;
    }
    return out ?? obj;
  }
  return value;
}

/** An object JSON.stringify prints as its own enumerable keys (no class, no toJSON). */
function isPlain(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  return (proto === Object.prototype || proto === null) && !('toJSON' in obj);
}

/**
 * SHA-256 (hex) of a string's UTF-8 or of bytes. In the addon (OpenSSL's, as node:crypto's is): a
 * short CLI run then does not load node:crypto (~5 ms) just to hash its document and states.
 */
export function sha256Hex(text: string | Buffer): string {
  return (sha256 ??= loadSha256())(text);
}
let sha256: ((data: string | Buffer) => string) | undefined;

/** The addon's, or node:crypto's where the addon is not built (yet) or older (scripts run during the build). */
function loadSha256(): (data: string | Buffer) => string {
  let fn: unknown;
  try {
    fn = native().sha256Hex; // undefined in an addon built before it existed
  } catch {
    // not built yet
  }
  if (typeof fn === 'function') return fn as (data: string | Buffer) => string;
  const crypto = require('node:crypto') as typeof import('node:crypto');
  return (data) => crypto.createHash('sha256').update(data).digest('hex');
}

export function stateHash(value: unknown): string {
  return sha256Hex(canonicalJson(value ?? null));
}
