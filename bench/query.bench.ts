// `opdbus query --parallel` (Piscina workers) against the same queries run sequentially in the main
// thread, alternating runs so both see the same machine:
// - this host as it is (whole CLI and library calls): plugins with little state, so the pool's start-up shows;
// - a busy host: a namespace with 10,000 links / 5,000 addresses (net) and an ovsdb-server holding
//   1,000 ports (ovs), queried by the whole CLI inside that namespace, where plugins run concurrently.
import * as path from 'node:path';
import { startOvs } from '../test/harness/ovs';
import { createScaleNetns } from '../test/harness/net-scale';
import { loadConfig } from '../src/config';
import { builtinRegistry } from '../src/plugins';
import { queryPlugins } from '../src/query/run';
import { median, round, timeAsync, timeCommand } from './util';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'opdbus');

async function main(): Promise<void> {
  const env = { ...process.env, OPDBUS_STATE_DIR: '/tmp/opdbus-bench-state' };
  const cli = { sequential: [] as number[], parallel: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    cli.sequential.push(timeCommand(BIN, ['query'], env));
    cli.parallel.push(timeCommand(BIN, ['query', '--parallel'], env));
  }
  const config = loadConfig({ stateDir: '/tmp/opdbus-bench-state' });
  const plugins = builtinRegistry().names();
  const lib = { sequential: [] as number[], parallel: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    lib.sequential.push(await timeAsync(() => queryPlugins({ plugins, config, parallel: false })));
    lib.parallel.push(await timeAsync(() => queryPlugins({ plugins, config, parallel: true })));
  }
  const outcomes = await queryPlugins({ plugins, config, parallel: false });
  const busy = busyHost(env);
  const summary = {
    runs: RUNS,
    plugins_available: outcomes.filter((o) => o.status === 'ok').map((o) => o.plugin),
    cli_ms: { sequential: round(median(cli.sequential)), parallel: round(median(cli.parallel)) },
    library_ms: { sequential: round(median(lib.sequential)), parallel: round(median(lib.parallel)) },
    ratio_parallel_over_sequential: { cli: round(median(cli.parallel) / median(cli.sequential)), library: round(median(lib.parallel) / median(lib.sequential)) },
    busy_host_cli_ms: busy,
    busy_host_ratio_parallel_over_sequential: round(busy.parallel / busy.sequential),
  };
  console.log(`query on this host: plugins available: ${summary.plugins_available.join(', ')}`);
  console.log(`CLI     sequential ${summary.cli_ms.sequential} ms, --parallel ${summary.cli_ms.parallel} ms (ratio ${summary.ratio_parallel_over_sequential.cli})`);
  console.log(`library sequential ${summary.library_ms.sequential} ms, parallel ${summary.library_ms.parallel} ms (ratio ${summary.ratio_parallel_over_sequential.library})`);
  console.log(`busy host (10,000 links + 1,000 OVS ports) CLI: sequential ${busy.sequential} ms, --parallel ${busy.parallel} ms (ratio ${summary.busy_host_ratio_parallel_over_sequential})`);
  console.log(JSON.stringify(summary));
}

function busyHost(env: NodeJS.ProcessEnv): { sequential: number; parallel: number } {
  const ns = createScaleNetns(10_000, 5_000);
  const ovs = startOvs({ vswitchd: false });
  try {
    ovs.vsctl('--no-wait', 'add-br', 'busy0', '--', 'set', 'bridge', 'busy0', 'datapath_type=netdev');
    const clauses = Array.from({ length: 1000 }, (_, i) => ['--', 'add-port', 'busy0', `bp${i}`, '--', 'set', 'interface', `bp${i}`, 'type=internal']).flat();
    ovs.vsctl('--no-wait', ...clauses);
    const args = ['netns', 'exec', ns.name, BIN, '--ovsdb', ovs.endpoint, 'query', '--plugin', 'net,ovs,sysctl'];
    const sequential: number[] = [];
    const parallel: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      sequential.push(timeCommand('ip', args, env));
      parallel.push(timeCommand('ip', [...args, '--parallel'], env));
    }
    return { sequential: round(median(sequential)), parallel: round(median(parallel)) };
  } finally {
    ovs.stop();
    ns.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
