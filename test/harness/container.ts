// A real systemd as PID 1 in a systemd-nspawn container (recipe: ../shared/REAL-COMPONENTS.md): its
// own cgroup, a private or test network namespace, its system bus socket in a host directory. stop()
// and a process-exit hook always tear it down: init killed, cgroups and nspawn runtime entries removed.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { uniqueName } from './netns';
import { extractRootfs } from './rootfs';

export interface TestContainer {
  name: string;
  initPid: number;
  /** Host directory bound to the container's /run/dbus. */
  busDir: string;
  /** The container's system bus, reachable from the host. */
  busAddress: string;
  /** The container's root as the host sees it (/proc/<init pid>/root). */
  root: string;
  /** Runs a command in all the container's namespaces; throws on a non-zero exit. */
  exec(cmd: string, args: string[], input?: string): string;
  run(cmd: string, args: string[], input?: string): SpawnSyncReturns<string>;
  /** busctl against the container's bus; returns stdout, throws on failure. */
  busctl(args: string[]): string;
  /** A property of a unit, read over the bus (LoadUnit, then Get). */
  unitProperty(unit: string, property: string, iface?: string): unknown;
  /** Writes a file under the container's root (e.g. etc/systemd/system/x.service). */
  writeFile(relPath: string, content: string): void;
  /** Opens a login session for `user` (su - USER -c 'exec sleep 1000') once logind lists it. */
  openSession(user: string): Promise<LoginSession>;
  stop(): Promise<void>;
}

export interface LoginSession {
  id: string;
  /** Resolves when the session's process has ended (it was terminated), or rejects after `timeoutMs`. */
  ended(timeoutMs?: number): Promise<void>;
  kill(): void;
}

const CGROUP_HIERARCHIES = ['systemd', 'unified'];
const live = new Map<string, () => void>();
process.on('exit', () => {
  for (const kill of live.values()) kill();
});

let sharedRootfs: string | undefined;
/** One extracted image per test process; containers boot it read-only (--volatile=overlay). */
function rootfs(): string {
  if (sharedRootfs) return sharedRootfs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-rootfs-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  extractRootfs(dir);
  sharedRootfs = dir;
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function removeCgroups(name: string): void {
  for (const h of CGROUP_HIERARCHIES) spawnSync('find', [`/sys/fs/cgroup/${h}/nspawn-${name}`, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
}

function removeNspawnRuntime(name: string): void {
  // Other containers may be running: remove only this machine's entries, never the whole directory.
  spawnSync('find', ['/run/systemd/nspawn', '-depth', '-name', name, '-exec', 'rm', '-rf', '{}', ';']);
}

export interface BootOptions {
  /** /run/netns/NAME to boot in a test network namespace; default: a private one. */
  netnsPath?: string;
  /** How long to wait for SystemState=running (default 90 s: the machine is shared). */
  bootTimeoutMs?: number;
}

export async function bootContainer(opts: BootOptions = {}): Promise<TestContainer> {
  const root = rootfs();
  const name = uniqueName('opdbus-t');
  const busDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-bus-'));
  // It becomes the container's /run/dbus: unprivileged users (a user's systemd) must reach the socket.
  fs.chmodSync(busDir, 0o755);
  const logFile = path.join(busDir, '..', `${path.basename(busDir)}.log`);
  const busAddress = `unix:path=${busDir}/system_bus_socket`;
  for (const h of CGROUP_HIERARCHIES) fs.mkdirSync(`/sys/fs/cgroup/${h}/nspawn-${name}`, { recursive: true });
  const network = opts.netnsPath ? `--network-namespace-path=${opts.netnsPath}` : '--private-network';
  const script =
    'for h in systemd unified; do echo $$ >/sys/fs/cgroup/$h/nspawn-$1/cgroup.procs; done; ' +
    'exec systemd-nspawn -D "$2" -b --register=no --keep-unit --volatile=overlay --console=passive --machine="$1" "$3" --bind="$4":/run/dbus';
  const log = fs.openSync(logFile, 'w');
  const nspawn: ChildProcess = spawn('bash', ['-c', script, 'boot', name, root, network, busDir], { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = false;
  nspawn.on('exit', () => (exited = true));

  let initPid = 0;
  const killInit = () => {
    if (initPid) spawnSync('kill', ['-KILL', String(initPid)]);
    else if (nspawn.pid) spawnSync('kill', ['-KILL', String(nspawn.pid)]);
  };
  const cleanupSync = () => {
    killInit();
    for (let i = 0; i < 50 && !exited && nspawn.pid && fs.existsSync(`/proc/${nspawn.pid}`); i++) spawnSync('sleep', ['0.1']);
    removeCgroups(name);
    removeNspawnRuntime(name);
    fs.rmSync(busDir, { recursive: true, force: true });
    fs.rmSync(logFile, { force: true });
  };
  live.set(name, cleanupSync);

  const busctl = (args: string[]) => spawnSync('busctl', [`--address=${busAddress}`, ...args], { encoding: 'utf8' });
  const fail = (why: string): never => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
    cleanupSync();
    live.delete(name);
    throw new Error(`container ${name}: ${why}\n${text}`);
  };
  const deadline = Date.now() + (opts.bootTimeoutMs ?? 90_000);
  for (;;) {
    if (exited) fail('systemd-nspawn exited during boot');
    if (Date.now() > deadline) fail('did not reach SystemState=running in time');
    if (!initPid) initPid = childPids(nspawn.pid!).find((p) => comm(p) === 'systemd') ?? 0;
    if (initPid && fs.existsSync(`${busDir}/system_bus_socket`)) {
      const r = busctl(['get-property', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'SystemState']);
      if (r.stdout.trim() === 's "running"') break;
      if (r.stdout.trim() === 's "degraded"') fail('booted degraded');
    }
    await sleep(100);
  }

  const run = (cmd: string, args: string[], input?: string) =>
    spawnSync('nsenter', ['-t', String(initPid), '-a', '--', cmd, ...args], { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  const container: TestContainer = {
    name,
    initPid,
    busDir,
    busAddress,
    root: `/proc/${initPid}/root`,
    run,
    exec(cmd, args, input) {
      const r = run(cmd, args, input);
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${name} exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    },
    busctl(args) {
      const r = busctl(args);
      if (r.status !== 0) throw new Error(`busctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    },
    unitProperty(unit, property, iface = 'org.freedesktop.systemd1.Unit') {
      const loaded = container.busctl(['--json=short', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'LoadUnit', 's', unit]);
      const unitPath = (JSON.parse(loaded) as { data: string[] }).data[0];
      return (JSON.parse(container.busctl(['--json=short', 'get-property', 'org.freedesktop.systemd1', unitPath, iface, property])) as { data: unknown }).data;
    },
    writeFile(relPath, content) {
      const file = path.join(container.root, relPath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    async openSession(user) {
      const sessionsOf = () =>
        (JSON.parse(container.busctl(['--json=short', 'call', 'org.freedesktop.login1', '/org/freedesktop/login1', 'org.freedesktop.login1.Manager', 'ListSessions'])) as { data: [string, number, string][][] }).data[0]
          .filter(([, , name]) => name === user)
          .map(([id]) => id);
      // logind now and then never answers a CreateSession made while the machine is busy (pam_systemd
      // gives up after minutes): a session that does not show up in time is dropped and tried again.
      for (let attempt = 1; attempt <= 3; attempt++) {
        const before = new Set(sessionsOf());
        const su = spawn('nsenter', ['-t', String(initPid), '-a', '--', 'su', '-', user, '-c', 'exec sleep 1000'], { stdio: 'ignore' });
        let exited = su.exitCode !== null;
        su.on('exit', () => (exited = true));
        // Ready once su has finished opening the session and runs its command (nsenter -> su -> sleep):
        // terminating a session whose CreateSession su is still waiting for leaves su hanging.
        const running = () => childPids(su.pid!).some((p) => childPids(p).some((c) => comm(c) === 'sleep'));
        for (let i = 0; i < 150 && !exited; i++) {
          const id = running() ? sessionsOf().find((s) => !before.has(s)) : undefined;
          if (id) {
            return {
              id,
              kill: () => void su.kill('SIGKILL'),
              ended: (timeoutMs = 30_000) =>
                new Promise<void>((resolve, reject) => {
                  if (exited) return resolve();
                  const timer = setTimeout(() => reject(new Error(`session ${id}: its process still runs after ${timeoutMs} ms`)), timeoutMs);
                  su.once('exit', () => {
                    clearTimeout(timer);
                    resolve();
                  });
                }),
            };
          }
          await sleep(100);
        }
        su.kill('SIGKILL');
      }
      throw new Error(`container ${name}: logind did not register a session for ${user} in three attempts`);
    },
    async stop() {
      if (!live.has(name)) return;
      killInit();
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      cleanupSync();
      live.delete(name);
    },
  };
  return container;
}
