// `opdbus audit ...` through the real CLI on a ledger written by the library: output formats,
// filters, export, consistency, prune, a kept checkpoint, exit codes and bad-input messages.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import { opdbus, writeDoc } from '../harness/cli';
import { ledgerStateDir, removeDir, writeLedger } from '../harness/ledger';

let stateDir: string;
before(async () => {
  stateDir = ledgerStateDir();
  await writeLedger(stateDir, 6); // block i at 2026-01-01T00:0i; odd blocks touch sysctl, even ones net
});
after(() => removeDir(stateDir));

const audit = (...args: string[]) => opdbus(['audit', ...args], { stateDir });

test('log filters by time and plugin, in text, json and yaml; show prints one block', () => {
  const text = audit('log', '--since', '2026-01-01T00:03:00Z', '--plugin', 'sysctl');
  assert.equal(text.status, EXIT.OK, text.stderr);
  assert.deepEqual(text.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]), ['#3', '#5']);
  assert.match(text.stdout, /^#3  2026-01-01T00:03:00\.000Z  rollback committed +alice \(as root\) +sysctl  tx-3-\d+$/m);
  const json = JSON.parse(audit('log', '--format', 'json').stdout);
  assert.equal(json.length, 6);
  assert.match(audit('log', '--format', 'yaml').stdout, /^- actor:\n(.*\n)*?  index: 0\n/);
  assert.equal(JSON.parse(audit('show', '4').stdout).txid, json[4].txid);
  const missing = audit('show', '9');
  assert.deepEqual([missing.status, missing.stderr], [EXIT.BACKEND_FAILED, 'opdbus: error: block 9 is not in the ledger\n']);
  const bad = audit('log', '--since', 'yesterday');
  assert.deepEqual([bad.status, bad.stderr], [EXIT.INVALID_INPUT, 'opdbus: error: --since: expected an ISO 8601 time (2026-01-31T12:00:00Z) or a duration ago (2h), found "yesterday"\n']);
});

test('export prints one JSON line per block; consistency proves a prefix', () => {
  const lines = audit('export').stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((b) => b.index), [0, 1, 2, 3, 4, 5]);
  assert.match(lines[5].hash, /^[0-9a-f]{64}$/);
  const c = audit('consistency', '2', '6');
  assert.equal(c.status, EXIT.OK, c.stderr);
  assert.deepEqual([JSON.parse(c.stdout).verified, JSON.parse(c.stdout).size2], [true, 6]);
});

test('verify with a kept checkpoint; prune; a damaged ledger exits 10 naming the block, in json too', () => {
  const kept = writeDoc(stateDir, 'kept-proof.json', audit('prove', '5').stdout);
  assert.equal(audit('verify', '--checkpoint', kept).status, EXIT.OK);
  const pruned = audit('prune', '--before', '2026-01-01T00:02:00Z');
  assert.equal(pruned.stdout, 'audit prune: dropped 2 blocks (ledger now starts at block 2); 4 kept.\n');
  assert.match(audit('verify').stdout, /^audit verify: ok: 6 blocks; latest signed checkpoint: 6 blocks at \S+; 2 pruned behind a signed anchor\n$/);

  const file = path.join(stateDir, 'ledger', 'blocks.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  fs.writeFileSync(file, [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'));
  const r = audit('verify', '--format', 'json');
  assert.equal(r.status, EXIT.INTEGRITY_FAILED);
  assert.deepEqual({ ok: JSON.parse(r.stdout).ok, index: JSON.parse(r.stdout).failure.index, kind: JSON.parse(r.stdout).failure.kind }, { ok: false, index: 3, kind: 'link' });
  assert.match(r.stderr, /^opdbus: error: block 3: link: /);
});
