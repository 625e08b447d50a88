// Semantic validation (each plugin's own checks after the schema) and the one error format for every
// document problem: "FILE: PATH: MESSAGE (rule: R), found V". Kept apart from ajv so commands that do
// not parse a document do not pay for loading it.
import { OpdbusError } from '../errors';
import type { PluginContext } from '../plugin/contract';
import type { PluginRegistry } from '../plugin/registry';
import { escapeToken } from '../util/pointer';
import type { DocumentSource, StateDocument } from './types';

export interface ValidationProblem {
  path: string;
  rule: string;
  message: string;
  found?: unknown;
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Formats problems as the one message users see: "FILE: PATH: MESSAGE (rule: R), found V". */
export function invalidDocument(file: string, problems: ValidationProblem[]): OpdbusError {
  const lines = problems.map((p) => `${file}: ${p.path}: ${p.message} (rule: ${p.rule})${p.rule === 'required' ? '' : `, found ${shown(p.found)}`}`);
  const first = problems[0];
  return new OpdbusError('InvalidInput', 'SCHEMA', lines.join('\n'), { path: first?.path, details: { file, problems } });
}

/** Semantic checks of each available plugin (may read the host, never changes it). */
export async function validateSemantics(document: StateDocument, source: DocumentSource, registry: PluginRegistry, ctx: PluginContext, names: readonly string[]): Promise<void> {
  const problems: ValidationProblem[] = [];
  for (const name of names) {
    const plugin = registry.get(name);
    if (!plugin.validate) continue;
    const issues = await plugin.validate(document.plugins[name], ctx);
    for (const i of issues) problems.push({ path: `/plugins/${escapeToken(name)}${i.path}`, rule: 'plugin', message: i.message, found: i.found });
  }
  if (problems.length) throw invalidDocument(source.file, problems);
}
