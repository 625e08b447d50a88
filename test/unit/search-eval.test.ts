// Retrieval evaluation (test/fixtures/search): hybrid search must reach recall@5 >= 0.9 over all
// queries and beat the lexical-only baseline on the natural-language ones. Prints both tables.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Embedder } from '../../src/search/embedder';
import { evaluate } from '../harness/search';

const embedder = new Embedder({ poolSize: 2 });
after(() => embedder.close());

test('hybrid search finds the expected states and beats lexical-only on natural language', async () => {
  const report = await evaluate(embedder);
  for (const mode of ['hybrid', 'lexical'] as const) {
    for (const [kind, m] of Object.entries(report[mode])) {
      console.log(`# ${mode.padEnd(7)} ${kind.padEnd(10)} n=${m.queries} recall@1=${m.recallAt1.toFixed(3)} recall@5=${m.recallAt5.toFixed(3)} mrr=${m.mrr.toFixed(3)}`);
    }
  }
  assert.ok(report.hybrid.all.queries >= 40);
  assert.ok(report.hybrid.all.recallAt5 >= 0.9, `recall@5 ${report.hybrid.all.recallAt5}`);
  assert.ok(report.hybrid.identifier.recallAt1 >= 0.9, `identifier queries: recall@1 ${report.hybrid.identifier.recallAt1}`);
  const [h, l] = [report.hybrid.natural, report.lexical.natural];
  assert.ok(h.mrr > l.mrr, `natural language: MRR ${h.mrr} vs lexical-only ${l.mrr}`);
  assert.ok(h.recallAt1 > l.recallAt1, `natural language: recall@1 ${h.recallAt1} vs lexical-only ${l.recallAt1}`);
  assert.ok(h.recallAt5 >= l.recallAt5, `natural language: recall@5 ${h.recallAt5} vs lexical-only ${l.recallAt5}`);
});
