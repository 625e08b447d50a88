// The history store's public API. Readers (search, CLI) need only openHistory(stateDir) ->
// list(filter) / get(id) / load(id); see docs/history.md. The transaction manager registers
// historyObserver; `opdbus doctor` calls describeHistoryBackend.
export { openHistory, describeHistoryBackend, History, type OpenOptions, type BackendChoice } from './open';
export { historyObserver, createHistoryObserver, recordTransaction } from './observer';
export { historySettings, type HistorySettings } from './settings';
export { parseTimeArg, type HistoryFilter } from './filter';
export type { HistoryPoint, HistoryDocument, PointKind, BackendKind } from './store';
