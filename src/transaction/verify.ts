// Verification with a bounded, per-plugin settle: re-read until the host matches or the plugin's
// settle time runs out, then name every field that still differs.
import { OpdbusError } from '../errors';
import type { Mismatch, Plugin, PluginContext, Verification } from '../plugin/contract';
import { withTimeout } from '../plugin/context';

export function describeMismatches(mismatches: Mismatch[]): string {
  return mismatches.map((m) => `${m.path}: expected ${JSON.stringify(m.expected)}, found ${JSON.stringify(m.found)}`).join('; ');
}

/**
 * Resolves once the host matches `desired`, with the state the last read found when the plugin
 * reports it (verifyState); throws VerifyFailed naming every difference once the settle time is out.
 */
export async function verifySettled(plugin: Plugin, ctx: PluginContext, desired: unknown): Promise<{ state?: unknown }> {
  const deadline = Date.now() + plugin.settle.timeoutMs;
  const check = async (): Promise<Pick<Verification, 'mismatches'> & Partial<Verification>> => (plugin.verifyState ? plugin.verifyState(ctx, desired) : { mismatches: await plugin.verify(ctx, desired) });
  for (;;) {
    const found = await withTimeout('verify', plugin.name, ctx.config.queryTimeoutMs, check);
    // Mismatches flagged observeOnly (login1's observe-only policies) are reports, not failures.
    const mismatches = found.mismatches.filter((m) => !m.observeOnly);
    if (mismatches.length === 0) return 'state' in found ? { state: found.state } : {};
    if (Date.now() >= deadline) {
      throw new OpdbusError('VerifyFailed', 'VERIFY', `${plugin.name}: after apply the host still differs from the document: ${describeMismatches(mismatches)}`, {
        plugin: plugin.name,
        path: mismatches[0].path,
        details: { mismatches },
      });
    }
    await new Promise((r) => setTimeout(r, Math.max(10, plugin.settle.intervalMs)));
  }
}
