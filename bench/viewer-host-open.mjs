// The extension host's part of opening a model in the ONNX viewer, now against the code at earlier revisions
// (default 5e78410, the commit before issue 17, and e430d90, where the shape inference ran before the graph was
// posted), all in this process, interleaved (the order rotating every round), on the models the viewer-open
// benchmark opens. What the viewer provider runs per open (src/extension/onnx/viewerProvider.ts), per revision:
//   now:     decode (openModel), the packed graph message with the declared types (packMainGraph) → posted;
//            the target check (checkModel, ascend310p) → verdicts posted; the shape inference (inferShapes) and
//            its message (packInferredShapes) → shapes posted
//   e430d90: decode, shape inference, the packed graph with the inferred types (toPackedGraph) → posted; check
//   5e78410: decode, the packed graph (no inference) → posted; check
// "graph message" is decode → graph posted (what the webview's layout and first frame wait for); "all" is
// decode → the last message of the open. Then the shape inference alone on the 22k model with and without
// value_info. Figures are medians; warm (the same process opens the model again and again: JIT-compiled, file
// in the page cache), so they are the work itself, not a cold first open of a session.
//
// usage: node --expose-gc bench/viewer-host-open.mjs [--before=REV,REV] [--runs=N] [--quick]
// Models: bench/models/ (git-ignored), made by `/usr/bin/python3 bench/onnx_models.py bench/models deep open valueinfo`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, bundleCore, treeAt } from './lib/core.mjs';

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const RUNS = Number(option('runs') ?? (quick ? 3 : 7));
const revisions = (option('before') ?? '5e78410,e430d90').split(',').filter(Boolean);
const MODEL_DIR = join(ROOT, 'bench/models');
const MODELS = ['two-node.onnx', 'transformer-674.onnx', 'transformer-5k.onnx', 'transformer-22k.onnx', 'transformer-22k-value-info.onnx'];
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open', 'valueinfo'], { stdio: 'inherit' });
}

/** The core of a tree as its viewer provider used it: what exists there is bundled. */
async function coreOf(dir) {
  const has = (file, text) => existsSync(join(dir, file)) && readFileSync(join(dir, file), 'utf8').includes(text);
  const lines = [
    "export { openModel } from './src/core/onnx/decode';",
    "export { checkModel } from './src/core/onnx/check';",
    "export { builtinTarget } from './src/core/onnx/targets';",
    "export { toPackedGraph } from './src/core/onnx/view/compactGraph';",
  ];
  if (has('src/core/onnx/shapes.ts', 'export async function inferShapes')) lines.push("export { inferShapes } from './src/core/onnx/shapes';");
  if (has('src/core/onnx/view/compactGraph.ts', 'export function packMainGraph')) lines.push("export { packMainGraph, packInferredShapes } from './src/core/onnx/view/compactGraph';");
  return bundleCore(lines.join(' '), dir);
}

const trees = revisions.map((rev) => ({ rev, tree: treeAt(rev) }));
const bundles = [{ name: 'now', bundle: await coreOf(ROOT) }];
for (const { rev, tree } of trees) bundles.push({ name: rev, bundle: await coreOf(tree.dir) });
const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x) => x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 1 : 0 });
const gc = () => globalThis.gc?.();

/** One open as that revision's viewer provider does it; times in ms from the decode's start. */
async function open(core, file) {
  gc();
  const profile = core.builtinTarget('ascend310p');
  const t0 = performance.now();
  const model = await core.openModel(file);
  let graph;
  let shapes;
  let inferred = 0;
  if (core.packMainGraph) {
    // now: the graph with its declared types, the check, then the inferred shapes in their own message
    const main = core.packMainGraph(model, labels);
    graph = main.graph;
    const message = performance.now();
    const result = core.checkModel(model, profile);
    const verdicts = performance.now();
    const inference = await core.inferShapes(model);
    shapes = core.packInferredShapes(inference, main.tensorIndex);
    const all = performance.now();
    if (!graph || !result || !shapes) throw new Error('no graph, check result or shapes');
    return { message: message - t0, verdicts: verdicts - t0, all: all - t0, shapes: all - verdicts, inferred: shapes.tensors.length, load: loadavg()[0] };
  }
  const t1 = performance.now();
  if (core.inferShapes) {
    shapes = await core.inferShapes(model);
    inferred = shapes.inferred.size;
  }
  const t2 = performance.now();
  graph = core.toPackedGraph(model, labels, shapes);
  const message = performance.now();
  const result = core.checkModel(model, profile);
  const verdicts = performance.now();
  if (!graph || !result) throw new Error('no graph or check result');
  return { message: message - t0, verdicts: verdicts - t0, all: verdicts - t0, shapes: t2 - t1, inferred, load: loadavg()[0] };
}

try {
  const cores = bundles.map(({ name, bundle }) => ({ name, core: bundle.load() }));
  const subject = (rev) => execFileSync('git', ['log', '-1', '--format=%h %s', rev], { cwd: ROOT, encoding: 'utf8' }).trim().slice(0, 90);
  process.stdout.write(`host side of an open, median of ${RUNS} interleaved runs, warm; now against\n${revisions.map((r) => `  ${subject(r)}\n`).join('')}`);
  const rows = [];
  for (const model of MODELS) {
    const file = join(MODEL_DIR, model);
    for (const { core } of cores) await open(core, file); // warm-up, untimed
    const runs = Object.fromEntries(cores.map(({ name }) => [name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (let k = 0; k < cores.length; k++) {
        const { name, core } = cores[(i + k) % cores.length];
        runs[name].push(await open(core, file));
      }
    }
    const loads = Object.values(runs).flat().map((r) => r.load);
    const row = { model, load: [Math.min(...loads), Math.max(...loads)] };
    for (const { name } of cores) row[name] = Object.fromEntries(['message', 'verdicts', 'all', 'shapes', 'inferred'].map((k) => [k, median(runs[name].map((r) => r[k]))]));
    rows.push(row);
    process.stdout.write(`${model}: graph message ${cores.map(({ name }) => `${name} ${fmt(row[name].message)} ms`).join(', ')}; verdicts ${cores.map(({ name }) => `${name} ${fmt(row[name].verdicts)}`).join(', ')} ms; ` +
      `all ${cores.map(({ name }) => `${name} ${fmt(row[name].all)}`).join(', ')} ms (now: shapes message ${fmt(row.now.shapes)} ms, ${row.now.inferred} tensors); load ${row.load[0].toFixed(1)}–${row.load[1].toFixed(1)}\n`);
  }
  const others = cores.slice(1).map((c) => c.name);
  process.stdout.write(`\n| model | graph message: ${others.map((r) => `${r} | now / ${r}`).join(' | ')} | now | verdicts: ${others.join(' | ')} | now | all messages: ${others.join(' | ')} | now (of it: shapes) | load |\n|${'---|'.repeat(5 + 4 * others.length)}\n`);
  for (const r of rows) {
    process.stdout.write(`| ${r.model} | ${others.map((o) => `${fmt(r[o].message)} ms | **${(r.now.message / r[o].message).toFixed(2)}×**`).join(' | ')} | ${fmt(r.now.message)} ms | ${others.map((o) => `${fmt(r[o].verdicts)} ms`).join(' | ')} | ${fmt(r.now.verdicts)} ms | ` +
      `${others.map((o) => `${fmt(r[o].all)} ms`).join(' | ')} | ${fmt(r.now.all)} ms (${fmt(r.now.shapes)} ms, ${r.now.inferred} tensors) | ${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)} |\n`);
  }

  // shape inference alone: the 22k model without value_info (every value inferred) and with it (all declared)
  const A = cores[0].core;
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
  for (const { bundle } of bundles) bundle.dispose();
  for (const { tree } of trees) tree.dispose();
}
