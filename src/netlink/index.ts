// The typed rtnetlink API over the native addon: dumps, batched changes, multicast subscriptions.
export * from './types';
export { netnsPath } from './addon';
export { dump, probe, dumpLinks, dumpAddrs, dumpRoutes, dumpNeigh, type DumpOptions } from './dump';
export { applyPhases, applyOrThrow, type ApplyOutcome } from './changes';
export { subscribe, type EventGroup, type Subscription } from './events';
export { watch, type NetChange } from './watch';
