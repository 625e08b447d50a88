// The intent journal: <stateDir>/journal.json, written durably before the first change of a
// transaction and updated as each plugin starts. If opdbus dies mid-apply, the next apply (or
// `opdbus recover`) finds it and rolls back every plugin that had started, from the checkpoints here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpdbusError, toOpdbusError } from '../errors';
import type { Action } from '../plugin/contract';
import { removeDurable, writeFileDurable } from '../util/fsync';
import type { TransactionOperation, TransactionRecord } from './record';

export interface JournalEntry {
  txid: string;
  operation: TransactionOperation;
  pid: number;
  startedAt: string;
  /**
   * applying: changes may be under way; awaiting-confirm: applied and verified, rolled back at
   * confirmDeadline unless `opdbus commit` comes first; committed: observers may still be pending.
   */
  status: 'applying' | 'awaiting-confirm' | 'committed';
  confirmDeadline?: string;
  order: string[];
  checkpoints: Record<string, unknown>;
  actions: Record<string, Action[]>;
  /** Plugins whose apply has started (and so may have changed something), in order. */
  started: string[];
  before: Record<string, unknown>;
  source?: { file: string; sha256: string };
  /** Set with status committed: the record still owed to observers if we die before notifying them. */
  record?: TransactionRecord;
}

export function journalPath(stateDir: string): string {
  return path.join(stateDir, 'journal.json');
}

export function writeJournal(stateDir: string, entry: JournalEntry): void {
  try {
    writeFileDurable(journalPath(stateDir), JSON.stringify(entry) + '\n');
  } catch (err) {
    throw toOpdbusError(err, { operation: `write the intent journal ${journalPath(stateDir)}` });
  }
}

export function readJournal(stateDir: string): JournalEntry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(journalPath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as JournalEntry;
  } catch {
    // writeFileDurable never leaves a torn file, so this is outside damage: refuse to guess.
    throw new OpdbusError('Integrity', 'JOURNAL_CORRUPT', `${journalPath(stateDir)} is not valid JSON; inspect it and remove it by hand once the host is checked`);
  }
}

export function clearJournal(stateDir: string): void {
  try {
    removeDurable(journalPath(stateDir));
  } catch (err) {
    throw toOpdbusError(err, { operation: `remove the intent journal ${journalPath(stateDir)}` });
  }
}
