// JSON Schema of the `ovs` section: bridges with ports and interfaces, and the Open_vSwitch row.
// `null` on an optional field clears it; `null` as a map value removes that key.
const nullableString = { type: ['string', 'null'] };
const stringMap = {
  type: 'object',
  description: 'Keys named are set (a null value removes the key); keys not named are left alone',
  additionalProperties: nullableString,
};
const state = { enum: ['present', 'absent'], description: 'absent removes the object' };

const iface = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'internal and system interfaces are kernel devices: at most 15 characters' },
    type: { enum: ['internal', 'system', 'patch', 'vxlan', 'geneve'], description: 'default system (an existing kernel device)' },
    options: { ...stringMap, description: 'e.g. {"peer": "patch-b"} for patch, {"remote_ip": "192.0.2.1", "key": "42"} for vxlan/geneve' },
  },
};

const port = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    tag: { type: ['integer', 'null'], minimum: 0, maximum: 4095 },
    trunks: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 4095 }, uniqueItems: true },
    vlan_mode: { enum: ['access', 'native-tagged', 'native-untagged', 'trunk', 'dot1q-tunnel', null] },
    external_ids: stringMap,
    interfaces: { type: 'array', items: iface, minItems: 1, description: 'default on create: one system interface named like the port' },
    state,
  },
};

export const ovsSchema = {
  type: 'object',
  description: 'Open vSwitch bridges, ports and interfaces (OVSDB). Objects not named are left alone.',
  additionalProperties: false,
  properties: {
    bridges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 15 },
          datapath_type: { enum: ['system', 'netdev', '', null], description: 'netdev = userspace datapath' },
          fail_mode: { enum: ['standalone', 'secure', null] },
          stp_enable: { type: 'boolean' },
          rstp_enable: { type: 'boolean' },
          protocols: { type: 'array', items: { enum: ['OpenFlow10', 'OpenFlow11', 'OpenFlow12', 'OpenFlow13', 'OpenFlow14', 'OpenFlow15'] }, uniqueItems: true },
          other_config: stringMap,
          external_ids: stringMap,
          state,
          ports: { type: 'array', items: port },
        },
      },
    },
    open_vswitch: {
      type: 'object',
      additionalProperties: false,
      properties: { other_config: stringMap, external_ids: stringMap },
    },
  },
};
