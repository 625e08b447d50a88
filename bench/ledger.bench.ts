// Ledger hashing and durability. Chaining 1,000,000 records of 256 bytes in the addon (one batch
// call) against `openssl speed -evp sha256 -bytes 256` (single core) and against a Node loop of
// crypto.createHash per record; then durable ledger appends per second (one at a time, and 64 in
// flight with group commit). Each case runs in its own child process, alternating, median of RUNS.
// Rates are given twice: per CPU second (what `openssl speed` reports by default: it counts user
// CPU time) and per wall second (`openssl speed -elapsed`), because on a shared, loaded machine wall
// time measures the neighbours as much as the code.
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chainLinks } from '../src/ledger/merkle';
import { LedgerStore } from '../src/ledger/store';
import { sampleBlock } from '../test/harness/ledger';
import { median, round } from './util';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const RECORD_BYTES = 256;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 300);

function records(): { data: Buffer; lengths: Uint32Array } {
  const data = Buffer.allocUnsafe(RECORDS * RECORD_BYTES);
  crypto.randomFillSync(data);
  return { data, lengths: new Uint32Array(RECORDS).fill(RECORD_BYTES) };
}

interface Rate {
  cpu: number;
  wall: number;
}

/** Runs `fn` doing `count` operations; rates per CPU second (all threads) and per wall second. */
async function measure(count: number, fn: () => Promise<unknown>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { cpu: count / ((cpu.user + cpu.system) / 1e6), wall: count / wall };
}

/** "Doing sha256 for 3s on 256 size blocks: 9876543 sha256's in 2.99s" (stderr or stdout by version). */
function opensslSpeed(extra: string[]): number {
  const r = spawnSync('openssl', ['speed', ...extra, '-evp', 'sha256', '-bytes', String(RECORD_BYTES), '-seconds', '2'], { encoding: 'utf8' });
  const m = /: (\d+) \S+'s in ([\d.]+)s/.exec(r.stdout + r.stderr);
  if (!m) throw new Error(`cannot parse openssl speed output: ${r.stdout}${r.stderr}`);
  return Number(m[1]) / Number(m[2]);
}

/** Each case prints its Rate as JSON on its last line. */
const CASES: Record<string, () => Promise<Rate>> = {
  async addon() {
    const r = records();
    return measure(RECORDS, () => chainLinks(Buffer.alloc(32), r));
  },
  async node() {
    const r = records();
    return measure(RECORDS, async () => {
      let link = Buffer.alloc(32);
      for (let i = 0; i < RECORDS; i++) link = crypto.createHash('sha256').update(link).update(r.data.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES)).digest();
    });
  },
  async openssl() {
    return { cpu: opensslSpeed([]), wall: opensslSpeed(['-elapsed']) };
  },
  async appendsSerial() {
    return appendRate(1);
  },
  async appendsGrouped() {
    return appendRate(64);
  },
};

/** Durable appends per second with `inFlight` concurrent appenders, in a fresh state directory. */
async function appendRate(inFlight: number): Promise<Rate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-bench-ledger-'));
  try {
    const store = await LedgerStore.open(dir);
    let next = 0;
    const rate = await measure(APPENDS, () => Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < APPENDS) await store.append(sampleBlock(next++));
    })));
    await store.close();
    return rate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runCase(name: string): Rate {
  const out = execFileSync(process.execPath, [__filename, name], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').pop()!) as Rate;
}

async function main(): Promise<void> {
  const rates: Record<string, Rate[]> = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const name of Object.keys(CASES)) rates[name].push(runCase(name));
  const med = (name: string, kind: keyof Rate): number => median(rates[name].map((r) => r[kind]));
  const per = (kind: keyof Rate) => ({
    addon_chain: round(med('addon', kind), 0),
    openssl_speed_evp: round(med('openssl', kind), 0),
    node_create_hash_loop: round(med('node', kind), 0),
    ratio_addon_over_openssl: round(med('addon', kind) / med('openssl', kind)),
    ratio_addon_over_node_loop: round(med('addon', kind) / med('node', kind)),
  });
  const summary = {
    records: RECORDS,
    record_bytes: RECORD_BYTES,
    runs: RUNS,
    hashes_per_cpu_s: per('cpu'),
    hashes_per_wall_s: per('wall'),
    durable_appends_per_wall_s: { serial: round(med('appendsSerial', 'wall'), 1), group_commit_64: round(med('appendsGrouped', 'wall'), 1) },
  };
  const targets = (p: ReturnType<typeof per>) => `addon/openssl ${p.ratio_addon_over_openssl} (target >= 0.8), addon/node loop ${p.ratio_addon_over_node_loop} (target >= 4)`;
  for (const [label, p] of [['per CPU second', summary.hashes_per_cpu_s], ['per wall second', summary.hashes_per_wall_s]] as const) {
    console.log(`chain ${RECORDS} x ${RECORD_BYTES} B, ${label}: addon ${p.addon_chain}, openssl speed ${p.openssl_speed_evp}, node loop ${p.node_create_hash_loop}; ${targets(p)}`);
  }
  console.log(`durable ledger appends: ${summary.durable_appends_per_wall_s.serial}/s one at a time, ${summary.durable_appends_per_wall_s.group_commit_64}/s with 64 in flight (group commit)`);
  console.log(JSON.stringify(summary));
}

const caseName = process.argv[2];
if (caseName) {
  const run = CASES[caseName];
  if (!run) throw new Error(`unknown case ${caseName}`);
  void run().then((rate) => console.log(JSON.stringify(rate)));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
