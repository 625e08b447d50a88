// `opdbus query --plugin systemd` against a container holding 500 extra units, compared with the peer
// run inside it: `systemctl list-units --all --output=json` + `systemctl list-unit-files --output=json`.
// Both are whole child processes; the plugin's query as a library call (one bus connection, ListUnits
// + ListUnitFiles) is timed too, and so are the two floors: systemd's ListUnitFiles alone (busctl) and
// Node's bare start-up (`node -e 0`). All are interleaved so they see the same machine; PID 1's CPU
// time during each run separates systemd's share (the same for all) from the client side's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../src/config';
import { systemdPlugin } from '../src/plugins/systemd';
import { createLogger } from '../src/util/log';
import { bootContainer } from '../test/harness/container';
import { median, round, timeAsync, timeCommand } from './util';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const UNITS = Number(process.env.BENCH_UNITS ?? 500);
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'opdbus');

async function main(): Promise<void> {
  const c = await bootContainer();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-bench-'));
  try {
    // Enabled through wants links, so every unit is loaded and shows in ListUnits as well as ListUnitFiles.
    for (let i = 0; i < UNITS; i++) {
      const name = `opdbus-bench-${i}.service`;
      c.writeFile(`etc/systemd/system/${name}`, `[Unit]\nDescription=bench ${i}\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n`);
      fs.mkdirSync(path.join(c.root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
      fs.symlinkSync(`/etc/systemd/system/${name}`, path.join(c.root, 'etc/systemd/system/multi-user.target.wants', name));
    }
    c.busctl(['call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'Reload']);

    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: c.busAddress, OPDBUS_STATE_DIR: stateDir };
    const peerScript = 'systemctl list-units --all --output=json >/dev/null && systemctl list-unit-files --output=json >/dev/null';
    const ctx = { config: { ...defaultConfig(), dbus: { system: c.busAddress } }, log: createLogger('warn') };
    const doc = await systemdPlugin.query(ctx);
    // systemd's own CPU time (utime + stime of PID 1, in clock ticks of 10 ms) during each run: the
    // part every contender pays alike; wall time minus it is what the client side adds.
    const pid1Cpu = () => fs.readFileSync(`/proc/${c.initPid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a, b) => a + Number(b) * 10, 0);
    const wall: Record<string, number[]> = {};
    const systemdCpu: Record<string, number[]> = {};
    const measure = async (name: string, run: () => number | Promise<number>) => {
      const cpu0 = pid1Cpu();
      (wall[name] ??= []).push(await run());
      (systemdCpu[name] ??= []).push(pid1Cpu() - cpu0);
    };
    const withoutExtraCerts = { ...process.env };
    delete withoutExtraCerts.NODE_EXTRA_CA_CERTS;
    // Interleaved, so that the load of a shared machine falls on all of them alike.
    for (let i = 0; i < RUNS; i++) {
      await measure('cli', () => timeCommand(BIN, ['query', '--plugin', 'systemd', '--format', 'json'], env));
      await measure('systemctl', () => timeCommand('nsenter', ['-t', String(c.initPid), '-a', '--', 'sh', '-c', peerScript]));
      await measure('library', () => timeAsync(() => systemdPlugin.query(ctx)));
      await measure('busctl', () => timeCommand('busctl', [`--address=${c.busAddress}`, 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'ListUnitFiles']));
      // Node's own start-up as bin/opdbus starts it (without NODE_EXTRA_CA_CERTS).
      await measure('node', () => timeCommand(process.execPath, ['-e', '0'], withoutExtraCerts));
    }

    const ms = (name: string) => round(median(wall[name]));
    const added = (name: string) => round(median(wall[name].map((w, i) => w - systemdCpu[name][i])));
    const summary = {
      runs: RUNS,
      units_in_output: Object.keys(doc.units).length,
      opdbus_cli_ms: ms('cli'),
      systemctl_ms: ms('systemctl'),
      opdbus_library_ms: ms('library'),
      busctl_list_unit_files_ms: ms('busctl'),
      node_startup_ms: ms('node'),
      systemd_cpu_ms: { cli: round(median(systemdCpu.cli)), systemctl: round(median(systemdCpu.systemctl)), library: round(median(systemdCpu.library)), busctl: round(median(systemdCpu.busctl)) },
      wall_minus_systemd_cpu_ms: { cli: added('cli'), systemctl: added('systemctl'), library: added('library'), busctl: added('busctl') },
      ratio_cli_over_systemctl: round(median(wall.cli) / median(wall.systemctl)),
      ratio_library_over_systemctl: round(median(wall.library) / median(wall.systemctl)),
      // Each run's ratio to the systemctl run next to it: steadier when the machine's load shifts.
      paired_ratio_cli: round(median(wall.cli.map((w, i) => w / wall.systemctl[i]))),
      paired_ratio_library: round(median(wall.library.map((w, i) => w / wall.systemctl[i]))),
    };
    console.log(`systemd query, ${summary.units_in_output} units in the output (${UNITS} added)`);
    console.log(`opdbus query --plugin systemd ${summary.opdbus_cli_ms} ms (CLI), ${summary.opdbus_library_ms} ms (library); systemctl list-units + list-unit-files ${summary.systemctl_ms} ms`);
    console.log(`floors: systemd's ListUnitFiles alone (busctl) ${summary.busctl_list_unit_files_ms} ms, node -e 0 ${summary.node_startup_ms} ms`);
    console.log(`systemd's CPU per run ${JSON.stringify(summary.systemd_cpu_ms)}; wall minus it ${JSON.stringify(summary.wall_minus_systemd_cpu_ms)}`);
    console.log(`ratio CLI/systemctl ${summary.ratio_cli_over_systemctl}, library/systemctl ${summary.ratio_library_over_systemctl} (median of per-run ratios: ${summary.paired_ratio_cli}, ${summary.paired_ratio_library})`);
    console.log(JSON.stringify(summary));
  } finally {
    await c.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
