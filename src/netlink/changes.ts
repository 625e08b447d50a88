// Batched changes: phases of requests sent in order, each phase as one batch whose ACKs the addon
// matches by sequence number. The first refusal stops later phases and becomes an OpdbusError that
// names the object and the operation (and carries the kernel's errno and explanation).
import { toOpdbusError, type OpdbusError } from '../errors';
import { netlinkAddon, netnsPath } from './addon';
import type { NetlinkRequest } from './types';

export interface ApplyOutcome {
  /** How many requests the kernel acknowledged. */
  done: number;
  /** Every refusal, in request order (only the first failing phase can have any). */
  errors: OpdbusError[];
}

export async function applyPhases(phases: NetlinkRequest[][], netns?: string): Promise<ApplyOutcome> {
  const nonEmpty = phases.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return { done: 0, errors: [] };
  let results: (Error | null | undefined)[][];
  try {
    results = await netlinkAddon().netlinkApply(netnsPath(netns), JSON.stringify(nonEmpty));
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'net', operation: `netlink batch${netns ? ` in namespace ${netns}` : ''}` });
  }
  const outcome: ApplyOutcome = { done: 0, errors: [] };
  results.forEach((phase, p) =>
    phase.forEach((r, i) => {
      if (r === null) outcome.done++;
      else if (r instanceof Error) outcome.errors.push(toOpdbusError(r, { plugin: 'net', path: nonEmpty[p][i].path }));
    }),
  );
  return outcome;
}

/** Like applyPhases, but throws the first refusal. */
export async function applyOrThrow(phases: NetlinkRequest[][], netns?: string): Promise<number> {
  const outcome = await applyPhases(phases, netns);
  if (outcome.errors.length) throw outcome.errors[0];
  return outcome.done;
}
