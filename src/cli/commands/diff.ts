// `opdbus diff FILE` and `opdbus apply --dry-run`: the plan, without changing anything.
import type { Command } from 'commander';
import { EXIT } from '../../exit-codes';
import { planTransaction } from '../../transaction/plan';
import { collectPlugins, commandContext, loadDocument, warnIfJournal } from '../context';
import { parseFormat, planAsData, render, renderPlanText } from '../output';

export async function printPlan(cmd: Command, file: string, plugins: string[], title: string): Promise<void> {
  const { config, registry, ctx } = commandContext(cmd);
  const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
  warnIfJournal(config, ctx);
  const { document, source } = loadDocument(file, registry, ctx);
  const plan = await planTransaction({ document, source, registry, config, ctx, selected: plugins });
  process.stdout.write(format === 'text' ? renderPlanText(plan, title) : render(planAsData(plan), format));
  process.exitCode = plan.actions.length ? EXIT.CHANGES_PENDING : EXIT.OK;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('show the changes that would make this host match FILE (exit 2 when there are any)')
    .argument('<file>', 'desired-state document (JSON or YAML), or - for stdin')
    .option('-p, --plugin <name>', 'only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .addHelpText('after', '\nExamples:\n  opdbus diff host.yaml\n  opdbus diff host.yaml --format json | jq .actions\n')
    .action(async (file: string, opts: { plugin: string[] }, cmd: Command) => printPlan(cmd, file, opts.plugin, `diff ${file}`));
}
