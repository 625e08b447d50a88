// The audit ledger's public face: the transaction observer that writes one block per transaction,
// and the operations behind `opdbus audit`.
import { failpoint } from '../transaction/failpoints';
import type { TransactionObserver, TransactionRecord } from '../transaction/record';
import { bodyFromRecord } from './block';
import { LedgerStore } from './store';

export { LedgerStore } from './store';
export { verifyLedger, type VerifyReport, type VerifyFailure } from './verify';
export type { Block, BlockBody, NewBlock } from './block';

/** Writes exactly one block per transaction (and its checkpoint) before the transaction returns. */
export const ledgerObserver: TransactionObserver = {
  name: 'ledger',
  async onTransaction(record: TransactionRecord, stateDir: string): Promise<void> {
    const store = await LedgerStore.open(stateDir);
    try {
      // recover re-delivers a committed record whose observers may already have run before a crash;
      // that block can only be the last one (see lastTxid).
      if (store.lastTxid === record.txid) return;
      await store.append(bodyFromRecord(record));
      await failpoint('ledger.after-append');
    } finally {
      await store.close();
    }
  },
};
