// The message protocol between the query coordinator and its Piscina workers: plain data only.
import type { OpdbusConfig } from '../config';
import type { ErrorData } from '../errors';

export interface QueryTask {
  plugin: string;
  config: OpdbusConfig;
  /** The document's section for this plugin, to scope the query; undefined = the plugin's default scope. */
  scope?: unknown;
}

export type QueryOutcome =
  | { plugin: string; status: 'ok'; section: unknown; ms: number }
  | { plugin: string; status: 'unavailable'; reason: string; ms: number }
  | { plugin: string; status: 'failed'; error: ErrorData; ms: number };
