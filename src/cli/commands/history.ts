// `opdbus snapshot`, `opdbus history [show|diff|prune]` and `opdbus rollback ID`: the state history.
// rollback applies a kept state through the same transaction path as `opdbus apply`.
import type { Command } from 'commander';
import { canonicalJson } from '../../util/canonical';
import { parseSource } from '../../document/parse';
import { OpdbusError } from '../../errors';
import { EXIT } from '../../exit-codes';
import { openHistory, parseTimeArg, historySettings, type HistoryFilter, type History } from '../../history';
import { prune } from '../../history/prune';
import { renderChangesText, renderPointsText } from '../../history/render';
import { POINT_KINDS, type PointKind } from '../../history/store';
import type { Action } from '../../plugin/contract';
import { queryPlugins } from '../../query/run';
import { runTransaction } from '../../transaction/manager';
import { planTransaction } from '../../transaction/plan';
import { collectPlugins, commandContext, type CommandContext } from '../context';
import { parseFormat, planAsData, render, renderPlanText } from '../output';

async function open(cc: CommandContext): Promise<History> {
  return openHistory(cc.config.stateDir, { backend: historySettings(cc.config).backend });
}

function parseId(text: string, what = 'ID'): number {
  if (!/^[1-9]\d*$/.test(text)) throw new OpdbusError('InvalidInput', 'USAGE', `${what}: expected a history point id (a positive integer), found "${text}"`);
  return Number(text);
}

/**
 * The host's current state of `plugins` (or every enabled plugin), scoped like the given sections.
 * Plugins that are unavailable are left out unless named; failed queries are returned beside.
 */
async function currentState(cc: CommandContext, plugins: string[] | undefined, scopes?: Record<string, unknown>): Promise<{ sections: Record<string, unknown>; failed: OpdbusError[] }> {
  const names = plugins ?? cc.registry.select(cc.config.enabledPlugins).names();
  const outcomes = await queryPlugins({ plugins: names, config: cc.config, parallel: false, scopes });
  const sections: Record<string, unknown> = {};
  const failed: OpdbusError[] = [];
  for (const o of outcomes) {
    if (o.status === 'ok') sections[o.plugin] = o.section;
    else if (o.status === 'failed') failed.push(OpdbusError.fromData(o.error));
    else if (plugins) throw new OpdbusError('Unavailable', 'PLUGIN_UNAVAILABLE', `${o.plugin}: unavailable: ${o.reason}`, { plugin: o.plugin });
  }
  return { sections, failed };
}

/** The current state of exactly these plugins; any failure is the command's failure. */
async function currentSections(cc: CommandContext, plugins: string[], scopes: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { sections, failed } = await currentState(cc, plugins, scopes);
  if (failed.length) throw failed[0];
  return sections;
}

/** Per plugin covered by both states: the actions that turn `from` into `to` (the plugin's own diff). */
function changesBetween(cc: CommandContext, from: Record<string, unknown>, to: Record<string, unknown>): Record<string, Action[]> {
  const out: Record<string, Action[]> = {};
  for (const plugin of Object.keys(from).sort()) {
    if (plugin in to && cc.registry.has(plugin)) out[plugin] = cc.registry.get(plugin).diff(from[plugin], to[plugin]);
  }
  return out;
}

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .description('keep the current state of this host as a history point')
    .option('--reason <text>', 'why (shown by `opdbus history`)', 'manual snapshot')
    .option('-p, --plugin <name>', 'only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .addHelpText('after', '\nExamples:\n  opdbus snapshot --reason "before maintenance"\n')
    .action(async (opts: { reason: string; plugin: string[] }, cmd: Command) => {
      const cc = commandContext(cmd);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const { sections, failed } = await currentState(cc, opts.plugin.length ? cc.registry.select(opts.plugin).names() : undefined);
      // Like `opdbus query`: one plugin's failure does not lose the others' state.
      if (Object.keys(sections).length === 0 && failed.length) throw failed[0];
      const point = await (await open(cc)).record({ kind: 'manual', reason: opts.reason }, sections);
      process.stdout.write(format === 'text' ? `history point ${point.id} kept (${point.plugins.join(', ')})\n` : render(point, format));
      for (const e of failed) process.stderr.write(`opdbus: ${e.plugin ?? 'plugin'}: query failed (${e.kind}): ${e.message}; not in point ${point.id}\n`);
      if (failed.length) process.exitCode = EXIT.PARTIAL_FAILURE;
    });
}

export function registerHistory(program: Command): void {
  const history = program
    .command('history')
    .description('list the kept states of this host (newest last); see also history show/diff/prune')
    .option('--since <time>', 'only points at or after this time (ISO 8601, or a duration ago: 12h, 7d)')
    .option('--until <time>', 'only points at or before this time')
    .option('-p, --plugin <name>', 'only points covering this plugin')
    .option('--kind <kind>', `only points of this kind (${POINT_KINDS.join(', ')})`)
    .addHelpText('after', '\nExamples:\n  opdbus history --since 7d --plugin net\n  opdbus history show 12 --format yaml\n  opdbus history diff 12\n')
    .action(async (opts: { since?: string; until?: string; plugin?: string; kind?: string }, cmd: Command) => {
      const cc = commandContext(cmd);
      const filter: HistoryFilter = { plugin: opts.plugin };
      if (opts.since) filter.since = parseTimeArg(opts.since, '--since');
      if (opts.until) filter.until = parseTimeArg(opts.until, '--until');
      if (opts.kind !== undefined) {
        if (!POINT_KINDS.includes(opts.kind as PointKind)) throw new OpdbusError('InvalidInput', 'USAGE', `--kind: expected one of ${POINT_KINDS.join(', ')}, found "${opts.kind}"`);
        filter.kind = opts.kind as PointKind;
      }
      const store = await open(cc);
      const points = await store.list(filter);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      process.stdout.write(format === 'text' ? renderPointsText(points, store.location, store.kind) : render(points, format));
    });

  history
    .command('show')
    .description('print one kept state as a desired-state document (usable with apply)')
    .argument('<id>', 'history point id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { document } = await (await open(commandContext(cmd))).load(parseId(id));
      process.stdout.write(render(document, parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml'], 'json')));
    });

  history
    .command('diff')
    .description('what changed from point ID to point ID2 (default: to the current state); exit 2 when anything did')
    .argument('<id>', 'history point id')
    .argument('[id2]', 'a later history point id')
    .action(async (id: string, id2: string | undefined, _opts: unknown, cmd: Command) => {
      const cc = commandContext(cmd);
      const store = await open(cc);
      const from = await store.load(parseId(id));
      const to = id2 !== undefined ? (await store.load(parseId(id2, 'ID2'))).document.plugins : await currentSections(cc, from.point.plugins, from.document.plugins);
      const changes = changesBetween(cc, from.document.plugins, to);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      process.stdout.write(format === 'text' ? renderChangesText(changes, `point ${id}`, id2 ? `point ${id2}` : 'now') : render({ from: Number(id), to: id2 ? Number(id2) : 'current', changes }, format));
      process.exitCode = Object.values(changes).some((a) => a.length) ? EXIT.CHANGES_PENDING : EXIT.OK;
    });

  history
    .command('prune')
    .description('delete the points the retention rules (config plugins.history) do not keep')
    .option('--dry-run', 'print what would be deleted; delete nothing')
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const cc = commandContext(cmd);
      const result = await prune(await open(cc), historySettings(cc.config).rules, { dryRun: !!opts.dryRun });
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      if (format === 'text') {
        const verb = opts.dryRun ? 'would delete' : 'deleted';
        const lines = [`history prune: ${verb} ${result.removed.length} point(s)${result.removed.length ? ': ' + result.removed.join(', ') : ''}; keeping ${result.plan.keep.length}`];
        if (result.removedForSpace.length) lines.push(`  deleted for the free-space floor: ${result.removedForSpace.join(', ')}`);
        for (const f of result.failed) lines.push(`  could not delete point ${f.id}: ${f.error}`);
        if (result.belowFloor) lines.push('  free space is still below the floor (plugins.history.min_free)');
        process.stdout.write(lines.join('\n') + '\n');
      } else {
        process.stdout.write(render({ ...result, plan: undefined, kept: result.plan.keep.map((k) => ({ id: k.point.id, reasons: k.reasons })) }, format));
      }
      for (const f of result.failed) process.stderr.write(`opdbus: could not delete history point ${f.id}: ${f.error}\n`);
      process.exitCode = result.failed.length ? EXIT.PARTIAL_FAILURE : EXIT.OK;
    });
}

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('apply a kept state (history point ID) as one transaction, exactly like apply')
    .argument('<id>', 'history point id')
    .option('-p, --plugin <name>', 'only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .option('--dry-run', 'print the plan and exit (2 when changes are pending); change nothing')
    .addHelpText('after', '\nExamples:\n  opdbus rollback 12 --dry-run\n  opdbus rollback 12\n')
    .action(async (id: string, opts: { plugin: string[]; dryRun?: boolean }, cmd: Command) => {
      const cc = commandContext(cmd);
      const { config, registry, ctx, observers } = cc;
      const { point, document: kept } = await (await open(cc)).load(parseId(id));
      const text = canonicalJson({ version: 1, plugins: kept.plugins });
      const source = { file: `history point ${point.id}`, text };
      // ajv loads only for the commands that validate a document (see cli/context.ts loadDocument).
      const { validateStructure } = require('../../document/validate') as typeof import('../../document/validate');
      const { document } = validateStructure(parseSource(source), source, registry);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const title = `rollback to history point ${point.id} (${point.time}, ${point.reason})`;
      if (opts.dryRun) {
        const plan = await planTransaction({ document, source, registry, config, ctx, selected: opts.plugin });
        process.stdout.write(format === 'text' ? renderPlanText(plan, title) : render(planAsData(plan), format));
        process.exitCode = plan.actions.length ? EXIT.CHANGES_PENDING : EXIT.OK;
        return;
      }
      const result = await runTransaction({ document, source, registry, config, ctx, selected: opts.plugin, operation: 'rollback', observers });
      if (result.recovered) process.stderr.write(`opdbus: rolled back unfinished transaction from an earlier crash (${result.recovered.txid})\n`);
      if (format === 'text') {
        process.stdout.write(renderPlanText(result.plan, title));
        process.stdout.write(`transaction ${result.txid}: ${result.outcome}\n`);
      } else {
        process.stdout.write(render({ txid: result.txid, outcome: result.outcome, point: point.id, plan: planAsData(result.plan), error: result.error?.toData() }, format));
      }
      if (result.error) process.stderr.write(`opdbus: error: ${result.error.message}\n`);
      process.exitCode = result.outcome === 'rolled-back' ? EXIT.APPLY_FAILED_ROLLED_BACK : result.outcome === 'rollback-failed' ? EXIT.ROLLBACK_FAILED : EXIT.OK;
    });
}
