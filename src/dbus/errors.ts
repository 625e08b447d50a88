// D-Bus errors (error replies, socket failures, our own call timeouts) turned into OpdbusError where
// they enter opdbus: the D-Bus error name decides the kind, the message names the operation.
import { OpdbusError, toOpdbusError, type ErrorKind } from '../errors';

const DBUS_ERROR_KIND: Record<string, ErrorKind> = {
  'org.freedesktop.DBus.Error.ServiceUnknown': 'Unavailable',
  'org.freedesktop.DBus.Error.NameHasNoOwner': 'Unavailable',
  'org.freedesktop.DBus.Error.Disconnected': 'Unavailable',
  'org.freedesktop.DBus.Error.AccessDenied': 'PermissionDenied',
  'org.freedesktop.DBus.Error.AuthFailed': 'PermissionDenied',
  'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired': 'PermissionDenied',
  'org.freedesktop.DBus.Error.NoReply': 'Timeout',
  'org.freedesktop.DBus.Error.Timeout': 'Timeout',
  'org.freedesktop.DBus.Error.TimedOut': 'Timeout',
  'org.freedesktop.DBus.Error.UnknownObject': 'NotFound',
  'org.freedesktop.DBus.Error.UnknownInterface': 'NotFound',
  'org.freedesktop.DBus.Error.UnknownProperty': 'NotFound',
  'org.freedesktop.DBus.Error.InvalidArgs': 'InvalidInput',
  'org.freedesktop.DBus.Error.PropertyReadOnly': 'InvalidInput',
  'org.freedesktop.systemd1.NoSuchUnit': 'NotFound',
  'org.freedesktop.systemd1.NoSuchJob': 'NotFound',
  'org.freedesktop.systemd1.UnitMasked': 'Conflict',
  'org.freedesktop.systemd1.UnitExists': 'Conflict',
  'org.freedesktop.login1.NoSuchSession': 'NotFound',
  'org.freedesktop.login1.NoSuchUser': 'NotFound',
  'org.freedesktop.login1.NoSuchSeat': 'NotFound',
};

/** Socket-level failures mean the bus is not there (or went away), not that a call was wrong. */
const SOCKET_UNAVAILABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTSOCK']);

export interface DbusErrorContext {
  plugin?: string;
  /** What we were doing, e.g. "StartUnit nginx.service". */
  operation?: string;
  /** JSON pointer of the document object concerned. */
  path?: string;
}

export function dbusError(err: unknown, context: DbusErrorContext = {}): OpdbusError {
  if (err instanceof OpdbusError) return err;
  const prefix = context.operation ? `${context.operation}: ` : '';
  const e = err as { name?: string; type?: string; text?: string; code?: string; message?: string };
  if (e && e.name === 'DBusError' && typeof e.type === 'string') {
    const kind = DBUS_ERROR_KIND[e.type] ?? 'Backend';
    return new OpdbusError(kind, e.type, `${prefix}${e.text || e.type} (${e.type})`, { plugin: context.plugin, path: context.path, cause: err });
  }
  if (e && typeof e.code === 'string' && SOCKET_UNAVAILABLE.has(e.code)) {
    return new OpdbusError('Unavailable', e.code, `${prefix}bus connection failed: ${e.message}`, { plugin: context.plugin, path: context.path, cause: err });
  }
  return toOpdbusError(err, context);
}
