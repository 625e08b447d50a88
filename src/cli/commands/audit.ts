// `opdbus audit ...`: read, verify, prove, export and prune the audit ledger (src/ledger/).
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { OpdbusError } from '../../errors';
import { EXIT } from '../../exit-codes';
import type { Block } from '../../ledger/block';
import { parseCheckpoint, type Checkpoint } from '../../ledger/checkpoint';
import { checkInclusionProof, proveConsistency, proveInclusion } from '../../ledger/proof';
import { pruneBefore } from '../../ledger/prune';
import { loadLedger, parseBlock } from '../../ledger/read';
import { verifyLedger, type VerifyReport } from '../../ledger/verify';
import { loadConfig } from '../../config';
import { parseDuration } from '../duration';
import { parseFormat, render } from '../output';

function stateDir(cmd: Command): string {
  const g = cmd.optsWithGlobals<{ stateDir?: string; config?: string }>();
  return loadConfig({ stateDir: g.stateDir, configFile: g.config }).stateDir;
}

/** A point in time: an ISO 8601 date/time, or a duration ago ("2h", "30m"). */
export function parseTime(text: string, flag: string): Date {
  if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(text.trim())) return new Date(Date.now() - parseDuration(text, flag));
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new OpdbusError('InvalidInput', 'USAGE', `${flag}: expected an ISO 8601 time (2026-01-31T12:00:00Z) or a duration ago (2h), found "${text}"`);
  return new Date(t);
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw new OpdbusError('InvalidInput', 'USAGE', `${file}: not ${what}: ${(err as Error).message}`, { path: file });
  }
}

function readWitness(file: string): Checkpoint {
  const doc = readJson(file, 'a JSON checkpoint') as { checkpoint?: unknown } | null;
  const candidate = doc && typeof doc === 'object' && 'checkpoint' in doc ? doc.checkpoint : doc;
  const cp = parseCheckpoint(Buffer.from(JSON.stringify(candidate ?? null)));
  if (!cp) throw new OpdbusError('InvalidInput', 'USAGE', `${file}: expected a signed checkpoint {origin, size, root, time, keyId, sig} or an \`audit prove\` output`, { path: file });
  return cp;
}

function parseIndex(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new OpdbusError('InvalidInput', 'USAGE', `${what}: expected a block number, found "${text}"`);
  return Number(text);
}

function blocks(cmd: Command): Block[] {
  return loadLedger(stateDir(cmd)).lines.map((l, i) => {
    const b = parseBlock(l);
    if (!b) throw new OpdbusError('Integrity', 'LEDGER_DAMAGED', `ledger line ${i + 1} is damaged; run \`opdbus audit verify\``);
    return b;
  });
}

function logLine(b: Block): string {
  const who = b.actor.sudoUser ? `${b.actor.sudoUser} (as ${b.actor.user})` : b.actor.user;
  return `#${b.index}  ${b.time}  ${b.operation.padEnd(8)} ${b.outcome.padEnd(15)} ${who.padEnd(16)} ${b.footprints.map((f) => f.plugin).join(',') || '-'}  ${b.txid}`;
}

function verifyText(r: VerifyReport): string {
  const head = r.ok ? `audit verify: ok: ${r.blocks} blocks` : `audit verify: FAILED: ${r.failure!.message}`;
  const cp = r.latestCheckpoint ? `; latest signed checkpoint: ${r.latestCheckpoint.size} blocks at ${r.latestCheckpoint.time}` : '';
  const pruned = r.pruned ? `; ${r.pruned} pruned behind a signed anchor` : '';
  return [head + (r.ok ? cp + pruned : ''), ...r.notes.map((n) => `  note: ${n}`)].join('\n') + '\n';
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit ledger: one block per transaction');

  audit.command('log').description('list ledger blocks')
    .option('--since <time>', 'only blocks at or after this time (ISO 8601, or a duration ago like 2h)')
    .option('--plugin <name>', 'only blocks that touched this plugin')
    .action((opts: { since?: string; plugin?: string }, cmd: Command) => {
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const since = opts.since !== undefined ? parseTime(opts.since, '--since').getTime() : -Infinity;
      const list = blocks(cmd).filter((b) => Date.parse(b.time) >= since && (!opts.plugin || b.footprints.some((f) => f.plugin === opts.plugin)));
      process.stdout.write(format === 'text' ? list.map((b) => logLine(b) + '\n').join('') : render(list, format));
    });

  audit.command('show').description('print one block in full').argument('<n>', 'block number')
    .action((n: string, _opts: unknown, cmd: Command) => {
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml'], 'json');
      const index = parseIndex(n, 'show');
      const block = blocks(cmd).find((b) => b.index === index);
      if (!block) throw new OpdbusError('NotFound', 'NO_BLOCK', `block ${index} is not in the ledger`);
      process.stdout.write(render(block, format));
    });

  audit.command('verify').description(`check every block, link and signed checkpoint (exit ${EXIT.INTEGRITY_FAILED} on failure, naming the first bad block)`)
    .option('--checkpoint <file>', 'also check against a signed checkpoint kept elsewhere (a checkpoint or an `audit prove` output)')
    .action(async (opts: { checkpoint?: string }, cmd: Command) => {
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml', 'text'], 'text');
      const witness = opts.checkpoint !== undefined ? readWitness(opts.checkpoint) : undefined;
      const report = await verifyLedger(stateDir(cmd), { witness });
      process.stdout.write(format === 'text' ? verifyText(report) : render(report, format));
      if (!report.ok) {
        if (format !== 'text') process.stderr.write(`opdbus: error: ${report.failure!.message}\n`);
        process.exitCode = EXIT.INTEGRITY_FAILED;
      }
    });

  audit.command('prove').description('inclusion proof of block N against the latest signed checkpoint (JSON, checkable offline)').argument('<n>', 'block number')
    .action(async (n: string, _opts: unknown, cmd: Command) => {
      process.stdout.write(JSON.stringify(await proveInclusion(stateDir(cmd), parseIndex(n, 'prove')), null, 2) + '\n');
    });

  audit.command('verify-proof').description('check a proof from `audit prove` offline').argument('<file>', 'proof JSON, or - for stdin')
    .option('--key-id <id>', 'require this host key id (SHA-256 of the raw public key, hex)')
    .action((file: string, opts: { keyId?: string }) => {
      const r = checkInclusionProof(readJson(file, 'a JSON proof'), opts.keyId);
      process.stdout.write(`proof ok: block ${r.index} is in the ledger of ${r.treeSize} blocks signed at ${r.time} by host key ${r.keyId}\n`);
    });

  audit.command('consistency').description('prove the ledger of OLD blocks is a prefix of the ledger of NEW blocks').argument('<old>').argument('<new>')
    .action(async (oldSize: string, newSize: string, _opts: unknown, cmd: Command) => {
      const doc = await proveConsistency(stateDir(cmd), parseIndex(oldSize, 'OLD'), parseIndex(newSize, 'NEW'));
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      if (!doc.verified) process.exitCode = EXIT.INTEGRITY_FAILED;
    });

  audit.command('export').description('every block as one JSON line, for a log shipper')
    .option('--since <time>', 'only blocks at or after this time')
    .action((opts: { since?: string }, cmd: Command) => {
      const since = opts.since !== undefined ? parseTime(opts.since, '--since').getTime() : -Infinity;
      for (const b of blocks(cmd)) if (Date.parse(b.time) >= since) process.stdout.write(JSON.stringify(b) + '\n');
    });

  audit.command('prune').description('drop blocks older than T, keeping the log verifiable from a signed anchor')
    .requiredOption('--before <time>', 'ISO 8601 time, or a duration ago (e.g. 720h)')
    .action(async (opts: { before: string }, cmd: Command) => {
      const r = await pruneBefore(stateDir(cmd), parseTime(opts.before, '--before'));
      process.stdout.write(r.pruned ? `audit prune: dropped ${r.pruned} blocks (ledger now starts at block ${r.anchor!.prunedCount}); ${r.retained} kept.\n` : `audit prune: nothing to prune; ${r.retained} blocks kept.\n`);
    });
}
