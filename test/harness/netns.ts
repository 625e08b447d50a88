// Test network namespaces: unique names, created with iproute2, always removed (even when a test
// fails) through t.after / an exit hook. Nothing here touches the host's own namespace.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as crypto from 'node:crypto';

const live = new Set<string>();
process.on('exit', () => {
  for (const ns of live) spawnSync('ip', ['netns', 'del', ns]);
});

export interface TestNetns {
  name: string;
  /** Runs a command inside the namespace and returns stdout (throws on non-zero exit). */
  exec(cmd: string, args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): string;
  /** Like exec but returns the whole result instead of throwing. */
  run(cmd: string, args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string>;
  /** Reads a sysctl inside the namespace. */
  sysctl(key: string): string;
  remove(): void;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
}

export function createNetns(prefix = 'opdbus-t'): TestNetns {
  const name = uniqueName(prefix);
  execFileSync('ip', ['netns', 'add', name]);
  live.add(name);
  const run = (cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
    spawnSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, maxBuffer: 256 * 1024 * 1024 });
  const ns: TestNetns = {
    name,
    run,
    exec(cmd, args, opts) {
      const r = run(cmd, args, opts);
      if (r.status !== 0) throw new Error(`ip netns exec ${name} ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    },
    sysctl(key) {
      return ns.exec('cat', [`/proc/sys/${key.split('.').join('/')}`]).trim();
    },
    remove() {
      if (!live.has(name)) return;
      spawnSync('ip', ['netns', 'del', name]);
      live.delete(name);
    },
  };
  return ns;
}
