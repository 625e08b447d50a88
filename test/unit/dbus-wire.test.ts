// The lean D-Bus client's wire format without a bus: a marshalled call read back, a big-endian message,
// messages split across reads, and the protocol errors that end a connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marshalCall } from '../../src/dbus/wire/marshal';
import { messageLength, readMessage } from '../../src/dbus/wire/unmarshal';

const CALL = { serial: 9, destination: 'org.x', path: '/org/x', interface: 'org.x.I', member: 'M' };

describe('D-Bus wire format', () => {
  it('reads back what it marshals, with padding between arrays, structs and strings', () => {
    const body = [['a', 'bé'], [], 'o', 7, true, [['k', 300]]];
    const buf = marshalCall({ ...CALL, signature: 'asasguba(su)', body });
    assert.equal(messageLength(buf), buf.length);
    const msg = readMessage(buf);
    assert.equal(msg.type, 1);
    assert.equal(msg.serial, 9);
    assert.deepEqual(msg.body, body);
  });

  it('reads a big-endian reply with its reply serial', () => {
    const fields = Buffer.from([5, 1, 0x75, 0, 0, 0, 0, 3, 8, 1, 0x67, 0, 1, 0x75, 0]);
    const head = Buffer.alloc(16);
    head.write('B\x02\x00\x01', 0, 'latin1');
    head.writeUInt32BE(4, 4);
    head.writeUInt32BE(7, 8);
    head.writeUInt32BE(fields.length, 12);
    const buf = Buffer.concat([head, fields, Buffer.alloc(1), Buffer.from([1, 2, 3, 4])]);
    assert.equal(messageLength(buf), 36);
    assert.deepEqual(readMessage(buf), { type: 2, serial: 7, replySerial: 3, body: [0x01020304] });
  });

  it('waits for a whole fixed header and refuses garbage', () => {
    assert.equal(messageLength(Buffer.alloc(15)), undefined);
    assert.throws(() => messageLength(Buffer.alloc(16, 0x41)), { message: 'D-Bus protocol error: bad endianness byte 0x41' });
    const huge = Buffer.from('l\x02\x00\x01', 'latin1');
    assert.throws(() => messageLength(Buffer.concat([huge, Buffer.from([0, 0, 0, 0x10]), Buffer.alloc(8)])), /message of \d+ bytes/);
  });

  it('refuses to marshal an argument type it does not handle', () => {
    assert.throws(() => marshalCall({ ...CALL, signature: 'v', body: [1] }), { message: 'the lean D-Bus client does not marshal "v" arguments' });
  });
});
