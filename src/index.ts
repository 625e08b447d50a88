// The library API of opdbus, for programs that embed it instead of running the CLI.
export { loadConfig, defaultConfig, type OpdbusConfig } from './config';
export { OpdbusError, ERROR_KINDS, toOpdbusError, type ErrorKind, type ErrorData } from './errors';
export { EXIT, exitCodeForKind } from './exit-codes';
export { PLUGIN_CONTRACT_VERSION, verifyByDiff, type Plugin, type PluginContext, type Action, type Mismatch } from './plugin/contract';
export { makeContext } from './plugin/context';
export { PluginRegistry, orderByDependencies } from './plugin/registry';
export { builtinRegistry, loadBuiltinPlugin, BUILTIN_PLUGIN_NAMES } from './plugins';
export { parseSource, readSource } from './document/parse';
export { validateStructure } from './document/validate';
export { validateSemantics } from './document/semantics';
export type { StateDocument, DocumentSource } from './document/types';
export { diffDocuments } from './diff/documents';
export { planTransaction, type Plan } from './transaction/plan';
export { runTransaction, recover, type TransactionInput, type TransactionResult } from './transaction/manager';
export type { TransactionRecord, TransactionObserver } from './transaction/record';
export { queryPlugins } from './query/run';
