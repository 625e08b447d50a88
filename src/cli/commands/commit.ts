// `opdbus commit`: confirms a pending `apply --confirm-timeout`; and the hidden watchdog command that
// rolls it back at the deadline (started by apply, never by users).
import type { Command } from 'commander';
import { commitPending, watchConfirm } from '../../transaction/confirm';
import { commandContext } from '../context';

export function registerCommit(program: Command): void {
  program
    .command('commit')
    .description('confirm a pending `apply --confirm-timeout`: keep its changes')
    .addHelpText('after', '\nExamples:\n  opdbus apply net.yaml --confirm-timeout 60s   # then, still connected:\n  opdbus commit\n')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, registry, ctx, observers } = commandContext(cmd);
      const record = await commitPending(config, ctx, registry, observers);
      process.stdout.write(`commit: transaction ${record.txid} confirmed.\n`);
    });
  program
    .command('__confirm-watch', { hidden: true })
    .argument('<txid>')
    .action(async (txid: string, _opts: unknown, cmd: Command) => {
      const { config, registry, ctx, observers } = commandContext(cmd);
      await watchConfirm(txid, config, ctx, registry, observers);
    });
}
