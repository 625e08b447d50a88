// The systemd section of a desired-state document: the original op-dbus shape
// (`units: {name: {active_state, enabled, masked}}`) plus optional unit-file and drop-in content, and
// `state: absent` for a unit opdbus should remove.

export const UNIT_NAME_PATTERN = '^[A-Za-z0-9:_.\\\\@-]+\\.(service|socket|target|timer|path|mount|automount|swap|slice)$';
export const DROPIN_NAME_PATTERN = '^[A-Za-z0-9:_.@-]+\\.conf$';

export interface UnitDesired {
  active_state?: 'active' | 'inactive';
  enabled?: boolean;
  masked?: boolean;
  /** The whole unit file under /etc/systemd/system. Internally, null means "no such file" (rollback). */
  unit_file?: string | null;
  /** Drop-in files under /etc/systemd/system/NAME.d/; null (internal) means "remove". */
  dropins?: Record<string, string | null>;
  /** Remove the unit: stop, disable, delete its unit file and drop-ins from /etc/systemd/system. Alone. */
  state?: 'absent';
}

export interface SystemdState {
  units: Record<string, UnitDesired>;
}

export const systemdSchema = {
  type: 'object',
  description: 'systemd units: {"units": {"nginx.service": {"active_state": "active", "enabled": true}}}',
  additionalProperties: false,
  required: ['units'],
  properties: {
    units: {
      type: 'object',
      propertyNames: { pattern: UNIT_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        // `state: absent` stands alone: a unit being removed has no other desired field.
        oneOf: [{ required: ['state'], maxProperties: 1 }, { not: { required: ['state'] } }],
        properties: {
          state: { enum: ['absent'] },
          active_state: { enum: ['active', 'inactive'] },
          enabled: { type: 'boolean' },
          masked: { type: 'boolean' },
          unit_file: { type: 'string', minLength: 1 },
          dropins: {
            type: 'object',
            propertyNames: { pattern: DROPIN_NAME_PATTERN },
            additionalProperties: { type: 'string' },
          },
        },
      },
    },
  },
};
