// Failpoints: deliberate failures at named points, for tests only. Enabled solely through the
// environment variable OPDBUS_FAILPOINTS, e.g.
//   OPDBUS_FAILPOINTS="tx.after-apply:sysctl=error"            fail after sysctl applied
//   OPDBUS_FAILPOINTS="sysctl.after-write=crash@1"            SIGKILL ourselves after the first write
//   OPDBUS_FAILPOINTS="tx.before-verify=sleep:500,net.x=error:Timeout"
// Actions: error[:Kind] | crash | sleep:MS. "@N" fires only on the Nth hit (1-based).
// The list of points is in docs/failpoints.md.
import { ERROR_KINDS, OpdbusError, type ErrorKind } from '../errors';

interface FailpointSpec {
  action: 'error' | 'crash' | 'sleep';
  kind: ErrorKind;
  sleepMs: number;
  onHit?: number;
}

let parsedFrom: string | undefined;
let specs = new Map<string, FailpointSpec>();
const hits = new Map<string, number>();

function load(): Map<string, FailpointSpec> {
  const raw = process.env.OPDBUS_FAILPOINTS ?? '';
  if (raw === parsedFrom) return specs;
  parsedFrom = raw;
  specs = new Map();
  hits.clear();
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) throw new OpdbusError('InvalidInput', 'FAILPOINT_SPEC', `OPDBUS_FAILPOINTS: "${item}": expected NAME=ACTION`);
    const name = item.slice(0, eq);
    let actionText = item.slice(eq + 1);
    let onHit: number | undefined;
    const at = actionText.lastIndexOf('@');
    if (at >= 0) {
      onHit = Number(actionText.slice(at + 1));
      actionText = actionText.slice(0, at);
      if (!Number.isInteger(onHit) || onHit < 1) throw new OpdbusError('InvalidInput', 'FAILPOINT_SPEC', `OPDBUS_FAILPOINTS: "${item}": @N must be a positive integer`);
    }
    const [action, arg] = actionText.split(':', 2);
    if (action === 'error') {
      const kind = (arg ?? 'Backend') as ErrorKind;
      if (!ERROR_KINDS.includes(kind)) throw new OpdbusError('InvalidInput', 'FAILPOINT_SPEC', `OPDBUS_FAILPOINTS: "${item}": unknown error kind ${arg}`);
      specs.set(name, { action: 'error', kind, sleepMs: 0, onHit });
    } else if (action === 'crash') {
      specs.set(name, { action: 'crash', kind: 'Bug', sleepMs: 0, onHit });
    } else if (action === 'sleep') {
      const ms = Number(arg);
      if (!Number.isFinite(ms) || ms < 0) throw new OpdbusError('InvalidInput', 'FAILPOINT_SPEC', `OPDBUS_FAILPOINTS: "${item}": sleep needs a duration in ms`);
      specs.set(name, { action: 'sleep', kind: 'Bug', sleepMs: ms, onHit });
    } else {
      throw new OpdbusError('InvalidInput', 'FAILPOINT_SPEC', `OPDBUS_FAILPOINTS: "${item}": unknown action "${action}" (error, crash, sleep)`);
    }
  }
  return specs;
}

/** Fires the failpoint `name` if the environment enables it. Costs one Map lookup otherwise. */
export async function failpoint(name: string): Promise<void> {
  const spec = load().get(name);
  if (!spec) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (spec.onHit !== undefined && spec.onHit !== n) return;
  switch (spec.action) {
    case 'crash':
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL is delivered asynchronously; never continue past a crash point.
      await new Promise(() => undefined);
      return;
    case 'sleep':
      await new Promise((r) => setTimeout(r, spec.sleepMs));
      return;
    case 'error':
      throw new OpdbusError(spec.kind, 'FAILPOINT', `failpoint ${name} fired`);
  }
}
