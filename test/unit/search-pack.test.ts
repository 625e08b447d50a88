// Embedding batches cross to the worker packed (one string, typed arrays) and come back out as the
// same segments: texts, weights and input boundaries, whatever the inputs hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packInputs, unpackInputs } from '../../src/search/pack';
import type { EmbedInput, Segment } from '../../src/search/types';

const asSegments = (input: EmbedInput): Segment[] => (typeof input === 'string' ? [{ text: input, weight: 1 }] : input);

test('a packed batch unpacks to the same segments, in order', () => {
  const inputs: EmbedInput[] = [
    'web server down',
    [{ text: 'net br0 ', weight: 1 }, { text: 'changed: mtu 1500 -> 9000', weight: 3 }],
    [],
    '',
    [{ text: 'naïve 🙂 emoji ', weight: 0.5 }, { text: '', weight: 2 }, { text: 'tail', weight: 1.25 }],
  ];
  const task = packInputs(inputs);
  assert.equal(task.inputEnds.length, inputs.length);
  assert.deepEqual(unpackInputs(task), inputs.map(asSegments));
});

test('a packed batch is plain data: strings and typed arrays (no object per segment)', () => {
  const task = packInputs([[{ text: 'a', weight: 2 }, { text: 'bc', weight: 1 }], 'def']);
  assert.deepEqual(task.texts, ['a', 'bc', 'def']);
  assert.deepEqual([...task.weights], [2, 1, 1]);
  assert.deepEqual([...task.inputEnds], [2, 3]);
});
