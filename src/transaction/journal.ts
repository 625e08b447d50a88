// The intent journal: <stateDir>/journal.json, written durably before the first change of a
// transaction and updated as each plugin starts. If opdbus dies mid-apply, the next apply (or
// `opdbus recover`) finds it and rolls back every plugin that had started, from the checkpoints here.
// Format: one JSON line, the entry (replaced atomically), then one appended line per update (a plugin
// started, the transaction committed): an update costs the size of the update, not of the checkpoints
// and actions (thousands on a large apply). An update line torn by a crash was never synced, so what
// it announced never began: it is ignored.
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

/** What an appended line may change. */
export interface JournalUpdate {
  /** A plugin whose apply is about to start. */
  started?: string;
  status?: JournalEntry['status'];
  confirmDeadline?: string;
  record?: TransactionRecord;
}

/** Appends `update` durably (fdatasync) after the entry; readJournal folds the updates in. */
export function updateJournal(stateDir: string, update: JournalUpdate): void {
  const file = journalPath(stateDir);
  try {
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(update) + '\n');
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw toOpdbusError(err, { operation: `update the intent journal ${file}` });
  }
}

function corrupt(stateDir: string): OpdbusError {
  // writeFileDurable never leaves a torn entry, and a torn update is the last line: this is outside damage.
  return new OpdbusError('Integrity', 'JOURNAL_CORRUPT', `${journalPath(stateDir)} is not valid JSON; inspect it and remove it by hand once the host is checked`);
}

export function readJournal(stateDir: string): JournalEntry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(journalPath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n');
  const complete = lines.slice(0, -1); // the part after the last newline is empty, or a torn update
  let entry: JournalEntry;
  try {
    entry = JSON.parse(complete[0] ?? lines[0]) as JournalEntry;
  } catch {
    throw corrupt(stateDir);
  }
  for (const line of complete.slice(1)) {
    let update: JournalUpdate;
    try {
      update = JSON.parse(line) as JournalUpdate;
    } catch {
      throw corrupt(stateDir);
    }
    const { started, ...fields } = update;
    if (started !== undefined && !entry.started.includes(started)) entry.started.push(started);
    Object.assign(entry, fields);
  }
  return entry;
}

export function clearJournal(stateDir: string): void {
  try {
    removeDurable(journalPath(stateDir));
  } catch (err) {
    throw toOpdbusError(err, { operation: `remove the intent journal ${journalPath(stateDir)}` });
  }
}
