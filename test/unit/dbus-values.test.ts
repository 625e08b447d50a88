// D-Bus signatures, introspection XML and JSON <-> D-Bus value conversion, without a bus.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Variant } from 'dbus-next';
import { parseIntrospection } from '../../src/dbus/introspect';
import { parseSignature, parseSingleType } from '../../src/dbus/signature';
import { dbusToJson, jsonToDbus, ValueTypeError } from '../../src/dbus/values';

describe('D-Bus values', () => {
  it('parses nested signatures and rejects broken ones', () => {
    assert.deepEqual(parseSignature('a{sv}(iao)').map((t) => t.text), ['a{sv}', '(iao)']);
    assert.throws(() => parseSingleType('a{vs}'), /a dict entry needs a basic key and one value/);
    assert.throws(() => parseSingleType('a'), /ends too early/);
    assert.throws(() => parseSingleType('ss'), /not a single complete type/);
  });

  it('reads variants, dicts, structs, byte arrays and 64-bit integers as JSON', () => {
    const t = parseSingleType('a{sv}');
    const value = { a: new Variant('ay', Buffer.from([1, 2])), b: new Variant('(tx)', [2n ** 60n, -5n]), c: new Variant('o', '/x') };
    assert.deepEqual(dbusToJson(t, value), { a: [1, 2], b: ['1152921504606846976', -5], c: '/x' });
  });

  it('range-checks integers per type and names where a nested value is wrong', () => {
    assert.equal(jsonToDbus(parseSingleType('y'), 255), 255);
    assert.throws(() => jsonToDbus(parseSingleType('y'), 256), { message: 'expected a byte (0..255) (D-Bus type y), found 256' });
    assert.equal(jsonToDbus(parseSingleType('t'), '18446744073709551615'), 2n ** 64n - 1n);
    assert.throws(() => jsonToDbus(parseSingleType('i'), '5'), /signed 32-bit integer/);
    assert.throws(
      () => jsonToDbus(parseSingleType('a(sb)'), [['a', true], ['b', 'no']], '/p'),
      (err: unknown) => err instanceof ValueTypeError && err.where === '/p/1/1' && err.message === 'expected true or false (D-Bus type b), found "no"',
    );
    const v = jsonToDbus(parseSingleType('v'), { k: [1, 2] }) as Variant;
    assert.equal(v.signature, 'a{sv}');
    assert.equal((v.value as Record<string, Variant>).k.signature, 'ai');
  });

  it('reads property types and access from introspection XML', () => {
    const xml = `<node><interface name="org.x.A"><property name="P" type="a{sv}" access="readwrite"><annotation name="x" value="y"/></property>
      <property type='u' name='Q' access='read'/></interface><interface name="org.x.Empty"/></node>`;
    assert.deepEqual(parseIntrospection(xml), { 'org.x.A': { P: { type: 'a{sv}', access: 'readwrite' }, Q: { type: 'u', access: 'read' } }, 'org.x.Empty': {} });
  });
});
