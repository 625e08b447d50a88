// `opdbus recover`: rolls back a transaction that a crash left unfinished (apply does this by itself too).
import type { Command } from 'commander';
import { recover } from '../../transaction/manager';
import { commandContext } from '../context';

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('roll back a transaction left unfinished by a crash, or an unconfirmed apply --confirm-timeout')
    .addHelpText('after', '\nExamples:\n  opdbus recover\n')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, registry, ctx, observers } = commandContext(cmd);
      const record = await recover(registry, config, ctx, observers);
      if (!record) process.stdout.write('recover: no unfinished transaction.\n');
      else if (record.outcome === 'committed') process.stdout.write(`recover: transaction ${record.txid} had committed; its records are now complete.\n`);
      else process.stdout.write(`recover: rolled back unfinished transaction (${record.error?.message ?? ''}); recorded as ${record.txid}.\n`);
    });
}
