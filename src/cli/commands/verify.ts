// `opdbus verify FILE`: does the host match? Names every path that differs (exit 2 when any does).
import type { Command } from 'commander';
import { EXIT } from '../../exit-codes';
import { validateSemantics } from '../../document/semantics';
import type { Mismatch } from '../../plugin/contract';
import { withTimeout } from '../../plugin/context';
import { pluginsInScope } from '../../transaction/plan';
import { collectPlugins, commandContext, loadDocument, warnIfJournal } from '../context';
import { parseFormat, render, renderMismatchesText } from '../output';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check that this host matches FILE; name every path that differs')
    .argument('<file>', 'desired-state document (JSON or YAML), or - for stdin')
    .option('-p, --plugin <name>', 'only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .addHelpText('after', '\nExamples:\n  opdbus verify host.yaml && echo in sync\n')
    .action(async (file: string, opts: { plugin: string[] }, cmd: Command) => {
      const { config, registry, ctx } = commandContext(cmd);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      warnIfJournal(config, ctx);
      const { document, source } = loadDocument(file, registry, ctx);
      const names = await pluginsInScope(document, registry, config, ctx, opts.plugin);
      await validateSemantics(document, source, registry, ctx, names);
      const mismatches: Mismatch[] = [];
      for (const name of names) {
        mismatches.push(...(await withTimeout('verify', name, config.queryTimeoutMs, () => registry.get(name).verify(ctx, document.plugins[name]))));
      }
      process.stdout.write(format === 'text' ? renderMismatchesText(mismatches) : render({ matches: mismatches.length === 0, mismatches }, format));
      process.exitCode = mismatches.length ? EXIT.CHANGES_PENDING : EXIT.OK;
    });
}
