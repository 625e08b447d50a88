// Retrieval evaluation over test/fixtures/search: indexes the fixture host's history in a temp state
// directory and scores every query with the hybrid ranking and with the lexical-only baseline.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Embedder } from '../../src/search/embedder';
import { StateSearch, type SearchOptions } from '../../src/search/query';
import { memorySource } from '../../src/search/source';
import { historyId, hostHistory } from '../fixtures/search/host';
import { QUERIES, type EvalQuery, type QueryKind } from '../fixtures/search/queries';
import { uniqueName } from './netns';

export interface Metrics {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
}

export type EvalReport = Record<'hybrid' | 'lexical', Record<QueryKind | 'all', Metrics>>;

function expectedIds(q: EvalQuery, history: ReturnType<typeof hostHistory>): Set<string> {
  if (Array.isArray(q.expect)) return new Set(q.expect.map(historyId));
  const predicate = q.expect;
  return new Set(history.filter((h, n) => predicate(h.state, n)).map((h) => h.entry.id).filter((id) => id !== q.query));
}

function score(ranked: string[], expected: Set<string>): { r1: number; r5: number; rr: number } {
  const recall = (k: number) => ranked.slice(0, k).filter((id) => expected.has(id)).length / Math.min(expected.size, k);
  const first = ranked.findIndex((id) => expected.has(id));
  return { r1: recall(1), r5: recall(5), rr: first < 0 ? 0 : 1 / (first + 1) };
}

/** Runs the whole evaluation; `onQuery` sees each query's ranking (for printing misses). */
export async function evaluate(embedder: Embedder, onQuery?: (q: EvalQuery, mode: string, ranked: string[], expected: Set<string>) => void): Promise<EvalReport> {
  const stateDir = path.join(os.tmpdir(), uniqueName('opdbus-t-search'));
  try {
    const history = hostHistory();
    const search = await StateSearch.open(stateDir, embedder);
    await search.update(memorySource(history.map((h) => h.entry)));
    const report = {} as EvalReport;
    for (const mode of ['hybrid', 'lexical'] as const) {
      const sums: Record<string, { n: number; r1: number; r5: number; rr: number }> = {};
      for (const q of QUERIES) {
        const opts: SearchOptions = { limit: 10, lexicalOnly: mode === 'lexical' };
        const hits = q.kind === 'like' ? await search.like({ id: q.query }, opts) : await search.search(q.query, opts);
        const ranked = hits.map((h) => h.id);
        const expected = expectedIds(q, history);
        onQuery?.(q, mode, ranked, expected);
        const s = score(ranked, expected);
        for (const key of [q.kind, 'all']) {
          const acc = (sums[key] ??= { n: 0, r1: 0, r5: 0, rr: 0 });
          acc.n++; acc.r1 += s.r1; acc.r5 += s.r5; acc.rr += s.rr;
        }
      }
      report[mode] = Object.fromEntries(Object.entries(sums).map(([k, a]) => [k, { queries: a.n, recallAt1: a.r1 / a.n, recallAt5: a.r5 / a.n, mrr: a.rr / a.n }])) as EvalReport['hybrid'];
    }
    return report;
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
