// StateSearch over the fixture history: indexing is incremental, --since and --plugin filter the
// hits, and a bad --since is an input error naming the flag.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Embedder } from '../../src/search/embedder';
import { StateSearch } from '../../src/search/query';
import { memorySource } from '../../src/search/source';
import { hostHistory } from '../fixtures/search/host';
import { uniqueName } from '../harness/netns';

const stateDir = path.join(os.tmpdir(), uniqueName('opdbus-t-searchq'));
const embedder = new Embedder({ poolSize: 1 });
const entries = hostHistory().map((h) => h.entry);
after(async () => {
  await embedder.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('indexing is incremental: a second update adds only the new states', async () => {
  const search = await StateSearch.open(stateDir, embedder);
  assert.equal(await search.update(memorySource(entries.slice(0, 30))), 30);
  const progress: number[] = [];
  assert.equal(await search.update(memorySource(entries), (done) => progress.push(done)), entries.length - 30);
  assert.deepEqual(progress, [entries.length - 30]);
  const reopened = await StateSearch.open(stateDir, embedder);
  assert.equal(await reopened.update(memorySource(entries)), 0);
  assert.equal(reopened.index.size, entries.length);
});

test('--since and --plugin filter the hits', async () => {
  const search = await StateSearch.open(stateDir, embedder);
  const since = entries[40].time;
  const late = await search.search('web server outage', { since, limit: 5 });
  assert.ok(late.length > 0 && late.every((h) => h.time >= since));
  assert.ok(late.some((h) => h.id === 'h0057'), 'the only web server failure after that time');
  const sysctl = await search.search('packet forwarding turned off', { plugin: 'sysctl', limit: 3 });
  assert.ok(sysctl.some((h) => h.id === 'h0014'));
  assert.ok(sysctl.every((h) => search.index.entries[h.row].plugins.includes('sysctl')));
  assert.deepEqual(await search.search('web server outage', { plugin: 'lxc' }), []);
});

test('a bad --since is an input error naming the flag', async () => {
  const search = await StateSearch.open(stateDir, embedder);
  await assert.rejects(search.search('x', { since: 'yesterday-ish' }), { kind: 'InvalidInput', message: '--since: expected an ISO 8601 time, found "yesterday-ish"' });
});
