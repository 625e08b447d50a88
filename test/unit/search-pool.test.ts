// The embedding pool: inference runs in worker threads (the main thread never loads onnxruntime),
// vectors equal a direct onnxruntime session's, and the pool survives a worker that dies mid-batch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Embedder } from '../../src/search/embedder';
import { modelFiles } from '../../src/search/model';
import { embedBatch, openSession } from '../../src/search/session';

const TEXTS = ['nginx.service failed', 'bridge br-ex has no ip address', 'sysctl net.ipv4.ip_forward changed from 1 to 0', ''];
const embedder = new Embedder({ poolSize: 2, batchSize: 2 });
after(() => embedder.close());

test('inference runs in a worker thread and the main thread never loads onnxruntime', () => {
  const script = `
    const { Embedder } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'search', 'embedder.js'))});
    const e = new Embedder({ poolSize: 1 });
    e.embedWithThreads(['web server down']).then(async (r) => {
      const loaded = Object.keys(require.cache).some((k) => k.includes('onnxruntime'));
      console.log(JSON.stringify({ threadId: r.threadId, dim: r.vectors.length, loaded }));
      await e.close();
    });`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!);
  assert.notEqual(result.threadId, 0);
  assert.equal(result.dim, 256);
  assert.equal(result.loaded, false);
});

test('pool vectors equal a direct onnxruntime session', async () => {
  const direct = await openSession(modelFiles().dir, 1);
  const expected = await embedBatch(direct, TEXTS);
  const pooled = await embedder.embed(TEXTS);
  assert.equal(pooled.length, TEXTS.length);
  pooled.forEach((v, i) => assert.deepEqual(Array.from(v), Array.from(expected.subarray(i * direct.dim, (i + 1) * direct.dim))));
  // Normalised, except the empty text, whose vector is zero.
  assert.ok(Math.abs(pooled[0].reduce((s, x) => s + x * x, 0) - 1) < 1e-5);
  assert.ok(pooled[3].every((x) => x === 0));
});

test('the pool survives a worker that dies mid-run', async () => {
  const inputs = Array.from({ length: 400 }, (_, i) => `interface veth${i} down while unit app${i}.service failed`);
  let settled = false;
  const running = embedder.embed(inputs).finally(() => (settled = true));
  while (embedder.gate.busy === 0) await new Promise((r) => setImmediate(r));
  // Terminated inside an onnxruntime call, a worker takes the whole process down with it (see
  // src/search/ort-gate.ts): stop it at the gate, with its tasks in flight, as close() and exit do.
  embedder.gate.pause();
  assert.equal(await embedder.gate.idle(10_000), true);
  assert.equal(settled, false, 'the run was still in flight when its worker died');
  const victim = embedder.pool.threads[0];
  assert.ok(victim, 'pool has a worker');
  await victim.terminate();
  embedder.gate.resume();
  const vectors = await running;
  assert.equal(vectors.length, inputs.length);
  const direct = await openSession(modelFiles().dir, 1);
  const expected = await embedBatch(direct, inputs);
  vectors.forEach((v, i) => assert.deepEqual(Array.from(v), Array.from(expected.subarray(i * direct.dim, (i + 1) * direct.dim)), `input ${i}`));
  assert.equal(embedder.pool.threads.length, 2);
});

for (const end of ['process.exit', 'close'] as const) {
  test(`${end}() while workers are inside onnxruntime ends the process cleanly`, () => {
    // Without the gate, terminating a worker inside onnxruntime-node aborts the process
    // ("terminate called after throwing an instance of 'Napi::Error'", exit 134).
    const script = `
      const { Embedder } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'search', 'embedder.js'))});
      const e = new Embedder({ poolSize: 2, batchSize: 64 });
      const inputs = Array.from({ length: 20000 }, (_, i) => 'interface veth' + i + ' down while unit app' + i + '.service failed');
      (async () => {
        await e.embed(inputs.slice(0, 4));
        const running = e.embed(inputs).then(() => 'finished', (err) => err.code);
        while (e.gate.busy === 0) await new Promise((r) => setImmediate(r));
        if (${JSON.stringify(end)} === 'process.exit') process.exit(7);
        await e.close();
        console.log(await running, e.gate.busy);
      })();`;
    for (let round = 0; round < 2; round++) {
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.doesNotMatch(child.stderr, /terminate called/);
      if (end === 'process.exit') assert.equal(child.status, 7, child.stderr);
      else {
        assert.equal(child.status, 0, child.stderr);
        assert.equal(child.stdout.trim(), 'EMBED_FAILED 0', 'the batch in flight is refused, and no call is left inside the gate');
      }
    }
  });
}

test('pools closed or exited while their workers load onnxruntime end cleanly, and a later pool works', () => {
  // Loading the binding makes N-API calls too: a worker terminated then aborted the process, and once
  // every thread that had loaded it was gone, the next pool failed with "Module did not self-register".
  const embedderJs = JSON.stringify(path.join(__dirname, '..', '..', 'src', 'search', 'embedder.js'));
  const closing = `
    const { Embedder } = require(${embedderJs});
    (async () => {
      for (let k = 0; k < 12; k++) {
        const e = new Embedder({ poolSize: 2 });
        if (k % 3 === 0) e.embed(['bridge down']).catch(() => {});
        await new Promise((r) => setTimeout(r, (k * 11) % 100));
        await e.close();
      }
      const last = new Embedder({ poolSize: 1 });
      const [v] = await last.embed(['web server down']);
      console.log(v.length);
      await last.close();
    })();`;
  const child = spawnSync(process.execPath, ['-e', closing], { encoding: 'utf8', timeout: 120_000 });
  assert.doesNotMatch(child.stderr, /terminate called/);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '256');
  for (const delayMs of [0, 15, 30, 45, 60, 90]) {
    const exiting = `
      const { Embedder } = require(${embedderJs});
      new Embedder({ poolSize: 2 }).embed(['bridge down']).catch(() => {});
      setTimeout(() => process.exit(7), ${delayMs});`;
    const r = spawnSync(process.execPath, ['-e', exiting], { encoding: 'utf8', timeout: 60_000 });
    assert.doesNotMatch(r.stderr, /terminate called/, `exit after ${delayMs} ms`);
    assert.equal(r.status, 7, `exit after ${delayMs} ms: ${r.stderr}`);
  }
});

test('the pool recovers even when every worker dies at once', () => {
  // In a child whose main thread never loads onnxruntime (this file's main thread does, above).
  const script = `
    const { Embedder } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'search', 'embedder.js'))});
    const e = new Embedder({ poolSize: 2, batchSize: 1 });
    (async () => {
      const before = await e.embed(['bridge down', 'unit failed']);
      await Promise.all(e.pool.threads.map((t) => t.terminate()));
      const after = await e.embed(['bridge down', 'unit failed']);
      const same = after.every((v, i) => v.every((x, k) => x === before[i][k]));
      console.log(JSON.stringify({ same, mainLoaded: Object.keys(require.cache).some((k) => k.includes('onnxruntime')) }));
      await e.close();
    })();`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), { same: true, mainLoaded: false });
});
