#!/usr/bin/env node
// Memory check of the native addon: runs each exerciser in test/native/memcheck/*.js under valgrind
// memcheck and fails on any error record (invalid access, uninitialised use, definite leak) whose stack
// passes through opdbus.node. V8's and Node's own records are not ours and are only counted.
// Usage: node scripts/memcheck.js [substring...]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'test', 'native', 'memcheck');
const filters = process.argv.slice(2);
const scripts = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && (filters.length === 0 || filters.some((x) => f.includes(x)))).sort();
if (scripts.length === 0) {
  console.error(`memcheck: no exerciser matched in ${dir}`);
  process.exit(1);
}

const ERROR_START = /^(Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|.*are definitely lost)/;
let failures = 0;
for (const script of scripts) {
  const r = spawnSync('valgrind', ['--leak-check=full', '--show-leak-kinds=definite', '--errors-for-leak-kinds=definite', '--num-callers=40', '--error-limit=no', process.execPath, path.join(dir, script)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    console.error(`memcheck: cannot run valgrind: ${r.error.message}`);
    process.exit(1);
  }
  // Valgrind prefixes its lines with ==PID==; records are separated by blank prefixed lines.
  const lines = r.stderr.split('\n').filter((l) => /^==\d+==/.test(l)).map((l) => l.replace(/^==\d+== ?/, ''));
  const records = [];
  let current = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.length) records.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length) records.push(current);
  const errors = records.filter((rec) => ERROR_START.test(rec[0]));
  const ours = errors.filter((rec) => rec.some((l) => l.includes('opdbus.node')));
  const exerciserFailed = r.status !== 0;
  console.log(`memcheck ${script}: exit ${r.status}, ${errors.length} error record(s), ${ours.length} in opdbus.node`);
  for (const rec of ours) console.log('  ' + rec.join('\n  '));
  if (exerciserFailed) console.log(r.stdout + r.stderr.split('\n').filter((l) => !/^==\d+==/.test(l)).join('\n'));
  if (ours.length || exerciserFailed) failures++;
}
console.log(failures ? `memcheck: ${failures} exerciser(s) failed` : `memcheck: clean (${scripts.length} exerciser(s))`);
process.exit(failures ? 1 : 0);
