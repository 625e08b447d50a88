// Queries several plugins, either in a Piscina worker pool (one task per plugin) or sequentially in
// the main thread. One plugin's failure or timeout never stops the others: it is reported beside them.
import * as os from 'node:os';
import * as path from 'node:path';
import type { OpdbusConfig } from '../config';
import { makeContext } from '../plugin/context';
import { loadBuiltinPlugin } from '../plugins';
import { createLogger } from '../util/log';
import { runQueryTask } from './task';
import type { QueryOutcome, QueryTask } from './types';

export interface QueryRunOptions {
  plugins: readonly string[];
  config: OpdbusConfig;
  parallel: boolean;
  scopes?: Record<string, unknown>;
}

const WORKER_FILE = path.resolve(__dirname, '..', '..', 'workers', 'query.js');

function timeoutOutcome(plugin: string, ms: number): QueryOutcome {
  return { plugin, status: 'failed', error: { kind: 'Timeout', code: 'TIMEOUT', message: `${plugin}: query did not finish within ${ms} ms`, plugin }, ms };
}

export async function queryPlugins(opts: QueryRunOptions): Promise<QueryOutcome[]> {
  const tasks: QueryTask[] = opts.plugins.map((plugin) => ({ plugin, config: opts.config, scope: opts.scopes?.[plugin] }));
  if (tasks.length === 0) return [];
  return opts.parallel ? runPooled(tasks, opts.config) : runSequential(tasks, opts.config.queryTimeoutMs);
}

async function runSequential(tasks: QueryTask[], timeoutMs: number): Promise<QueryOutcome[]> {
  const out: QueryOutcome[] = [];
  for (const task of tasks) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<QueryOutcome>((resolve) => {
      timer = setTimeout(() => resolve(timeoutOutcome(task.plugin, timeoutMs)), timeoutMs);
    });
    out.push(await Promise.race([runQueryTask(task), timedOut]));
    clearTimeout(timer);
  }
  return out;
}

async function runPooled(all: QueryTask[], config: OpdbusConfig): Promise<QueryOutcome[]> {
  // The workers boot (a Node environment each, tens of ms) while the main thread checks availability.
  const threads = Math.max(1, Math.min(config.workers ?? all.length, os.availableParallelism(), all.length));
  const { Piscina } = require('piscina') as typeof import('piscina'); // only --parallel pays for it
  const pool = new Piscina({ filename: WORKER_FILE, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  try {
    // Availability is a cheap local check (a socket, /proc): done here, so that only plugins with a
    // backend take a worker.
    const ctx = makeContext(config, createLogger(config.logLevel));
    const availability = await Promise.all(all.map((t) => loadBuiltinPlugin(t.plugin).available(ctx)));
    const unavailable = new Map<string, QueryOutcome>();
    all.forEach((t, i) => {
      if (!availability[i].available) unavailable.set(t.plugin, { plugin: t.plugin, status: 'unavailable', reason: availability[i].reason ?? 'unavailable', ms: 0 });
    });
    const tasks = all.filter((t) => !unavailable.has(t.plugin));
    const ran = await Promise.all(
      tasks.map(async (task) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), config.queryTimeoutMs);
        try {
          return (await pool.run(task, { signal: controller.signal })) as QueryOutcome;
        } catch (err) {
          if (controller.signal.aborted) return timeoutOutcome(task.plugin, config.queryTimeoutMs);
          return { plugin: task.plugin, status: 'failed', error: { kind: 'Bug', code: 'WORKER', message: `${task.plugin}: query worker failed: ${(err as Error).message}`, plugin: task.plugin }, ms: 0 } as QueryOutcome;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const byPlugin = new Map(ran.map((o) => [o.plugin, o]));
    return all.map((t) => unavailable.get(t.plugin) ?? byPlugin.get(t.plugin)!);
  } finally {
    await pool.destroy();
  }
}
