// `opdbus query --parallel` (Piscina workers) against the same queries run sequentially in the main
// thread, both as whole CLI runs and as library calls, alternating runs so both see the same machine.
import * as path from 'node:path';
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
    cli.sequential.push(timeCommand(process.execPath, [BIN, 'query'], env));
    cli.parallel.push(timeCommand(process.execPath, [BIN, 'query', '--parallel'], env));
  }
  const config = loadConfig({ stateDir: '/tmp/opdbus-bench-state' });
  const plugins = builtinRegistry().names();
  const lib = { sequential: [] as number[], parallel: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    lib.sequential.push(await timeAsync(() => queryPlugins({ plugins, config, parallel: false })));
    lib.parallel.push(await timeAsync(() => queryPlugins({ plugins, config, parallel: true })));
  }
  const outcomes = await queryPlugins({ plugins, config, parallel: false });
  const summary = {
    runs: RUNS,
    plugins_available: outcomes.filter((o) => o.status === 'ok').map((o) => o.plugin),
    cli_ms: { sequential: round(median(cli.sequential)), parallel: round(median(cli.parallel)) },
    library_ms: { sequential: round(median(lib.sequential)), parallel: round(median(lib.parallel)) },
    ratio_parallel_over_sequential: { cli: round(median(cli.parallel) / median(cli.sequential)), library: round(median(lib.parallel) / median(lib.sequential)) },
  };
  console.log(`query on this host: plugins available: ${summary.plugins_available.join(', ')}`);
  console.log(`CLI     sequential ${summary.cli_ms.sequential} ms, --parallel ${summary.cli_ms.parallel} ms (ratio ${summary.ratio_parallel_over_sequential.cli})`);
  console.log(`library sequential ${summary.library_ms.sequential} ms, parallel ${summary.library_ms.parallel} ms (ratio ${summary.ratio_parallel_over_sequential.library})`);
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
