// The sysctl plugin: kernel parameters under /proc/sys. `net.*` keys are per network namespace, so
// run opdbus inside the namespace (ip netns exec) to manage that namespace's values.
import { promises as fsp } from 'node:fs';
import { OpdbusError, toOpdbusError } from '../../errors';
import { PLUGIN_CONTRACT_VERSION, verifyStateByDiff, type Action, type Plugin, type PluginContext, type ValidationIssue } from '../../plugin/contract';
import { failpoint } from '../../transaction/failpoints';
import { pointer } from '../../util/pointer';
import { DEFAULT_KEYS, KEY_PATTERN, keyToPath, normalizeValue } from './keys';

/** The document section: key -> value. Values are strings; numbers and booleans are accepted and normalised. */
export type SysctlState = Record<string, string>;
export interface SysctlCheckpoint {
  values: Record<string, string>;
}

const schema = {
  type: 'object',
  description: 'Kernel parameters, e.g. {"net.ipv4.ip_forward": "1"}',
  propertyNames: { pattern: KEY_PATTERN },
  additionalProperties: { type: ['string', 'integer', 'boolean'] },
};

async function readKey(key: string): Promise<string | undefined> {
  try {
    return normalizeValue(await fsp.readFile(keyToPath(key), 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EINVAL' || code === 'EIO') return undefined;
    throw toOpdbusError(err, { plugin: 'sysctl', operation: `read ${key}` });
  }
}

/** Whether a document could set this key here (some net.core keys are read-only outside the initial namespace). */
async function isWritable(key: string): Promise<boolean> {
  try {
    return ((await fsp.stat(keyToPath(key))).mode & 0o222) !== 0;
  } catch {
    return false;
  }
}

async function writeKey(key: string, value: string): Promise<void> {
  try {
    await fsp.writeFile(keyToPath(key), value + '\n');
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'sysctl', operation: `write ${key}=${value}`, path: pointer(['plugins', 'sysctl', key]) });
  }
}

export const sysctlPlugin: Plugin<SysctlState, SysctlCheckpoint> = {
  name: 'sysctl',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'Kernel parameters under /proc/sys (net.* per network namespace)',
  schema,
  dependencies: [],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: false },
  settle: { timeoutMs: 0, intervalMs: 0 },

  async available() {
    try {
      await fsp.access('/proc/sys/kernel', 0);
      return { available: true };
    } catch {
      return { available: false, reason: '/proc/sys is not mounted' };
    }
  },

  normalize(desired) {
    const out: SysctlState = {};
    for (const key of Object.keys(desired).sort()) out[key] = normalizeValue(desired[key] as string | number | boolean);
    return out;
  },

  async validate(desired) {
    const issues: ValidationIssue[] = [];
    for (const key of Object.keys(desired)) {
      try {
        const st = await fsp.stat(keyToPath(key));
        if (!st.isFile()) issues.push({ path: pointer([key]), message: 'names a directory of parameters, not a parameter', found: key });
        else if ((st.mode & 0o222) === 0) issues.push({ path: pointer([key]), message: 'is read-only on this kernel', found: key });
      } catch {
        issues.push({ path: pointer([key]), message: `no such kernel parameter (${keyToPath(key)} does not exist)`, found: key });
      }
    }
    return issues;
  },

  async query(ctx: PluginContext, scope?: SysctlState) {
    await failpoint('sysctl.query');
    const configured = ctx.config.pluginOptions.sysctl?.keys;
    let keys = scope ? Object.keys(scope) : Array.isArray(configured) ? (configured as string[]) : [...DEFAULT_KEYS];
    // Unscoped output must be a document that applies back: leave out what cannot be set here.
    if (!scope) keys = (await Promise.all(keys.map(async (k) => ((await isWritable(k)) ? k : undefined)))).filter((k): k is string => k !== undefined);
    const values = await Promise.all(keys.map((k) => readKey(k)));
    const state: SysctlState = {};
    [...keys]
      .map((k, i) => [k, values[i]] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .forEach(([k, v]) => {
        if (v !== undefined) state[k] = v;
      });
    return state;
  },

  diff(current, desired) {
    const actions: Action[] = [];
    for (const key of Object.keys(desired).sort()) {
      const want = normalizeValue(desired[key]);
      const have = current[key];
      if (have === want) continue;
      actions.push({
        plugin: 'sysctl',
        op: have === undefined ? 'create' : 'modify',
        path: pointer(['plugins', 'sysctl', key]),
        resource: `sysctl:${key}`,
        ...(have === undefined ? {} : { before: have }),
        after: want,
      });
    }
    return actions;
  },

  async checkpoint(_ctx, actions, current) {
    const values: Record<string, string> = {};
    for (const a of actions) {
      const key = a.resource.slice('sysctl:'.length);
      const before = current[key] ?? (await readKey(key));
      if (before === undefined) throw new OpdbusError('NotFound', 'ENOENT', `sysctl ${key}: cannot read its current value to checkpoint it`, { plugin: 'sysctl' });
      values[key] = before;
    }
    return { values };
  },

  async apply(_ctx, actions) {
    for (const a of actions) {
      const key = a.resource.slice('sysctl:'.length);
      await writeKey(key, a.after as string);
      await failpoint('sysctl.after-write');
    }
  },

  async rollback(_ctx, checkpoint) {
    const failures: string[] = [];
    for (const [key, value] of Object.entries(checkpoint.values)) {
      try {
        if ((await readKey(key)) !== value) await writeKey(key, value);
      } catch (err) {
        failures.push(`${key}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new OpdbusError('RollbackFailed', 'ROLLBACK', `sysctl rollback left ${failures.length} parameter(s) changed: ${failures.join('; ')}`, { plugin: 'sysctl' });
  },

  async verify(ctx, desired) {
    return (await verifyStateByDiff(this, ctx, desired)).mismatches;
  },

  verifyState(ctx, desired) {
    return verifyStateByDiff(this, ctx, desired);
  },
};
