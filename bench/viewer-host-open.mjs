// The extension host's part of opening a model in the ONNX viewer, now against the code at an earlier revision
// (default 5e78410, the commit before issue 17: shape inference, folding, the straight main flow), both in this
// process, interleaved (A B A B, each round starting with the other), on the models the viewer-open benchmark
// opens. What the viewer provider runs per open (src/extension/onnx/viewerProvider.ts): decode (openModel), shape
// inference (inferShapes; new in issue 17), the packed graph message (toPackedGraph, now with the inferred
// types), then the target check (checkModel, ascend310p, the default target) after the message is posted.
// Then the shape inference alone on the 22k model with and without value_info (every value's type declared).
// Figures are medians; warm (the same process opens the model again and again: JIT-compiled, file in the page
// cache), so they are the work itself, not a cold first open of a session.
//
// usage: node bench/viewer-host-open.mjs [--before=REV] [--runs=N] [--quick]
// Models: bench/models/ (git-ignored), made by `/usr/bin/python3 bench/onnx_models.py bench/models deep open valueinfo`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, bundleCore, treeAt } from './lib/core.mjs';

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const RUNS = Number(option('runs') ?? (quick ? 3 : 7));
const beforeRev = option('before') ?? '5e78410';
const MODEL_DIR = join(ROOT, 'bench/models');
const MODELS = ['two-node.onnx', 'transformer-674.onnx', 'transformer-5k.onnx', 'transformer-22k.onnx', 'transformer-22k-value-info.onnx'];
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open', 'valueinfo'], { stdio: 'inherit' });
}

const CORE = [
  "export { openModel } from './src/core/onnx/decode';",
  "export { checkModel } from './src/core/onnx/check';",
  "export { builtinTarget } from './src/core/onnx/targets';",
  "export { toPackedGraph } from './src/core/onnx/view/compactGraph';",
].join(' ');
const now = await bundleCore(`${CORE} export { inferShapes } from './src/core/onnx/shapes';`);
const old = treeAt(beforeRev);
const before = await bundleCore(CORE, old.dir);
const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x) => x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 1 : 0 });
const gc = () => globalThis.gc?.();

/** One open as the viewer provider does it; stage times in ms. */
async function open(core, file) {
  gc();
  const profile = core.builtinTarget('ascend310p');
  const t0 = performance.now();
  const model = await core.openModel(file);
  const t1 = performance.now();
  const shapes = core.inferShapes ? await core.inferShapes(model) : undefined;
  const t2 = performance.now();
  const graph = core.toPackedGraph(model, labels, shapes);
  const t3 = performance.now();
  const result = core.checkModel(model, profile);
  const t4 = performance.now();
  if (!graph || !result) throw new Error('no graph or check result');
  return { decode: t1 - t0, shapes: t2 - t1, pack: t3 - t2, message: t3 - t0, check: t4 - t3, total: t4 - t0, inferred: shapes?.inferred.size ?? 0, load: loadavg()[0] };
}

try {
  const A = now.load();
  const B = before.load();
  process.stdout.write(`host side of an open, now vs ${beforeRev} (${execFileSync('git', ['log', '-1', '--format=%s', beforeRev], { cwd: ROOT, encoding: 'utf8' }).trim().slice(0, 80)}); median of ${RUNS} interleaved runs, warm\n`);
  const rows = [];
  for (const model of MODELS) {
    const file = join(MODEL_DIR, model);
    await open(A, file); // warm-up, untimed
    await open(B, file);
    const runs = { now: [], before: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const variant of i % 2 ? ['before', 'now'] : ['now', 'before']) runs[variant].push(await open(variant === 'now' ? A : B, file));
    }
    const m = (variant, key) => median(runs[variant].map((r) => r[key]));
    const loads = [...runs.now, ...runs.before].map((r) => r.load);
    const row = { model, inferred: runs.now[0].inferred, load: [Math.min(...loads), Math.max(...loads)] };
    for (const variant of ['now', 'before']) row[variant] = Object.fromEntries(['decode', 'shapes', 'pack', 'message', 'check', 'total'].map((k) => [k, m(variant, k)]));
    rows.push(row);
    process.stdout.write(`${model}: decode → graph message ready ${fmt(row.now.message)} ms now (decode ${fmt(row.now.decode)}, shapes ${fmt(row.now.shapes)} [${row.inferred} values inferred], pack ${fmt(row.now.pack)}) vs ${fmt(row.before.message)} ms before (decode ${fmt(row.before.decode)}, pack ${fmt(row.before.pack)}): ${(row.now.message / row.before.message).toFixed(2)}×;` +
      ` with the check ${fmt(row.now.total)} vs ${fmt(row.before.total)} ms: ${(row.now.total / row.before.total).toFixed(2)}×; load ${row.load[0].toFixed(1)}–${row.load[1].toFixed(1)}\n`);
  }
  process.stdout.write('\n| model | decode → graph message: before | now (shapes of it) | now / before | + check: before | now | now / before | load |\n|---|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.model} | ${fmt(r.before.message)} ms | ${fmt(r.now.message)} ms (${fmt(r.now.shapes)} ms, ${r.inferred} inferred) | **${(r.now.message / r.before.message).toFixed(2)}×** | ${fmt(r.before.total)} ms | ${fmt(r.now.total)} ms | ${(r.now.total / r.before.total).toFixed(2)}× | ${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)} |\n`);
  }

  // shape inference alone: the 22k model without value_info (every value inferred) and with it (all declared)
  const models = {};
  for (const name of ['transformer-22k.onnx', 'transformer-22k-value-info.onnx']) models[name] = await A.openModel(join(MODEL_DIR, name));
  const times = { 'transformer-22k.onnx': [], 'transformer-22k-value-info.onnx': [] };
  const inferred = {};
  for (let i = 0; i < RUNS; i++) {
    for (const name of i % 2 ? Object.keys(times).reverse() : Object.keys(times)) {
      gc();
      const t = performance.now();
      const s = await A.inferShapes(models[name]);
      times[name].push(performance.now() - t);
      inferred[name] = `${s.inferred.size} of ${s.types.size} values inferred`;
    }
  }
  process.stdout.write(`\nshape inference alone, median of ${RUNS} interleaved (load ${loadavg()[0].toFixed(1)}):\n`);
  for (const [name, list] of Object.entries(times)) process.stdout.write(`  ${name}: ${fmt(median(list))} ms (${inferred[name]})\n`);
} finally {
  now.dispose();
  before.dispose();
  old.dispose();
}
