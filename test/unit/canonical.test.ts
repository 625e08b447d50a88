// Canonical JSON: sorted keys at every depth, and the same text whether or not the input was already
// in canonical order (parts that are canonical are not copied; the result must not show it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as crypto from 'node:crypto';
import { footprintBytes, type BlockFootprint } from '../../src/ledger/block';
import { canonicalJson, canonicalJsonOnce, jsonEqual, sha256Hex, stateHash } from '../../src/util/canonical';

/** The definition: copy everything with sorted keys, then stringify (what canonicalJson must print). */
function reference(value: unknown): string {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = copy((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(copy(value));
}

/** A deterministic pseudo-random generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 5 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(r() * 1000) - 500;
    case 2: return `s${Math.floor(r() * 50)}`;
    case 3: return r() < 0.5;
    case 4: return undefined;
    case 5: {
      const a: unknown[] = [];
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) a.push(randomValue(r, depth + 1));
      return a;
    }
    default: {
      // Keys sometimes in order, sometimes not; integer-like keys too (objects list those first).
      const keys = ['a', 'b', 'c', 'name', 'mtu', '10', '9', 'z', 'ipv4'];
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      const chosen = keys.filter(() => r() < n / keys.length);
      if (r() < 0.5) chosen.sort();
      for (const k of chosen) o[k] = randomValue(r, depth + 1);
      return o;
    }
  }
}

test('canonicalJson prints what the copy-and-sort definition prints, for 5,000 random values', () => {
  const r = rng(20261126);
  for (let i = 0; i < 5000; i++) {
    const v = randomValue(r, 0);
    assert.equal(canonicalJson(v), reference(v), `value #${i}: ${JSON.stringify(v)}`);
  }
});

test('keys are sorted at every depth, and the input is left as it was', () => {
  const input = { z: 1, a: { y: [{ b: 2, a: 1 }], x: null }, m: undefined };
  const before = JSON.stringify(input);
  assert.equal(canonicalJson(input), '{"a":{"x":null,"y":[{"a":1,"b":2}]},"z":1}');
  assert.equal(JSON.stringify(input), before);
  assert.deepEqual(Object.keys(input.a.y[0]), ['b', 'a']);
});

test('objects that are not plain print as their canonical copy did: no toJSON, no class', () => {
  class Point {
    constructor(public y: number, public x: number) {}
  }
  const withToJson = { b: 1, toJSON: () => 'replaced' };
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
  const cases: unknown[] = [new Date(0), new Point(2, 1), withToJson, nullProto, [new Map([[1, 2]]), new Set([1])], { d: new Date(0) }];
  cases.forEach((v, i) => assert.equal(canonicalJson(v), reference(v), `case #${i}`));
  assert.equal(canonicalJson(new Point(2, 1)), '{"x":1,"y":2}');
});

test('states that differ only in key order hash equal; different states do not', () => {
  assert.equal(stateHash({ a: 1, b: [{ c: 1, d: 2 }] }), stateHash({ b: [{ d: 2, c: 1 }], a: 1 }));
  assert.notEqual(stateHash({ a: 1 }), stateHash({ a: 2 }));
  assert.equal(stateHash(undefined), stateHash(null));
});

test('sha256Hex (in the addon) is SHA-256 of the UTF-8 text or of the bytes, as node:crypto computes it', () => {
  const inputs: (string | Buffer)[] = ['', 'abc', 'naïve 🙂 \u00e9', '\ud800 lone surrogate', 'x'.repeat(300_000), Buffer.from([0, 1, 2, 255]), Buffer.alloc(0)];
  for (const input of inputs) assert.equal(sha256Hex(input), crypto.createHash('sha256').update(input).digest('hex'));
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('ledger footprint bytes (actions JSON made ahead, spliced in front) equal canonicalJson of the footprint', () => {
  const r = rng(7);
  const footprints: BlockFootprint[] = [];
  for (let i = 0; i < 300; i++) {
    const actions = Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, 1)) as BlockFootprint['actions'];
    const fp: Record<string, unknown> = { verified: r() < 0.5, plugin: `p${i}`, actions, beforeHash: 'b'.repeat(8), applied: r() < 0.5, rolledBack: false };
    if (r() < 0.5) fp.afterHash = 'a'.repeat(8);
    if (r() < 0.3) fp.error = { kind: 'Backend', message: 'x' };
    if (r() < 0.1) fp.aaa = 1; // a key sorted before `actions`: not spliced
    if (r() < 0.1) delete fp.actions;
    if (r() < 0.5 && Array.isArray(actions)) canonicalJsonOnce(actions); // made ahead, as while applying
    footprints.push(fp as unknown as BlockFootprint);
  }
  const bytes = footprintBytes(footprints);
  footprints.forEach((f, i) => assert.equal(bytes[i].toString(), reference(f), `footprint ${i}`));
});

test('jsonEqual says what comparing canonical JSON says, for 20,000 random pairs', () => {
  const r = rng(11);
  /** A copy with keys reordered, and now and then one leaf changed, one undefined field added or dropped. */
  const variant = (v: unknown): unknown => {
    if (r() < 0.03) return randomValue(r, 3);
    if (Array.isArray(v)) return v.map(variant);
    if (v && typeof v === 'object') {
      const keys = Object.keys(v).reverse();
      const out: Record<string, unknown> = {};
      for (const k of keys) if (r() > 0.02) out[k] = variant((v as Record<string, unknown>)[k]);
      if (r() < 0.05) out.extra = r() < 0.5 ? undefined : 1;
      return out;
    }
    return v;
  };
  let equal = 0;
  for (let i = 0; i < 20_000; i++) {
    const a = randomValue(r, 0);
    const b = r() < 0.2 ? randomValue(r, 0) : variant(a);
    const expected = canonicalJson(a) === canonicalJson(b);
    if (expected) equal++;
    assert.equal(jsonEqual(a, b), expected, `${canonicalJson(a)} vs ${canonicalJson(b)}`);
  }
  assert.ok(equal > 5_000 && equal < 19_000, `both outcomes are tested (${equal} equal)`);
});

test('jsonEqual: non-finite numbers and undefined array elements compare as the null they print as', () => {
  const pairs: [unknown, unknown][] = [[NaN, NaN], [NaN, null], [null, Infinity], [[NaN], [null]], [[undefined], [null]], [{ a: -Infinity }, { a: null }], [NaN, 0], [{ a: NaN }, {}], [undefined, null], [[1, undefined], [1]]];
  for (const [a, b] of pairs) assert.equal(jsonEqual(a, b), canonicalJson(a) === canonicalJson(b), `${String(a)} vs ${String(b)}`);
});
