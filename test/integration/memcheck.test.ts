// Runs every native exerciser under valgrind (scripts/memcheck.js): no invalid access, uninitialised
// read or definite leak may have opdbus.node on its stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/cli';

test('the native addon is clean under valgrind memcheck', () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'memcheck.js')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /memcheck: clean \(\d+ exerciser\(s\)\)/);
});
