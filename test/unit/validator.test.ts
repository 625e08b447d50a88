// The document validator generated at build time (scripts/build-validator.js) is current, and gives
// the same verdicts and errors as one compiled at run time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentSchema } from '../../src/document/schema';
import { createAjv } from '../../src/document/validate';
import { builtinRegistry } from '../../src/plugins';
import { stateHash } from '../../src/util/canonical';

test('the generated validator was built from the current schema', () => {
  const generated = require('../../src/document/validator.generated') as { schemaHash: string };
  assert.equal(generated.schemaHash, stateHash(documentSchema(builtinRegistry())));
});

test('generated and run-time validators agree on good and bad documents', () => {
  const generated = require('../../src/document/validator.generated') as ((doc: unknown) => boolean) & { errors?: unknown };
  const compiled = createAjv().compile(documentSchema(builtinRegistry()));
  const docs: unknown[] = [
    { version: 1, plugins: { sysctl: { 'net.ipv4.ip_forward': '1' } } },
    { version: 1, plugins: { sysctl: { 'net.ipv4.ip_forward': { x: 1 } }, firewall: {} } },
    { version: 2, plugins: [] },
    { version: 1, plugins: { net: { interfaces: [{ name: 'br0', type: 'bridge', mtu: 'big' }] } } },
    { version: 1, plugins: { ovs: { bridges: [{ name: 'br0', ports: [{ name: 'p', tag: 5000 }] }] } } },
  ];
  for (const doc of docs) {
    assert.equal(generated(doc), compiled(doc), JSON.stringify(doc));
    assert.deepEqual(generated.errors ?? null, compiled.errors ?? null, JSON.stringify(doc));
  }
});
