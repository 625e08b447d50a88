// Exerciser for scripts/memcheck.js: the json module's stream scan, over messages cut at every byte
// boundary, values spanning chunks, and its argument and syntax errors.
'use strict';
const { native } = require('../../../dist/src/native/binding.js');

const addon = native();
const messages = [
  { method: 'update2', params: ['m', { Bridge: { u1: { insert: { name: 'br"0}', ids: ['map', [['k\\"}{', 'v]\\\\']]] } } } }], id: null },
  { result: [{ rows: [{ name: 'grüße ✓', n: [1, [2, [3]]] }] }], error: null, id: 7 },
  [],
];
const stream = Buffer.from(messages.map((m) => JSON.stringify(m)).join('\n '));

for (let round = 0; round < 20; round++) {
  for (let cut = 0; cut <= stream.length; cut += 1 + round) {
    const state = new Int32Array(3);
    let values = 0;
    for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
      const r = addon.jsonScan(part, state);
      if (r[0] !== -1) throw new Error(`unexpected syntax error at ${r[0]}`);
      values += r[2];
    }
    if (values !== messages.length || state[0] !== 0) throw new Error(`cut ${cut}: ${values} values, depth ${state[0]}`);
  }
  const bad = addon.jsonScan(Buffer.from('{} x'), new Int32Array(3));
  if (bad[0] !== 3) throw new Error('garbage between messages not reported');
  for (const args of [[], [Buffer.from('{}')], [Buffer.from('{}'), new Int32Array(2)], ['{}', new Int32Array(3)], [Buffer.from('{}'), new Uint32Array(3)]]) {
    try {
      addon.jsonScan(...args);
      throw new Error('expected a TypeError');
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
    }
  }
}
