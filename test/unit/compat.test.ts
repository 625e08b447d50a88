// The original op-dbus documents (copied from shared/examples/op-dbus-compat) convert to canonical form.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { convertCompat } from '../../src/document/compat';
import { validateStructure } from '../../src/document/validate';
import { builtinRegistry } from '../../src/plugins';
import { REPO_ROOT } from '../harness/cli';

const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'compat');
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

test('ovs-bridge with address becomes an ovs bridge + net ovs-interface; systemd untouched', () => {
  const { document, notes } = convertCompat(load('ovs-bridge-with-address.json'));
  assert.deepEqual(document, {
    version: 1,
    plugins: {
      net: {
        interfaces: [
          {
            name: 'ovsbr0',
            type: 'ovs-interface',
            state: 'up',
            ipv4: { enabled: true, dhcp: false, address: [{ ip: '10.20.0.1', prefix: 24 }], gateway: '10.20.0.254' },
          },
        ],
      },
      ovs: {
        bridges: [
          {
            name: 'ovsbr0',
            ports: [
              { name: 'ovsbr0', interfaces: [{ name: 'ovsbr0', type: 'internal' }] },
              { name: 'veth-up0', interfaces: [{ name: 'veth-up0', type: 'system' }] },
            ],
          },
        ],
      },
      systemd: { units: { 'opdbus-demo.service': { active_state: 'active', enabled: true } } },
    },
  });
  assert.equal(notes.length, 1);
});

test('a bare net payload is wrapped and converted', () => {
  const { document } = convertCompat(load('bare-net-payload.json'));
  const doc = document as { version: number; plugins: { ovs: { bridges: { name: string; ports: { name: string }[] }[] }; net: unknown } };
  assert.equal(doc.version, 1);
  assert.deepEqual(doc.plugins.ovs.bridges.map((b) => [b.name, b.ports.map((p) => p.name)]), [['ovsbr1', ['ovsbr1', 'veth-a']]]);
  assert.deepEqual(doc.plugins.net, { interfaces: [{ name: 'ovsbr1', type: 'ovs-interface', state: 'up' }] });
});

test('two bridges and lxc containers: both bridges converted, lxc passed through', () => {
  const raw = load('two-bridges-containers.json');
  const { document } = convertCompat(raw);
  const doc = document as { plugins: Record<string, { bridges?: { name: string }[] }> };
  assert.deepEqual(doc.plugins.ovs.bridges!.map((b) => b.name), ['ovsbr0', 'mesh']);
  assert.deepEqual(doc.plugins.lxc, raw.plugins.lxc);
});

test('an ovs-port joins its controller bridge even when listed before it', () => {
  const { document } = convertCompat({
    version: 1,
    plugins: { net: { interfaces: [{ name: 'p1', type: 'ovs-port', controller: 'br9' }, { name: 'br9', type: 'ovs-bridge', ports: [] }] } },
  });
  const ports = (document as { plugins: { ovs: { bridges: { ports: { name: string }[] }[] } } }).plugins.ovs.bridges[0].ports.map((p) => p.name);
  assert.deepEqual(ports, ['br9', 'p1']);
});

test('canonical documents are returned unchanged', () => {
  const canonical = { version: 1, plugins: { sysctl: { 'net.ipv4.ip_forward': '1' } } };
  const { document, notes } = convertCompat(canonical);
  assert.equal(document, canonical);
  assert.deepEqual(notes, []);
});

test('every compat example passes document validation after conversion', () => {
  const registry = builtinRegistry();
  for (const name of fs.readdirSync(dir)) {
    const { document } = validateStructure(load(name), { file: name, text: '' }, registry);
    assert.equal(document.version, 1, name);
    assert.ok(document.plugins.ovs, `${name}: has an ovs section`);
  }
});
