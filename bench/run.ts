// Runs every benchmark (dist/bench/*.bench.js), each in its own child process, and prints the JSON
// summary line each one ends with. `npm run bench -- net` runs only the benchmarks whose name has "net".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const filters = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const summaries: unknown[] = [];
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n### ${file}\n`);
  const r = spawnSync(process.execPath, [path.join(__dirname, file)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    summaries.push({ bench: file, ...JSON.parse(last) });
  } catch {
    summaries.push({ bench: file, error: `exit ${r.status}, no summary line` });
  }
  if (r.status !== 0) failed++;
}
process.stdout.write(`\n### summary\n${JSON.stringify(summaries, null, 2)}\n`);
process.exit(failed ? 1 : 0);
