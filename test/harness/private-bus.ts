// A private dbus-daemon for tests (never the host's buses), and the test service that exports
// org.opdbus.Test1 on it from a child process. Both are stopped by stop() or at process exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PrivateBus {
  address: string;
  stop(): void;
}

const pids = new Set<number>();
process.on('exit', () => {
  for (const pid of pids) spawnSync('kill', ['-KILL', String(pid)]);
});

export function startPrivateBus(): PrivateBus {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-dbus-'));
  const config = path.join(dir, 'bus.conf');
  fs.writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${dir}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const r = spawnSync('dbus-daemon', [`--config-file=${config}`, '--fork', '--print-address=1', '--print-pid=1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dbus-daemon exited ${r.status}: ${r.stderr}`);
  const [address, pidText] = r.stdout.trim().split('\n');
  const pid = Number(pidText);
  pids.add(pid);
  return {
    address: address.trim(),
    stop() {
      spawnSync('kill', ['-TERM', String(pid)]);
      pids.delete(pid);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestService {
  name: string;
  path: string;
  interface: string;
  stop(): void;
}

/** Starts dbus-test-service.js on `address` and waits until it owns its name. */
export async function startTestService(address: string): Promise<TestService> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'dbus-test-service.js'), address], { stdio: ['ignore', 'pipe', 'inherit'] });
  pids.add(child.pid!);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`test service exited ${code} before it was ready`)));
  });
  return {
    name: 'org.opdbus.Test',
    path: '/org/opdbus/Test',
    interface: 'org.opdbus.Test1',
    stop() {
      child.kill('SIGKILL');
      pids.delete(child.pid!);
    },
  };
}
