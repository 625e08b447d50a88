// The one error class of opdbus. Its `kind` (a closed list), never the message text, decides the exit
// code, whether a retry may help, and the RPC status. Backend errors (errno, OVSDB, D-Bus) are
// converted into it where they enter a plugin.

export const ERROR_KINDS = [
  'InvalidInput', // the user's document, flags or arguments are wrong
  'NotFound', // a named object, file or history id does not exist
  'Conflict', // someone else changed the host between query and apply, or an object already exists
  'Timeout', // a backend call or settle wait ran out of time
  'PermissionDenied', // the OS or a bus refused us
  'Unavailable', // a plugin's backend is absent on this host (no OVSDB socket, no system bus, ...)
  'Backend', // the backend failed (kernel refused a route, OVSDB transaction error, D-Bus error)
  'Locked', // another transaction holds the host lock
  'VerifyFailed', // apply went through but the host does not match the document afterwards
  'RollbackFailed', // a rollback did not restore the checkpoint: the host needs attention
  'Integrity', // a ledger or history record failed its integrity check
  'Bug', // an invariant of opdbus itself broke
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Plain-data form of an error: what crosses worker threads, the journal and JSON output. */
export interface ErrorData {
  kind: ErrorKind;
  code: string;
  message: string;
  path?: string;
  plugin?: string;
  errno?: number;
  details?: unknown;
}

export class OpdbusError extends Error {
  readonly kind: ErrorKind;
  /** A stable machine-readable code, e.g. "SCHEMA", "ENOENT", "DEPENDENCY_CYCLE". */
  readonly code: string;
  /** JSON path (RFC 6901 pointer) or file path the error is about, when there is one. */
  readonly path?: string;
  readonly plugin?: string;
  readonly errno?: number;
  readonly details?: unknown;

  constructor(kind: ErrorKind, code: string, message: string, extra: Partial<Omit<ErrorData, 'kind' | 'code' | 'message'>> & { cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'OpdbusError';
    this.kind = kind;
    this.code = code;
    this.path = extra.path;
    this.plugin = extra.plugin;
    this.errno = extra.errno;
    this.details = extra.details;
  }

  /** Transient kinds are worth a retry with backoff; the others are not. */
  get retryable(): boolean {
    return this.kind === 'Timeout' || this.kind === 'Locked' || (this.kind === 'Backend' && TRANSIENT_ERRNO.has(this.code));
  }

  toData(): ErrorData {
    const data: ErrorData = { kind: this.kind, code: this.code, message: this.message };
    if (this.path !== undefined) data.path = this.path;
    if (this.plugin !== undefined) data.plugin = this.plugin;
    if (this.errno !== undefined) data.errno = this.errno;
    if (this.details !== undefined) data.details = this.details;
    return data;
  }

  static fromData(data: ErrorData): OpdbusError {
    return new OpdbusError(data.kind, data.code, data.message, data);
  }
}

const TRANSIENT_ERRNO = new Set(['EAGAIN', 'EBUSY', 'EINTR', 'ENOBUFS', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED']);

/** errno codes mapped onto kinds; anything else from a backend is `Backend`. */
const ERRNO_KIND: Record<string, ErrorKind> = {
  ENOENT: 'NotFound',
  ENODEV: 'NotFound',
  ESRCH: 'NotFound',
  EEXIST: 'Conflict',
  ENOTEMPTY: 'Conflict',
  EPERM: 'PermissionDenied',
  EACCES: 'PermissionDenied',
  EROFS: 'PermissionDenied',
  ETIMEDOUT: 'Timeout',
  EINVAL: 'Backend',
};

/**
 * Converts anything thrown by a backend into an OpdbusError. `context` names the operation and the
 * object ("write net.ipv4.ip_forward") so the message says what failed, not just the errno.
 */
export function toOpdbusError(err: unknown, context: { plugin?: string; operation?: string; path?: string } = {}): OpdbusError {
  if (err instanceof OpdbusError) return err;
  const prefix = context.operation ? `${context.operation}: ` : '';
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const e = err as NodeJS.ErrnoException;
    const code = e.code as string;
    if (/^E[A-Z0-9]+$/.test(code)) {
      return new OpdbusError(ERRNO_KIND[code] ?? 'Backend', code, prefix + e.message, {
        plugin: context.plugin,
        path: context.path,
        errno: typeof e.errno === 'number' ? Math.abs(e.errno) : undefined,
        cause: err,
      });
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new OpdbusError('Backend', 'BACKEND', prefix + message, { plugin: context.plugin, path: context.path, cause: err });
}
