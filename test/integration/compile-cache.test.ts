// The CLI's code cache (src/cli/compile-cache.ts) can make a run faster, never different: entries are
// written by a run that lacks them and used by the next, and a damaged entry is refused before V8 sees
// it (V8 does not check an entry's bytes; it aborts the process on a bad one) and then rewritten.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { opdbus, REPO_ROOT, tempDir } from '../harness/cli';

// bin/opdbus starts Node without flags, so its entries are under the untagged directory.
const PROFILE = path.join(REPO_ROOT, 'dist', '.v8-cache', `${process.version}-${process.arch}`, 'schema');

function entries(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of fs.readdirSync(PROFILE)) if (name.endsWith('.bin')) out.set(name, fs.readFileSync(path.join(PROFILE, name)));
  return out;
}

test('a run with cache entries prints what a run without the cache prints; damaged entries are refused and rewritten', () => {
  const reference = opdbus(['schema'], { env: { OPDBUS_COMPILE_CACHE: '0' } });
  assert.equal(reference.status, 0, reference.stderr);

  const first = opdbus(['schema']); // writes whatever entries are missing
  assert.equal(first.status, 0, first.stderr);
  const written = entries();
  assert.ok(written.has('dist!src!cli!commands!schema.js.bin'), `no entry for the schema command in ${PROFILE}`);

  const mtimes = new Map([...written.keys()].map((name) => [name, fs.statSync(path.join(PROFILE, name)).mtimeMs]));
  const cached = opdbus(['schema']);
  assert.equal(cached.status, 0, cached.stderr);
  assert.equal(cached.stdout, reference.stdout);
  // V8 took the entries: a refused one would have been rewritten when the run exited.
  for (const [name, mtime] of mtimes) assert.equal(fs.statSync(path.join(PROFILE, name)).mtimeMs, mtime, `${name} was rewritten: V8 refused it`);

  // Damage V8's part of every entry (the stamp stays valid, so only the checksum can catch it).
  const damaged = new Map<string, Buffer>();
  for (const [name, buf] of written) {
    const bad = Buffer.from(buf);
    const dataStart = 8 + bad.readUInt32LE(0);
    for (let i = dataStart + 16; i < bad.length; i += 5) bad[i] ^= 0x5a;
    fs.writeFileSync(path.join(PROFILE, name), bad);
    damaged.set(name, bad);
  }
  // With the cache turned off nothing is read or written: the damage is still there afterwards.
  const off = opdbus(['schema'], { env: { OPDBUS_COMPILE_CACHE: '0' } });
  assert.equal(off.stdout, reference.stdout);
  for (const [name, bad] of damaged) assert.deepEqual(fs.readFileSync(path.join(PROFILE, name)), bad, `${name} changed with the cache off`);

  const afterDamage = opdbus(['schema']);
  assert.equal(afterDamage.status, 0, afterDamage.stderr);
  assert.equal(afterDamage.stdout, reference.stdout);
  assert.equal(afterDamage.stderr, '');

  // Each damaged entry was replaced by one whose checksum holds, and the next run uses them.
  for (const [name, bad] of damaged) {
    const now = fs.readFileSync(path.join(PROFILE, name));
    assert.notDeepEqual(now, bad, `${name} was left damaged`);
    const n = now.readUInt32LE(0);
    assert.equal(zlib.crc32(now.subarray(8 + n)), now.readUInt32LE(4 + n), `${name}: checksum`);
  }
  const again = opdbus(['schema']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, reference.stdout);
});

test('doctor says whether the cache is on, and where', () => {
  const stateDir = tempDir();
  const on = opdbus(['doctor', '--format', 'json'], { stateDir });
  const off = opdbus(['doctor', '--format', 'json'], { stateDir, env: { OPDBUS_COMPILE_CACHE: '0' } });
  const detail = (r: { stdout: string }) => (JSON.parse(r.stdout) as { checks: { name: string; detail: string }[] }).checks.find((c) => c.name === 'code cache')?.detail;
  assert.match(detail(on) ?? '', new RegExp(`${path.dirname(PROFILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ entries, [\\d.]+ MB\\)`));
  assert.equal(detail(off), 'off (OPDBUS_COMPILE_CACHE=0)');
});

test('a file rewritten in place with the same size, inode and mtime is compiled afresh, not run from its old entry', () => {
  // V8 checks only a source's length; the entry's key must catch the change (here: ctime and the CRC of the text).
  const id = `${process.pid}-${Date.now()}`;
  const mod = path.join(REPO_ROOT, 'dist', `.compile-cache-test-${id}.js`);
  const driver = path.join(tempDir(), 'driver.js');
  fs.writeFileSync(driver, `require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'compile-cache.js'))}).install();\nconsole.log(require(${JSON.stringify(mod)}));\n`);
  const run = () => {
    const r = spawnSync(process.execPath, [driver], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  try {
    const mtime = new Date('2026-01-01T00:00:00Z'); // whole seconds, so that it can be set back exactly
    fs.writeFileSync(mod, 'module.exports = "AAAA";\n');
    fs.utimesSync(mod, mtime, mtime);
    assert.equal(run(), 'AAAA'); // writes the entry
    assert.equal(run(), 'AAAA'); // runs from it
    fs.writeFileSync(mod, 'module.exports = "BBBB";\n'); // same length, same inode
    fs.utimesSync(mod, mtime, mtime); // and the old mtime back, as cp -p or rsync -t would
    assert.equal(run(), 'BBBB');
  } finally {
    fs.rmSync(mod, { force: true });
    const entry = path.join(path.dirname(PROFILE), 'common', `dist!.compile-cache-test-${id}.js.bin`);
    fs.rmSync(entry, { force: true });
  }
});
