// The on-disk vector index: appends survive reopening, identifier lists are stored only when they
// change, a torn tail from a crash is dropped, and an index built by another model is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { VectorIndex, type IndexEntry } from '../../src/search/index';
import { similarities } from '../../src/search/knn';
import { uniqueName } from '../harness/netns';

const stateDir = path.join(os.tmpdir(), uniqueName('opdbus-t-searchidx'));
after(() => fs.rmSync(stateDir, { recursive: true, force: true }));

const entry = (id: string, ids: string[]): IndexEntry => ({ id, time: `2026-01-0${id}T00:00:00.000Z`, plugins: ['net'], lexical: { problems: 'unit a.service is failed', changes: `state ${id}`, ids } });
const unit = (dim: number, axis: number) => Float32Array.from({ length: dim }, (_, i) => (i === axis ? 1 : 0));

test('appends are found again after reopening, identifier lists stored only when they change', () => {
  const index = VectorIndex.open(stateDir, 'm1', 4);
  index.append([{ entry: entry('1', ['eth0', 'br0']), vector: unit(4, 0) }, { entry: entry('2', ['eth0', 'br0']), vector: unit(4, 1) }]);
  index.append([{ entry: entry('3', ['eth0']), vector: unit(4, 2) }]);
  const lines = fs.readFileSync(path.join(VectorIndex.dirFor(stateDir), 'entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.lexical.ids), [['eth0', 'br0'], undefined, ['eth0']]);
  assert.deepEqual(lines.map((l) => l.lexical.problems), ['unit a.service is failed', undefined, undefined]);

  const again = VectorIndex.open(stateDir, 'm1', 4);
  assert.equal(again.size, 3);
  assert.deepEqual(again.entries.map((e) => e.lexical.ids), [['eth0', 'br0'], ['eth0', 'br0'], ['eth0']]);
  assert.deepEqual(again.entries.map((e) => e.lexical.problems), Array(3).fill('unit a.service is failed'));
  assert.equal(again.rowOf('2'), 1);
  assert.deepEqual(Array.from(similarities(again.matrix, 4, unit(4, 1))), [0, 1, 0]);
});

test('a torn tail (vector written, entry not) is dropped and the next append lines up', () => {
  fs.appendFileSync(path.join(VectorIndex.dirFor(stateDir), 'vectors.f32'), Buffer.alloc(10));
  fs.appendFileSync(path.join(VectorIndex.dirFor(stateDir), 'entries.jsonl'), '{"id":"4","ti');
  const index = VectorIndex.open(stateDir, 'm1', 4);
  assert.equal(index.size, 3);
  index.append([{ entry: entry('4', ['eth1']), vector: unit(4, 3) }]);
  const reopened = VectorIndex.open(stateDir, 'm1', 4);
  assert.deepEqual(reopened.entries.map((e) => e.id), ['1', '2', '3', '4']);
  assert.deepEqual(Array.from(reopened.vector(3)), [0, 0, 0, 1]);
});

test('an index built by another model is refused with what to do', () => {
  assert.throws(() => VectorIndex.open(stateDir, 'm2', 4), {
    code: 'SEARCH_INDEX_STALE',
    message: `search index in ${VectorIndex.dirFor(stateDir)} was built by model m1 (dim 4), not m2 (dim 4): run "opdbus index rebuild"`,
  });
});

test('native dotRows equals the plain dot product and refuses mismatched shapes', () => {
  const dim = 37; // not a multiple of the 16-float unrolled step
  const rows = 5;
  const matrix = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i));
  const query = Float32Array.from({ length: dim }, (_, i) => Math.cos(i));
  const got = similarities(matrix, dim, query);
  for (let r = 0; r < rows; r++) {
    let want = 0;
    for (let c = 0; c < dim; c++) want += matrix[r * dim + c] * query[c];
    assert.ok(Math.abs(got[r] - want) < 1e-4, `row ${r}: ${got[r]} vs ${want}`);
  }
  assert.throws(() => similarities(matrix, dim, query.subarray(1)), /dotRows: query must have dim floats/);
});
