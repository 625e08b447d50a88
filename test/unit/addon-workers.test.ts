// The native addon loads and works in several worker threads at once (Piscina does exactly this),
// and its errors keep errno and code across the trip.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { isNativeError, native } from '../../src/native/binding';
import { tempDir } from '../harness/cli';

const BINDING = require.resolve('../../src/native/binding');

test('native errors carry errno, code and syscall', () => {
  assert.throws(
    () => native().tryLock('/nonexistent-dir/opdbus.lock'),
    (err: unknown) => isNativeError(err) && err.code === 'ENOENT' && err.errno === 2 && err.syscall === 'open' && err.subject === '/nonexistent-dir/opdbus.lock',
  );
});

test('flock excludes a second holder and is released on unlock', () => {
  const file = path.join(tempDir('opdbus-t-lock-'), 'lock');
  const fd = native().tryLock(file);
  assert.equal(typeof fd, 'number');
  assert.equal(native().tryLock(file), null, 'second lock attempt in the same process must fail (separate open file description)');
  native().unlock(fd as number);
  const again = native().tryLock(file);
  assert.equal(typeof again, 'number');
  native().unlock(again as number);
});

test('the addon loads in 6 worker threads at once and each can use it', async () => {
  const dir = tempDir('opdbus-t-workers-');
  // Each worker locks its own file 200 times (every attempt must succeed), and checks that a file the
  // main thread holds stays exclusive from its thread too.
  const held = path.join(dir, 'held');
  const heldFd = native().tryLock(held) as number;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { native } = require(workerData.binding);
    const addon = native();
    let locked = 0;
    for (let i = 0; i < 200; i++) {
      const fd = addon.tryLock(workerData.file);
      if (fd !== null) { locked++; addon.unlock(fd); }
    }
    const heldElsewhere = addon.tryLock(workerData.held) === null;
    let code = null;
    try { addon.tryLock('/nonexistent-dir/x'); } catch (e) { code = e.code; }
    parentPort.postMessage({ modules: addon.modules, locked, heldElsewhere, code });
  `;
  const runs = Array.from({ length: 6 }, (_, i) =>
    new Promise<{ modules: string[]; locked: number; heldElsewhere: boolean; code: string }>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { binding: BINDING, file: path.join(dir, `lock${i}`), held } });
      w.once('message', resolve);
      w.once('error', reject);
    }),
  );
  const results = await Promise.all(runs);
  native().unlock(heldFd);
  for (const r of results) {
    assert.ok(r.modules.includes('lock'));
    assert.equal(r.locked, 200);
    assert.equal(r.heldElsewhere, true);
    assert.equal(r.code, 'ENOENT');
  }
});
