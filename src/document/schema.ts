// The JSON Schema of a whole desired-state document, assembled from every registered plugin's schema.
import type { PluginRegistry } from '../plugin/registry';

export function documentSchema(registry: PluginRegistry): Record<string, unknown> {
  const plugins: Record<string, unknown> = {};
  for (const p of registry.all()) plugins[p.name] = p.schema;
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
