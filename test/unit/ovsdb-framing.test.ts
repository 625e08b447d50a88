// Stream framing and the JSON-RPC 1.0 layer, without a server: a stream cut at every byte boundary,
// several messages in one chunk, and the server's echo answered whatever the chunking.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FramingError, JsonStreamSplitter } from '../../src/ovsdb/framing';
import { OvsdbClient } from '../../src/ovsdb/client';
import { RpcConnection } from '../../src/ovsdb/protocol';

const messages = [
  { method: 'update2', params: ['m', { Bridge: { u1: { insert: { name: 'br"0}', external_ids: ['map', [['k\\"}{', 'v]\\\\']]] } } } }], id: null },
  { result: [{ rows: [{ name: 'grüße ✓ 😀', n: [1, [2, [3]]] }] }], error: null, id: 7 },
  { method: 'echo', params: [], id: 'echo' },
  [],
  { result: { s: '\\', t: '\u0000\n\t"' }, error: null, id: 8 },
];
const stream = Buffer.from(messages.map((m) => JSON.stringify(m)).join('\n '));

test('a stream cut at every byte boundary yields every message once, in order', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const s = new JsonStreamSplitter();
    const out = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
    assert.deepEqual(out, messages, `cut at byte ${cut}`);
    assert.equal(s.partial, false);
  }
});

test('a stream fed one byte at a time, and all messages in one chunk', () => {
  const s = new JsonStreamSplitter();
  const out: unknown[] = [];
  for (let i = 0; i < stream.length; i++) out.push(...s.push(stream.subarray(i, i + 1)));
  assert.deepEqual(out, messages);
  assert.deepEqual(new JsonStreamSplitter().push(stream), messages);
});

test('a stream cut at two boundaries at once (three chunks)', () => {
  const first = Buffer.from(JSON.stringify(messages[0]));
  for (let a = 1; a < first.length; a += 7) {
    for (let b = a; b < stream.length; b += 13) {
      const s = new JsonStreamSplitter();
      const out = [...s.push(stream.subarray(0, a)), ...s.push(stream.subarray(a, b)), ...s.push(stream.subarray(b))];
      assert.deepEqual(out, messages, `cuts at ${a} and ${b}`);
    }
  }
});

test('an unfinished message is reported as partial; garbage between messages is a framing error', () => {
  const s = new JsonStreamSplitter();
  assert.deepEqual(s.push(Buffer.from('{"id": 1, "result": "}')), []);
  assert.equal(s.partial, true);
  assert.throws(() => new JsonStreamSplitter().push(Buffer.from('{} x')), new FramingError('unexpected byte 0x78 between JSON-RPC messages'));
  assert.throws(() => new JsonStreamSplitter().push(Buffer.from('}')), /unexpected } outside a JSON-RPC message/);
  assert.throws(() => new JsonStreamSplitter().push(Buffer.from('{"a" 1}')), /malformed JSON-RPC message/);
});

test('the JSON-RPC layer answers the server\'s echo and matches replies to requests, whatever the chunking', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-rpc-'));
  const sock = path.join(dir, 's');
  const received: unknown[] = [];
  const server = net.createServer((peer) => {
    const splitter = new JsonStreamSplitter();
    peer.on('data', (chunk: Buffer) => {
      for (const m of splitter.push(chunk) as { method?: string; id?: unknown; result?: unknown }[]) {
        received.push(m);
        if (m.method === 'list_dbs') {
          // The server's own echo request first, split mid-string, then the reply and a notification in one write.
          const echo = JSON.stringify({ method: 'echo', params: ['ping{"'], id: 'srv-1' });
          peer.write(echo.slice(0, 25));
          setTimeout(() => peer.write(echo.slice(25) + JSON.stringify({ result: ['Open_vSwitch'], error: null, id: m.id }) + JSON.stringify({ method: 'update2', params: ['x', {}], id: null })), 10);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    const socket = net.createConnection(sock);
    await new Promise((r) => socket.once('connect', r));
    const notes: string[] = [];
    const conn = new RpcConnection(socket, { onNotification: (m) => notes.push(m), onClose: () => undefined }, 'test');
    assert.deepEqual(await conn.request('list_dbs', [], 5_000), ['Open_vSwitch']);
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received[1], { result: ['ping{"'], error: null, id: 'srv-1' });
    assert.deepEqual(notes, ['update2']);
    conn.close();
    await assert.rejects(conn.request('list_dbs', [], 100), { kind: 'Unavailable', code: 'OVSDB_DISCONNECTED' });
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A scripted peer, not ovsdb-server: the ordering below (the monitor's reply and an update for it in
// one write) is legal and happens under load, but a real server cannot be made to produce it on demand.
test('an update that arrives in the same chunk as the monitor reply is applied after the initial rows, not lost', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-rpc-'));
  const sock = path.join(dir, 's');
  const schema = { name: 'Open_vSwitch', version: '8.3.0', tables: { Bridge: { columns: { name: { type: 'string' }, external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } } } } } };
  const uuid = '5f7e2c1a-0000-4000-8000-000000000001';
  const server = net.createServer((peer) => {
    const splitter = new JsonStreamSplitter();
    let schemaReq: { id?: unknown } | undefined;
    let monitorReq: { id?: unknown; params?: unknown[] } | undefined;
    peer.on('data', (chunk: Buffer) => {
      for (const m of splitter.push(chunk) as { method?: string; id?: unknown; params?: unknown[] }[]) {
        if (m.method === 'get_schema') schemaReq = m;
        if (m.method === 'monitor_cond') monitorReq = m;
      }
      if (!schemaReq || !monitorReq) return; // the client sends both at once; answer once both are in
      const initial = { Bridge: { [uuid]: { initial: { name: 'br0', external_ids: ['map', [['a', '1']]] } } } };
      const modify = { Bridge: { [uuid]: { modify: { external_ids: ['map', [['b', '2']]] } } } };
      // Schema reply, monitor reply and the first update2, all in one write.
      peer.write(JSON.stringify({ result: schema, error: null, id: schemaReq.id }) + JSON.stringify({ result: initial, error: null, id: monitorReq.id }) + JSON.stringify({ method: 'update2', params: [monitorReq.params?.[1], modify], id: null }));
      schemaReq = monitorReq = undefined;
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const client = await OvsdbClient.connect(`unix:${sock}`, { reconnect: false, echoIntervalMs: 0 });
  try {
    const updates: unknown[] = [];
    client.on('update', (id) => updates.push(id));
    const cache = await client.monitor('Open_vSwitch', 'm', { Bridge: { columns: ['name', 'external_ids'] } });
    assert.deepEqual(cache.table('Bridge').get(uuid), { name: 'br0', external_ids: ['map', [['a', '1'], ['b', '2']]] });
    assert.deepEqual(updates, ['m']);
  } finally {
    client.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
