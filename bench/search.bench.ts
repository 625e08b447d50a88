// Search benchmark, each case in its own child process: embedding throughput of the worker pool
// against one in-thread onnxruntime session (1 intra-op thread) and one session using every core;
// index build time and search latency p50/p99 over SEARCH_BENCH_STATES (default 100,000) states.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Embedder } from '../src/search/embedder';
import { modelFiles } from '../src/search/model';
import { StateSearch } from '../src/search/query';
import { embedBatch, openSession } from '../src/search/session';
import { stateView } from '../src/search/textview';
import type { Segment } from '../src/search/types';
import { syntheticHistory } from './search-data';
import { median, percentile, round } from './util';

const DOCS = Number(process.env.SEARCH_BENCH_DOCS ?? 4000);
const STATES = Number(process.env.SEARCH_BENCH_STATES ?? 100_000);
const BATCH = Number(process.env.SEARCH_BENCH_BATCH ?? 64);
/**
 * State views each session embeds before timing starts (the pool: this many per worker). Every
 * session JIT-compiles the tokenizer and sizes onnxruntime's buffers on its own first batches, and a
 * pool has one session per worker, so an equal warm-up per session compares steady states.
 */
const WARMUP = Number(process.env.SEARCH_BENCH_WARMUP ?? 512);
/** Embedding cases alternate this many times (medians of alternating runs: on this VM one run of a case can be 1.5x another). */
const RUNS = Number(process.env.SEARCH_BENCH_RUNS ?? 9);
const QUERIES = ['web server down while the bridge had no address', 'database not running', 'br-ex', 'nginx.service failed', 'packet forwarding turned off', 'tap-vm4', 'vm.swappiness', 'storage link lost', '10.100.0.21/24', 'virtual switch crashed'];

async function workload(): Promise<Segment[][]> {
  const source = syntheticHistory(DOCS, 7);
  const docs: Segment[][] = [];
  for (let n = 0; n < DOCS; n++) {
    const prev = n ? (await source.load(`s${n - 1}`)).state : undefined;
    docs.push(stateView((await source.load(`s${n}`)).state, prev).segments);
  }
  return docs;
}

/** CPU time of the whole process (every thread) per state view since `since`: the cost, whatever else runs on the machine. */
function cpuPerDoc(since: NodeJS.CpuUsage, docs: number): { cpu_us_per_doc: number } {
  const used = process.cpuUsage(since);
  return { cpu_us_per_doc: (used.user + used.system) / docs };
}

async function inThread(threads: number): Promise<Record<string, number>> {
  const docs = await workload();
  const es = await openSession(modelFiles().dir, threads);
  for (let i = 0; i < WARMUP; i += BATCH) await embedBatch(es, docs.slice(i, Math.min(WARMUP, i + BATCH)));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < docs.length; i += BATCH) await embedBatch(es, docs.slice(i, i + BATCH));
  return { docs_per_s: docs.length / ((performance.now() - t0) / 1000), ...cpuPerDoc(cpu0, docs.length), intra_op_threads: threads };
}

async function pool(): Promise<Record<string, number>> {
  const docs = await workload();
  const embedder = new Embedder({ batchSize: BATCH });
  await embedder.embed(docs.slice(0, WARMUP * embedder.poolSize));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await embedder.embed(docs);
  const rate = docs.length / ((performance.now() - t0) / 1000);
  const cpu = cpuPerDoc(cpu0, docs.length);
  await embedder.close();
  return { docs_per_s: rate, ...cpu, pool_size: embedder.poolSize, intra_op_threads: embedder.intraOpThreads };
}

/** SEARCH_BENCH_DIR keeps the built index there between runs (for profiling search alone). */
async function indexAndSearch(): Promise<Record<string, number>> {
  const keep = process.env.SEARCH_BENCH_DIR;
  const stateDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-bench-search-'));
  const embedder = new Embedder({ batchSize: BATCH });
  try {
    let search = await StateSearch.open(stateDir, embedder);
    const t0 = performance.now();
    await search.update(syntheticHistory(STATES));
    const buildMs = performance.now() - t0;
    const t1 = performance.now();
    search = await StateSearch.open(stateDir, embedder);
    const openMs = performance.now() - t1;
    const total: number[] = [];
    const embedOnly: number[] = [];
    const rankOnly: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const q of QUERIES) {
        const a = performance.now();
        await search.search(q, { limit: 10 });
        total.push(performance.now() - a);
        const e = performance.now();
        const [vector] = await embedder.embed([q]);
        embedOnly.push(performance.now() - e);
        const b = performance.now();
        await search.searchVector(q, vector, { limit: 10 });
        rankOnly.push(performance.now() - b);
      }
    }
    return {
      states: search.index.size,
      index_build_s: buildMs / 1000,
      index_open_s: openMs / 1000,
      search_p50_ms: percentile(total, 50),
      search_p99_ms: percentile(total, 99),
      rank_p50_ms: percentile(rankOnly, 50),
      rank_p99_ms: percentile(rankOnly, 99),
      query_embed_p50_ms: percentile(embedOnly, 50),
      query_embed_p99_ms: percentile(embedOnly, 99),
      index_bytes: fs.statSync(path.join(stateDir, 'search', 'vectors.f32')).size + fs.statSync(path.join(stateDir, 'search', 'entries.jsonl')).size,
    };
  } finally {
    await embedder.close();
    if (!keep) fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const CASES: Record<string, () => Promise<Record<string, number>>> = {
  'embed-pool': pool,
  'embed-single-1-thread': () => inThread(1),
  'embed-single-all-cores': () => inThread(os.availableParallelism()),
  'index-search': indexAndSearch,
};

function runCase(name: string): Record<string, number> {
  const r = spawnSync(process.execPath, [__filename, name], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`case ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only) {
    console.log(JSON.stringify(await CASES[only]()));
    return;
  }
  const embedCases = Object.keys(CASES).filter((k) => k.startsWith('embed'));
  const rates: Record<string, number[]> = Object.fromEntries(embedCases.map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(embedCases.map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const name of embedCases) {
      const r = runCase(name);
      rates[name].push(r.docs_per_s);
      cpu[name].push(r.cpu_us_per_doc);
    }
  }
  // Per alternating round: the three cases ran seconds apart, under about the same outside load.
  const pairRatios = rates['embed-pool'].map((p, i) => round(p / rates['embed-single-1-thread'][i]));
  const results: Record<string, Record<string, number>> = Object.fromEntries(embedCases.map((k) => [k, { docs_per_s: median(rates[k]) }]));
  results['index-search'] = runCase('index-search');
  const poolRate = results['embed-pool'].docs_per_s;
  const summary: Record<string, any> = {
    cores: os.availableParallelism(),
    docs: DOCS,
    runs: RUNS,
    embed_runs_docs_per_s: Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v.map((x) => round(x, 1))])),
    ratio_pool_over_single_1_thread_per_round: pairRatios,
    embed_cpu_us_per_doc: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(median(v), 1)])),
    embed_docs_per_s: Object.fromEntries(Object.entries(results).filter(([k]) => k.startsWith('embed')).map(([k, v]) => [k, round(v.docs_per_s, 1)])),
    ratio_pool_over_single_1_thread: round(poolRate / results['embed-single-1-thread'].docs_per_s),
    ratio_pool_over_single_all_cores: round(poolRate / results['embed-single-all-cores'].docs_per_s),
    ...Object.fromEntries(Object.entries(results['index-search']).map(([k, v]) => [k, round(v, 3)])),
  };
  console.log(`embedding ${DOCS} state views (median of ${RUNS} alternating runs): pool ${summary.embed_docs_per_s['embed-pool']}/s, one session 1 thread ${summary.embed_docs_per_s['embed-single-1-thread']}/s (x${summary.ratio_pool_over_single_1_thread}), one session all cores ${summary.embed_docs_per_s['embed-single-all-cores']}/s (x${summary.ratio_pool_over_single_all_cores})`);
  console.log(`index of ${summary.states} states built in ${summary.index_build_s} s; search p50 ${summary.search_p50_ms} ms, p99 ${summary.search_p99_ms} ms (ranking alone p99 ${summary.rank_p99_ms} ms, query embedding alone p99 ${summary.query_embed_p99_ms} ms)`);
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
