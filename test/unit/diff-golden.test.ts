// Golden-file diff cases: test/fixtures/diff/<case>/{current,desired,diff}.json, one loop over all.
// Each case's desired document goes through the real validation (schema + compat) first.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { diffDocuments } from '../../src/diff/documents';
import type { StateDocument } from '../../src/document/types';
import { validateStructure } from '../../src/document/validate';
import { builtinRegistry } from '../../src/plugins';
import { REPO_ROOT } from '../harness/cli';

const CASES = path.join(REPO_ROOT, 'test', 'fixtures', 'diff');
const registry = builtinRegistry();
const read = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

const cases = fs.readdirSync(CASES).sort();
test('there are golden diff cases', () => assert.ok(cases.length >= 4, `only ${cases.length} cases in ${CASES}`));

for (const name of cases) {
  test(`diff golden case ${name}`, () => {
    const dir = path.join(CASES, name);
    const load = (f: string) => validateStructure(read(path.join(dir, f)), { file: `${name}/${f}`, text: '' }, registry).document as StateDocument;
    const actions = diffDocuments(load('current.json'), load('desired.json'), registry);
    assert.deepEqual(JSON.parse(JSON.stringify(actions)), read(path.join(dir, 'diff.json')));
    // Stable order: the same inputs give the same plan, and current == desired gives none.
    assert.deepEqual(diffDocuments(load('current.json'), load('desired.json'), registry), actions);
    assert.deepEqual(diffDocuments(load('desired.json'), load('desired.json'), registry), []);
  });
}
