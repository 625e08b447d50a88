// The store's crash handling: a torn tail (a write cut short) in the block or checkpoint file is
// reported by verify as a note, cut back to the last whole line on the next open, and appending
// continues from the last whole block.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ledgerPaths } from '../../src/ledger/paths';
import { LedgerStore } from '../../src/ledger/store';
import { verifyLedger } from '../../src/ledger/verify';
import { ledgerStateDir, removeDir, sampleBlock, writeLedger } from '../harness/ledger';

const dir = ledgerStateDir();
after(() => removeDir(dir));

test('the host key is generated on first use, private half mode 0600, and never replaced', async () => {
  await writeLedger(dir, 1);
  const paths = ledgerPaths(dir);
  assert.equal(fs.statSync(paths.privateKey).mode & 0o777, 0o600);
  const key = fs.readFileSync(paths.privateKey, 'utf8');
  assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
  await writeLedger(dir, 2, 1);
  assert.equal(fs.readFileSync(paths.privateKey, 'utf8'), key);
});

test('a torn tail is a note for verify, is cut back on open, and appends continue after it', async () => {
  const paths = ledgerPaths(dir);
  const whole = { blocks: fs.statSync(paths.blocks).size, checkpoints: fs.statSync(paths.checkpoints).size };
  fs.appendFileSync(paths.blocks, '{"index":3,"half a blo');
  fs.appendFileSync(paths.checkpoints, '{"origin":"x"');
  const torn = await verifyLedger(dir);
  assert.equal(torn.ok, true, torn.failure?.message);
  assert.deepEqual(torn.notes, ['13 bytes of an unfinished checkpoint write (cut back on the next write)', '22 bytes of an unfinished append after block 2 (cut back on the next write)']);

  const store = await LedgerStore.open(dir);
  assert.deepEqual({ blocks: fs.statSync(paths.blocks).size, checkpoints: fs.statSync(paths.checkpoints).size }, whole);
  const block = await store.append(sampleBlock(3));
  await store.close();
  assert.equal(block.index, 3);
  const r = await verifyLedger(dir);
  assert.deepEqual([r.ok, r.blocks, r.checkpoints, r.notes], [true, 4, 4, []]);
});

test('an append that cannot be written rejects and leaves no block', async () => {
  const store = await LedgerStore.open(dir);
  await store.close();
  await assert.rejects(store.append(sampleBlock(9)), /ledger write failed: /);
  assert.equal((await verifyLedger(dir)).blocks, 4);
});
