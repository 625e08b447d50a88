// Opening the ledger without reading it: tail.json (block count, last hash and txid, the tree's
// frontier) is used only while it describes the block file, and rebuilt when it is missing, stale,
// torn, forged or describes another file; the one-pass block encoding is byte for byte the canonical
// JSON; the frontier gives the RFC 6962 root of every size.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { encodeBody, footprintBytes, type BlockBody } from '../../src/ledger/block';
import { frontierAppend, frontierOf, frontierRoot } from '../../src/ledger/frontier';
import { leafHashes, treeRoot } from '../../src/ledger/merkle';
import { ledgerPaths } from '../../src/ledger/paths';
import { LedgerStore } from '../../src/ledger/store';
import { verifyLedger } from '../../src/ledger/verify';
import { canonicalJson } from '../../src/util/canonical';
import { copyStateDir, ledgerStateDir, removeDir, sampleBlock, writeLedger } from '../harness/ledger';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

let pristine: string | undefined;
/** A copy of a 6-block ledger written through the store (so with a current tail.json). */
async function ledger(): Promise<{ dir: string; paths: ReturnType<typeof ledgerPaths> }> {
  if (!pristine) {
    pristine = ledgerStateDir();
    dirs.push(pristine);
    await writeLedger(pristine, 6);
  }
  const dir = copyStateDir(pristine);
  dirs.push(dir);
  return { dir, paths: ledgerPaths(dir) };
}

/** Appends block `n` and checks the whole ledger verifies with `count` blocks, each under a checkpoint. */
async function appendAndVerify(dir: string, n: number, count: number): Promise<void> {
  const store = await LedgerStore.open(dir);
  const block = await store.append(sampleBlock(n));
  assert.equal(store.lastTxid, block.txid);
  await store.close();
  assert.equal(block.index, count - 1);
  const r = await verifyLedger(dir);
  assert.deepEqual([r.ok, r.blocks, r.notes], [true, count, []], r.failure?.message);
}

async function openCount(dir: string): Promise<{ blocks: number; lastTxid: string }> {
  const store = await LedgerStore.open(dir);
  await store.close();
  return { blocks: store.blockCount, lastTxid: store.lastTxid };
}

test('the block encoding is byte for byte canonicalJson of the body and of the stored line', () => {
  const base = { ...sampleBlock(1), index: 7, hostKey: 'ab'.repeat(32), footprintsRoot: 'cd'.repeat(32) };
  const bodies: BlockBody[] = [
    base,
    { ...base, source: { file: '/etc/é/host.yaml', sha256: 'ef'.repeat(32) }, error: { kind: 'Backend', code: 'X', message: 'a "quoted" \u2028 line\n', plugin: 'net' } },
    { ...base, actor: { uid: 0, user: 'root', command: 'opdbus', pid: 1 }, footprints: [] },
    { ...base, footprints: [...base.footprints, { ...base.footprints[0], plugin: 'z', actions: [{ plugin: 'z', op: 'create', path: '/b', resource: 'r', after: { z: 1, a: [{ y: null, b: -0, '10': 1, '9': 2 }], m: 1e21 } }] }] },
  ];
  for (const body of bodies) {
    const encoded = encodeBody(body, footprintBytes(body.footprints));
    assert.equal(Buffer.concat(encoded.body).toString(), canonicalJson(body));
    assert.equal(Buffer.concat(encoded.line('01'.repeat(32), '23'.repeat(32))).toString(), canonicalJson({ ...body, prev: '01'.repeat(32), hash: '23'.repeat(32) }));
  }
});

test('the frontier gives the RFC 6962 root of every size, appended leaf by leaf or built from the leaves', async () => {
  const leaves = await leafHashes(Array.from({ length: 70 }, () => crypto.randomBytes(crypto.randomInt(1, 64))));
  let frontier: Buffer[] = [];
  for (let size = 0; size <= 70; size++) {
    const expected = await treeRoot(leaves, size);
    assert.deepEqual(frontierRoot(frontier), expected, `size ${size}`);
    assert.deepEqual(await frontierOf(leaves, size), frontier, `frontier of size ${size}`);
    if (size < 70) frontier = frontierAppend(frontier, size, leaves.subarray(size * 32, size * 32 + 32));
  }
});

test('opening uses tail.json, not the blocks: a damaged older block does not stop appends, verify names it', async () => {
  const { dir, paths } = await ledger();
  const lines = fs.readFileSync(paths.blocks, 'utf8').split('\n');
  lines[1] = lines[1].replace('"index":1', '"index":1,');
  fs.writeFileSync(paths.blocks, lines.join('\n'));
  // Same tail.json, but the file grew by one byte: the line it records no longer ends where it says.
  await assert.rejects(LedgerStore.open(dir), { code: 'LEDGER_DAMAGED', message: 'ledger block 1 is damaged; nothing can be appended after it (run `opdbus audit verify`)' });
  fs.writeFileSync(paths.blocks, lines.join('\n').replace('"index":1,', '"index":2'));
  const store = await LedgerStore.open(dir);
  await store.append(sampleBlock(6));
  await store.close();
  const r = await verifyLedger(dir);
  assert.deepEqual([r.ok, r.failure?.index, r.failure?.kind], [false, 1, 'content'], r.failure?.message);
});

test('a missing tail.json (a ledger from before it) is rebuilt from the blocks', async () => {
  const { dir, paths } = await ledger();
  fs.rmSync(paths.tail);
  await appendAndVerify(dir, 6, 7);
  assert.ok(fs.existsSync(paths.tail));
  assert.deepEqual(await openCount(dir), { blocks: 7, lastTxid: sampleBlock(6).txid });
});

test('a stale tail.json (blocks written after it, a crash before it was rewritten) is caught up', async () => {
  const { dir, paths } = await ledger();
  const stale = fs.readFileSync(paths.tail);
  await writeLedger(dir, 2, 6);
  fs.writeFileSync(paths.tail, stale);
  fs.appendFileSync(paths.blocks, '{"index":8,"torn');
  const damaged = copyStateDir(dir);
  dirs.push(damaged);
  assert.deepEqual(await openCount(dir), { blocks: 8, lastTxid: sampleBlock(7).txid });
  await appendAndVerify(dir, 8, 9);
  // Only the blocks after the stale state are read: a damaged older one is not (a rebuild would refuse).
  const file = ledgerPaths(damaged).blocks;
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('{"actor"', '#"actor"'));
  assert.deepEqual(await openCount(damaged), { blocks: 8, lastTxid: sampleBlock(7).txid });
  fs.rmSync(ledgerPaths(damaged).tail);
  await assert.rejects(openCount(damaged), { code: 'LEDGER_DAMAGED' });
});

test('a torn, foreign or forged tail.json is never used', async () => {
  const { dir, paths } = await ledger();
  const good = fs.readFileSync(paths.tail, 'utf8');
  const doc = JSON.parse(good) as { payload: unknown[]; mac: string };
  const forged = JSON.stringify({ payload: [1, 99, 0, 10, 5, 'a'.repeat(64), 'b'.repeat(64), 'tx-forged', 'c'.repeat(64), []], mac: doc.mac });
  const variants = {
    torn: good.slice(0, 100),
    empty: '',
    'forged state': forged,
    'forged count': good.replace(/"payload":\[1,6,/, '"payload":[1,5,'),
    'another key': good.replace(/"mac":"[0-9a-f]{64}"/, `"mac":"${crypto.createHmac('sha256', 'k').update('x').digest('hex')}"`),
  };
  for (const [what, text] of Object.entries(variants)) {
    assert.notEqual(text, good, what);
    fs.writeFileSync(paths.tail, text);
    assert.deepEqual(await openCount(dir), { blocks: 6, lastTxid: sampleBlock(5).txid }, what);
  }
  await appendAndVerify(dir, 6, 7);
});

test('a tail.json that describes another block file (cut short, last block replaced) is rebuilt', async () => {
  const { dir, paths } = await ledger();
  const lines = fs.readFileSync(paths.blocks, 'utf8').split('\n').slice(0, -1);
  fs.writeFileSync(paths.blocks, lines.slice(0, 4).join('\n') + '\n');
  assert.deepEqual(await openCount(dir), { blocks: 4, lastTxid: sampleBlock(3).txid }, 'last two blocks cut');
  const other = await ledger();
  const tail = fs.readFileSync(other.paths.tail);
  fs.writeFileSync(other.paths.blocks, lines.slice(0, 5).join('\n') + '\n' + lines[4] + '\n');
  fs.writeFileSync(other.paths.tail, tail);
  assert.deepEqual(await openCount(other.dir), { blocks: 6, lastTxid: sampleBlock(4).txid }, 'last block replaced, same length');
});
