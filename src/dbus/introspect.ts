// The parts of an object's introspection XML opdbus needs: each interface's properties with their
// type signature and access. The XML is machine-written by bus libraries, so a small reader does.
import type { BusConnection } from './connection';

export interface PropertyInfo {
  type: string;
  access: 'read' | 'write' | 'readwrite';
}

export type InterfaceInfo = Record<string, PropertyInfo>;

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]] = m[2] ?? m[3];
  return out;
}

export function parseIntrospection(xml: string): Record<string, InterfaceInfo> {
  const interfaces: Record<string, InterfaceInfo> = {};
  for (const m of xml.matchAll(/<interface\b([^>]*?)(\/>|>([\s\S]*?)<\/interface>)/g)) {
    const name = attributes(m[1]).name;
    if (!name) continue;
    const props: InterfaceInfo = {};
    for (const p of (m[3] ?? '').matchAll(/<property\b([^>]*?)\/?>/g)) {
      const a = attributes(p[1]);
      if (a.name && a.type) props[a.name] = { type: a.type, access: (a.access as PropertyInfo['access']) ?? 'read' };
    }
    interfaces[name] = props;
  }
  return interfaces;
}

export async function introspect(bus: BusConnection, service: string, path: string): Promise<Record<string, InterfaceInfo>> {
  const [xml] = (await bus.call({ destination: service, path, interface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect' }, `introspect ${service} ${path}`)) as string[];
  return parseIntrospection(xml);
}
