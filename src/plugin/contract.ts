// The plugin contract (version 1). Every plugin — sysctl, net, ovs, systemd, ... — implements this;
// the transaction manager (src/transaction/manager.ts) is the only caller of apply/checkpoint/rollback.
// Query results, actions, checkpoints and mismatches are plain JSON data: they cross worker threads,
// go into the intent journal and into the ledger.
import type { OpdbusConfig } from '../config';
import type { Logger } from '../util/log';

export const PLUGIN_CONTRACT_VERSION = 1 as const;

/** A JSON Schema (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** What a plugin gets on every call. Built from plain config, so it can be rebuilt inside a worker. */
export interface PluginContext {
  readonly config: OpdbusConfig;
  readonly log: Logger;
  /** Aborted when the caller's timeout expires; long backend calls should honour it. */
  readonly signal?: AbortSignal;
}

export type ActionOp = 'create' | 'modify' | 'delete';

/** One planned change. Plans are lists of these, stable in order (sorted by the plugin's diff). */
export interface Action {
  plugin: string;
  op: ActionOp;
  /** JSON pointer of the object in the desired-state document, e.g. "/plugins/sysctl/net.ipv4.ip_forward". */
  path: string;
  /** Stable identity of the backend object, e.g. "sysctl:net.ipv4.ip_forward", "net:link:br0". */
  resource: string;
  /** The object before (absent for create) and after (absent for delete), in document shape. */
  before?: unknown;
  after?: unknown;
  /** Cannot be rolled back (e.g. terminating a login session): run last, after everything else verified. */
  irreversible?: boolean;
  /** Reported by diff and verify but never carried out (login1's observe-only policies). */
  observeOnly?: boolean;
}

/** One field where the host differs from the document (verify). */
export interface Mismatch {
  path: string;
  expected: unknown;
  found: unknown;
  /** A report, not a failure: a transaction's verify ignores it; `opdbus verify` shows it. */
  observeOnly?: boolean;
}

export interface Availability {
  available: boolean;
  /** Why not, in words a user can act on ("no OVSDB socket at unix:/var/run/openvswitch/db.sock"). */
  reason?: string;
}

export interface PluginCapabilities {
  /** Supports apply/checkpoint/rollback (a read-only plugin sets false). */
  apply: boolean;
  /** Its query may run inside a Piscina worker (plain-data result, no shared handles). */
  workerQuery: boolean;
  /** Some of its actions can be irreversible (see Action.irreversible). */
  irreversibleActions: boolean;
}

/** How long verify keeps re-reading before it declares a mismatch (for state the backend settles asynchronously). */
export interface SettlePolicy {
  timeoutMs: number;
  intervalMs: number;
}

/** A semantic problem found after schema validation (a property that is read-only, an unknown unit, ...). */
export interface ValidationIssue {
  /** JSON pointer relative to the plugin's section. */
  path: string;
  message: string;
  found?: unknown;
}

export interface Plugin<Desired = unknown, Checkpoint = unknown> {
  readonly name: string;
  readonly contractVersion: typeof PLUGIN_CONTRACT_VERSION;
  readonly description: string;
  /** JSON Schema of this plugin's section of the desired-state document. */
  readonly schema: JsonSchema;
  /** Plugins that must be applied before this one (e.g. net depends on ovs). */
  readonly dependencies: readonly string[];
  readonly capabilities: PluginCapabilities;
  readonly settle: SettlePolicy;

  /** Is the backend present on this host? Never throws. */
  available(ctx: PluginContext): Promise<Availability>;
  /** Extra checks after schema validation; may consult the host read-only. */
  validate?(desired: Desired, ctx: PluginContext): Promise<ValidationIssue[]>;
  /** Brings a validated section into canonical form (defaults, accepted alternative shapes). Pure. */
  normalize?(desired: Desired): Desired;
  /**
   * The current state as a section of a desired-state document. With `scope`, only the objects the
   * scope names (plus whatever the plugin needs to diff them) are read.
   */
  query(ctx: PluginContext, scope?: Desired): Promise<Desired>;
  /** Pure: the actions that turn `current` into `desired`, in a stable order. */
  diff(current: Desired, desired: Desired): Action[];
  /** Records everything `actions` will touch so rollback can restore it. Plain JSON. */
  checkpoint(ctx: PluginContext, actions: Action[], current: Desired): Promise<Checkpoint>;
  /** Carries out the actions. May fail halfway: rollback(checkpoint) must still restore everything. */
  apply(ctx: PluginContext, actions: Action[]): Promise<void>;
  /** Restores the checkpoint. Idempotent: safe after a partial apply, a crash, or a second call. */
  rollback(ctx: PluginContext, checkpoint: Checkpoint): Promise<void>;
  /** Re-reads the host and names every field that differs from `desired`. */
  verify(ctx: PluginContext, desired: Desired): Promise<Mismatch[]>;
  /**
   * Optional; the transaction manager prefers it to verify: the same check, also returning the state
   * it read (what `query(ctx, desired)` returns). The manager records that state as the one after the
   * commit, instead of reading the host once more.
   */
  verifyState?(ctx: PluginContext, desired: Desired): Promise<Verification<Desired>>;
  /** Releases connections (bus, OVSDB socket) held by this plugin instance. */
  close?(): Promise<void>;
}

/** What a verify found: the fields that differ, and the state it read to find them. */
export interface Verification<D = unknown> {
  mismatches: Mismatch[];
  state: D;
}

/** A verify built from query + diff: every pending action becomes a mismatch. */
export async function verifyStateByDiff<D>(plugin: Plugin<D>, ctx: PluginContext, desired: D): Promise<Verification<D>> {
  const state = await plugin.query(ctx, desired);
  return { state, mismatches: plugin.diff(state, desired).map((a) => ({ path: a.path, expected: a.after ?? null, found: a.before ?? null })) };
}

export async function verifyByDiff<D>(plugin: Plugin<D>, ctx: PluginContext, desired: D): Promise<Mismatch[]> {
  return (await verifyStateByDiff(plugin, ctx, desired)).mismatches;
}
