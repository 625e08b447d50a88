// The opdbus command line. Each command lives in src/cli/commands/<name>.ts; this file wires them,
// the global options, and the one error handler that turns an error's kind into the exit code.
import { Command, CommanderError, Option } from 'commander';
import { OpdbusError } from '../errors';
import { EXIT, exitCodeForKind } from '../exit-codes';
import { LOG_LEVELS } from '../util/log';
import { registerApply } from './commands/apply';
import { registerAudit } from './commands/audit';
import { registerCommit } from './commands/commit';
import { registerDiff } from './commands/diff';
import { registerDoctor } from './commands/doctor';
import { registerHistory, registerRollback, registerSnapshot } from './commands/history';
import { registerInit } from './commands/init';
import { registerQuery } from './commands/query';
import { registerRecover } from './commands/recover';
import { registerSchema } from './commands/schema';
import { registerSearch } from './commands/search';
import { registerVerify } from './commands/verify';

export function buildProgram(): Command {
  const program = new Command('opdbus')
    .description('Declarative system-state manager: query, diff and apply host state as one transaction')
    .version(require('../../../package.json').version)
    .option('--state-dir <dir>', 'state directory: journal, lock, ledger, history (env OPDBUS_STATE_DIR; default /var/lib/opdbus)')
    .option('--config <file>', 'configuration file (env OPDBUS_CONFIG; default /etc/opdbus/config.yaml if present)')
    .addOption(new Option('--log-level <level>', 'log verbosity on stderr').choices([...LOG_LEVELS]))
    .option('--format <format>', 'output format: json, yaml or text (which apply depends on the command)')
    .option('--ovsdb <endpoint>', 'OVSDB endpoint unix:PATH or tcp:HOST:PORT (env OPDBUS_OVSDB)')
    .option('--netns <name>', 'network namespace for namespace-aware plugins (env OPDBUS_NETNS)')
    .option('--lock-timeout <duration>', 'wait this long for another transaction to finish (default: refuse at once)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerQuery(program);
  registerDiff(program);
  registerApply(program);
  registerCommit(program);
  registerVerify(program);
  registerInit(program);
  registerDoctor(program);
  registerRecover(program);
  registerSchema(program);
  registerAudit(program);
  registerSnapshot(program);
  registerHistory(program);
  registerRollback(program);
  registerSearch(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = handleError(err);
  }
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (or the help/version text).
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof OpdbusError) {
    process.stderr.write(`opdbus: error: ${err.message}\n`);
    return exitCodeForKind(err.kind);
  }
  process.stderr.write(`opdbus: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.BUG;
}
