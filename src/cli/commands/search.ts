// `opdbus search "TEXT" | --like FILE|ID` and `opdbus index rebuild`: semantic + lexical search over
// the state history (src/search, docs/search.md). The index is brought up to date before each search.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { parseSource } from '../../document/parse';
import { OpdbusError } from '../../errors';
import { Embedder } from '../../search/embedder';
import { VectorIndex } from '../../search/index';
import { historySource } from '../../search/history-adapter';
import { progressBar } from '../../search/progress';
import { StateSearch, type SearchHit } from '../../search/query';
import { changeView } from '../../search/textview';
import type { HistorySource } from '../../search/source';
import { parseTimeArg } from '../../history';
import { commandContext } from '../context';
import { parseFormat, render } from '../output';

interface SearchFlags {
  limit: string;
  since?: string;
  plugin?: string;
  like?: string;
  poolSize?: string;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OpdbusError('InvalidInput', 'USAGE', `${flag}: expected a positive integer, found "${value}"`);
  return n;
}

async function withSearch<T>(cmd: Command, flags: { poolSize?: string }, run: (search: StateSearch, source: HistorySource) => Promise<T>): Promise<T> {
  const { config } = commandContext(cmd);
  const embedder = new Embedder({ poolSize: flags.poolSize ? positiveInt(flags.poolSize, '--pool-size') : undefined });
  try {
    const source = await historySource(config.stateDir);
    const search = await StateSearch.open(config.stateDir, embedder);
    await search.update(source, progressBar('indexing history'));
    return await run(search, source);
  } finally {
    await embedder.close();
  }
}

/** How a hit differs from the newest recorded state: at most `max` change lines. */
async function differenceFromNow(source: HistorySource, hit: SearchHit, latestId: string | undefined, max = 5): Promise<string[]> {
  if (!latestId || latestId === hit.id) return ['(this is the latest recorded state)'];
  const [then, now] = await Promise.all([source.load(hit.id), source.load(latestId)]);
  const lines = changeView(then.state, now.state);
  if (!lines.length) return ['(same as the latest recorded state)'];
  return lines.length > max ? [...lines.slice(0, max), `... and ${lines.length - max} more`] : lines;
}

export function registerSearch(program: Command): void {
  program
    .command('search [text]')
    .description('find historical states by meaning and by identifiers (names, addresses, units)')
    .option('-n, --limit <k>', 'number of hits', '10')
    .option('--since <time>', 'only states at or after this time (ISO 8601 or a duration like 7d)')
    .option('-p, --plugin <name>', 'only states where this plugin changed or has a problem')
    .option('--like <file|id>', 'states nearest to a history id or to a state document file')
    .option('--pool-size <n>', 'embedding worker threads')
    .addHelpText('after', '\nExamples:\n  opdbus search "web server down while the bridge had no address"\n  opdbus search br-ex --since 7d\n  opdbus search --like 42\n')
    .action(async (text: string | undefined, flags: SearchFlags, cmd: Command) => {
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'text'], 'text');
      if (!text && !flags.like) throw new OpdbusError('InvalidInput', 'USAGE', 'search: give a TEXT to search for or --like FILE|ID');
      const limit = positiveInt(flags.limit, '--limit');
      const since = flags.since ? parseTimeArg(flags.since, '--since').toISOString() : undefined;
      await withSearch(cmd, flags, async (search, source) => {
        const opts = { limit, since, plugin: flags.plugin };
        let hits: SearchHit[];
        if (flags.like && fs.existsSync(flags.like)) {
          const doc = parseSource({ file: flags.like, text: fs.readFileSync(flags.like, 'utf8') }) as { plugins?: Record<string, unknown> };
          hits = await search.like({ state: doc.plugins ?? {} }, opts);
        } else if (flags.like) {
          hits = await search.like({ id: flags.like }, opts);
        } else {
          hits = await search.search(text!, opts);
        }
        const all = await source.list();
        const latest = all.length ? all[all.length - 1].id : undefined;
        const rows = await Promise.all(hits.map(async (h) => ({ id: h.id, time: h.time, score: Number(h.score.toFixed(4)), semantic: Number(h.semantic.toFixed(4)), lexical: Number(h.lexical.toFixed(4)), identifier: h.identifier, differsFromNow: await differenceFromNow(source, h, latest) })));
        if (format === 'json') {
          process.stdout.write(render(rows, 'json'));
          return;
        }
        if (!rows.length) process.stdout.write('no matching states\n');
        for (const r of rows) process.stdout.write(`${r.id}  ${r.time}  score ${r.score.toFixed(3)}\n${r.differsFromNow.map((l) => `    ${l}`).join('\n')}\n`);
      });
    });

  const index = program.command('index').description('the search index of state history');
  index
    .command('rebuild')
    .description('delete and rebuild the search index from the whole history')
    .option('--pool-size <n>', 'embedding worker threads')
    .action(async (flags: { poolSize?: string }, cmd: Command) => {
      VectorIndex.remove(commandContext(cmd).config.stateDir);
      await withSearch(cmd, flags, async (search) => {
        process.stdout.write(`indexed ${search.index.size} historical states\n`);
      });
    });
}
