// The JSON Schema of a desired-state document: an envelope (version, plugins, meta) whose `plugins`
// object holds one section per plugin, each checked against that plugin's own schema.
import type { PluginRegistry } from '../plugin/registry';

/** The document without its sections' schemas: which plugin names may appear, and the envelope fields. */
export function envelopeSchema(pluginNames: readonly string[]): Record<string, unknown> {
  return documentSchemaWith(Object.fromEntries(pluginNames.map((n) => [n, {}])));
}

/** The whole document's schema, every registered plugin's section included (`opdbus schema`). */
export function documentSchema(registry: PluginRegistry): Record<string, unknown> {
  return documentSchemaWith(Object.fromEntries(registry.all().map((p) => [p.name, p.schema])));
}

function documentSchemaWith(plugins: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    required: ['version', 'plugins'],
    additionalProperties: false,
    properties: {
      version: { const: 1, description: 'document format version' },
      plugins: { type: 'object', additionalProperties: false, properties: plugins },
      meta: { type: 'object', description: 'written by opdbus query; ignored by apply' },
    },
  };
}
