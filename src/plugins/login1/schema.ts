// The login1 section: session policies in the original op-dbus form (items with a mode, a selector and
// whether matching sessions may be present), plus the observed seats, users and sessions that a query
// reports (accepted in a document, never applied).

export interface SessionSelector {
  /** User name, or uid as a number. */
  user?: string | number;
  tty?: string;
  seat?: string;
  /** Matches the session's class (user, greeter, background, ...) or its type (tty, x11, wayland, unspecified, ...). */
  kind?: string;
}

export interface SessionPolicy {
  id?: string;
  mode: 'enforce' | 'observe-only';
  selector: SessionSelector;
  desired: { present: boolean };
}

export interface SessionInfo {
  id: string;
  user: string;
  uid: number;
  seat: string;
  tty: string;
  class: string;
  type: string;
  state: string;
  remote: boolean;
  /** When the session started (ISO 8601), if logind knows. */
  since?: string;
}

export interface Login1State {
  items?: SessionPolicy[];
  seats?: { id: string }[];
  users?: { uid: number; name: string }[];
  sessions?: SessionInfo[];
}

const observed = { type: 'array', description: 'observed state, reported by query; ignored on apply', items: { type: 'object' } };

export const login1Schema = {
  type: 'object',
  description: 'logind session policies: {"items": [{"mode": "enforce", "selector": {"user": "guest"}, "desired": {"present": false}}]}',
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['mode', 'selector', 'desired'],
        properties: {
          id: { type: 'string', minLength: 1 },
          mode: { enum: ['enforce', 'observe-only'] },
          selector: {
            type: 'object',
            additionalProperties: false,
            // An empty selector would match every session, the admin's own included.
            minProperties: 1,
            properties: {
              user: { type: ['string', 'integer'] },
              tty: { type: 'string' },
              seat: { type: 'string' },
              kind: { type: 'string' },
            },
          },
          desired: { type: 'object', additionalProperties: false, required: ['present'], properties: { present: { type: 'boolean' } } },
        },
      },
    },
    seats: observed,
    users: observed,
    sessions: observed,
  },
};
