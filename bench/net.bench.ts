// The net query and apply against their peers, in the same run on the same machine:
// - on a namespace with 10,000 ifb links, 5,000 IPv4 addresses and their routes: the whole CLI
//   (`opdbus query --plugin net --format json`) and the library call against `ip -j link show; ip -j
//   addr show; ip -j route show table all`, and against pyroute2 (Debian python3-pyroute2) doing the
//   same three dumps; the raw kernel dump through the addon (no parsing) is reported as the floor;
// - creating 1,000 ifb links with an address each: `opdbus apply` (CLI and library) against `ip -batch`.
// Runs alternate between contenders so both see the same machine load; medians are reported.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { netlinkAddon, netnsPath } from '../src/netlink/addon';
import type { Plugin } from '../src/plugin/contract';
import { netPlugin, type NetState } from '../src/plugins/net';
import { verifySettled } from '../src/transaction/verify';
import { netCtx } from '../test/harness/net';
import { createScaleNetns, scaleAddress } from '../test/harness/net-scale';
import { createNetns, type TestNetns } from '../test/harness/netns';
import { median, round, settleCpu, timeAsync, timeCommand } from './util';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'opdbus');
const STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-bench-net-'));
const ENV = { ...process.env, OPDBUS_STATE_DIR: STATE };
const PYROUTE2 = `
import sys, time
from pyroute2 import IPRoute
with IPRoute() as ipr:
    t = time.perf_counter()
    links = ipr.get_links(); addrs = ipr.get_addr(); routes = list(ipr.route('dump'))
    print((time.perf_counter() - t) * 1000, len(links), len(addrs), len(routes))
`;

function ipDumps(ns: string): number {
  return ['link show', 'addr show', 'route show table all'].reduce((sum, c) => sum + timeCommand('ip', ['-n', ns, '-j', ...c.split(' ')]), 0);
}

function pyroute2(ns: string): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', PYROUTE2], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pyroute2 (Debian python3-pyroute2) failed: ${r.stderr}`);
  return Number(r.stdout.split(' ')[0]);
}

async function queryBench() {
  const ns = createScaleNetns(10_000, 5_000, 'opdbus-t-bench');
  try {
    const ctx = netCtx(ns.name);
    const t = { ip: [] as number[], cli: [] as number[], library: [] as number[], kernel: [] as number[], pyroute2: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      t.ip.push(ipDumps(ns.name));
      t.cli.push(timeCommand(BIN, ['--netns', ns.name, 'query', '--plugin', 'net', '--format', 'json'], ENV));
      t.library.push(await timeAsync(() => netPlugin.query(ctx)));
      t.kernel.push(await timeAsync(() => netlinkAddon().netlinkDump(netnsPath(ns.name), ['link', 'addr', 'route'], false)));
      if (i < 3) t.pyroute2.push(pyroute2(ns.name));
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(median(v))])) as Record<keyof typeof t, number>;
    return { ms: m, ratio: { cli_over_ip: round(m.cli / m.ip), library_over_ip: round(m.library / m.ip), pyroute2_over_library: round(m.pyroute2 / m.library), kernel_over_ip: round(m.kernel / m.ip) } };
  } finally {
    ns.remove();
  }
}

function freshNamespace(): TestNetns {
  const ns = createNetns('opdbus-t-bench');
  execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  return ns;
}

async function applyBench() {
  const N = 1000;
  const doc: NetState = { interfaces: Array.from({ length: N }, (_, i) => ({ name: `a${i}`, type: 'ifb' as const, state: 'up' as const, ipv4: { address: [{ ip: scaleAddress(i), prefix: 24 }] } })) };
  const file = path.join(STATE, 'apply.json');
  fs.writeFileSync(file, JSON.stringify({ version: 1, plugins: { net: doc } }));
  const batch = path.join(STATE, 'apply.batch');
  fs.writeFileSync(batch, doc.interfaces!.flatMap((x) => [`link add ${x.name} type ifb`, `link set ${x.name} up`, `addr add ${x.ipv4!.address![0].ip}/24 dev ${x.name}`]).join('\n') + '\n');
  const t = { ipBatch: [] as number[], cli: [] as number[], library: [] as number[] };
  const check = (ns: TestNetns) => {
    const n = JSON.parse(execFileSync('ip', ['-n', ns.name, '-j', 'addr', 'show'], { encoding: 'utf8', maxBuffer: 1e8 })).filter((l: any) => l.addr_info.length).length;
    if (n !== N) throw new Error(`expected ${N} links with an address, found ${n}`);
  };
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, run] of [
      ['ipBatch', (ns: TestNetns) => timeCommand('ip', ['-n', ns.name, '-batch', batch])],
      ['cli', (ns: TestNetns) => timeCommand(BIN, ['--netns', ns.name, 'apply', file], ENV)],
      ['library', (ns: TestNetns) => timeAsync(() => libraryApply(ns.name, doc))],
    ] as const) {
      const ns = freshNamespace();
      try {
        await settleCpu(); // the previous namespace's cleanup runs in the kernel after `ip netns del` returns
        t[kind].push(await run(ns));
        check(ns);
      } finally {
        ns.remove();
      }
    }
  }
  if (process.env.BENCH_VERBOSE) console.error('apply samples (ms):', JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map(round)]))));
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(median(v))])) as Record<keyof typeof t, number>;
  return { links: N, ms: m, ratio: { cli_over_ip_batch: round(m.cli / m.ipBatch), library_over_ip_batch: round(m.library / m.ipBatch) } };
}

/** The net plugin's part of a transaction: query, diff, checkpoint, apply, verify. */
async function libraryApply(netns: string, desired: NetState): Promise<void> {
  const ctx = netCtx(netns);
  const normalized = netPlugin.normalize!(desired);
  const current = await netPlugin.query(ctx, normalized);
  const actions = netPlugin.diff(current, normalized);
  await netPlugin.checkpoint(ctx, actions, current);
  await netPlugin.apply(ctx, actions);
  await verifySettled(netPlugin as Plugin, ctx, normalized);
}

/** `node dist/bench/net.bench.js [query|apply]`: both halves, or one. */
async function main(): Promise<void> {
  const only = process.argv[2];
  const query = only === 'apply' ? undefined : await queryBench();
  if (query) console.log(`query, 10,000 links / 5,000 addresses (median of ${RUNS}): ip -j x3 ${query.ms.ip} ms | opdbus CLI ${query.ms.cli} ms (${query.ratio.cli_over_ip}x) | library ${query.ms.library} ms (${query.ratio.library_over_ip}x) | pyroute2 ${query.ms.pyroute2} ms (${query.ratio.pyroute2_over_library}x the library) | raw kernel dump ${query.ms.kernel} ms (${query.ratio.kernel_over_ip}x)`);
  const apply = only === 'query' ? undefined : await applyBench();
  if (apply) console.log(`apply, 1,000 links with addresses (median of ${RUNS}): ip -batch ${apply.ms.ipBatch} ms | opdbus CLI ${apply.ms.cli} ms (${apply.ratio.cli_over_ip_batch}x) | library ${apply.ms.library} ms (${apply.ratio.library_over_ip_batch}x)`);
  console.log(JSON.stringify({ runs: RUNS, query, apply }));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(STATE, { recursive: true, force: true }));
