// Layout benchmark: the viewer's layered layout now, the same code as it was before issue 17 (the straight
// main flow and folded constants), @dagrejs/dagre (Netron's engine) and elkjs (layered), on the same graphs
// in the same run, with edge crossings counted the same way for all (geometric intersections of the drawn
// edge polylines, src/shared/layout/crossings.ts) and the main flow's sideways spread measured the same way
// (test/shared/mainFlow.ts).
//
// Graphs: the real torch exports the viewer-open benchmark opens (bench/models/transformer-674.onnx,
// -5k, -22k: one transformer block exported by torch, chained; made by `bench/onnx_models.py ... deep open`
// when missing), decoded with the ONNX core and converted exactly as the viewer does.
// Ours, now and before, are laid out in this process, interleaved (A B A B, each round starting with the
// next one, so load changes hit both); the figure is the median. dagre and elkjs run once per graph, each in
// its own child process (dagre needs a bigger stack; peak RSS is per engine) with a time cap: a run killed
// at the cap is reported as "did not finish in N min", which is a measurement too.
//
// usage: node bench/layout-vs-dagre-elk.mjs [--quick] [--before=REV|none] [--runs=N] [--cap-min=M] [--baselines=all] [--extra]
//   --before=REV: our layout code at git revision REV (src/shared/layout/ from `git show`, bundled) is the
//            baseline; default 5e78410, the commit before issue 17's layout and folding landed.
//   --quick: 3 runs each, dagre and elkjs on the 674-node model only (everyday `npm run bench`);
//   --runs=N: runs of ours per variant (default 7 for flat and opening view, 5 fully expanded);
//   --cap-min=M: time cap of one dagre/elkjs run (default 10 min);
//   --baselines=all: dagre and elkjs on the 22k model too (by default they are skipped there, with the
//            5k result as the reason, when they did not finish the 5k one within the cap);
//   --extra: the generated graphs too (test/unit/viewer/synthetic.ts: EdgeSAM-like decoder, 32- and
//            136-layer transformers) and bench/models/edgesam_decoder.onnx, big_decoder.onnx when present.
// Rows are also written as JSON to $TMPDIR/npu-port-layout-bench.json.
import * as esbuild from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

async function loadLayoutModule(dir) {
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/layered.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/graphLayout.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/modules.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/flat.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/crossings.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/fold.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'test/shared/mainFlow.ts'))};`,
    `export * from ${JSON.stringify(join(ROOT, 'test/unit/viewer/synthetic.ts'))};`,
    `export { openModel } from ${JSON.stringify(join(ROOT, 'src/core/onnx/decode.ts'))};`,
    `export { toCompactGraph } from ${JSON.stringify(join(ROOT, 'src/core/onnx/view/compactGraph.ts'))};`,
  ].join('\n'));
  const outfile = join(dir, 'layout.mjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  return import(pathToFileURL(outfile).href);
}

/** Our layout engine as it was at git revision `rev`, bundled from `git show` output. */
async function loadLayoutAt(rev, dir) {
  const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const root = join(dir, 'before');
  const files = ['src/shared/graph.ts', ...git('ls-tree', '--name-only', `${rev}:src/shared/layout/`).split('\n').filter((f) => f.endsWith('.ts')).map((f) => `src/shared/layout/${f}`)];
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), git('show', `${rev}:${file}`));
  }
  const entry = join(root, 'entry.ts');
  writeFileSync(entry, ['layered', 'graphLayout', 'modules'].map((f) => `export * from ${JSON.stringify(join(root, `src/shared/layout/${f}.ts`))};`).join('\n'));
  const outfile = join(root, 'layout.mjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  return import(pathToFileURL(outfile).href);
}

// ------------------------------------------------------------------ child: one baseline engine on one graph
if (args[0] === '--child') {
  const [, engine, file, layoutModule] = args;
  const L = await import(pathToFileURL(layoutModule).href);
  const flat = JSON.parse(readFileSync(file, 'utf8'));
  const n = flat.widths.length;
  let edges;
  let x;
  let width;
  const t0 = performance.now();
  if (engine === 'dagre') {
    const dagre = (await import('@dagrejs/dagre')).default;
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, edgesep: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (let i = 0; i < n; i++) g.setNode(String(i), { width: flat.widths[i], height: flat.heights[i] });
    for (const [a, b] of flat.edges) g.setEdge(String(a), String(b));
    dagre.layout(g);
    var ms = performance.now() - t0;
    edges = flat.edges.map(([a, b]) => ({ from: a, to: b, points: g.edge(String(a), String(b)).points.flatMap((p) => [p.x, p.y]) }));
    x = flat.widths.map((_, i) => g.node(String(i)).x);
    width = g.graph().width;
  } else {
    const ELK = (await import('elkjs/lib/elk.bundled.js')).default;
    const elk = new ELK();
    const graph = {
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '36' },
      children: flat.widths.map((w, i) => ({ id: `n${i}`, width: w, height: flat.heights[i] })),
      edges: flat.edges.map(([a, b], i) => ({ id: `e${i}`, sources: [`n${a}`], targets: [`n${b}`] })),
    };
    const out = await elk.layout(graph);
    var ms = performance.now() - t0;
    edges = out.edges.map((e, i) => {
      const s = e.sections?.[0];
      const pts = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].flatMap((p) => [p.x, p.y]) : [];
      return { from: flat.edges[i][0], to: flat.edges[i][1], points: pts };
    });
    x = out.children.map((c) => c.x + c.width / 2);
    width = out.width;
  }
  const crossings = L.countCrossings(edges);
  process.stdout.write(JSON.stringify({ ms, crossings, x, width, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
  process.exit(0);
}

// ------------------------------------------------------------------ parent
const quick = args.includes('--quick');
const allBaselines = args.includes('--baselines=all');
const extra = args.includes('--extra');
const beforeRev = option('before') ?? '5e78410';
const runsOption = option('runs');
const RUNS = runsOption ? Number(runsOption) : quick ? 3 : 7;
const RUNS_ALL = runsOption ? Number(runsOption) : quick ? 3 : 5;
const CAP_MIN = Number(option('cap-min') ?? 10);
const MODEL_DIR = join(ROOT, 'bench/models');
const MODELS = ['transformer-674.onnx', 'transformer-5k.onnx', 'transformer-22k.onnx'];
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open'], { stdio: 'inherit' });
}

const load = () => loadavg()[0];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
/**
 * Runs the functions in turn, round after round, each round starting with the next one (so load changes
 * and the garbage one leaves for the next hit them alike): per function the median time, the last value,
 * and the 1-minute load average seen over its runs (min and max).
 */
function interleaved(runs, fns) {
  const out = fns.map(() => ({ times: [], value: undefined, load: [Infinity, -Infinity] }));
  for (const fn of fns) fn(); // warm-up, untimed: the first graph would otherwise pay the JIT for both
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (i + j) % fns.length;
      const l = load();
      const t = performance.now();
      out[k].value = fns[k]();
      out[k].times.push(performance.now() - t);
      out[k].load = [Math.min(out[k].load[0], l), Math.max(out[k].load[1], l)];
    }
  }
  return out.map((o) => ({ ms: median(o.times), min: Math.min(...o.times), max: Math.max(...o.times), value: o.value, load: o.load }));
}

const dir = mkdtempSync(join(tmpdir(), 'npu-port-layout-bench-'));
const fmt = (x) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 1 : 0 }) : 'n/a');
const fmtLoad = ([a, b]) => (a.toFixed(1) === b.toFixed(1) ? a.toFixed(1) : `${a.toFixed(1)}–${b.toFixed(1)}`);
try {
  const L = await loadLayoutModule(dir);
  const B = beforeRev === 'none' ? undefined : await loadLayoutAt(beforeRev, dir);
  const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
  /** [name, graph (thunk), dagre/elkjs on it?] */
  const graphs = [];
  const baselinesOn = { 'transformer-674.onnx': true, 'transformer-5k.onnx': !quick, 'transformer-22k.onnx': !quick ? 'if-5k-finished' : false };
  for (const file of MODELS) graphs.push([`real torch export ${file}`, async () => L.toCompactGraph(await L.openModel(join(MODEL_DIR, file)), labels), allBaselines && !quick ? true : baselinesOn[file]]);
  if (extra) {
    graphs.push(['generated EdgeSAM-like decoder', async () => L.edgeSamDecoderGraph(), !quick]);
    graphs.push(['generated transformer, 32 layers', async () => L.transformerGraph(32), allBaselines]);
    graphs.push(['generated transformer, 136 layers', async () => L.transformerGraph(136), allBaselines]);
    for (const file of ['edgesam_decoder.onnx', 'big_decoder.onnx']) {
      if (existsSync(join(MODEL_DIR, file))) graphs.push([`real torch export ${file}`, async () => L.toCompactGraph(await L.openModel(join(MODEL_DIR, file)), labels), allBaselines]);
      else process.stderr.write(`[layout] bench/models/${file} not there (made by bench/onnx-decode.mjs and bench/transform-extract-rewrite.mjs): skipped\n`);
    }
  }
  process.stdout.write(`ours now: this tree; before: ${B ? `${beforeRev} (${execFileSync('git', ['log', '-1', '--format=%h %s', beforeRev], { cwd: ROOT, encoding: 'utf8' }).trim().slice(0, 90)})` : 'not run'}\n` +
    `median of ${RUNS} interleaved runs (fully expanded: ${RUNS_ALL}); dagre/elkjs one run each, capped at ${CAP_MIN} min; load = 1-minute load average over the runs\n`);

  const rows = [];
  const unfinished = {}; // engine → reason, from the 5k model
  for (const [name, makeGraph, baselineRule] of graphs) {
    const graph = await makeGraph();
    const flat = L.flatLayoutInput(graph);
    const shape = L.shapeComputations(graph);
    // flat items are the drawn nodes in node order, then inputs and outputs (flat.ts)
    const flatShape = new Uint8Array(flat.widths.length);
    { let k = 0; const fold = L.foldConstants(graph); graph.nodes.forEach((_, i) => { if (fold[i] < 0) flatShape[k++] = shape[i]; }); }
    const flatSpread = (x) => L.mainFlowSpread(Array.from(x, (c, i) => ({ x: c - flat.widths[i] / 2, w: flat.widths[i] })), flat.edges.map(([from, to]) => ({ from, to })), (i) => flatShape[i] === 1).spread;
    const spread = (layout) => L.mainFlowSpread(layout.items, layout.edges, (i) => layout.items[i].kind === 'node' && shape[layout.items[i].index] === 1).spread;
    const flatCrossings = (result) => L.countCrossings(flat.edges.map(([a, b], i) => ({ from: a, to: b, points: result.routes[i] })));
    const unfolded = { fold: L.noFolding(graph) };
    const tree = L.viewerModuleTree(graph);
    // opening view = what the webview's worker does on open: build the engine, lay out the default expansion
    const openOf = (E, options) => () => { const e = new E.GraphLayoutEngine(graph, ...options); return e.layout((E.defaultExpanded ?? L.defaultExpanded)(e.tree)); };
    const allOf = (E, options) => () => { const e = new E.GraphLayoutEngine(graph, ...options); return e.layout(e.tree.modules.map((_, i) => i)); };
    // the opening view of the code before, with the modules expanded that open now (by path): the same view
    // for both codes when the default expansion differs (folding changes how many items a level shows)
    const nowOpen = (() => { const e = new L.GraphLayoutEngine(graph); const open = L.defaultExpanded(e.tree); return new Set([...open].map((m) => e.tree.modules[m].path)); })();
    const sameOf = (E, options) => () => { const e = new E.GraphLayoutEngine(graph, ...options); return e.layout(e.tree.modules.flatMap((m, i) => (nowOpen.has(m.path) ? [i] : []))); };
    // variants: now (folded, the default view), before, now with constants drawn (the toggle: the same nodes as before)
    const flats = interleaved(RUNS, [() => L.layeredLayout(flat), ...(B ? [() => B.layeredLayout(flat)] : [])]);
    const opens = interleaved(RUNS, [openOf(L, []), ...(B ? [openOf(B, []), openOf(L, [tree, unfolded])] : [])]);
    const alls = interleaved(RUNS_ALL, [allOf(L, []), ...(B ? [allOf(B, []), allOf(L, [tree, unfolded])] : [])]);
    const sames = B ? interleaved(RUNS, [sameOf(L, []), sameOf(B, [])]) : undefined;
    const measure = (f, o, a, same) => ({
      flat: f && { ms: f.ms, load: f.load, crossings: flatCrossings(f.value), width: Math.round(f.value.width), spread: flatSpread(f.value.x) },
      open: { ms: o.ms, load: o.load, items: o.value.items.length, crossings: L.countCrossings(o.value.edges), width: Math.round(o.value.width), spread: spread(o.value) },
      all: { ms: a.ms, load: a.load, items: a.value.items.length, crossings: L.countCrossings(a.value.edges), width: Math.round(a.value.width), spread: spread(a.value) },
      same: same && { ms: same.ms, load: same.load, items: same.value.items.length, crossings: L.countCrossings(same.value.edges), width: Math.round(same.value.width), spread: spread(same.value) },
    });
    const row = { graph: name, nodes: graph.nodes.length, flatItems: flat.widths.length, flatEdges: flat.edges.length, now: measure(flats[0], opens[0], alls[0], sames?.[0]) };
    if (B) {
      row.before = measure(flats[1], opens[1], alls[1], sames[1]);
      row.drawn = measure(undefined, opens[2], alls[2]);
    }
    // dagre and elkjs: the same flat input (constants folded), each in its own process, capped
    if (baselineRule) {
      const file = join(dir, `graph-${rows.length}.json`);
      writeFileSync(file, JSON.stringify({ widths: Array.from(flat.widths), heights: Array.from(flat.heights), edges: flat.edges }));
      for (const engineName of ['dagre', 'elkjs']) {
        if (baselineRule === 'if-5k-finished' && unfinished[engineName]) {
          row[engineName] = { skipped: `not run: ${unfinished[engineName]}` };
          continue;
        }
        process.stderr.write(`[layout] ${engineName} on ${name} (${flat.widths.length} items), cap ${CAP_MIN} min ...\n`);
        const l0 = load();
        const child = spawnSync(process.execPath, ['--stack-size=65500', '--max-old-space-size=16000', SELF, '--child', engineName === 'dagre' ? 'dagre' : 'elk', file, join(dir, 'layout.mjs')],
          { encoding: 'utf8', timeout: CAP_MIN * 60_000, killSignal: 'SIGKILL', maxBuffer: 1 << 28 });
        const l1 = load();
        if (child.status === 0) {
          const r = JSON.parse(child.stdout.trim().split('\n').at(-1));
          row[engineName] = { ms: r.ms, crossings: r.crossings, width: Math.round(r.width), spread: flatSpread(r.x), maxRssMB: r.maxRssMB, load: [Math.min(l0, l1), Math.max(l0, l1)] };
        } else if (child.error?.code === 'ETIMEDOUT' || child.signal === 'SIGKILL') {
          row[engineName] = { dnf: `did not finish in ${CAP_MIN} min`, load: [Math.min(l0, l1), Math.max(l0, l1)] };
          if (name.includes('5k')) unfinished[engineName] = `did not finish the 5k model in ${CAP_MIN} min`;
        } else {
          row[engineName] = { error: child.error?.message ?? child.stderr.slice(-300) };
        }
      }
    } else {
      for (const engineName of ['dagre', 'elkjs']) row[engineName] = { skipped: quick ? 'not run (--quick)' : 'not run (--baselines=all runs it)' };
    }
    rows.push(row);
    printRow(row);
  }
  writeFileSync(join(tmpdir(), 'npu-port-layout-bench.json'), JSON.stringify(rows, null, 2));
  printTable(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function printRow(row) {
  const ratio = (a, b) => (a && b ? ` (${(a / b).toFixed(2)}× before)` : '');
  const one = (label, m, base) => `  ${label}: ${fmt(m.ms)} ms${ratio(m.ms, base?.ms)}, ${m.crossings} crossings, width ${fmt(m.width)}, main-flow spread ${fmt(m.spread)} px${m.items ? `, ${m.items} items` : ''}, load ${fmtLoad(m.load)}`;
  const lines = [`${row.graph}: ${row.nodes} nodes, ${row.flatItems} items drawn flat (constants folded), ${row.flatEdges} edges`];
  for (const [view, label] of [['flat', 'flat (one level, same input for every engine)'], ['open', 'opening view (engine built + default expansion)'], ['same', 'opening view of now, both codes (the modules expanded now, by path)'], ['all', 'all modules expanded']]) {
    if (!row.now[view]) continue;
    lines.push(` ${label}`);
    lines.push(one('ours now   ', row.now[view], row.before?.[view]));
    if (row.before) lines.push(one('ours before', row.before[view]));
    if (row.drawn?.[view]) lines.push(one('now, constants drawn', row.drawn[view], row.before[view]));
    if (view === 'flat') {
      for (const engineName of ['dagre', 'elkjs']) {
        const b = row[engineName];
        if (!b) continue;
        if (b.ms !== undefined) lines.push(`  ${engineName}: ${fmt(b.ms)} ms (${(b.ms / row.now.flat.ms).toFixed(0)}× ours now), ${b.crossings} crossings, width ${fmt(b.width)}, main-flow spread ${fmt(b.spread)} px, ${b.maxRssMB} MB peak RSS, load ${fmtLoad(b.load)}`);
        else lines.push(`  ${engineName}: ${b.dnf ?? b.skipped ?? `failed (${b.error.trim().split('\n').at(-1)})`}${b.load ? `, load ${fmtLoad(b.load)}` : ''}`);
      }
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function printTable(rows) {
  const cell = (m, base) => `${fmt(m.ms)} ms${base ? ` (**${(m.ms / base.ms).toFixed(2)}×**)` : ''}, ${fmt(m.crossings)} cr., w ${fmt(m.width)}, spread ${fmt(m.spread)}, load ${fmtLoad(m.load)}`;
  const baseline = (b, flatNow) => (!b ? '' : b.ms !== undefined ? `${fmt(b.ms)} ms (${(b.ms / flatNow.ms).toFixed(0)}×), ${fmt(b.crossings)} cr., w ${fmt(b.width)}, spread ${fmt(b.spread)}, ${b.maxRssMB} MB, load ${fmtLoad(b.load)}` : (b.dnf ?? b.skipped ?? 'failed') + (b.load ? `, load ${fmtLoad(b.load)}` : ''));
  process.stdout.write('\n| graph | view | ours before | ours now (× before) | dagre (× ours now) | elkjs (× ours now) |\n|---|---|---|---|---|---|\n');
  for (const row of rows) {
    for (const view of ['flat', 'open', 'same', 'all']) {
      if (!row.now[view]) continue;
      process.stdout.write(`| ${row.graph.replace('real torch export ', '')} (${row.nodes}) | ${view} | ${row.before ? cell(row.before[view]) : ''} | ${cell(row.now[view], row.before?.[view])} | ${view === 'flat' ? baseline(row.dagre, row.now.flat) : ''} | ${view === 'flat' ? baseline(row.elkjs, row.now.flat) : ''} |\n`);
    }
  }
}
