// Keeps the before and after states of every transaction as a pre/post pair of history points,
// tagged with the txid (the ledger block of the same transaction carries it too).
import type { TransactionObserver, TransactionRecord } from '../transaction/record';
import { openHistory, type OpenOptions } from './open';
import type { HistoryPoint } from './store';

function describe(record: TransactionRecord): string {
  const from = record.source ? ` ${record.source.file}` : '';
  return `${record.operation}${from} (${record.outcome})`;
}

/** Records one transaction; returns the points kept (none when nothing changed). */
export async function recordTransaction(record: TransactionRecord, stateDir: string, options: OpenOptions = {}): Promise<HistoryPoint[]> {
  if (record.outcome === 'no-changes') return [];
  const history = await openHistory(stateDir, options);
  const common = { host: record.host, txid: record.txid, operation: record.operation, outcome: record.outcome, reason: describe(record) };
  const pre = await history.record({ ...common, kind: 'pre', time: record.startedAt }, record.before);
  if (!record.after) return [pre];
  const post = await history.record({ ...common, kind: 'post', time: record.finishedAt, pre: pre.id }, record.after);
  return [pre, post];
}

/** The observer for the transaction manager; `options.backend` comes from historySettings(config). */
export function createHistoryObserver(options: OpenOptions = {}): TransactionObserver {
  return {
    name: 'history',
    async onTransaction(record, stateDir) {
      await recordTransaction(record, stateDir, options);
    },
  };
}

/** The observer with the automatic backend choice. */
export const historyObserver: TransactionObserver = createHistoryObserver();
