// OVSDB errors (RFC 7047 section 3.1 and 4.1.3) as OpdbusErrors: one code per RFC error string, each
// with the kind that decides retry and exit code. A transaction error names the operation that failed.
import { OpdbusError, type ErrorKind } from '../errors';

interface RfcError {
  kind: ErrorKind;
  code: string;
}

/** Every error string RFC 7047 defines, plus the ones ovsdb-server adds in practice. */
export const RFC_ERRORS: Record<string, RfcError> = {
  'referential integrity violation': { kind: 'Conflict', code: 'OVSDB_REFERENTIAL_INTEGRITY' },
  'constraint violation': { kind: 'InvalidInput', code: 'OVSDB_CONSTRAINT_VIOLATION' },
  'resources exhausted': { kind: 'Backend', code: 'OVSDB_RESOURCES_EXHAUSTED' },
  'I/O error': { kind: 'Backend', code: 'OVSDB_IO_ERROR' },
  'duplicate uuid-name': { kind: 'Bug', code: 'OVSDB_DUPLICATE_UUID_NAME' },
  'domain error': { kind: 'InvalidInput', code: 'OVSDB_DOMAIN_ERROR' },
  'range error': { kind: 'InvalidInput', code: 'OVSDB_RANGE_ERROR' },
  'timed out': { kind: 'Timeout', code: 'OVSDB_TIMED_OUT' },
  'not supported': { kind: 'Backend', code: 'OVSDB_NOT_SUPPORTED' },
  aborted: { kind: 'Conflict', code: 'OVSDB_ABORTED' },
  'not owner': { kind: 'PermissionDenied', code: 'OVSDB_NOT_OWNER' },
  'permission error': { kind: 'PermissionDenied', code: 'OVSDB_PERMISSION_ERROR' },
  'not allowed': { kind: 'PermissionDenied', code: 'OVSDB_NOT_ALLOWED' },
  'unknown database': { kind: 'NotFound', code: 'OVSDB_UNKNOWN_DATABASE' },
  'unknown method': { kind: 'Backend', code: 'OVSDB_UNKNOWN_METHOD' },
  'canceled': { kind: 'Timeout', code: 'OVSDB_CANCELED' },
  'syntax error': { kind: 'Bug', code: 'OVSDB_SYNTAX_ERROR' },
  'unknown column': { kind: 'Bug', code: 'OVSDB_UNKNOWN_COLUMN' },
  'unknown table': { kind: 'Bug', code: 'OVSDB_UNKNOWN_TABLE' },
};

/** The server's error object: {error, details?} on an operation or a whole request. */
export interface OvsdbErrorObject {
  error: string;
  details?: string;
}

export function isOvsdbErrorObject(v: unknown): v is OvsdbErrorObject {
  return typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string';
}

export interface OvsdbErrorContext {
  /** What was being done ("transact Open_vSwitch"); prefixes the message. */
  operation: string;
  /** Index of the failed operation in the transaction, when the error belongs to one. */
  opIndex?: number;
  /** The failed operation itself, kept in details for the report. */
  op?: unknown;
  /** Overrides the RFC kind where the caller knows better (a failed `wait` is a Conflict, not a Timeout). */
  kind?: ErrorKind;
  code?: string;
  plugin?: string;
  path?: string;
}

/** Converts an RFC 7047 error object into an OpdbusError naming the failed operation. */
export function ovsdbError(err: OvsdbErrorObject | string, ctx: OvsdbErrorContext): OpdbusError {
  const e = typeof err === 'string' ? { error: err } : err;
  const rfc = RFC_ERRORS[e.error] ?? { kind: 'Backend' as ErrorKind, code: 'OVSDB_ERROR' };
  const where = ctx.opIndex === undefined ? '' : ` (operation ${ctx.opIndex}${opLabel(ctx.op)})`;
  const details = e.details ? `: ${e.details}` : '';
  return new OpdbusError(ctx.kind ?? rfc.kind, ctx.code ?? rfc.code, `${ctx.operation}${where}: ${e.error}${details}`, {
    plugin: ctx.plugin,
    path: ctx.path,
    details: { ovsdbError: e.error, ovsdbDetails: e.details, opIndex: ctx.opIndex, op: ctx.op },
  });
}

function opLabel(op: unknown): string {
  if (!op || typeof op !== 'object') return '';
  const o = op as { op?: unknown; table?: unknown };
  return typeof o.op === 'string' ? `, ${o.op}${typeof o.table === 'string' ? ' ' + o.table : ''}` : '';
}
