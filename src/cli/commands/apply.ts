// `opdbus apply FILE`: the transaction (or, with --dry-run, only its plan).
import type { Command } from 'commander';
import { EXIT } from '../../exit-codes';
import { startConfirmWatchdog } from '../../transaction/confirm';
import { runTransaction } from '../../transaction/manager';
import type { Plan } from '../../transaction/plan';
import { parseDuration } from '../duration';
import { collectPlugins, commandContext, loadDocument } from '../context';
import { parseFormat, planAsData, render, renderPlanText } from '../output';
import { printPlan } from './diff';

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('make this host match FILE as one transaction: checkpoint, apply, verify, or roll back everything')
    .argument('<file>', 'desired-state document (JSON or YAML), or - for stdin')
    .option('-p, --plugin <name>', 'only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .option('--dry-run', 'print the plan and exit (2 when changes are pending); change nothing')
    .option('--confirm-timeout <duration>', 'roll back by itself unless `opdbus commit` comes within this time (e.g. 60s)')
    .addHelpText('after', '\nExamples:\n  opdbus apply host.yaml\n  opdbus apply host.yaml --dry-run\n  opdbus apply net.yaml --confirm-timeout 60s && opdbus commit\n  opdbus query --plugin sysctl | opdbus apply -\n')
    .action(async (file: string, opts: { plugin: string[]; dryRun?: boolean; confirmTimeout?: string }, cmd: Command) => {
      if (opts.dryRun) return printPlan(cmd, file, opts.plugin, `apply --dry-run ${file}`);
      const { config, registry, ctx, observers } = commandContext(cmd);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const { document, source } = loadDocument(file, registry, ctx);
      const confirmTimeoutMs = opts.confirmTimeout === undefined ? undefined : parseDuration(opts.confirmTimeout, '--confirm-timeout');
      const onAwaitingConfirm = (txid: string) => startConfirmWatchdog(txid, config, cmd.optsWithGlobals().config);
      // The plan's text is made while the plugins apply (the main thread mostly waits then).
      let planText: { plan: unknown; text: string } | undefined;
      const whileApplying = format === 'text' ? (plan: Plan) => (planText = { plan, text: renderPlanText(plan, `apply ${file}`) }) : undefined;
      const result = await runTransaction({ document, source, registry, config, ctx, selected: opts.plugin, observers, confirmTimeoutMs, onAwaitingConfirm, whileApplying });
      if (result.recovered) process.stderr.write(`opdbus: settled an earlier transaction first: ${result.recovered.error?.message ?? result.recovered.outcome} (recorded as ${result.recovered.txid})\n`);
      if (format === 'text') {
        process.stdout.write(planText?.plan === result.plan ? planText.text : renderPlanText(result.plan, `apply ${file}`));
        process.stdout.write(`transaction ${result.txid}: ${result.outcome}\n`);
        if (result.confirmDeadline) process.stdout.write(`applied and verified; run \`opdbus commit\` before ${result.confirmDeadline} or it will be rolled back\n`);
      } else {
        process.stdout.write(render({ txid: result.txid, outcome: result.outcome, confirmDeadline: result.confirmDeadline, plan: planAsData(result.plan), error: result.error?.toData() }, format));
      }
      if (result.error) {
        process.stderr.write(`opdbus: error: ${result.error.message}\n`);
        if (result.outcome === 'rolled-back') process.stderr.write('opdbus: every change was rolled back; the host is as it was before.\n');
      }
      process.exitCode = result.outcome === 'rolled-back' ? EXIT.APPLY_FAILED_ROLLED_BACK : result.outcome === 'rollback-failed' ? EXIT.ROLLBACK_FAILED : EXIT.OK;
    });
}
