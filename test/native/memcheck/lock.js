// Exerciser for scripts/memcheck.js: the lock module's success and error paths, many times.
'use strict';
const os = require('node:os');
const path = require('node:path');
const { native } = require('../../../dist/src/native/binding.js');

const addon = native();
const file = path.join(os.tmpdir(), `opdbus-t-memcheck-${process.pid}.lock`);
for (let i = 0; i < 2000; i++) {
  const fd = addon.tryLock(file);
  if (addon.tryLock(file) !== null) throw new Error('lock not exclusive');
  addon.unlock(fd);
  try {
    addon.tryLock('/nonexistent-dir/x.lock');
    throw new Error('expected ENOENT');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
}
require('node:fs').unlinkSync(file);
