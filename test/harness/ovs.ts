// A private Open vSwitch for tests: ovsdb-server on a socket in a unique /tmp directory, and
// ovs-vswitchd inside a test network namespace (its tap devices never reach the host). Both are
// stopped by their pid files and the directory removed, even when the test fails.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createNetns, uniqueName, type TestNetns } from './netns';

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const live = new Set<TestOvs>();
process.on('exit', () => {
  for (const ovs of live) ovs.stop();
});

export interface TestOvs {
  dir: string;
  socket: string;
  /** The endpoint opdbus is given: unix:DIR/db.sock. */
  endpoint: string;
  netns: TestNetns;
  /** ovs-vsctl against this database (the reference client); throws on failure. */
  vsctl(...args: string[]): string;
  /** Kernel links in the test namespace, by name (`ip -j link`). */
  links(): Map<string, { ifname: string; operstate?: string; link_type?: string }>;
  /** Kills ovsdb-server and starts it again on the same database and socket. */
  restartDb(): void;
  stopDb(): void;
  startDb(): void;
  stop(): void;
}

function requireTool(tool: string): void {
  if (spawnSync('which', [tool]).status !== 0) {
    throw new Error(`${tool} is not installed: install the Debian package openvswitch-switch (see .ci/run)`);
  }
}

function killByPidfile(file: string): void {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (pid > 0) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) spawnSync('sleep', ['0.05']);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file or the process is gone: nothing to stop
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function startOvs(opts: { vswitchd?: boolean } = {}): TestOvs {
  for (const tool of ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl']) requireTool(tool);
  fs.mkdirSync('/var/run/openvswitch', { recursive: true });
  const dir = fs.mkdtempSync(path.join('/tmp', uniqueName('opdbus-t-ovs') + '-'));
  const socket = path.join(dir, 'db.sock');
  const db = path.join(dir, 'conf.db');
  execFileSync('ovsdb-tool', ['create', db, SCHEMA]);
  const startDb = () =>
    execFileSync('ovsdb-server', [db, `--remote=punix:${socket}`, `--unixctl=${path.join(dir, 'ovsdb.ctl')}`, `--pidfile=${path.join(dir, 'ovsdb.pid')}`, '--detach', `--log-file=${path.join(dir, 'ovsdb.log')}`]);
  let netns: TestNetns | undefined;
  const ovs: TestOvs = {
    dir,
    socket,
    endpoint: `unix:${socket}`,
    get netns() {
      if (!netns) throw new Error('this test OVS runs without ovs-vswitchd and has no namespace');
      return netns;
    },
    vsctl: (...args) => execFileSync('ovs-vsctl', [`--db=unix:${socket}`, '--timeout=10', ...args], { encoding: 'utf8' }),
    links() {
      const out = execFileSync('ip', ['-n', ovs.netns.name, '-j', 'link', 'show'], { encoding: 'utf8' });
      return new Map((JSON.parse(out) as { ifname: string }[]).map((l) => [l.ifname, l]));
    },
    restartDb() {
      ovs.stopDb();
      startDb();
    },
    stopDb() {
      killByPidfile(path.join(dir, 'ovsdb.pid'));
      fs.rmSync(socket, { force: true });
    },
    startDb,
    stop() {
      if (!live.delete(ovs)) return;
      killByPidfile(path.join(dir, 'vswitchd.pid'));
      killByPidfile(path.join(dir, 'ovsdb.pid'));
      netns?.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(ovs);
  try {
    startDb();
    ovs.vsctl('--no-wait', 'init');
    if (opts.vswitchd !== false) {
      netns = createNetns();
      netns.exec('ovs-vswitchd', [`unix:${socket}`, `--unixctl=${path.join(dir, 'vswitchd.ctl')}`, `--pidfile=${path.join(dir, 'vswitchd.pid')}`, '--detach', `--log-file=${path.join(dir, 'vswitchd.log')}`]);
    }
  } catch (err) {
    ovs.stop();
    throw err;
  }
  return ovs;
}
