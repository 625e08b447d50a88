// Plugins the product defines but this build does not ship yet. They are registered so documents
// naming them validate their top level and `doctor`/`diff` can say plainly that they are unavailable,
// instead of "unknown plugin". Each is replaced by its real implementation in src/plugins/<name>/.
import { OpdbusError } from '../errors';
import { PLUGIN_CONTRACT_VERSION, type Plugin } from '../plugin/contract';

export function unbuiltPlugin(name: string, description: string, dependencies: string[] = []): Plugin {
  const reason = `the ${name} plugin is not part of this opdbus build yet`;
  const refuse = (): never => {
    throw new OpdbusError('Unavailable', 'PLUGIN_UNAVAILABLE', reason, { plugin: name });
  };
  return {
    name,
    contractVersion: PLUGIN_CONTRACT_VERSION,
    description,
    schema: { type: 'object' },
    dependencies,
    capabilities: { apply: false, workerQuery: true, irreversibleActions: false },
    settle: { timeoutMs: 0, intervalMs: 0 },
    available: async () => ({ available: false, reason }),
    query: async () => refuse(),
    diff: () => refuse(),
    checkpoint: async () => refuse(),
    apply: async () => refuse(),
    rollback: async () => refuse(),
    verify: async () => refuse(),
  };
}
