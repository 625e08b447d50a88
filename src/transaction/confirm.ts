// Confirmed apply (`apply --confirm-timeout 60s`): the change stays only if `opdbus commit` comes in
// time. A detached watchdog process rolls it back at the deadline; if the watchdog is gone (reboot),
// the next opdbus run finds the expired journal and rolls back. The network admin's safety net for a
// change that cuts them off.
import * as path from 'node:path';
import type { OpdbusConfig } from '../config';
import { OpdbusError } from '../errors';
import type { PluginContext } from '../plugin/contract';
import type { PluginRegistry } from '../plugin/registry';
import { clearJournal, readJournal, updateJournal } from './journal';
import { acquireHostLock } from './lock';
import { notify, recoverUnlocked } from './manager';
import type { TransactionObserver, TransactionRecord } from './record';

/** The CLI's process entry (what bin/opdbus starts). */
const ENTRY = path.resolve(__dirname, '..', 'cli', 'start.js');

/** Starts the watchdog for `txid` as a detached process that outlives this command. */
export function startConfirmWatchdog(txid: string, config: OpdbusConfig, configFile?: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, OPDBUS_STATE_DIR: config.stateDir };
  if (configFile) env.OPDBUS_CONFIG = configFile;
  if (config.netns) env.OPDBUS_NETNS = config.netns;
  env.OPDBUS_OVSDB = config.ovsdb;
  // child_process is loaded here, not with the module: every apply loads this file, few confirm.
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  delete env.NODE_EXTRA_CA_CERTS; // as bin/opdbus does: costs start-up, and opdbus uses no TLS
  const child = spawn(process.execPath, [ENTRY, '__confirm-watch', txid], { detached: true, stdio: 'ignore', env });
  child.unref();
}

/** `opdbus commit`: keeps the pending confirmed apply and writes its record. */
export async function commitPending(config: OpdbusConfig, ctx: PluginContext, registry: PluginRegistry, observers: readonly TransactionObserver[]): Promise<TransactionRecord> {
  const lock = await acquireHostLock(config.stateDir, config.lockTimeoutMs);
  try {
    const journal = readJournal(config.stateDir);
    if (!journal || journal.status !== 'awaiting-confirm' || !journal.record) {
      throw new OpdbusError('NotFound', 'NOTHING_TO_COMMIT', 'no confirmed apply is waiting for `opdbus commit`');
    }
    if (Date.parse(journal.confirmDeadline ?? '') <= Date.now()) {
      await recoverUnlocked(registry, config, ctx, observers);
      throw new OpdbusError('Timeout', 'CONFIRM_TIMEOUT', `too late: transaction ${journal.txid} had to be confirmed before ${journal.confirmDeadline}; it has been rolled back`);
    }
    const record = { ...journal.record, finishedAt: new Date().toISOString() };
    // Committed in the journal first: a crash from here on completes the records, never rolls back.
    updateJournal(config.stateDir, { status: 'committed', record });
    await notify(observers, record, config.stateDir, ctx);
    clearJournal(config.stateDir);
    return record;
  } finally {
    lock.release();
  }
}

/** The watchdog's loop: exits when the transaction is committed or gone; rolls it back at the deadline. */
export async function watchConfirm(txid: string, config: OpdbusConfig, ctx: PluginContext, registry: PluginRegistry, observers: readonly TransactionObserver[]): Promise<void> {
  for (;;) {
    const journal = readJournal(config.stateDir);
    if (!journal || journal.txid !== txid || journal.status !== 'awaiting-confirm') return;
    const left = Date.parse(journal.confirmDeadline ?? '') - Date.now();
    if (left <= 0) {
      const lock = await acquireHostLock(config.stateDir, 60_000);
      try {
        const again = readJournal(config.stateDir);
        if (again && again.txid === txid && again.status === 'awaiting-confirm') await recoverUnlocked(registry, config, ctx, observers);
      } finally {
        lock.release();
      }
      return;
    }
    await new Promise((r) => setTimeout(r, Math.min(left, 250)));
  }
}
