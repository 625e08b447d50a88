// Every tampering of the ledger is caught by verify with the right block index: a flipped byte
// anywhere, a deleted block, swapped blocks, a truncated file, a forged signature, a replaced key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { ledgerPaths } from '../../src/ledger/paths';
import { verifyLedger } from '../../src/ledger/verify';
import { signCheckpoint, loadOrCreateHostKey, type Checkpoint } from '../../src/ledger/checkpoint';
import { copyStateDir, ledgerStateDir, removeDir, writeLedger } from '../harness/ledger';

const BLOCKS = 8;
let pristine: string;
const dirs: string[] = [];

before(async () => {
  pristine = ledgerStateDir();
  dirs.push(pristine);
  await writeLedger(pristine, BLOCKS);
});
after(() => dirs.forEach(removeDir));

function tampered(change: (blocksFile: string, paths: ReturnType<typeof ledgerPaths>) => void): string {
  const dir = copyStateDir(pristine);
  dirs.push(dir);
  const paths = ledgerPaths(dir);
  change(paths.blocks, paths);
  return dir;
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

async function expectFailure(dir: string, index: number, kinds: string[], what: string): Promise<void> {
  const r = await verifyLedger(dir);
  assert.equal(r.ok, false, `${what}: verify passed`);
  assert.equal(r.failure?.index, index, `${what}: ${r.failure?.message}`);
  assert.ok(kinds.includes(r.failure!.kind), `${what}: kind ${r.failure?.kind}: ${r.failure?.message}`);
}

test('an untouched ledger verifies, every block under a signed checkpoint', async () => {
  const r = await verifyLedger(pristine);
  assert.deepEqual({ ok: r.ok, blocks: r.blocks, checkpoints: r.checkpoints, notes: r.notes }, { ok: true, blocks: BLOCKS, checkpoints: BLOCKS, notes: [] });
});

test('a flipped byte anywhere (sampled positions and every newline) names the block holding it', async () => {
  const data = fs.readFileSync(ledgerPaths(pristine).blocks);
  const positions = new Set<number>();
  for (let i = 0; i < data.length; i++) if (data[i] === 10) positions.add(i);
  while (positions.size < 120 + BLOCKS) positions.add(crypto.randomInt(data.length));
  for (const pos of positions) {
    const blockIndex = data.subarray(0, pos).filter((b) => b === 10).length;
    const dir = tampered((file) => {
      const copy = Buffer.from(data);
      copy[pos] ^= 1 << crypto.randomInt(8);
      fs.writeFileSync(file, copy);
    });
    await expectFailure(dir, blockIndex, ['content', 'link', 'signature', 'truncation'], `byte ${pos} (block ${blockIndex})`);
    removeDir(dir);
  }
});

test('a deleted block is a broken link at its index', async () => {
  const dir = tampered((file) => fs.writeFileSync(file, lines(file).filter((_, i) => i !== 3).join('\n') + '\n'));
  await expectFailure(dir, 3, ['link'], 'deleted block 3');
  const r = await verifyLedger(dir);
  assert.match(r.failure!.message, /^block 3: link: its prev [0-9a-f]{16}\.\.\. is not the hash of block 2/);
});

test('swapped blocks are a broken link at the first of them', async () => {
  const dir = tampered((file) => {
    const l = lines(file);
    [l[2], l[5]] = [l[5], l[2]];
    fs.writeFileSync(file, l.join('\n') + '\n');
  });
  await expectFailure(dir, 2, ['link'], 'swapped 2 and 5');
});

test('a truncated file (mid-block or at a block boundary) is truncation at the first missing block', async () => {
  const mid = tampered((file) => {
    const size = lines(file).slice(0, 6).join('\n').length + 1;
    fs.truncateSync(file, size + 40);
  });
  await expectFailure(mid, 6, ['truncation'], 'cut inside block 6');
  assert.match((await verifyLedger(mid)).failure!.message, /covers 7 blocks but the ledger ends after 6 \(block 6 is torn\)$/);
  const boundary = tampered((file) => fs.writeFileSync(file, lines(file).slice(0, 5).join('\n') + '\n'));
  await expectFailure(boundary, 5, ['truncation'], 'last 3 blocks removed');
});

test('a tail cut from both the blocks and the checkpoints is caught against a checkpoint kept elsewhere', async () => {
  const witness = lines(ledgerPaths(pristine).checkpoints).map((l) => JSON.parse(l) as Checkpoint).at(-1)!;
  const dir = tampered((file, paths) => {
    fs.writeFileSync(file, lines(file).slice(0, 6).join('\n') + '\n');
    fs.writeFileSync(paths.checkpoints, lines(paths.checkpoints).slice(0, 6).join('\n') + '\n');
  });
  assert.equal((await verifyLedger(dir)).ok, true, 'without a witness the shorter log is self-consistent');
  const r = await verifyLedger(dir, { witness });
  assert.deepEqual([r.failure?.index, r.failure?.kind], [6, 'truncation'], r.failure?.message);
  assert.equal((await verifyLedger(pristine, { witness })).ok, true);
  const forged = { ...witness, root: 'ab'.repeat(32) };
  assert.equal((await verifyLedger(pristine, { witness: forged })).failure?.kind, 'signature');
});

test('a forged checkpoint signature is a signature failure at the last block it covers', async () => {
  const dir = tampered((_, paths) => {
    const cps = lines(paths.checkpoints).map((l) => JSON.parse(l) as Checkpoint);
    const sig = Buffer.from(cps[4].sig, 'base64');
    sig[10] ^= 0xff;
    cps[4].sig = sig.toString('base64');
    fs.writeFileSync(paths.checkpoints, cps.map((c) => JSON.stringify(c)).join('\n') + '\n');
  });
  await expectFailure(dir, 4, ['signature'], 'forged signature on checkpoint 5 (size 5)');
});

test('a replaced host key is caught even when every checkpoint is re-signed with it', async () => {
  const dir = tampered((_, paths) => {
    fs.rmSync(paths.privateKey);
    fs.rmSync(paths.publicKey);
    const forger = loadOrCreateHostKey(paths);
    const cps = lines(paths.checkpoints).map((l) => JSON.parse(l) as Checkpoint);
    fs.writeFileSync(paths.checkpoints, cps.map(({ sig: _s, keyId: _k, ...c }) => JSON.stringify(signCheckpoint(forger, c))).join('\n') + '\n');
  });
  await expectFailure(dir, 0, ['signature'], 'replaced key');
  assert.match((await verifyLedger(dir)).failure!.message, /^block 0: signature: it was written under host key [0-9a-f]{16}\.\.\. but the ledger's public key is [0-9a-f]{16}\.\.\. \(host key replaced\)$/);
  const plain = tampered((_, paths) => {
    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(paths.publicKey, publicKey.export({ format: 'pem', type: 'spki' }));
  });
  await expectFailure(plain, 0, ['signature'], 'public key swapped');
});
