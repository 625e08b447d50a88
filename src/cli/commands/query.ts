// `opdbus query`: the host's current state as a valid desired-state document.
import type { Command } from 'commander';
import * as os from 'node:os';
import type { StateDocument } from '../../document/types';
import { EXIT } from '../../exit-codes';
import { queryPlugins } from '../../query/run';
import { collectPlugins, commandContext } from '../context';
import { parseFormat, render } from '../output';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('print the current state of this host as a desired-state document')
    .option('-p, --plugin <name>', 'query only this plugin (repeatable, or comma-separated)', collectPlugins, [])
    .option('--parallel', 'run each plugin query in a worker thread (Piscina pool)')
    .addHelpText('after', '\nExamples:\n  opdbus query --parallel\n  opdbus query --plugin sysctl --format yaml > host.yaml\n')
    .action(async (opts: { plugin: string[]; parallel?: boolean }, cmd: Command) => {
      const { config, registry } = commandContext(cmd);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml'], 'json');
      const named = opts.plugin.length > 0;
      const plugins = named ? registry.select(opts.plugin).names() : registry.select(config.enabledPlugins).names();
      const outcomes = await queryPlugins({ plugins, config, parallel: !!opts.parallel });

      const doc: StateDocument = { version: 1, plugins: {} };
      const unavailable: Record<string, string> = {};
      const failed: Record<string, { kind: string; code: string; message: string }> = {};
      for (const o of outcomes) {
        if (o.status === 'ok') doc.plugins[o.plugin] = o.section;
        else if (o.status === 'unavailable') unavailable[o.plugin] = o.reason;
        else failed[o.plugin] = { kind: o.error.kind, code: o.error.code, message: o.error.message };
      }
      doc.meta = { host: os.hostname(), queried_at: new Date().toISOString() };
      if (Object.keys(unavailable).length) doc.meta.unavailable = unavailable;
      if (Object.keys(failed).length) doc.meta.failed = failed;
      process.stdout.write(render(doc, format));

      // Unavailable backends are normal on most hosts; they are an error only for a plugin asked for by name.
      const log = commandContext(cmd).ctx.log;
      for (const [p, reason] of Object.entries(unavailable)) (named ? log.error : log.info)(`${p}: unavailable: ${reason}`);
      for (const [p, e] of Object.entries(failed)) process.stderr.write(`opdbus: ${p}: query failed (${e.kind}): ${e.message}\n`);
      if (Object.keys(failed).length) process.exitCode = EXIT.PARTIAL_FAILURE;
      else if (named && Object.keys(unavailable).length) process.exitCode = EXIT.PLUGIN_UNAVAILABLE;
      // A query that timed out may still hold the event loop (a call the backend never answers): the
      // report is out, so do not wait for it.
      if (Object.values(failed).some((e) => e.kind === 'Timeout')) process.exit();
    });
}
