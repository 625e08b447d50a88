// Transaction operations (RFC 7047 section 5.2), typed, with small builders for the common shapes.
import type { Datum } from './datum';

export type Condition = [column: string, fn: '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes', value: Datum];
export type Mutation = [column: string, mutator: '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete', value: Datum];
export type Row = Record<string, Datum>;

export type Operation =
  | { op: 'insert'; table: string; row: Row; 'uuid-name'?: string }
  | { op: 'select'; table: string; where: Condition[]; columns?: string[] }
  | { op: 'update'; table: string; where: Condition[]; row: Row }
  | { op: 'mutate'; table: string; where: Condition[]; mutations: Mutation[] }
  | { op: 'delete'; table: string; where: Condition[] }
  | { op: 'wait'; table: string; where: Condition[]; columns: string[]; until: '==' | '!='; rows: Row[]; timeout?: number }
  | { op: 'commit'; durable: boolean }
  | { op: 'abort' }
  | { op: 'comment'; comment: string }
  | { op: 'assert'; lock: string };

/** One operation's result: count for update/mutate/delete, rows for select, uuid for insert. */
export interface OperationResult {
  count?: number;
  rows?: Row[];
  uuid?: ['uuid', string];
  error?: string;
  details?: string;
}
