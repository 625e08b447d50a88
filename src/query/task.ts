// One plugin's query as a self-contained task: availability check, then query, errors as data.
// The same function runs in a worker (query --parallel) or in the main thread.
import { toOpdbusError } from '../errors';
import { makeContext } from '../plugin/context';
import { loadBuiltinPlugin } from '../plugins';
import { createLogger } from '../util/log';
import type { QueryOutcome, QueryTask } from './types';

export async function runQueryTask(task: QueryTask): Promise<QueryOutcome> {
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 10) / 10;
  try {
    const plugin = loadBuiltinPlugin(task.plugin);
    const ctx = makeContext(task.config, createLogger(task.config.logLevel));
    const availability = await plugin.available(ctx);
    if (!availability.available) return { plugin: task.plugin, status: 'unavailable', reason: availability.reason ?? 'unavailable', ms: ms() };
    const section = await plugin.query(ctx, task.scope);
    return { plugin: task.plugin, status: 'ok', section, ms: ms() };
  } catch (err) {
    return { plugin: task.plugin, status: 'failed', error: toOpdbusError(err, { plugin: task.plugin, operation: `${task.plugin}: query` }).toData(), ms: ms() };
  }
}
