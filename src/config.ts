// Configuration: built-in defaults < config file < environment < command-line flags.
// The result is plain data, so it can be handed to worker threads unchanged.
import * as fs from 'node:fs';
import { OpdbusError } from './errors';
import { LOG_LEVELS, type LogLevel } from './util/log';
import { yaml } from './util/yaml';

export interface OpdbusConfig {
  /** Where the journal, lock, ledger and history live. */
  stateDir: string;
  /** Plugins to load; undefined = every built-in plugin. */
  enabledPlugins?: string[];
  /** OVSDB endpoint: unix:PATH or tcp:HOST:PORT. */
  ovsdb: string;
  /** D-Bus addresses; undefined = the library default (DBUS_SYSTEM_BUS_ADDRESS or the standard socket). */
  dbus: { system?: string; session?: string };
  /** A named network namespace (/run/netns/NAME) for namespace-aware plugins. */
  netns?: string;
  /** Per-plugin query timeout. */
  queryTimeoutMs: number;
  /** How long apply waits for the host lock before giving up (0 = refuse at once). */
  lockTimeoutMs: number;
  /** Worker threads for `query --parallel` (default: one per plugin, capped at the core count). */
  workers?: number;
  logLevel: LogLevel;
  /** Free-form per-plugin options from the config file (`plugins.<name>`). */
  pluginOptions: Record<string, Record<string, unknown>>;
}

export const DEFAULT_CONFIG_FILE = '/etc/opdbus/config.yaml';

export function defaultConfig(): OpdbusConfig {
  return {
    stateDir: '/var/lib/opdbus',
    ovsdb: 'unix:/var/run/openvswitch/db.sock',
    dbus: {},
    queryTimeoutMs: 30_000,
    lockTimeoutMs: 0,
    logLevel: 'warn',
    pluginOptions: {},
  };
}

/** The config file format (YAML or JSON). Unknown keys are an input error, not silently ignored. */
interface ConfigFile {
  state_dir?: string;
  ovsdb?: string;
  dbus?: { system?: string; session?: string };
  netns?: string;
  query_timeout_ms?: number;
  lock_timeout_ms?: number;
  workers?: number;
  log_level?: LogLevel;
  plugins?: { enabled?: string[] } & Record<string, unknown>;
}

const FILE_KEYS = new Set(['state_dir', 'ovsdb', 'dbus', 'netns', 'query_timeout_ms', 'lock_timeout_ms', 'workers', 'log_level', 'plugins']);

export interface ConfigOverrides {
  configFile?: string;
  stateDir?: string;
  ovsdb?: string;
  netns?: string;
  logLevel?: LogLevel;
  lockTimeoutMs?: number;
  queryTimeoutMs?: number;
  workers?: number;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): OpdbusConfig {
  const config = defaultConfig();
  const explicitFile = overrides.configFile ?? env.OPDBUS_CONFIG;
  const file = explicitFile ?? (fs.existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file) applyFile(config, file);

  if (env.OPDBUS_STATE_DIR) config.stateDir = env.OPDBUS_STATE_DIR;
  if (env.OPDBUS_OVSDB) config.ovsdb = env.OPDBUS_OVSDB;
  if (env.OPDBUS_NETNS) config.netns = env.OPDBUS_NETNS;
  if (env.DBUS_SYSTEM_BUS_ADDRESS) config.dbus.system = env.DBUS_SYSTEM_BUS_ADDRESS;
  if (env.DBUS_SESSION_BUS_ADDRESS) config.dbus.session = env.DBUS_SESSION_BUS_ADDRESS;

  if (overrides.stateDir) config.stateDir = overrides.stateDir;
  if (overrides.ovsdb) config.ovsdb = overrides.ovsdb;
  if (overrides.netns) config.netns = overrides.netns;
  if (overrides.logLevel) config.logLevel = overrides.logLevel;
  if (overrides.lockTimeoutMs !== undefined) config.lockTimeoutMs = overrides.lockTimeoutMs;
  if (overrides.queryTimeoutMs !== undefined) config.queryTimeoutMs = overrides.queryTimeoutMs;
  if (overrides.workers !== undefined) config.workers = overrides.workers;
  return config;
}

function applyFile(config: OpdbusConfig, file: string): void {
  let parsed: unknown;
  try {
    const YAML = yaml(); // loaded only when there is a config file
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: cannot read config: ${(err as Error).message}`, { path: file });
  }
  if (parsed === null || parsed === undefined) return;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: expected a mapping at the top level, found ${typeName(parsed)}`, { path: file });
  }
  const cf = parsed as ConfigFile;
  for (const key of Object.keys(cf)) {
    if (!FILE_KEYS.has(key)) {
      throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /${key}: unknown setting (known: ${[...FILE_KEYS].join(', ')})`, { path: `/${key}` });
    }
  }
  const str = (key: keyof ConfigFile): string | undefined => {
    const v = cf[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /${key}: expected a string, found ${typeName(v)}`, { path: `/${key}` });
    return v;
  };
  const num = (key: keyof ConfigFile): number | undefined => {
    const v = cf[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /${key}: expected a non-negative number, found ${JSON.stringify(v)}`, { path: `/${key}` });
    return v;
  };
  config.stateDir = str('state_dir') ?? config.stateDir;
  config.ovsdb = str('ovsdb') ?? config.ovsdb;
  config.netns = str('netns') ?? config.netns;
  config.queryTimeoutMs = num('query_timeout_ms') ?? config.queryTimeoutMs;
  config.lockTimeoutMs = num('lock_timeout_ms') ?? config.lockTimeoutMs;
  config.workers = num('workers') ?? config.workers;
  if (cf.log_level !== undefined) {
    if (!LOG_LEVELS.includes(cf.log_level)) throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /log_level: expected one of ${LOG_LEVELS.join(', ')}, found ${JSON.stringify(cf.log_level)}`, { path: '/log_level' });
    config.logLevel = cf.log_level;
  }
  if (cf.dbus !== undefined) {
    const bad = typeof cf.dbus !== 'object' || cf.dbus === null ? ['(not a mapping)'] : Object.keys(cf.dbus).filter((k) => k !== 'system' && k !== 'session');
    if (bad.length) throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /dbus: expected {system, session} addresses, found ${bad.join(', ')}`, { path: '/dbus' });
    config.dbus = { ...config.dbus, ...cf.dbus };
  }
  if (cf.plugins !== undefined) {
    const { enabled, ...options } = cf.plugins;
    if (enabled !== undefined) {
      if (!Array.isArray(enabled) || !enabled.every((p) => typeof p === 'string')) {
        throw new OpdbusError('InvalidInput', 'CONFIG', `${file}: /plugins/enabled: expected a list of plugin names, found ${JSON.stringify(enabled)}`, { path: '/plugins/enabled' });
      }
      config.enabledPlugins = enabled;
    }
    config.pluginOptions = options as Record<string, Record<string, unknown>>;
  }
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
