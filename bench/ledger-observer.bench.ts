// What the ledger costs one `opdbus apply`: the ledger observer writing the block of a transaction
// that created 1,000 links (one footprint of 1,000 actions), in a fresh process each time as the CLI
// does, on ledgers of 0, 1,000 and 10,000 prior blocks. Also open / append / close on their own.
// The per-transaction cost must not grow with the ledger (target: observer <= 12 ms at every size).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ledgerObserver } from '../src/ledger';
import { native } from '../src/native/binding';
import { bodyFromRecord } from '../src/ledger/block';
import { LedgerStore } from '../src/ledger/store';
import type { TransactionRecord } from '../src/transaction/record';
import { stateHash } from '../src/util/canonical';
import { sampleBlock, sampleRecord } from '../test/harness/ledger';
import { median, round, timeAsync } from './util';

const PRIOR = (process.env.BENCH_PRIOR ?? '0,1000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ACTIONS = 1000;
const TARGET_MS = 12;

/** The record of an apply that created `ACTIONS` links. */
function bigRecord(): TransactionRecord {
  const actions = Array.from({ length: ACTIONS }, (_, i) => ({
    plugin: 'net', op: 'create' as const, path: `/interfaces/a${i}`, resource: `link a${i}`,
    after: { name: `a${i}`, type: 'ifb', state: 'up', ipv4: { address: [{ ip: `10.${i >> 8}.${i & 255}.1`, prefix: 24 }] } },
  }));
  const base = sampleRecord(0, new Date().toISOString());
  return { ...base, txid: `bench-${process.pid}-${Date.now()}`, footprints: [{ ...base.footprints[0], plugin: 'net', actions }] };
}

type Timings = Record<string, number>;

/**
 * What `opdbus apply` has done before its observers run that matters here: the transaction manager
 * hashed the net plugin's state before and after (canonical JSON of ~1,000 links, twice), so the
 * canonical serialiser is compiled and the heap has grown.
 */
function likeApply(): void {
  for (let i = 0; i < 2; i++) stateHash(bigRecord().footprints[0].actions.map((a) => a.after));
}

/** Each case runs in its own process and prints its timings (ms) as JSON. */
const CASES: Record<string, (dir: string) => Promise<Timings>> = {
  async observer(dir) {
    const record = bigRecord();
    const cpu0 = process.cpuUsage();
    const observer = await timeAsync(() => ledgerObserver.onTransaction(record, dir));
    const cpu = process.cpuUsage(cpu0);
    // CPU time (all threads) apart from wall time: the wall time also waits for two fdatasyncs.
    return { observer, observer_cpu: (cpu.user + cpu.system) / 1000 };
  },
  async parts(dir) {
    const body = bodyFromRecord(bigRecord());
    let store!: LedgerStore;
    const open = await timeAsync(async () => (store = await LedgerStore.open(dir)));
    const append = await timeAsync(() => store.append(body));
    const close = await timeAsync(() => store.close());
    return { open, append, close };
  },
};

async function populate(dir: string, count: number): Promise<void> {
  const store = await LedgerStore.open(dir);
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) await store.append(sampleBlock(next++));
  }));
  await store.close();
}

function runCase(name: string, dir: string): Timings {
  const out = execFileSync(process.execPath, [__filename, name, dir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Timings;
}

async function main(): Promise<void> {
  const summary: Record<string, Timings> = {};
  for (const prior of PRIOR) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-bench-ledger-obs-'));
    try {
      await populate(dir, prior);
      const runs: Timings[] = [];
      // Each run on a fresh copy, so every one sees exactly `prior` blocks.
      const onCopy = (name: string): Timings => {
        const copy = `${dir}-run`;
        fs.cpSync(dir, copy, { recursive: true });
        try {
          return runCase(name, copy);
        } finally {
          fs.rmSync(copy, { recursive: true, force: true });
        }
      };
      for (let i = 0; i < RUNS; i++) runs.push({ ...onCopy('observer'), ...onCopy('parts') });
      const med = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, round(median(runs.map((r) => r[k])), 1)]));
      summary[`prior_${prior}`] = med;
      console.log(`${prior} prior blocks: observer ${med.observer} ms (target <= ${TARGET_MS}), ${med.observer_cpu} ms CPU; open ${med.open} ms, append ${med.append} ms, close ${med.close} ms`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify({ actions: ACTIONS, runs: RUNS, target_ms: TARGET_MS, load: os.loadavg().map((l) => round(l)), ...summary }));
}

const [caseName, caseDir] = process.argv.slice(2);
if (caseName) {
  const run = CASES[caseName];
  if (!run) throw new Error(`unknown case ${caseName}`);
  // `opdbus apply` has loaded the addon long before the observers run (the plugins use it).
  native();
  likeApply();
  void run(caseDir).then((t) => console.log(JSON.stringify(t)));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
