// `opdbus search` and `opdbus index rebuild` through the real binary, over a history store written
// with the history API (files backend in a temp dir) from the fixture host's timeline.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openHistory } from '../../src/history';
import { uniqueName } from '../harness/netns';
import { opdbus, writeDoc } from '../harness/cli';
import { hostHistory } from '../fixtures/search/host';

const stateDir = path.join(os.tmpdir(), uniqueName('opdbus-t-searchcli'));
const history = hostHistory().slice(0, 20);

before(async () => {
  fs.mkdirSync(stateDir, { recursive: true });
  const store = await openHistory(stateDir);
  for (const h of history) await store.record({ kind: 'manual', reason: `fixture ${h.entry.id}`, time: h.entry.time }, h.entry.state);
});
after(() => fs.rmSync(stateDir, { recursive: true, force: true }));

test('index rebuild indexes every history point', () => {
  const r = opdbus(['index', 'rebuild'], { stateDir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `indexed ${history.length} historical states\n`);
});

test('search prints id, time, score and how each hit differs from now', () => {
  const r = opdbus(['--format', 'json', 'search', 'web server outage', '--limit', '2'], { stateDir });
  assert.equal(r.status, 0, r.stderr);
  const hits = JSON.parse(r.stdout) as { id: string; time: string; score: number; differsFromNow: string[] }[];
  assert.equal(hits.length, 2);
  // Point ids count from 1; the nginx failure is transaction 3 of the fixture (point 4).
  assert.equal(hits[0].id, '4');
  assert.equal(hits[0].time, history[3].entry.time);
  assert.ok(hits[0].differsFromNow.some((l) => l.includes('nginx.service') && l.includes('changed from failed to active')), hits[0].differsFromNow.join('\n'));
  const text = opdbus(['search', 'vlan200', '--limit', '1'], { stateDir });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^8  \S+  score \d\.\d{3}\n/);
});

test('search --like ID finds the recurrence; --like FILE reads a state document', () => {
  // Point 9 is the postgresql failure: its neighbours are its recovery (10) and the nginx failure (4), never itself.
  const r = opdbus(['--format', 'json', 'search', '--like', '9', '--limit', '3'], { stateDir });
  assert.equal(r.status, 0, r.stderr);
  const ids = (JSON.parse(r.stdout) as { id: string }[]).map((h) => h.id);
  assert.ok(!ids.includes('9') && ids.includes('10'), ids.join(','));
  const file = writeDoc(stateDir, 'probe.json', { version: 1, plugins: history[8].entry.state });
  const f = opdbus(['--format', 'json', 'search', '--like', file, '--limit', '3'], { stateDir });
  assert.equal(f.status, 0, f.stderr);
  assert.ok((JSON.parse(f.stdout) as { id: string }[]).some((h) => h.id === '9'), f.stdout);
});

test('bad input names the flag and changes nothing', () => {
  const r = opdbus(['search', 'x', '--limit', 'zero'], { stateDir });
  assert.equal(r.status, 3);
  assert.equal(r.stderr, 'opdbus: error: --limit: expected a positive integer, found "zero"\n');
  const none = opdbus(['search', '--like', '999'], { stateDir });
  assert.equal(none.status, 9);
  assert.match(none.stderr, /--like 999: no indexed history entry with that id/);
});
