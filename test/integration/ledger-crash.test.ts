// A child appending in a loop (group commit, three appends in flight) is killed with SIGKILL at
// random moments, 200 times. After every kill the ledger must verify and hold every block whose
// append had returned (the child reports those on stdout only after the promise resolved).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { loadLedger, parseBlock } from '../../src/ledger/read';
import { verifyLedger } from '../../src/ledger/verify';
import { ledgerStateDir, removeDir } from '../harness/ledger';

const APPENDER = path.resolve(__dirname, '..', 'harness', 'ledger-appender.js');
const ROUNDS = 200;
const dir = ledgerStateDir();
after(() => removeDir(dir));

/** Runs the appender until it has reported `okLines` appends, then SIGKILLs it after 0-2 ms. */
function runAndKill(okLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killing = false;
    const kill = () => {
      if (killing) return;
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), crypto.randomInt(3));
    };
    child.stdout.on('data', (d) => {
      out += d;
      const oks = out.split('\n').filter((l) => l.startsWith('ok ')).length;
      if (out.startsWith('open\n') && oks >= okLines) kill();
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`appender exited ${code}/${signal}: ${err}`));
      resolve(out.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.split(' ')[1]));
    });
  });
}

test(`SIGKILL at random moments (${ROUNDS} times) loses no returned append and leaves a ledger that verifies`, async () => {
  const returned = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const txid of await runAndKill(crypto.randomInt(4))) returned.add(txid);
    const report = await verifyLedger(dir);
    assert.equal(report.ok, true, `round ${round}: ${report.failure?.message}`);
    const present = new Set(loadLedger(dir).lines.map((l) => parseBlock(l)!.txid));
    for (const txid of returned) assert.ok(present.has(txid), `round ${round}: returned append ${txid} is missing`);
  }
  assert.ok(returned.size >= ROUNDS, `only ${returned.size} appends returned in ${ROUNDS} rounds`);
});
