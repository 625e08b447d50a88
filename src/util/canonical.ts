// Canonical JSON (sorted keys, no whitespace) and its SHA-256: how states are hashed for the journal,
// the ledger footprints and history deduplication, so equal states always hash equal.
import * as crypto from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function stateHash(value: unknown): string {
  return sha256Hex(canonicalJson(value ?? null));
}
