// The `plugins.history` section of the config file: backend choice and retention rules. Unknown
// keys are input errors (a typo must not silently keep the defaults).
import type { OpdbusConfig } from '../config';
import { OpdbusError } from '../errors';
import type { BackendChoice } from './open';
import { rulesFromConfig, TIMELINE, type RetentionRules } from './retention';

export interface HistorySettings {
  backend: BackendChoice;
  rules: RetentionRules;
}

const KEYS = ['backend', 'keep_last', ...TIMELINE, 'min_free'];
const BACKENDS: BackendChoice[] = ['auto', 'btrfs', 'files'];

export function historySettings(config: OpdbusConfig, file = 'config'): HistorySettings {
  const options = config.pluginOptions.history as Record<string, unknown> | undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/history: expected a mapping, found ${JSON.stringify(options)}`, { path: '/plugins/history' });
  }
  for (const key of Object.keys(options ?? {})) {
    if (!KEYS.includes(key)) {
      throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/history/${key}: unknown setting (known: ${KEYS.join(', ')})`, { path: `/plugins/history/${key}` });
    }
  }
  const backend = (options?.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) {
    throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/history/backend: expected one of ${BACKENDS.join(', ')}, found ${JSON.stringify(options?.backend)}`, {
      path: '/plugins/history/backend',
    });
  }
  return { backend, rules: rulesFromConfig(options, file) };
}
