// Child process for the crash test: appends blocks in a loop, three at a time (group commit), and
// reports each append on stdout only after it has returned. The parent kills it with SIGKILL.
import * as fs from 'node:fs';
import { LedgerStore } from '../../src/ledger/store';
import { sampleBlock } from './ledger';

async function main(): Promise<void> {
  const store = await LedgerStore.open(process.argv[2]);
  fs.writeSync(1, 'open\n');
  for (let n = 0; ; n += 3) {
    await Promise.all([0, 1, 2].map(async (k) => {
      const body = { ...sampleBlock(n + k), txid: `${process.pid}-${n + k}` };
      const block = await store.append(body);
      fs.writeSync(1, `ok ${block.txid} ${block.index}\n`);
    }));
  }
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
