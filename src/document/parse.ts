// Reads a document from a file or stdin ("-") and parses it as JSON or YAML. Parse errors name the
// file, line and column. JSON is chosen by a .json extension or a leading "{"; anything else is YAML
// (which also accepts JSON, but JSON errors are clearer from the JSON parser).
import * as fs from 'node:fs';
import { OpdbusError } from '../errors';
import type { DocumentSource } from './types';
import { yaml } from '../util/yaml';

export function readSource(file: string): DocumentSource {
  try {
    const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    return { file, text };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory, expected a document file' : e.message;
    throw new OpdbusError('InvalidInput', 'READ', `${file}: cannot read document: ${what}`, { path: file, cause: err });
  }
}

export function parseSource(source: DocumentSource): unknown {
  const { file, text } = source;
  if (text.trim() === '') throw new OpdbusError('InvalidInput', 'EMPTY', `${file}: the document is empty`, { path: file });
  const looksJson = file.endsWith('.json') || /^\s*[{[]/.test(text);
  if (looksJson) return parseJson(file, text);
  return parseYaml(file, text);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const where = m ? ` at ${lineCol(text, Number(m[1]))}` : '';
    throw new OpdbusError('InvalidInput', 'PARSE_JSON', `${file}: invalid JSON${where}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, { path: file });
  }
}

function parseYaml(file: string, text: string): unknown {
  const YAML = yaml();
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new OpdbusError('InvalidInput', 'PARSE_YAML', `${file}: invalid YAML${where}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, { path: file });
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}
