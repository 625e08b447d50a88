// `opdbus doctor`: is opdbus itself healthy here (addon, state directory, journal), and which plugins
// are available on this host and why not.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../exit-codes';
import { describeHistoryBackend, historySettings } from '../../history';
import { native } from '../../native/binding';
import { readJournal } from '../../transaction/journal';
import { ensureStateDir } from '../../util/fsync';
import { commandContext } from '../context';
import { parseFormat, render } from '../output';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check opdbus itself and say which plugins are available on this host, and why not')
    .addHelpText('after', '\nExamples:\n  opdbus doctor\n  opdbus doctor --format json\n')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, registry, ctx } = commandContext(cmd);
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const checks: Check[] = [];
      try {
        const addon = native();
        checks.push({ name: 'native addon', ok: true, detail: `loaded (modules: ${addon.modules.join(', ')})` });
      } catch (err) {
        checks.push({ name: 'native addon', ok: false, detail: (err as Error).message });
      }
      try {
        ensureStateDir(config.stateDir);
        fs.accessSync(config.stateDir, fs.constants.W_OK);
        checks.push({ name: 'state directory', ok: true, detail: `${config.stateDir} (writable)` });
        const journal = readJournal(config.stateDir);
        checks.push({ name: 'journal', ok: !journal, detail: journal ? `unfinished transaction ${journal.txid} from pid ${journal.pid}: run \`opdbus recover\`` : 'no unfinished transaction' });
      } catch (err) {
        checks.push({ name: 'state directory', ok: false, detail: `${path.resolve(config.stateDir)}: ${(err as Error).message}` });
      }
      try {
        const detail = await describeHistoryBackend(config.stateDir, { backend: historySettings(config).backend });
        checks.push({ name: 'history store', ok: true, detail: detail.replace(/^history: /, '') });
      } catch (err) {
        checks.push({ name: 'history store', ok: false, detail: (err as Error).message });
      }
      // Informational: a run without the cache is slower, not broken.
      checks.push({ name: 'code cache', ok: true, detail: (require('../compile-cache') as typeof import('../compile-cache')).describeCompileCache() });
      const plugins = [];
      for (const p of registry.all()) {
        const enabled = !config.enabledPlugins || config.enabledPlugins.includes(p.name);
        const availability = enabled ? await p.available(ctx) : { available: false, reason: 'disabled by configuration (plugins.enabled)' };
        plugins.push({ plugin: p.name, available: availability.available, reason: availability.reason, description: p.description, dependencies: p.dependencies });
      }
      const healthy = checks.every((c) => c.ok);
      if (format === 'text') {
        const lines = ['opdbus doctor', ...checks.map((c) => `  [${c.ok ? ' ok ' : 'FAIL'}] ${c.name}: ${c.detail}`), 'plugins:'];
        for (const p of plugins) lines.push(`  ${p.available ? 'available  ' : 'unavailable'} ${p.plugin.padEnd(8)} ${p.available ? p.description : p.reason}`);
        process.stdout.write(lines.join('\n') + '\n');
      } else {
        process.stdout.write(render({ healthy, checks, plugins }, format));
      }
      process.exitCode = healthy ? EXIT.OK : EXIT.BACKEND_FAILED;
    });
}
