// The dbus section of a desired-state document: properties of any D-Bus object, each object named by
// bus (system, session or an address), service, object path and interface.
import type { Json } from '../../dbus/values';

export interface DbusObjectDesired {
  bus: string;
  service: string;
  path: string;
  interface: string;
  properties: Record<string, Json>;
}

export interface DbusState {
  objects: DbusObjectDesired[];
}

/** One object's identity, the same in the document, the plan and the checkpoint. */
export function objectKey(o: Pick<DbusObjectDesired, 'bus' | 'service' | 'path' | 'interface'>): string {
  return `${o.bus} ${o.service} ${o.path} ${o.interface}`;
}

export const dbusSchema = {
  type: 'object',
  description: 'D-Bus object properties: {"objects": [{"bus": "system", "service": "org.x", "path": "/org/x", "interface": "org.x.Y", "properties": {"Name": "v"}}]}',
  additionalProperties: false,
  required: ['objects'],
  properties: {
    objects: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['bus', 'service', 'path', 'interface', 'properties'],
        properties: {
          bus: { type: 'string', pattern: '^(system|session|[a-z]+:.+)$' },
          service: { type: 'string', pattern: '^(:[A-Za-z0-9_.-]+|[A-Za-z_-][A-Za-z0-9_-]*(\\.[A-Za-z_-][A-Za-z0-9_-]*)+)$', maxLength: 255 },
          path: { type: 'string', pattern: '^/([A-Za-z0-9_]+(/[A-Za-z0-9_]+)*)?$' },
          interface: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$', maxLength: 255 },
          properties: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
        },
      },
    },
  },
};
