// Builds the PluginContext handed to every plugin call, and bounds each call with a timeout.
import type { OpdbusConfig } from '../config';
import { OpdbusError } from '../errors';
import { createLogger, type Logger } from '../util/log';
import type { PluginContext } from './contract';

export function makeContext(config: OpdbusConfig, log: Logger = createLogger(config.logLevel), signal?: AbortSignal): PluginContext {
  return { config, log, signal };
}

/** Runs `fn` with a deadline; a call still running then is abandoned with a Timeout error. */
export async function withTimeout<T>(what: string, plugin: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OpdbusError('Timeout', 'TIMEOUT', `${plugin}: ${what} did not finish within ${timeoutMs} ms`, { plugin })), timeoutMs);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
