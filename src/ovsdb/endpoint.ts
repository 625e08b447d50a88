// OVSDB endpoints: "unix:PATH" or "tcp:HOST:PORT" (the ovs-vsctl --db syntax), parsed and connected.
import * as net from 'node:net';
import { OpdbusError } from '../errors';

export type Endpoint = { kind: 'unix'; path: string; text: string } | { kind: 'tcp'; host: string; port: number; text: string };

export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:') && text.length > 5) return { kind: 'unix', path: text.slice(5), text };
  const tcp = /^tcp:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) {
    return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]), text };
  }
  throw new OpdbusError('InvalidInput', 'OVSDB_ENDPOINT', `OVSDB endpoint ${JSON.stringify(text)}: expected unix:PATH or tcp:HOST:PORT`, { path: 'ovsdb' });
}

/** Opens a stream socket; rejects with the socket error (ENOENT, ECONNREFUSED, ...) or a Timeout. */
export function connectEndpoint(ep: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = ep.kind === 'unix' ? net.createConnection({ path: ep.path }) : net.createConnection({ host: ep.host, port: ep.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OpdbusError('Timeout', 'OVSDB_CONNECT_TIMEOUT', `connect to OVSDB at ${ep.text}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
