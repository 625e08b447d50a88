// Ledger test helpers: throwaway state directories, sample transaction records, and a ledger of N
// blocks written one transaction at a time (so each block has its own signed checkpoint).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bodyFromRecord, type NewBlock } from '../../src/ledger/block';
import { LedgerStore } from '../../src/ledger/store';
import type { TransactionRecord } from '../../src/transaction/record';

export function ledgerStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-ledger-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function sampleRecord(n: number, time = new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString()): TransactionRecord {
  return {
    txid: `tx-${n}-${process.pid}`,
    operation: n % 3 === 0 ? 'rollback' : 'apply',
    outcome: 'committed',
    host: 'testhost',
    actor: { uid: 0, user: 'root', sudoUser: 'alice', command: 'opdbus apply host.yaml', pid: 4242 },
    startedAt: time,
    finishedAt: time,
    footprints: [
      {
        plugin: n % 2 ? 'sysctl' : 'net',
        actions: [{ plugin: 'sysctl', op: 'modify', path: '/plugins/sysctl/net.ipv4.ip_forward', resource: 'sysctl:net.ipv4.ip_forward', before: '0', after: String(n % 2) }],
        beforeHash: 'a'.repeat(64),
        afterHash: 'b'.repeat(64),
        applied: true,
        verified: true,
        rolledBack: false,
      },
    ],
    before: {},
  };
}

export function sampleBlock(n: number, time?: string): NewBlock {
  return bodyFromRecord(sampleRecord(n, time));
}

/** A ledger of `count` blocks, each appended (and checkpointed) on its own. */
export async function writeLedger(stateDir: string, count: number, from = 0): Promise<void> {
  const store = await LedgerStore.open(stateDir);
  try {
    for (let i = from; i < from + count; i++) await store.append(sampleBlock(i));
  } finally {
    await store.close();
  }
}

/** Copies a ledger state directory, for tampering with the copy. */
export function copyStateDir(from: string): string {
  const to = ledgerStateDir();
  fs.cpSync(from, to, { recursive: true });
  return to;
}
