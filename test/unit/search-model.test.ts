// The shipped model: its ONNX bytes match the recorded SHA-256 (what `npm run check:model` rebuilds),
// and the tokenizer maps domain words whole and other words to sentencepiece pieces.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { modelFiles, modelId } from '../../src/search/model';
import { Tokenizer } from '../../src/search/tokenizer';

const files = modelFiles();

test('model.onnx is the one model.json describes', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(files.dir, 'model.json'), 'utf8'));
  assert.equal(crypto.createHash('sha256').update(fs.readFileSync(files.onnx)).digest('hex'), meta.sha256);
  assert.equal(meta.dim, 256);
  assert.match(modelId(), /^use-lite-static@[0-9a-f]{16}$/);
  assert.ok(fs.readFileSync(path.join(files.dir, 'LICENSE'), 'utf8').includes('Apache License'));
});

test('tokenizer: domain words are one id, other words pieces, punctuation dropped', () => {
  const tok = Tokenizer.load(files.tokenizer);
  const nginx = tok.encode('nginx');
  assert.equal(nginx.length, 1);
  assert.ok(nginx[0] >= 8000, 'domain words follow the 8000 sentencepiece pieces');
  assert.deepEqual(tok.encode('NGINX.service!'), [...nginx, ...tok.encode('service')]);
  const pieces = tok.encode('unrecognisable');
  assert.ok(pieces.length >= 1 && pieces.every((id) => id >= 6 && id < 8000));
  assert.deepEqual(tok.encode('... --- ///'), []);
});

test('tokenizer: ASCII text (fast path) and the same words in other scripts agree with NFKC + lower case', () => {
  const tok = Tokenizer.load(files.tokenizer);
  assert.deepEqual(tok.encode('Bridge br-ex LOST its address 10.0.0.1/24'), tok.encode('bridge br ex lost its address 10 0 0 1 24'));
  // Fullwidth letters and the "fi" ligature fold to ASCII under NFKC; accented words stay whole words.
  assert.deepEqual(tok.encode('ＮＧＩＮＸ ﬁle'), tok.encode('nginx file'));
  assert.deepEqual(tok.encode('Straße café'), tok.encode('straße café'));
  assert.ok(tok.encode('café').length >= 1);
});
