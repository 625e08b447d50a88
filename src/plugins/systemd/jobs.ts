// Start and stop jobs: queued together, each awaited through the Manager's JobRemoved signal with a
// deadline; a unit that fails is reported with its job result, the unit's Result and its last status.
import { OpdbusError } from '../../errors';
import type { BusConnection } from '../../dbus/connection';
import { managerCall, MANAGER, MANAGER_PATH, SYSTEMD } from './bus';
import { unitPath } from './diff';

export type JobMethod = 'StartUnit' | 'StopUnit';

/** Why a unit is not where its job should have left it, in words and properties. */
async function describeFailure(bus: BusConnection, unit: string): Promise<string> {
  try {
    const [objectPath] = (await managerCall(bus, 'LoadUnit', 's', [unit])) as string[];
    const unitProps = await bus.getAllProperties(SYSTEMD, objectPath, 'org.freedesktop.systemd1.Unit');
    const parts = [`ActiveState=${unitProps.ActiveState?.value}`, `SubState=${unitProps.SubState?.value}`];
    if (unit.endsWith('.service')) {
      const svc = await bus.getAllProperties(SYSTEMD, objectPath, 'org.freedesktop.systemd1.Service');
      parts.unshift(`Result=${svc.Result?.value}`, `ExecMainStatus=${svc.ExecMainStatus?.value}`);
      const status = svc.StatusText?.value;
      if (status) parts.push(`last status "${status}"`);
    }
    return parts.join(', ');
  } catch (err) {
    return `(its properties could not be read: ${(err as Error).message})`;
  }
}

/**
 * Runs one job per unit (all queued at once) and waits for every JobRemoved. Throws Backend naming each
 * unit whose job did not end in "done", after all jobs have ended; Timeout if one never ends.
 */
export async function runJobs(bus: BusConnection, method: JobMethod, units: string[], timeoutMs: number): Promise<void> {
  if (units.length === 0) return;
  const results = new Map<string, string>();
  const waiting = new Map<string, (result: string) => void>();
  const unsubscribe = await bus.onSignal({ path: MANAGER_PATH, interface: MANAGER, member: 'JobRemoved' }, (body) => {
    const [, job, , result] = body as [number, string, string, string];
    const resolve = waiting.get(job);
    if (resolve) resolve(result);
    else results.set(job, result);
  });
  try {
    await managerCall(bus, 'Subscribe').catch(() => undefined);
    const jobs = await Promise.all(units.map(async (unit) => ((await managerCall(bus, method, 'ss', [unit, 'replace'], `${method} ${unit}`)) as string[])[0]));
    const outcomes = await Promise.all(
      jobs.map(
        (job) =>
          new Promise<string>((resolve) => {
            if (results.has(job)) return resolve(results.get(job)!);
            const timer = setTimeout(() => resolve('timeout'), timeoutMs);
            waiting.set(job, (r) => {
              clearTimeout(timer);
              resolve(r);
            });
          }),
      ),
    );
    const failures: string[] = [];
    for (let i = 0; i < units.length; i++) {
      if (outcomes[i] === 'done' || outcomes[i] === 'skipped') continue;
      const verb = method === 'StartUnit' ? 'start' : 'stop';
      const what = outcomes[i] === 'timeout' ? `no result within ${timeoutMs} ms` : `job result "${outcomes[i]}"`;
      failures.push(`${units[i]} failed to ${verb}: ${what}; ${await describeFailure(bus, units[i])}`);
    }
    if (failures.length) {
      const timedOut = outcomes.every((o) => o === 'timeout' || o === 'done' || o === 'skipped');
      throw new OpdbusError(timedOut ? 'Timeout' : 'Backend', method === 'StartUnit' ? 'UNIT_START_FAILED' : 'UNIT_STOP_FAILED', failures.join('; '), {
        plugin: 'systemd',
        path: unitPath(units[outcomes.findIndex((o) => o !== 'done' && o !== 'skipped')]),
      });
    }
  } finally {
    await managerCall(bus, 'Unsubscribe').catch(() => undefined);
    await unsubscribe().catch(() => undefined);
  }
}
