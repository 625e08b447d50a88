// Shared benchmark helpers: repeated timing with medians, and timing a command in a child process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Wall time of one child process run, in ms; throws if it fails. */
export function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Busy fraction of all CPUs over `ms`, from /proc/stat. */
async function cpuBusy(ms: number): Promise<number> {
  const sample = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a: number, b: number) => a + b, 0) };
  };
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Waits until the machine is quiet (under 10% busy for two 100 ms windows in a row, at most `maxMs`).
 * Work the kernel defers must not land on the next contender's clock: deleting a namespace with
 * 1,000 links returns at once, and its cleanup then runs in a kernel worker for about a second,
 * which doubled the time of whatever ran next (measured: `ip -batch` 0.79 s right after, 0.40 s when
 * the cleanup had finished).
 */
export async function settleCpu(maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) quiet = (await cpuBusy(100)) < 0.1 ? quiet + 1 : 0;
}
