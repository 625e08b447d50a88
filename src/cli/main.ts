// The opdbus command line. Each command lives in src/cli/commands/<name>.ts; this file wires them,
// the global options, and the one error handler that turns an error's kind into the exit code.
import { Command, CommanderError, Option } from 'commander';
import { OpdbusError } from '../errors';
import { EXIT, exitCodeForKind } from '../exit-codes';
import { LOG_LEVELS } from '../util/log';

type Register = (program: Command) => void;

/**
 * Every command, in the order help lists them, and the module that defines it. A run loads only the
 * module of the command it runs (a query must not pay for loading the ledger, history and search
 * code: start-up time is most of a small command's time); help and unknown commands load them all.
 */
const COMMANDS: ReadonlyArray<[name: string, load: () => Register]> = [
  ['query', () => require('./commands/query').registerQuery],
  ['diff', () => require('./commands/diff').registerDiff],
  ['apply', () => require('./commands/apply').registerApply],
  ['commit', () => require('./commands/commit').registerCommit], // also the hidden __confirm-watch
  ['verify', () => require('./commands/verify').registerVerify],
  ['init', () => require('./commands/init').registerInit],
  ['doctor', () => require('./commands/doctor').registerDoctor],
  ['recover', () => require('./commands/recover').registerRecover],
  ['schema', () => require('./commands/schema').registerSchema],
  ['audit', () => require('./commands/audit').registerAudit],
  ['snapshot', () => require('./commands/history').registerSnapshot],
  ['history', () => require('./commands/history').registerHistory],
  ['rollback', () => require('./commands/history').registerRollback],
  ['search', () => require('./commands/search').registerSearch], // also `index`
];
const ALIASES: Readonly<Record<string, string>> = { '__confirm-watch': 'commit', index: 'search' };

/** The program with every command, or (given the command line) only the command it runs. */
export function buildProgram(argv?: readonly string[]): Command {
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
  const wanted = argv && commandName(program, argv.slice(2));
  const name = wanted && (ALIASES[wanted] ?? wanted);
  const only = COMMANDS.filter(([n]) => n === name);
  // Each command's code cache holds the functions that command runs (bin/opdbus installs the cache).
  (require('./compile-cache') as typeof import('./compile-cache')).setProfile(only.length ? only[0][0] : 'all');
  for (const [, load] of only.length ? only : COMMANDS) load()(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** The first word of the command line that is neither an option nor an option's value. */
function commandName(program: Command, args: readonly string[]): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]).filter(Boolean));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (!a.startsWith('-')) return a;
    if (takesValue.has(a)) i++; // `--netns NAME`; `--netns=NAME` is one word
  }
  return undefined;
}

export async function main(argv: string[]): Promise<void> {
  // `opdbus query | head`: a reader that goes away loses the rest of the output, nothing more; a
  // transaction under way still finishes and records itself, and the exit code says how it ended.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
  const program = buildProgram(argv);
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
