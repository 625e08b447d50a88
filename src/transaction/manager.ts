// The transaction manager: the one place that guarantees atomicity. Everything that changes a host
// goes through runTransaction():
//   lock -> recover a crashed transaction -> plan (validate, query, diff, order) -> checkpoint every
//   plugin touched -> journal -> apply in dependency order -> verify with settle -> irreversible
//   actions last -> commit; on any failure, roll back every started plugin in reverse order.
// Exactly one TransactionRecord per transaction goes to the observers (ledger, history), from here.
import * as os from 'node:os';
import type { OpdbusConfig } from '../config';
import { OpdbusError, toOpdbusError, type ErrorData } from '../errors';
import type { Action, PluginContext } from '../plugin/contract';
import type { PluginRegistry } from '../plugin/registry';
import { canonicalJsonOnce, sha256Hex, stateHash } from '../util/canonical';
import { currentActor } from './actor';
import { failpoint } from './failpoints';
import { clearJournal, readJournal, updateJournal, writeJournal, type JournalEntry } from './journal';
import { acquireHostLock } from './lock';
import { planTransaction, type Plan, type PlanInput } from './plan';
import type { PluginFootprint, TransactionObserver, TransactionOperation, TransactionOutcome, TransactionRecord } from './record';
import { verifySettled } from './verify';

export interface TransactionInput extends PlanInput {
  operation?: Exclude<TransactionOperation, 'recover'>;
  observers?: readonly TransactionObserver[];
  /** Confirmed apply: keep the change only if `opdbus commit` comes within this time. */
  confirmTimeoutMs?: number;
  /** Called as soon as a confirmed apply is journaled as awaiting confirmation (starts the watchdog). */
  onAwaitingConfirm?: (txid: string) => void;
  /**
   * Called once while the plugins apply, when the main thread mostly waits for the kernel or a
   * backend: work for after the transaction that depends only on the plan (the CLI renders it then).
   */
  whileApplying?: (plan: Plan) => void;
}

export interface TransactionResult {
  txid: string;
  /** awaiting-confirm: applied and verified, waiting for `opdbus commit` until confirmDeadline. */
  outcome: TransactionOutcome | 'awaiting-confirm';
  confirmDeadline?: string;
  plan: Plan;
  /** The transaction that an earlier crash left behind and this run rolled back first, if any. */
  recovered?: TransactionRecord;
  record: TransactionRecord;
  error?: OpdbusError;
}

export async function runTransaction(input: TransactionInput): Promise<TransactionResult> {
  const { config, ctx, registry } = input;
  const lock = await acquireHostLock(config.stateDir, config.lockTimeoutMs);
  const stopInterruptWatch = watchInterrupts(ctx);
  try {
    const recovered = await recoverUnlocked(registry, config, ctx, input.observers ?? []);
    const result = await applyLocked(input);
    return recovered ? { ...result, recovered } : result;
  } finally {
    stopInterruptWatch();
    lock.release();
  }
}

/**
 * Ctrl-C or SIGTERM during a transaction: the first one makes the next step fail, so everything
 * applied so far is rolled back in order; a second one exits at once (the journal then lets the next
 * run roll back).
 */
let interrupted: NodeJS.Signals | undefined;
function watchInterrupts(ctx: PluginContext): () => void {
  interrupted = undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    interrupted = signal;
    ctx.log.warn(`${signal} received: stopping the transaction and rolling back (send it again to exit at once; the next run rolls back then)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function throwIfInterrupted(): void {
  if (interrupted) throw new OpdbusError('Backend', 'INTERRUPTED', `interrupted by ${interrupted}`);
}

async function applyLocked(input: TransactionInput): Promise<TransactionResult> {
  const { registry, ctx, document, source } = input;
  const txid = newTxid();
  const startedAt = new Date().toISOString();
  const phase = phaseTimer(ctx, txid);
  const plan = await planTransaction(input);
  phase('plan (query and diff)');
  const touched = plan.plugins.filter((p) => p.actions.length > 0);
  const before = Object.fromEntries(plan.plugins.map((p) => [p.plugin, p.current]));
  const base = {
    txid,
    operation: input.operation ?? 'apply',
    host: os.hostname(),
    actor: currentActor(),
    startedAt,
    source: { file: source.file, sha256: sha256Hex(source.text) },
    before,
  } as const;

  if (touched.length === 0) {
    const record: TransactionRecord = { ...base, outcome: 'no-changes', finishedAt: new Date().toISOString(), footprints: plan.plugins.map((p) => footprint(p.plugin, [], p.current)), after: before };
    await notify(input.observers ?? [], record, input.config.stateDir, ctx);
    return { txid, outcome: 'no-changes', plan, record };
  }

  if (input.confirmTimeoutMs !== undefined && touched.some((p) => p.actions.some((a) => a.irreversible))) {
    throw new OpdbusError('InvalidInput', 'CONFIRM_IRREVERSIBLE', 'apply --confirm-timeout cannot be used with irreversible actions (they could not be rolled back when the confirmation does not come)');
  }
  const checkpoints: Record<string, unknown> = {};
  for (const p of touched) checkpoints[p.plugin] = await registry.get(p.plugin).checkpoint(ctx, p.actions, p.current);
  const journal: JournalEntry = {
    txid,
    operation: base.operation,
    pid: process.pid,
    startedAt,
    status: 'applying',
    order: touched.map((p) => p.plugin),
    checkpoints,
    actions: Object.fromEntries(touched.map((p) => [p.plugin, p.actions])),
    started: [],
    before,
    source: base.source,
  };
  writeJournal(input.config.stateDir, journal);
  phase('checkpoint and journal');

  // The states before are hashed while the plugins apply (hashBefore), or when a record needs them first.
  const footprints = new Map<string, PluginFootprint>(touched.map((p) => [p.plugin, { plugin: p.plugin, actions: p.actions, beforeHash: '', applied: false, verified: false, rolledBack: false }]));
  const hashBefore = () => {
    for (const p of touched) footprints.get(p.plugin)!.beforeHash ||= stateHash(p.current);
  };
  const verified = new Map<string, { state?: unknown }>(); // what each plugin's last verify read
  const irreversibleStarted = new Set<string>();
  // While the plugins apply, the main thread mostly waits (the kernel or a backend does the work):
  // whatever does not depend on the outcome is done then, not after the commit.
  setImmediate(() => whileApplying(input, plan, touched, hashBefore));
  try {
    await failpoint('tx.after-checkpoint');
    await applyPhase(input, touched, journal, footprints, (a) => !a.irreversible);
    phase('apply');
    await failpoint('tx.before-verify');
    throwIfInterrupted();
    // A plugin with irreversible actions cannot match before they have run: it is verified after them.
    for (const p of touched.filter((t) => !t.actions.some((a) => a.irreversible))) {
      verified.set(p.plugin, await verifySettled(registry.get(p.plugin), ctx, document.plugins[p.plugin]));
      footprints.get(p.plugin)!.verified = true;
    }
    phase('verify');
    // Irreversible actions (e.g. terminating a session) only once every reversible change has verified.
    const irreversible = touched.filter((p) => p.actions.some((a) => a.irreversible));
    await applyPhase(input, irreversible, journal, footprints, (a) => !!a.irreversible, (name) => irreversibleStarted.add(name));
    for (const p of irreversible) {
      verified.set(p.plugin, await verifySettled(registry.get(p.plugin), ctx, document.plugins[p.plugin]));
      footprints.get(p.plugin)!.verified = true;
    }
  } catch (err) {
    hashBefore();
    return rollBack(input, { ...base, plan, journal, footprints, cause: toOpdbusError(err), irreversibleStarted });
  }

  // The change is applied and verified: nothing from here on may turn it into a rollback. The state
  // after is what verify read (under the lock nothing has changed since), or is read once more.
  const after: Record<string, unknown> = { ...before };
  for (const p of touched) {
    try {
      const read = verified.get(p.plugin);
      after[p.plugin] = read && 'state' in read ? read.state : await registry.get(p.plugin).query(ctx, document.plugins[p.plugin]);
      footprints.get(p.plugin)!.afterHash = stateHash(after[p.plugin]);
    } catch (err) {
      after[p.plugin] = document.plugins[p.plugin];
      ctx.log.warn(`${p.plugin}: could not re-read the state after commit (recording the document instead): ${(err as Error).message}`);
    }
  }
  hashBefore();
  phase('read the state after commit');
  const record: TransactionRecord = {
    ...base,
    outcome: 'committed',
    finishedAt: new Date().toISOString(),
    footprints: plan.plugins.map((p) => footprints.get(p.plugin) ?? footprint(p.plugin, [], p.current)),
    after,
  };
  if (input.confirmTimeoutMs !== undefined) {
    const confirmDeadline = new Date(Date.now() + input.confirmTimeoutMs).toISOString();
    updateJournal(input.config.stateDir, { status: 'awaiting-confirm', confirmDeadline, record });
    input.onAwaitingConfirm?.(txid);
    return { txid, outcome: 'awaiting-confirm', confirmDeadline, plan, record };
  }
  try {
    updateJournal(input.config.stateDir, { status: 'committed', record });
  } catch (err) {
    // Applied and verified, but the journal cannot say so: remove it rather than let the next run
    // mistake this transaction for a crashed one and roll it back.
    ctx.log.error(`transaction ${txid} committed, but its journal could not be marked committed: ${(err as Error).message}`);
    clearJournal(input.config.stateDir);
  }
  phase('journal marked committed');
  await notify(input.observers ?? [], record, input.config.stateDir, ctx);
  clearJournal(input.config.stateDir);
  phase('observers (ledger, history)');
  return { txid, outcome: 'committed', plan, record };
}

async function applyPhase(
  input: TransactionInput,
  plugins: Plan['plugins'],
  journal: JournalEntry,
  footprints: Map<string, PluginFootprint>,
  pick: (a: Action) => boolean,
  onStart?: (plugin: string) => void,
): Promise<void> {
  for (const p of plugins) {
    const actions = p.actions.filter(pick);
    if (actions.length === 0) continue;
    onStart?.(p.plugin);
    if (!journal.started.includes(p.plugin)) {
      journal.started.push(p.plugin);
      updateJournal(input.config.stateDir, { started: p.plugin });
    }
    await failpoint(`tx.before-apply:${p.plugin}`);
    throwIfInterrupted();
    try {
      await input.registry.get(p.plugin).apply(input.ctx, actions);
    } catch (err) {
      throw toOpdbusError(err, { plugin: p.plugin, operation: `${p.plugin}: apply` });
    }
    footprints.get(p.plugin)!.applied = true;
    await failpoint(`tx.after-apply:${p.plugin}`);
  }
}

async function rollBack(
  input: TransactionInput,
  state: Omit<TransactionRecord, 'outcome' | 'finishedAt' | 'footprints'> & {
    plan: Plan;
    journal: JournalEntry;
    footprints: Map<string, PluginFootprint>;
    cause: OpdbusError;
    /** Plugins whose irreversible actions had started: whatever they did stays done. */
    irreversibleStarted: ReadonlySet<string>;
  },
): Promise<TransactionResult> {
  const { plan, journal, footprints, cause, irreversibleStarted, ...base } = state;
  input.ctx.log.warn(`apply failed, rolling back ${journal.started.join(', ') || 'nothing'}: ${cause.message}`);
  const failures = await rollbackStarted(input.registry, input.ctx, journal, footprints);
  // What an irreversible action did stays done: the host is not as before, whatever rollback restored.
  const irreversibleDone: ErrorData[] = [...irreversibleStarted].map((plugin) => ({
    kind: 'RollbackFailed',
    code: 'IRREVERSIBLE',
    plugin,
    message: `${plugin}: its irreversible actions had already been carried out and cannot be undone`,
  }));
  const outcome: TransactionOutcome = failures.length || irreversibleDone.length ? 'rollback-failed' : 'rolled-back';
  if (cause.plugin && footprints.has(cause.plugin)) footprints.get(cause.plugin)!.error = cause.toData();
  const record: TransactionRecord = {
    ...base,
    outcome,
    finishedAt: new Date().toISOString(),
    footprints: plan.plugins.map((p) => footprints.get(p.plugin) ?? footprint(p.plugin, [], p.current)),
    error: cause.toData(),
  };
  await notify(input.observers ?? [], record, input.config.stateDir, input.ctx);
  // A failed rollback keeps the journal so `opdbus recover` can try again once the cause is fixed;
  // irreversible actions alone leave nothing for recover to do.
  if (failures.length === 0) clearJournal(input.config.stateDir);
  const problems = [...failures, ...irreversibleDone];
  const error =
    outcome === 'rolled-back'
      ? cause
      : new OpdbusError(
          'RollbackFailed',
          'ROLLBACK_FAILED',
          `apply failed (${cause.message}) and the host could not be fully restored: ${problems.map((f) => f.message).join('; ')}. The host needs attention` +
            (failures.length ? `; the journal is kept at ${input.config.stateDir}/journal.json, run \`opdbus recover\` once fixed.` : '.'),
          { details: { cause: cause.toData(), rollback: problems } },
        );
  return { txid: base.txid, outcome, plan, record, error };
}

/** Rolls back the journal's started plugins in reverse order; returns what failed. */
async function rollbackStarted(registry: PluginRegistry, ctx: PluginContext, journal: JournalEntry, footprints?: Map<string, PluginFootprint>): Promise<ErrorData[]> {
  const failures: ErrorData[] = [];
  for (const name of [...journal.started].reverse()) {
    try {
      await registry.get(name).rollback(ctx, journal.checkpoints[name]);
      if (footprints?.has(name)) footprints.get(name)!.rolledBack = true;
    } catch (err) {
      const e = toOpdbusError(err, { plugin: name, operation: `${name}: rollback` });
      failures.push({ ...e.toData(), plugin: name });
      if (footprints?.has(name)) footprints.get(name)!.error = e.toData();
    }
  }
  return failures;
}

/**
 * Settles a transaction found in the journal: an applying one (a crash) is rolled back; a confirmed
 * apply past its deadline, or any pending one when `force` (opdbus recover), is rolled back; one still
 * inside its confirm window blocks other transactions; a committed one only gets its pending observers.
 * Returns the record it wrote, or undefined if there was nothing to settle. The caller holds the lock.
 */
export async function recoverUnlocked(registry: PluginRegistry, config: OpdbusConfig, ctx: PluginContext, observers: readonly TransactionObserver[], force = false): Promise<TransactionRecord | undefined> {
  const journal = readJournal(config.stateDir);
  if (!journal) return undefined;
  if (journal.status === 'committed' && journal.record) {
    await notify(observers, journal.record, config.stateDir, ctx);
    clearJournal(config.stateDir);
    return journal.record;
  }
  const awaiting = journal.status === 'awaiting-confirm';
  const expired = awaiting && Date.parse(journal.confirmDeadline ?? '') <= Date.now();
  if (awaiting && !expired && !force) {
    throw new OpdbusError('Locked', 'CONFIRM_PENDING', `transaction ${journal.txid} is applied and waiting for \`opdbus commit\` until ${journal.confirmDeadline} (it rolls back by itself then; \`opdbus recover\` rolls it back now)`, { details: { txid: journal.txid, deadline: journal.confirmDeadline } });
  }
  const why = awaiting
    ? expired
      ? { code: 'CONFIRM_TIMEOUT', message: `transaction ${journal.txid} was not confirmed with \`opdbus commit\` before ${journal.confirmDeadline}` }
      : { code: 'CONFIRM_REFUSED', message: `transaction ${journal.txid} was rolled back by \`opdbus recover\` before it was confirmed` }
    : { code: 'CRASHED', message: `transaction ${journal.txid} did not finish (pid ${journal.pid})` };
  ctx.log.warn(`${why.message}; rolling back ${journal.started.join(', ') || 'nothing'}`);
  const footprints = new Map(journal.order.map((name) => [name, footprint(name, journal.actions[name] ?? [], journal.before[name])]));
  const failures = await rollbackStarted(registry, ctx, journal, footprints);
  const record: TransactionRecord = {
    // An unconfirmed apply ends as its own record (rolled back); a crash is settled by a recover record.
    txid: awaiting ? journal.txid : newTxid(),
    operation: awaiting ? journal.operation : 'recover',
    outcome: failures.length ? 'rollback-failed' : 'rolled-back',
    host: os.hostname(),
    actor: currentActor(),
    startedAt: awaiting ? journal.startedAt : new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    source: journal.source,
    footprints: [...footprints.values()],
    before: journal.before,
    error: { kind: awaiting ? 'Timeout' : 'Backend', code: why.code, message: why.message, details: { recoveredTxid: journal.txid } },
  };
  await notify(observers, record, config.stateDir, ctx);
  if (failures.length) {
    throw new OpdbusError('RollbackFailed', 'RECOVER_FAILED', `could not roll back unfinished transaction ${journal.txid}: ${failures.map((f) => `${f.plugin}: ${f.message}`).join('; ')}. The journal is kept at ${config.stateDir}/journal.json.`, { details: { failures } });
  }
  clearJournal(config.stateDir);
  return record;
}

/** `opdbus recover`: settles a crashed transaction, if any, under the lock. */
export async function recover(registry: PluginRegistry, config: OpdbusConfig, ctx: PluginContext, observers: readonly TransactionObserver[] = []): Promise<TransactionRecord | undefined> {
  const lock = await acquireHostLock(config.stateDir, config.lockTimeoutMs);
  try {
    return await recoverUnlocked(registry, config, ctx, observers, true);
  } finally {
    lock.release();
  }
}

/**
 * Work done while the plugins apply: the observers load their code, the states before are hashed,
 * the actions' canonical JSON (nearly all of a ledger block) is made, and the caller's own part runs.
 * None of it may change the outcome: errors are logged, not thrown.
 */
function whileApplying(input: TransactionInput, plan: Plan, touched: Plan['plugins'], hashBefore: () => void): void {
  const { ctx } = input;
  prepareObservers(input.observers ?? [], ctx);
  try {
    hashBefore();
    for (const p of touched) canonicalJsonOnce(p.actions);
    input.whileApplying?.(plan);
  } catch (err) {
    ctx.log.debug(`work while applying failed (done later instead): ${(err as Error).message}`);
  }
}

/** A failure here is only logged at debug level: the same failure is reported loudly by notify. */
function prepareObservers(observers: readonly TransactionObserver[], ctx: PluginContext): void {
  for (const o of observers) {
    try {
      const t0 = performance.now();
      o.prepare?.();
      ctx.log.debug(`${o.name}: prepared in ${(performance.now() - t0).toFixed(1)} ms, ${t0.toFixed(1)} ms after the process started`);
    } catch (err) {
      ctx.log.debug(`${o.name}: prepare failed: ${(err as Error).message}`);
    }
  }
}

/** Observers must not turn a finished transaction into a failed one: their errors are logged loudly. */
export async function notify(observers: readonly TransactionObserver[], record: TransactionRecord, stateDir: string, ctx: PluginContext): Promise<void> {
  for (const o of observers) {
    try {
      const t0 = performance.now();
      await o.onTransaction(record, stateDir);
      ctx.log.debug(`transaction ${record.txid}: ${o.name} took ${(performance.now() - t0).toFixed(1)} ms`);
    } catch (err) {
      ctx.log.error(`${o.name} could not record transaction ${record.txid}: ${(err as Error).message}`);
    }
  }
}

/** Debug log of how long each step of a transaction took: `--log-level debug`. */
function phaseTimer(ctx: PluginContext, txid: string): (name: string) => void {
  let last = performance.now();
  ctx.log.debug(`transaction ${txid}: started ${last.toFixed(1)} ms after the process`);
  return (name) => {
    const now = performance.now();
    ctx.log.debug(`transaction ${txid}: ${name} took ${(now - last).toFixed(1)} ms`);
    last = now;
  };
}

function footprint(plugin: string, actions: Action[], current: unknown): PluginFootprint {
  return { plugin, actions, beforeHash: stateHash(current), applied: false, verified: false, rolledBack: false };
}

function newTxid(): string {
  // 32 random bits tell apart transactions started in the same second (the host lock runs one at a
  // time); nothing relies on them being unpredictable, so node:crypto is not loaded for them.
  const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${random}`;
}
