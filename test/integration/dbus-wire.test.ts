// The lean D-Bus client against a real dbus-daemon and the test service: the same reply values and
// the same OpdbusErrors as BusConnection (dbus-next), a lost connection, and the addresses it leaves
// to dbus-next.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BusConnection, type CallSpec } from '../../src/dbus/connection';
import { WireBus, withReadBus } from '../../src/dbus/wire/client';
import { startPrivateBus, startTestService, type PrivateBus, type TestService } from '../harness/private-bus';

/** dbus-next's Variant objects as plain {signature, value}, the lean client's shape. */
const plain = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(plain)
  : v && typeof v === 'object' && !Buffer.isBuffer(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  : v;

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected a rejection'),
    (e: { kind: string; code: string; message: string }) => ({ kind: e.kind, code: e.code, message: e.message }),
  );

describe('lean D-Bus client on a private bus', () => {
  let bus: PrivateBus;
  let svc: TestService;
  const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

  before(async () => {
    bus = startPrivateBus();
    svc = await startTestService(bus.address);
  });
  after(() => {
    svc?.stop();
    bus?.stop();
  });

  it('gives the values and errors dbus-next gives, for calls in flight together', async () => {
    const props = { destination: svc.name, path: svc.path, interface: 'org.freedesktop.DBus.Properties' };
    const calls: CallSpec[] = [
      { ...props, member: 'GetAll', signature: 's', body: [svc.interface] },
      { ...props, member: 'Get', signature: 'ss', body: [svc.interface, 'Big'] },
      { ...DBUS, member: 'GetNameOwner', signature: 's', body: ['org.opdbus.Nobody'] },
      { ...props, member: 'Get', signature: 'ss', body: [svc.interface, 'Nope'] },
      { ...DBUS, member: 'NameHasOwner', signature: 's', body: [svc.name] },
    ];
    const run = (b: { call(spec: CallSpec): Promise<unknown[]> }) => Promise.all(calls.map((c) => b.call(c).then(plain, (e) => errorOf(Promise.reject(e)))));
    const full = await BusConnection.open(bus.address, 'test');
    const expected = await run(full).finally(() => full.close());
    const lean = (await WireBus.open(bus.address, 'test'))!;
    assert.ok(lean instanceof WireBus);
    try {
      const got = await run(lean);
      assert.deepEqual(got, expected);
      assert.deepEqual(got[2], { kind: 'Unavailable', code: 'org.freedesktop.DBus.Error.NameHasNoOwner', message: 'org.freedesktop.DBus.GetNameOwner on /org/freedesktop/DBus: Could not get owner of name \'org.opdbus.Nobody\': no such name (org.freedesktop.DBus.Error.NameHasNoOwner)' });
    } finally {
      lean.close();
    }
  });

  it('fails a pending call at once when the bus goes away, and every call after it', async () => {
    // A bus that authenticates, then hangs up once the call has arrived instead of answering it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-hangup-'));
    const server = net.createServer((s) => {
      let seen = 0;
      s.on('data', (d) => {
        if (seen++ === 0) s.write('OK 0123456789abcdef0123456789abcdef\r\n');
        else if (d.includes('ListNames')) s.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(path.join(dir, 'bus'), r));
    const address = `unix:path=${dir}/bus`;
    const lean = (await WireBus.open(address, 'test'))!;
    try {
      const lost = { kind: 'Unavailable', code: 'DBUS_DISCONNECTED', message: `D-Bus connection to ${address} lost: closed by peer` };
      assert.deepEqual(await errorOf(lean.call({ ...DBUS, member: 'ListNames' }, undefined, 60_000)), lost);
      assert.deepEqual(await errorOf(lean.call({ ...DBUS, member: 'GetId' })), lost);
    } finally {
      lean.close();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing socket as BusConnection does', async () => {
    const address = `unix:path=${path.join(os.tmpdir(), 'opdbus-t-no-such-bus')}`;
    const lean = await errorOf(WireBus.open(address, 'test'));
    assert.deepEqual(lean, await errorOf(BusConnection.open(address, 'test')));
    assert.equal(lean.kind, 'Unavailable');
  });

  it('leaves to dbus-next what it cannot serve: other transports, EXTERNAL refused', async () => {
    assert.equal(await WireBus.open('tcp:host=127.0.0.1,port=1', 'test'), undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opdbus-t-rejecting-'));
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.on('data', () => s.write('REJECTED DBUS_COOKIE_SHA1\r\n'));
    });
    await new Promise<void>((r) => server.listen(path.join(dir, 'bus'), r));
    try {
      assert.equal(await WireBus.open(`unix:path=${dir}/bus`, 'test'), undefined);
      assert.equal(connections, 1);
      // withReadBus then tries BusConnection (a second connection), whose handshake fails here too.
      await assert.rejects(withReadBus(`unix:path=${dir}/bus`, 'test', async () => 'unreachable'));
      assert.equal(connections, 3);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
