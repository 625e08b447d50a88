// Accepts documents in the original op-dbus format and converts them to the canonical form.
// - A bare `net` payload ({interfaces: [...]}, no version/plugins) becomes {version: 1, plugins: {net}}.
// - `net.interfaces[]` entries of type ovs-bridge become an `ovs` bridge with an internal interface of
//   the bridge's name (plus one port per `ports[]` name), and a `net` interface of type ovs-interface
//   that carries the kernel-side state (up, addresses, gateway).
// - `ovs-port` entries become ports of their controller bridge.
// Everything else (the ipv4 {enabled, dhcp, address, gateway} shape, systemd units, lxc) is already
// accepted by the target plugins as it is.

interface CompatInterface {
  name?: unknown;
  type?: unknown;
  ports?: unknown;
  controller?: unknown;
  [key: string]: unknown;
}

interface OvsPort {
  name: string;
  interfaces: { name: string; type: string }[];
}

export interface Conversion {
  document: unknown;
  /** What was converted, for an info log line; empty when the document was already canonical. */
  notes: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function convertCompat(input: unknown): Conversion {
  const notes: string[] = [];
  let doc = input;
  if (isObject(doc) && !('plugins' in doc) && !('version' in doc) && Array.isArray(doc.interfaces)) {
    doc = { version: 1, plugins: { net: doc } };
    notes.push('bare net payload wrapped as {version: 1, plugins: {net: ...}}');
  }
  if (!isObject(doc) || !isObject(doc.plugins) || !isObject(doc.plugins.net) || !Array.isArray(doc.plugins.net.interfaces)) {
    return { document: doc, notes };
  }
  const interfaces = doc.plugins.net.interfaces as CompatInterface[];
  if (!interfaces.some((i) => isObject(i) && (i.type === 'ovs-bridge' || i.type === 'ovs-port'))) return { document: doc, notes };

  const plugins = { ...doc.plugins };
  const net = { ...(plugins.net as Record<string, unknown>) };
  const existingOvs = isObject(plugins.ovs) ? plugins.ovs : {};
  const bridges: Record<string, unknown>[] = Array.isArray(existingOvs.bridges) ? [...(existingOvs.bridges as Record<string, unknown>[])] : [];
  const bridgePorts = new Map<string, OvsPort[]>();
  const netInterfaces: unknown[] = [];

  // Bridges first, so an ovs-port may name a bridge listed after it.
  for (const iface of interfaces) {
    if (isObject(iface) && iface.type === 'ovs-bridge' && typeof iface.name === 'string') {
      const portList: OvsPort[] = [{ name: iface.name, interfaces: [{ name: iface.name, type: 'internal' }] }];
      for (const p of Array.isArray(iface.ports) ? iface.ports : []) {
        if (typeof p === 'string') portList.push({ name: p, interfaces: [{ name: p, type: 'system' }] });
      }
      bridgePorts.set(iface.name, portList);
      bridges.push({ name: iface.name, ports: portList });
    }
  }
  for (const iface of interfaces) {
    const known = isObject(iface) && typeof iface.name === 'string';
    if (known && iface.type === 'ovs-bridge') {
      const { name, type: _type, ports: _ports, controller: _c, ...kernelSide } = iface;
      netInterfaces.push({ name, type: 'ovs-interface', state: 'up', ...kernelSide });
      notes.push(`net.interfaces "${name}" (ovs-bridge) -> ovs bridge "${name}" with an internal port, and a net ovs-interface`);
      continue;
    }
    const ports = known && iface.type === 'ovs-port' && typeof iface.controller === 'string' ? bridgePorts.get(iface.controller) : undefined;
    if (!ports) {
      netInterfaces.push(iface); // not an OVS entry, or one whose bridge is missing: the net schema reports it with its path
      continue;
    }
    const { name, type: _type, controller, ...kernelSide } = iface as CompatInterface & { name: string };
    ports.push({ name, interfaces: [{ name, type: 'internal' }] });
    if (Object.keys(kernelSide).length) netInterfaces.push({ name, type: 'ovs-interface', ...kernelSide });
    notes.push(`net.interfaces "${name}" (ovs-port) -> port of ovs bridge "${String(controller)}"`);
  }
  net.interfaces = netInterfaces;
  plugins.net = net;
  plugins.ovs = { ...existingOvs, bridges };
  return { document: { ...doc, plugins }, notes };
}
