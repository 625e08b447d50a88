// The intent journal: an entry replaced atomically, then appended updates folded in order; an update
// torn by a crash (no newline yet, so never synced) is ignored; damage anywhere else is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { OpdbusError } from '../../src/errors';
import { clearJournal, journalPath, readJournal, updateJournal, writeJournal, type JournalEntry } from '../../src/transaction/journal';
import type { TransactionRecord } from '../../src/transaction/record';
import { tempDir } from '../harness/cli';

const entry = (): JournalEntry => ({
  txid: 'tx1', operation: 'apply', pid: 1, startedAt: '2026-11-26T00:00:00Z', status: 'applying',
  order: ['ovs', 'net'], checkpoints: { ovs: {}, net: {} }, actions: { ovs: [], net: [] }, started: [], before: {},
});

test('updates are folded into the entry in order; a plugin started twice is listed once', () => {
  const dir = tempDir();
  writeJournal(dir, entry());
  updateJournal(dir, { started: 'ovs' });
  updateJournal(dir, { started: 'net' });
  updateJournal(dir, { started: 'ovs' });
  assert.deepEqual(readJournal(dir)?.started, ['ovs', 'net']);
  const record = { txid: 'tx1', outcome: 'committed' } as TransactionRecord;
  updateJournal(dir, { status: 'committed', record });
  const j = readJournal(dir)!;
  assert.equal(j.status, 'committed');
  assert.deepEqual(j.record, record);
  assert.deepEqual(j.checkpoints, { ovs: {}, net: {} });
  // A new entry replaces the file with its updates.
  writeJournal(dir, entry());
  assert.deepEqual(readJournal(dir)?.started, []);
  clearJournal(dir);
  assert.equal(readJournal(dir), undefined);
});

test('a torn last update is ignored (it was never synced, so what it announced never began)', () => {
  const dir = tempDir();
  writeJournal(dir, entry());
  updateJournal(dir, { started: 'ovs' });
  fs.appendFileSync(journalPath(dir), '{"started":"ne');
  assert.deepEqual(readJournal(dir)?.started, ['ovs']);
});

test('a damaged entry or a damaged update before the last line is an integrity error', () => {
  const dir = tempDir();
  const isCorrupt = (err: unknown) => err instanceof OpdbusError && err.kind === 'Integrity' && err.code === 'JOURNAL_CORRUPT';
  fs.writeFileSync(journalPath(dir), '{"txid": "tx1", "status"\n');
  assert.throws(() => readJournal(dir), isCorrupt);
  writeJournal(dir, entry());
  fs.appendFileSync(journalPath(dir), 'garbage\n{"started":"ovs"}\n');
  assert.throws(() => readJournal(dir), isCorrupt);
});
