// opdbus against ovs-vsctl on a private OVS (ovsdb-server + ovs-vswitchd, userspace datapath, in a
// namespace): add 1,000 internal ports to a bridge (both wait for ovs-vswitchd: ovs-vsctl by default,
// opdbus through its verify, which settles until every interface has an OpenFlow port), then query
// the 1,000 ports (opdbus query vs ovs-vsctl --format=json list Port + list Interface).
// Each case is a child process; runs alternate which side goes first. `--lib-add ENDPOINT` and
// `--lib-query ENDPOINT` are the children that time the plugin in-process (no CLI start-up).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig } from '../src/config';
import { ovsPlugin } from '../src/plugins/ovs';
import { createLogger } from '../src/util/log';
import { startOvs, type TestOvs } from '../test/harness/ovs';
import { median, round, timeAsync, timeCommand } from './util';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUERY_RUNS = 5;
const PORTS = Number(process.env.BENCH_OVS_PORTS ?? 1000);
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'opdbus');
const BRIDGE = 'opdb-bench';

function portNames(): string[] {
  return Array.from({ length: PORTS }, (_, i) => `opdbp${i}`);
}

function freshOvs(): TestOvs {
  const ovs = startOvs();
  ovs.vsctl('add-br', BRIDGE, '--', 'set', 'Bridge', BRIDGE, 'datapath_type=netdev');
  return ovs;
}

function addWithVsctl(ovs: TestOvs): number {
  const clauses = portNames().flatMap((p) => ['--', 'add-port', BRIDGE, p, '--', 'set', 'Interface', p, 'type=internal']);
  return timeCommand('ovs-vsctl', [`--db=${ovs.endpoint}`, '--timeout=600', ...clauses]);
}

function addWithOpdbus(ovs: TestOvs, env: NodeJS.ProcessEnv): number {
  const doc = path.join(ovs.dir, 'bench.json');
  const ports = portNames().map((p) => ({ name: p, interfaces: [{ name: p, type: 'internal' }] }));
  fs.writeFileSync(doc, JSON.stringify({ version: 1, plugins: { ovs: { bridges: [{ name: BRIDGE, ports }] } } }));
  return timeCommand(BIN, ['apply', '-p', 'ovs', doc, '--ovsdb', ovs.endpoint], env);
}

/** Child side of the library case: query, diff, checkpoint, apply, then verify until settled, in-process. */
async function libAdd(endpoint: string): Promise<void> {
  const ctx = { config: { ...defaultConfig(), ovsdb: endpoint, pluginOptions: { ovs: { datapath_type: 'netdev' } } }, log: createLogger('error') };
  const desired = { bridges: [{ name: BRIDGE, ports: portNames().map((p) => ({ name: p, interfaces: [{ name: p, type: 'internal' as const }] })) }] };
  const ms = await timeAsync(async () => {
    const current = await ovsPlugin.query(ctx, desired);
    const actions = ovsPlugin.diff(current, desired);
    await ovsPlugin.checkpoint(ctx, actions, current);
    await ovsPlugin.apply(ctx, actions);
    while ((await ovsPlugin.verify(ctx, desired)).length) await new Promise((r) => setTimeout(r, ovsPlugin.settle.intervalMs));
  });
  await ovsPlugin.close?.();
  console.log(ms);
}

function childMs(mode: string, endpoint: string): number {
  const child = spawnSync(process.execPath, [__filename, mode, endpoint], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${mode} failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

function queryTimes(ovs: TestOvs, env: NodeJS.ProcessEnv) {
  const t = { vsctl: [] as number[], cli: [] as number[], library: [] as number[] };
  for (let i = 0; i < QUERY_RUNS; i++) {
    t.vsctl.push(timeCommand('ovs-vsctl', [`--db=${ovs.endpoint}`, '--format=json', 'list', 'Port']) + timeCommand('ovs-vsctl', [`--db=${ovs.endpoint}`, '--format=json', 'list', 'Interface']));
    t.cli.push(timeCommand(BIN, ['query', '-p', 'ovs', '--format', 'json', '--ovsdb', ovs.endpoint], env));
    t.library.push(childMs('--lib-query', ovs.endpoint));
  }
  return t;
}

async function libQuery(endpoint: string): Promise<void> {
  const ctx = { config: { ...defaultConfig(), ovsdb: endpoint }, log: createLogger('error') };
  let ports = 0;
  const ms = await timeAsync(async () => {
    const state = await ovsPlugin.query(ctx);
    ports = state.bridges?.reduce((n, b) => n + (b.ports?.length ?? 0), 0) ?? 0;
  });
  if (ports < PORTS) throw new Error(`query saw ${ports} ports, expected at least ${PORTS}`);
  await ovsPlugin.close?.();
  console.log(ms);
}

async function main(): Promise<void> {
  const stateDir = fs.mkdtempSync('/tmp/opdbus-t-bench-ovs-');
  const config = path.join(stateDir, 'config.yaml');
  fs.writeFileSync(config, 'plugins:\n  ovs:\n    datapath_type: netdev\n');
  const env = { ...process.env, OPDBUS_STATE_DIR: stateDir, OPDBUS_CONFIG: config };
  const add = { vsctl: [] as number[], opdbus: [] as number[], library: [] as number[] };
  const query = { vsctl: [] as number[], cli: [] as number[], library: [] as number[] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const side of run % 2 ? (['opdbus', 'library', 'vsctl'] as const) : (['vsctl', 'library', 'opdbus'] as const)) {
        const ovs = freshOvs();
        try {
          if (side === 'vsctl') add.vsctl.push(addWithVsctl(ovs));
          else if (side === 'library') add.library.push(childMs('--lib-add', ovs.endpoint));
          else {
            add.opdbus.push(addWithOpdbus(ovs, env));
            const q = queryTimes(ovs, env);
            query.vsctl.push(...q.vsctl);
            query.cli.push(...q.cli);
            query.library.push(...q.library);
          }
        } finally {
          ovs.stop();
        }
      }
    }
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const summary = {
    bench: 'ovs',
    ports: PORTS,
    runs: RUNS,
    waits_for_vswitchd: 'both',
    add_ports_ms: { ovs_vsctl: round(median(add.vsctl)), opdbus_apply_cli: round(median(add.opdbus)), opdbus_apply_library: round(median(add.library)) },
    query_ms: { ovs_vsctl_list_port_and_interface: round(median(query.vsctl)), opdbus_query_cli: round(median(query.cli)), opdbus_query_library: round(median(query.library)) },
    ratio_vs_ovs_vsctl: {
      add_ports_cli: round(median(add.opdbus) / median(add.vsctl)),
      add_ports_library: round(median(add.library) / median(add.vsctl)),
      query_cli: round(median(query.cli) / median(query.vsctl)),
      query_library: round(median(query.library) / median(query.vsctl)),
    },
  };
  console.log(`add ${PORTS} internal ports (both wait for ovs-vswitchd): ovs-vsctl ${summary.add_ports_ms.ovs_vsctl} ms, opdbus apply ${summary.add_ports_ms.opdbus_apply_cli} ms (ratio ${summary.ratio_vs_ovs_vsctl.add_ports_cli}), library ${summary.add_ports_ms.opdbus_apply_library} ms (ratio ${summary.ratio_vs_ovs_vsctl.add_ports_library})`);
  console.log(`query ${PORTS} ports: ovs-vsctl list Port + list Interface ${summary.query_ms.ovs_vsctl_list_port_and_interface} ms, opdbus query ${summary.query_ms.opdbus_query_cli} ms (ratio ${summary.ratio_vs_ovs_vsctl.query_cli}), library ${summary.query_ms.opdbus_query_library} ms (ratio ${summary.ratio_vs_ovs_vsctl.query_library})`);
  console.log(JSON.stringify(summary));
}

const CHILDREN: Record<string, (endpoint: string) => Promise<void>> = { '--lib-query': libQuery, '--lib-add': libAdd };
const child = CHILDREN[process.argv[2]];
if (child) {
  child(process.argv[3]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
