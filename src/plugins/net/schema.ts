// The net plugin's section of the desired-state document: its TypeScript types and its JSON Schema.
// Also accepts the original op-dbus shape (`ipv4: {enabled, dhcp, address, gateway}`, bridge `ports`),
// which normalize() turns into the canonical form (model.ts).
import { ROUTE_TYPES } from '../../netlink/constants';

export const INTERFACE_TYPES = ['ethernet', 'loopback', 'veth', 'bridge', 'ifb', 'vxlan', 'macvlan', 'macvtap', 'tun', 'tap', 'ovs-interface', 'other'] as const;
export type InterfaceType = (typeof INTERFACE_TYPES)[number];
/** Types net creates and deletes; the others must exist already (or, ovs-interface, come from the ovs plugin). */
export const CREATABLE_TYPES: readonly InterfaceType[] = ['veth', 'bridge', 'ifb', 'vxlan', 'macvlan', 'macvtap', 'tun', 'tap'];
export const MACVLAN_MODES = ['private', 'vepa', 'bridge', 'passthru', 'source'] as const;

export interface AddressEntry {
  ip: string;
  prefix: number;
}

export interface IpConfig {
  /** false = no addresses of this family (kernel-owned ones, like IPv6 link-local, stay). */
  enabled?: boolean;
  /** Original op-dbus field: only false is supported (opdbus runs no DHCP client). */
  dhcp?: boolean;
  /** The complete list of this family's addresses on the interface, when given. */
  address?: AddressEntry[];
  /** Original op-dbus field: becomes a default route through this interface. */
  gateway?: string;
}

export interface NetInterface {
  name: string;
  type?: InterfaceType;
  state?: 'up' | 'down' | 'absent';
  mtu?: number;
  mac?: string;
  /** The Linux bridge this link is a port of; null = not a port of any. */
  controller?: string | null;
  veth?: { peer: string };
  vxlan?: { id: number; remote?: string; local?: string; dstport?: number; dev?: string };
  macvlan?: { mode: (typeof MACVLAN_MODES)[number]; base: string };
  ipv4?: IpConfig;
  ipv6?: IpConfig;
  /** Original op-dbus field on bridges: the names of its ports. */
  ports?: string[];
}

export interface NetRoute {
  /** "default" (IPv4), "::/0" (IPv6 default) or a CIDR network. */
  destination: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  /** Table number or name (main, default, local); default main. */
  table?: number | string;
  /** unicast (default), blackhole, unreachable, prohibit, throw, local, ... (iproute2's names). */
  type?: string;
  protocol?: string | number;
  scope?: string | number;
  state?: 'absent';
}

export interface NetState {
  interfaces?: NetInterface[];
  routes?: NetRoute[];
}

const address = {
  type: 'object',
  required: ['ip', 'prefix'],
  additionalProperties: false,
  properties: { ip: { type: 'string', minLength: 2 }, prefix: { type: 'integer', minimum: 0, maximum: 128 } },
};

const ipConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    dhcp: { type: 'boolean' },
    address: { type: 'array', items: address },
    gateway: { type: 'string' },
  },
};

const IFNAME = '^[^/\\s:]{1,15}$';

export const netSchema = {
  type: 'object',
  description: 'Kernel links, addresses and routes (rtnetlink)',
  additionalProperties: false,
  properties: {
    interfaces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: IFNAME },
          type: { enum: [...INTERFACE_TYPES] },
          state: { enum: ['up', 'down', 'absent'] },
          mtu: { type: 'integer', minimum: 68, maximum: 65536 },
          mac: { type: 'string', pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$' },
          controller: { type: ['string', 'null'] },
          veth: { type: 'object', required: ['peer'], additionalProperties: false, properties: { peer: { type: 'string', pattern: IFNAME } } },
          vxlan: {
            type: 'object',
            required: ['id'],
            additionalProperties: false,
            properties: {
              id: { type: 'integer', minimum: 0, maximum: 16777215 },
              remote: { type: 'string' },
              local: { type: 'string' },
              dstport: { type: 'integer', minimum: 0, maximum: 65535 },
              dev: { type: 'string' },
            },
          },
          macvlan: {
            type: 'object',
            required: ['mode', 'base'],
            additionalProperties: false,
            properties: { mode: { enum: [...MACVLAN_MODES] }, base: { type: 'string' } },
          },
          ipv4: ipConfig,
          ipv6: ipConfig,
          ports: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['destination'],
        additionalProperties: false,
        properties: {
          destination: { type: 'string' },
          gateway: { type: 'string' },
          dev: { type: 'string' },
          metric: { type: 'integer', minimum: 0, maximum: 4294967295 },
          table: { type: ['integer', 'string'] },
          type: { enum: Object.values(ROUTE_TYPES) },
          protocol: { type: ['string', 'integer'] },
          scope: { type: ['string', 'integer'] },
          state: { const: 'absent' },
        },
      },
    },
  },
};
