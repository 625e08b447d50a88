// Plugin ordering by dependencies, selection, lazy loading, and contract checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpdbusError } from '../../src/errors';
import { builtinRegistry } from '../../src/plugins';
import { PLUGIN_CONTRACT_VERSION, type Plugin } from '../../src/plugin/contract';
import { orderByDependencies, PluginRegistry } from '../../src/plugin/registry';

test('dependencies come first; ties are broken by name', () => {
  const deps: Record<string, string[]> = { net: ['ovs'], ovs: [], systemd: ['net', 'sysctl'], sysctl: [], a: [] };
  assert.deepEqual(orderByDependencies(Object.keys(deps), (n) => deps[n]), ['a', 'ovs', 'net', 'sysctl', 'systemd']);
});

test('dependencies outside the transaction are ignored', () => {
  assert.deepEqual(orderByDependencies(['net'], () => ['ovs']), ['net']);
});

test('a dependency cycle is an input error naming the plugins in it', () => {
  const deps: Record<string, string[]> = { a: ['c'], b: ['a'], c: ['b'], d: [] };
  assert.throws(
    () => orderByDependencies(Object.keys(deps), (n) => deps[n]),
    (err: unknown) => err instanceof OpdbusError && err.kind === 'InvalidInput' && err.code === 'DEPENDENCY_CYCLE' && err.message === 'plugin dependency cycle among: a, b, c',
  );
  assert.throws(() => orderByDependencies(['x'], () => ['x']), /plugin dependency cycle: x -> x/);
});

test('the built-in registry orders ovs before net', () => {
  const registry = builtinRegistry();
  assert.deepEqual(orderByDependencies(['net', 'ovs', 'sysctl'], (n) => registry.get(n).dependencies), ['ovs', 'net', 'sysctl']);
});

test('selecting an unknown plugin is an input error listing the known ones', () => {
  assert.throws(() => builtinRegistry().select(['sysctl', 'nope']), (err: unknown) => err instanceof OpdbusError && err.kind === 'InvalidInput' && /unknown plugin "nope" \(known: dbus, login1, lxc, net, ovs, sysctl, systemd\)/.test(err.message));
});

test('a lazily registered plugin loads on first use only, once, and is checked then', () => {
  const loads: string[] = [];
  const fake = (name: string, contractVersion: number = PLUGIN_CONTRACT_VERSION) => () => {
    loads.push(name);
    return { ...builtinRegistry().get('sysctl'), name, contractVersion } as Plugin;
  };
  const registry = new PluginRegistry([], { a: fake('a'), b: fake('b'), old: fake('old', PLUGIN_CONTRACT_VERSION + 1), liar: () => ({ ...builtinRegistry().get('sysctl') }) as Plugin });
  const selected = registry.select(['a', 'old']);
  assert.deepEqual(selected.names(), ['a', 'old']);
  assert.equal(loads.length, 0, 'naming and selecting load nothing');
  assert.equal(selected.get('a').name, 'a');
  assert.equal(registry.get('a').name, 'a');
  assert.deepEqual(loads, ['a'], 'a loads once, whichever registry asks');
  assert.throws(() => selected.get('old'), (err: unknown) => err instanceof OpdbusError && err.code === 'CONTRACT_VERSION');
  assert.throws(() => registry.get('liar'), (err: unknown) => err instanceof OpdbusError && err.code === 'PLUGIN_NAME');
  assert.ok(!loads.includes('b'));
});
