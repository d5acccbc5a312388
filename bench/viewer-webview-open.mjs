// The webview's part of opening a model in the ONNX viewer, in Node, now against the code at --before (default
// 5e78410, the commit before issue 17), both bundled into this process and run interleaved (the order alternating
// every round), on the models bench/viewer-open.mjs opens. What each revision's webview runs between the graph
// message and its first frame, apart from drawing (webview/main.ts, webview/layout.worker.ts):
//   UI thread: unpack the packed graph (unpackGraph); now also foldConstants + viewerModuleTree (the module tree
//              of what is drawn), before buildModuleTree on every node
//   worker:    unpack again, the layout engine (now: folding, the viewer's tree and the engine; before: the engine on
//              the plain tree) and the opening view's layout (default-expanded modules)
// The packed graph is made once per model by each revision's own host code (toPackedGraph / packMainGraph).
// Medians of --runs, warm (JIT-compiled): the work itself, not the webview's cold start.
//
// usage: node --expose-gc bench/viewer-webview-open.mjs [--before=REV] [--runs=N] [--models=a.onnx,b.onnx]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, bundleCore, treeAt } from './lib/core.mjs';

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(option('runs') ?? 9);
const before = option('before') ?? '5e78410';
const MODEL_DIR = join(ROOT, 'bench/models');
const MODELS = (option('models') ?? 'transformer-674.onnx,transformer-5k.onnx,transformer-22k.onnx').split(',');
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open'], { stdio: 'inherit' });
}

async function coreOf(dir) {
  const has = (file, text) => existsSync(join(dir, file)) && readFileSync(join(dir, file), 'utf8').includes(text);
  const lines = [
    "export { openModel } from './src/core/onnx/decode';",
    "export { toPackedGraph } from './src/core/onnx/view/compactGraph';",
    "export { unpackGraph } from './src/shared/packedGraph';",
    "export { GraphLayoutEngine } from './src/shared/layout/graphLayout';",
    "export { buildModuleTree, defaultExpanded } from './src/shared/layout/modules';",
  ];
  if (has('src/core/onnx/view/compactGraph.ts', 'export function packMainGraph')) lines.push("export { packMainGraph } from './src/core/onnx/view/compactGraph';");
  if (has('src/shared/layout/fold.ts', 'export function foldConstants')) lines.push("export { foldConstants, viewerModuleTree } from './src/shared/layout/fold';");
  return bundleCore(lines.join(' '), dir);
}

const old = treeAt(before);
const variants = [{ name: 'now', bundle: await coreOf(ROOT) }, { name: before, bundle: await coreOf(old.dir) }];
const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const gc = () => globalThis.gc?.();

/** One open's webview work; ms per step. */
function open(core, packed) {
  gc();
  const t0 = performance.now();
  const graph = core.unpackGraph(packed);
  const t1 = performance.now();
  let tree;
  if (core.foldConstants) tree = core.viewerModuleTree(graph, core.foldConstants(graph));
  else tree = core.buildModuleTree(graph.nodes.map((n) => n.name));
  const t2 = performance.now();
  // the worker: its own unpack, the engine, the opening view
  const wg = core.unpackGraph(packed);
  let engine;
  if (core.foldConstants) {
    const fold = core.foldConstants(wg);
    engine = new core.GraphLayoutEngine(wg, core.viewerModuleTree(wg, fold), { fold });
  } else engine = new core.GraphLayoutEngine(wg);
  const t3 = performance.now();
  const opening = core.defaultExpanded(engine.tree);
  opening.add(0);
  const layout = engine.layout([...opening]);
  const t4 = performance.now();
  if (!tree || !layout.items.length) throw new Error('no tree or layout');
  return { unpack: t1 - t0, tree: t2 - t1, ui: t2 - t0, prepare: t3 - t2, layout: t4 - t3, worker: t4 - t2, items: layout.items.length };
}

process.stdout.write(`webview open path, now against ${before}, median of ${RUNS}, load ${loadavg()[0].toFixed(1)}\n\n`);
process.stdout.write(`| model | variant | UI: unpack | UI: module tree (+ folding) | worker: unpack + engine | worker: opening layout | items | UI thread / worker total | now / ${before}: UI, worker |\n|---|---|---|---|---|---|---|---|---|\n`);
for (const model of MODELS) {
  const packedOf = new Map();
  for (const { name, bundle } of variants) {
    const core = bundle.load();
    const decoded = await core.openModel(join(MODEL_DIR, model));
    packedOf.set(name, core.packMainGraph ? core.packMainGraph(decoded, labels).graph : core.toPackedGraph(decoded, labels));
  }
  const runs = new Map(variants.map(({ name }) => [name, []]));
  for (let r = 0; r < RUNS + 1; r++) {
    for (const { name, bundle } of r % 2 ? [...variants].reverse() : variants) {
      const result = open(bundle.load(), packedOf.get(name));
      if (r > 0) runs.get(name).push(result); // the first round warms up
    }
  }
  const m = (name, key) => median(runs.get(name).map((x) => x[key]));
  for (const { name } of variants) {
    const f = (key) => `${m(name, key).toFixed(1)} ms`;
    const ratio = name === 'now' ? `${(m('now', 'ui') / m(before, 'ui')).toFixed(2)}×, ${(m('now', 'worker') / m(before, 'worker')).toFixed(2)}×` : '';
    process.stdout.write(`| ${model} | ${name} | ${f('unpack')} | ${f('tree')} | ${f('prepare')} | ${f('layout')} | ${m(name, 'items')} | ${f('ui')} / ${f('worker')} | ${ratio} |\n`);
  }
}
process.stdout.write(`\nload ${loadavg()[0].toFixed(1)}\n`);
for (const { bundle } of variants) bundle.dispose();
old.dispose();
