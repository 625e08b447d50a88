// Reads logind's seats, users and sessions (ListSeats, ListUsers, ListSessions, then each session's
// properties), in id order.
import type { BusConnection } from '../../dbus/connection';
import type { OpdbusError } from '../../errors';
import type { Login1State, SessionInfo } from './schema';

export const LOGIN1 = 'org.freedesktop.login1';
const MANAGER_PATH = '/org/freedesktop/login1';
const MANAGER = 'org.freedesktop.login1.Manager';

export function login1Call(bus: BusConnection, member: string, signature = '', body: unknown[] = []): Promise<unknown[]> {
  return bus.call({ destination: LOGIN1, path: MANAGER_PATH, interface: MANAGER, member, signature, body }, body.length ? `${member} ${body.join(' ')}` : member);
}

async function readSession(bus: BusConnection, path: string): Promise<SessionInfo> {
  const p = await bus.getAllProperties(LOGIN1, path, 'org.freedesktop.login1.Session');
  const value = <T>(name: string) => p[name]?.value as T;
  const since = Number(value<bigint>('Timestamp') ?? 0n);
  const info: SessionInfo = {
    id: value<string>('Id'),
    user: value<string>('Name'),
    uid: Number((value<[number, string]>('User') ?? [])[0]),
    seat: (value<[string, string]>('Seat') ?? [''])[0],
    tty: value<string>('TTY') ?? '',
    class: value<string>('Class') ?? '',
    type: value<string>('Type') ?? '',
    state: value<string>('State') ?? '',
    remote: value<boolean>('Remote') ?? false,
  };
  if (since > 0) info.since = new Date(since / 1000).toISOString();
  return info;
}

export async function queryLogin1(bus: BusConnection): Promise<Login1State> {
  const [[seats], [users], [sessions]] = await Promise.all([login1Call(bus, 'ListSeats'), login1Call(bus, 'ListUsers'), login1Call(bus, 'ListSessions')]);
  // A session may end between ListSessions and reading it: it is then simply no longer there.
  const read = (path: string) => readSession(bus, path).catch((err: OpdbusError) => (err.kind === 'NotFound' ? undefined : Promise.reject(err)));
  const infos = (await Promise.all((sessions as [string, number, string, string, string][]).map(([, , , , path]) => read(path)))).filter((s): s is SessionInfo => s !== undefined);
  const byId = <T>(key: (x: T) => string | number) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    items: [],
    seats: (seats as [string, string][]).map(([id]) => ({ id })).sort(byId((s) => s.id)),
    users: (users as [number, string, string][]).map(([uid, name]) => ({ uid, name })).sort(byId((u) => u.uid)),
    sessions: infos.sort(byId((s) => s.id)),
  };
}
