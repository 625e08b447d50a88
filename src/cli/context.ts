// What every command needs: configuration from flags/env/file, the plugin registry narrowed by
// configuration, a logger, and the desired-state document read and validated.
import type { Command } from 'commander';
import { loadConfig, type OpdbusConfig } from '../config';
import { parseSource, readSource } from '../document/parse';
import type { DocumentSource, StateDocument } from '../document/types';
import { OpdbusError } from '../errors';
import type { PluginContext } from '../plugin/contract';
import { makeContext } from '../plugin/context';
import type { PluginRegistry } from '../plugin/registry';
import { builtinRegistry } from '../plugins';
import type { TransactionObserver } from '../transaction/record';
import { LOG_LEVELS, type LogLevel } from '../util/log';
import { parseDuration } from './duration';

export interface GlobalOptions {
  stateDir?: string;
  config?: string;
  logLevel?: string;
  ovsdb?: string;
  netns?: string;
  lockTimeout?: string;
}

export interface CommandContext {
  config: OpdbusConfig;
  registry: PluginRegistry;
  ctx: PluginContext;
  observers: TransactionObserver[];
}

export function commandContext(cmd: Command): CommandContext {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  if (g.logLevel !== undefined && !LOG_LEVELS.includes(g.logLevel as LogLevel)) {
    throw new OpdbusError('InvalidInput', 'USAGE', `--log-level: expected one of ${LOG_LEVELS.join(', ')}, found "${g.logLevel}"`);
  }
  const config = loadConfig({
    configFile: g.config,
    stateDir: g.stateDir,
    ovsdb: g.ovsdb,
    netns: g.netns,
    logLevel: g.logLevel as LogLevel | undefined,
    lockTimeoutMs: g.lockTimeout !== undefined ? parseDuration(g.lockTimeout, '--lock-timeout') : undefined,
  });
  const registry = builtinRegistry();
  let observers: TransactionObserver[] | undefined; // loaded only by the commands that run transactions
  return {
    config,
    registry,
    ctx: makeContext(config),
    get observers() {
      return (observers ??= transactionObservers(config));
    },
  };
}

/** Observers told about every transaction (ledger, history). Registered here, in one place. */
export function transactionObservers(config: OpdbusConfig): TransactionObserver[] {
  // The settings are checked now, before any change: a bad `plugins.history` is an input error that
  // stops the command, not an observer failure after the host has changed. Only the code loads late.
  const { historySettings } = require('../history/settings') as typeof import('../history/settings');
  const { backend } = historySettings(config);
  // The ledger first: when the history points are kept, the block with the same txid exists.
  return [
    lazyObserver('ledger', () => (require('../ledger') as typeof import('../ledger')).ledgerObserver),
    lazyObserver('history', () => (require('../history/observer') as typeof import('../history/observer')).createHistoryObserver({ backend })),
  ];
}

/**
 * An observer whose code loads on first use: by prepare(), which the transaction manager calls while
 * the plugins apply (the ledger and history modules then cost nothing on the way to the exit), or
 * by the first transaction it is told about.
 */
function lazyObserver(name: string, load: () => TransactionObserver): TransactionObserver {
  let observer: TransactionObserver | undefined;
  const get = () => (observer ??= load());
  return {
    name,
    prepare: () => get().prepare?.(),
    onTransaction: (record, stateDir) => get().onTransaction(record, stateDir),
  };
}

/** Read-only commands leave a pending transaction alone, but say so: what they show may be provisional. */
export function warnIfJournal(config: OpdbusConfig, ctx: PluginContext): void {
  const { readJournal } = require('../transaction/journal') as typeof import('../transaction/journal');
  const journal = readJournal(config.stateDir);
  if (journal) ctx.log.warn(`transaction ${journal.txid} is unfinished (${journal.status}); the next apply or \`opdbus recover\` settles it`);
}

export function loadDocument(file: string, registry: PluginRegistry, ctx: PluginContext): { document: StateDocument; source: DocumentSource } {
  const source = readSource(file);
  // ajv is loaded when a document is read, not for every command (~70 ms of start-up).
  const { validateStructure } = require('../document/validate') as typeof import('../document/validate');
  const { document, notes } = validateStructure(parseSource(source), source, registry);
  for (const note of notes) ctx.log.info(`${file}: original op-dbus format: ${note}`);
  return { document, source };
}

/** Collects repeated `--plugin P` flags; also accepts comma-separated lists. */
export function collectPlugins(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}
