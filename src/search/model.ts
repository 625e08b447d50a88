// Where the shipped embedding model lives (models/<name>/ at the package root) and its fixed facts.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MODEL_NAME = 'use-lite-static';

/** Package root: this file is at dist/src/search/model.js or src/search/model.ts. */
function packageRoot(): string {
  const up = __dirname.split(path.sep).includes('dist') ? ['..', '..', '..'] : ['..', '..'];
  return path.resolve(__dirname, ...up);
}

export interface ModelFiles {
  dir: string;
  onnx: string;
  tokenizer: string;
}

export function modelFiles(dir = process.env.OPDBUS_MODEL_DIR ?? path.join(packageRoot(), 'models', MODEL_NAME)): ModelFiles {
  return { dir, onnx: path.join(dir, 'model.onnx'), tokenizer: path.join(dir, 'tokenizer', 'tokenizer.json') };
}

/** Identity of the model an index was built with: name and the ONNX file's SHA-256 (from model.json). */
export function modelId(files: ModelFiles = modelFiles()): string {
  const meta = JSON.parse(fs.readFileSync(path.join(files.dir, 'model.json'), 'utf8')) as { sha256: string };
  return `${path.basename(files.dir)}@${meta.sha256.slice(0, 16)}`;
}
