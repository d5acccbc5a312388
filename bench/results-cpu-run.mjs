// Results benchmark: how much the CPU run of "NPU: Run ONNX Model on CPU" (and npu-port onnx run, and the
// CPU column of a remote benchmark) adds to what it measures. Each timed run goes through the core's
// benchmarkModel (feeds wrapped as onnxruntime tensors, outputs unwrapped, per-run timing); the baseline is
// a bare onnxruntime-node loop over the same session options and the same input tensors, in the same
// process and run, rounds alternated so both see the same machine state. Reported: the p50 latency of each
// (median over rounds) and the ratio ours / bare (1.00 = no overhead), for a tiny model (overhead-dominated) and a small
// EdgeSAM-like decoder head. Also the histogram binning of 100,000 samples against a plain sort.
// usage: node bench/results-cpu-run.mjs
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const ROUNDS = 7;
const ITERATIONS = 200;

async function loadModule(dir) {
  const entry = join(dir, 'entry.ts');
  const src = (p) => JSON.stringify(join(ROOT, p));
  writeFileSync(entry, [
    `export { openModel } from ${src('src/core/onnx/decode.ts')};`,
    `export { benchmarkModel } from ${src('src/core/benchmark/cpu.ts')};`,
    `export { feedsFor } from ${src('src/core/onnx/transform/probe.ts')};`,
    `export { histogram } from ${src('src/shared/results.ts')};`,
  ].join('\n'));
  const outfile = join(dir, 'results.cjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning', external: ['onnxruntime-node'] });
  return (await import(pathToFileURL(outfile).href)).default;
}

/** The models: the remote tests' tiny Add + Relu, and the generated EdgeSAM-like head (static shapes). */
function models() {
  const dir = join(ROOT, 'bench', 'models');
  mkdirSync(dir, { recursive: true });
  const tiny = join(dir, 'tiny_add_relu.onnx');
  if (!existsSync(tiny)) {
    execFileSync('/usr/bin/python3', ['-c', [
      'import sys, onnx', 'from onnx import helper, TensorProto',
      'c = helper.make_tensor("C", TensorProto.FLOAT, [4], [0.5, -1.0, 2.0, 0.0])',
      'g = helper.make_graph([helper.make_node("Add", ["X", "C"], ["S"]), helper.make_node("Relu", ["S"], ["Y"])], "tiny",',
      '  [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 4])], [c])',
      'm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8; onnx.save(m, sys.argv[1])',
    ].join('\n'), tiny]);
  }
  const generated = join(ROOT, 'test', 'fixtures', 'generated', 'onnx');
  const head = join(generated, 'edgesam_like_npu_safe.onnx');
  if (!existsSync(head)) {
    mkdirSync(generated, { recursive: true });
    execFileSync('flock', [join(generated, '.lock'), '/usr/bin/python3', join(ROOT, 'test/fixtures/onnx/generate_models.py'), generated], { stdio: 'pipe' });
  }
  return [['tiny Add+Relu', tiny], ['EdgeSAM-like head', head]];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** p50 of one loop: the machine is shared (two cores, other jobs), so means carry other processes' pauses. */
async function bareLoop(session, feeds, iterations) {
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - start);
  }
  return median(samples);
}


// inside the repository (bench/models is ignored) so the bundle resolves onnxruntime-node from node_modules
mkdirSync(join(ROOT, 'bench', 'models'), { recursive: true });
const dir = mkdtempSync(join(ROOT, 'bench', 'models', 'results-bundle-'));
try {
  const m = await loadModule(dir);
  for (const [label, file] of models()) {
    const model = await m.openModel(file);
    const feeds = m.feedsFor(model, { random: { seed: 0 } });
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new ort.Tensor(v.elemType === 'float' ? 'float32' : v.elemType, v.data, v.dims)]));
    const bare = await ort.InferenceSession.create(file, { logSeverityLevel: 4, graphOptimizationLevel: 'all' });
    await bareLoop(bare, ortFeeds, 20); // warm-up
    const ours = [];
    const base = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await bareLoop(bare, ortFeeds, ITERATIONS));
      ours.push((await m.benchmarkModel(file, feeds, { iterations: ITERATIONS, warmup: 20 })).stats.p50);
    }
    await bare.release();
    const o = median(ours);
    const b = median(base);
    process.stdout.write(`${label.padEnd(20)} p50 bare onnxruntime ${b.toFixed(4)} ms   benchmarkModel ${o.toFixed(4)} ms   ratio ${(o / b).toFixed(2)}  (median of ${ROUNDS} rounds × ${ITERATIONS} runs)\n`);
  }
  // histogram binning (the view's only computation on samples) against sorting the same samples
  const samples = Array.from({ length: 100_000 }, (_, i) => 1 + ((i * 7919) % 1000) / 1000 + (i % 997 === 0 ? 50 : 0));
  const time = (f) => {
    const runs = [];
    for (let r = 0; r < 9; r++) {
      const t0 = performance.now();
      f();
      runs.push(performance.now() - t0);
    }
    return median(runs);
  };
  const sortMs = time(() => [...samples].sort((a, b) => a - b));
  const histMs = time(() => m.histogram(samples));
  process.stdout.write(`histogram of 100,000 samples ${histMs.toFixed(1)} ms   plain sort ${sortMs.toFixed(1)} ms   ratio ${(histMs / sortMs).toFixed(2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
