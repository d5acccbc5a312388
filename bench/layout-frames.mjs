// Viewer frame bench: the real webview bundle (dist/webview/viewer.js + layout worker) in Debian's
// Chromium (playwright-core), fed a generated graph through a stand-in for the VS Code webview API,
// under the same CSP as the real webview. Measures, for the 22,195-node transformer:
//   - time from page start to the first interactive frame (graph received, laid out in the worker, drawn);
//   - draw time per frame and requestAnimationFrame intervals while panning, collapsed overview and
//     with every module expanded (the worst case: 22,195 nodes on the canvas);
//   - JS heap of the page.
// Baseline in the same run: the same pan drawn as one DOM/SVG element per node and edge (what a
// DOM-based viewer does), to show why the viewer draws on a canvas.
// usage: node bench/layout-frames.mjs [--layers=136] [--graph=transformer|edgesam] [--theme=dark|light] [--screenshot=DIR]
import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const layers = Number(arg('layers', '136'));
const screenshotDir = arg('screenshot', undefined);
const graphKind = arg('graph', 'transformer');
const themeKind = arg('theme', 'dark');

if (!existsSync(join(ROOT, 'dist/webview/viewer.js'))) spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'npu-port-frames-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, [
  `export * from ${JSON.stringify(join(ROOT, 'test/unit/viewer/synthetic.ts'))};`,
  `export * from ${JSON.stringify(join(ROOT, 'src/shared/layout/graphLayout.ts'))};`,
  `export * from ${JSON.stringify(join(ROOT, 'src/shared/packedGraph.ts'))};`,
].join('\n'));
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'synthetic.mjs'), logLevel: 'warning' });
const { transformerGraph, edgeSamDecoderGraph, GraphLayoutEngine, packGraph, PACKED_GRAPH_COLUMNS } = await import(pathToFileURL(join(dir, 'synthetic.mjs')).href);
const graph = graphKind === 'edgesam' ? edgeSamDecoderGraph() : transformerGraph(layers);
// the graph message as the extension sends it: packed columns (binary) plus a small JSON part, the
// way VS Code carries a webview message's ArrayBuffers next to its JSON
const packed = packGraph(graph);
const columns = [];
let binaryLength = 0;
for (const key of PACKED_GRAPH_COLUMNS) {
  const column = packed[key];
  binaryLength = Math.ceil(binaryLength / 8) * 8;
  columns.push({ key, type: column.constructor.name, byteOffset: binaryLength, length: column.length });
  binaryLength += column.byteLength;
}
const graphBinary = Buffer.alloc(binaryLength);
for (const c of columns) Buffer.from(packed[c.key].buffer, packed[c.key].byteOffset, packed[c.key].byteLength).copy(graphBinary, c.byteOffset);
const verdicts = graph.nodes.flatMap((n, i) => n.op === 'Erf' ? [{ node: i, name: n.name, status: 'unsupported', reasons: [{ code: 'op-unsupported', message: 'Erf is not in the profile' }], hint: 'use tanh GELU', source: 'bench' }]
  : n.op === 'Gather' ? [{ node: i, name: n.name, status: 'unverified', reasons: [{ code: 'dtype', message: 'int64 indices' }], source: 'bench' }] : []);
const graphJson = JSON.stringify({ version: packed.version, name: packed.name, totalNodes: packed.totalNodes, columns, verdicts });
// geometry of the fully expanded view, for the DOM baseline (same layout the viewer draws)
const expandedGeometry = (() => {
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  return {
    items: layout.items.map((i) => [i.x, i.y, i.w, i.h]),
    edges: layout.edges.map((e) => { let d = `M${e.points[0]} ${e.points[1]}`; for (let i = 2; i < e.points.length; i += 2) d += ` L${e.points[i]} ${e.points[i + 1]}`; return d; }),
  };
})();

const nonce = randomBytes(16).toString('base64');
const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data: blob:; connect-src 'self'; worker-src blob:`;
// dark theme variables as VS Code sets them (a subset)
const lightVars = `--vscode-editor-background:#ffffff;--vscode-editor-foreground:#3b3b3b;--vscode-foreground:#3b3b3b;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editorWidget-background:#f8f8f8;--vscode-editorWidget-border:#c8c8c8;--vscode-descriptionForeground:#717171;--vscode-focusBorder:#005fb8;--vscode-errorForeground:#e51400;--vscode-inputValidation-errorBackground:#f2dede;--vscode-editorWarning-foreground:#bf8803;--vscode-inputValidation-warningBackground:#f6f5d2;--vscode-charts-blue:#1a85ff;--vscode-charts-purple:#652d90;--vscode-charts-green:#388a34;--vscode-charts-orange:#d18616;--vscode-charts-red:#e51400;--vscode-charts-yellow:#bf8803;--vscode-editorLineNumber-foreground:#6e7681;--vscode-sideBar-background:#f8f8f8;--vscode-badge-background:#c4c4c4`;
const darkVars = `--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#d4d4d4;--vscode-foreground:#cccccc;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editorWidget-background:#252526;--vscode-descriptionForeground:#9d9d9d;--vscode-focusBorder:#007fd4;--vscode-errorForeground:#f48771;--vscode-editorWarning-foreground:#cca700;--vscode-charts-blue:#3794ff;--vscode-charts-purple:#b180d7;--vscode-charts-green:#89d185;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-yellow:#cca700`;
const stub = `
window.__sent = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage(m) {
    window.__sent.push(m);
    if (m.type === 'ready') {
      window.postMessage({ type: 'init', fileName: 'transformer.onnx' }, '*');
      Promise.all([fetch('/graph.json').then((r) => r.json()), fetch('/graph.bin').then((r) => r.arrayBuffer())]).then(([head, binary]) => {
        const graph = { version: head.version, name: head.name, totalNodes: head.totalNodes };
        for (const c of head.columns) graph[c.key] = new globalThis[c.type](binary.slice(c.byteOffset, c.byteOffset + c.length * globalThis[c.type].BYTES_PER_ELEMENT));
        window.postMessage({ type: 'graph', graph, targets: [{ id: 'bench', label: 'Bench' }], target: 'bench', verdicts: head.verdicts, warnings: [] }, '*');
      });
    }
  },
  getState() { return window.__state; },
  setState(s) { window.__state = s; },
});`;
const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<script nonce="${nonce}">${stub}</script><style nonce="${nonce}">html { ${themeKind === 'light' ? lightVars : darkVars} }</style></head>
<body class="vscode-${themeKind}" data-worker-url="/layout.worker.js"><div id="app"></div>
<script nonce="${nonce}" src="/viewer.js"></script></body></html>`;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const send = (type, body) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
  if (url === '/') return send('text/html', html);
  if (url === '/graph.json') return send('application/json', graphJson);
  if (url === '/graph.bin') return send('application/octet-stream', graphBinary);
  if (url === '/viewer.js' || url === '/layout.worker.js') return send('text/javascript', readFileSync(join(ROOT, 'dist/webview', url.slice(1))));
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const pct = (values, p) => { const s = [...values].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base);
  await page.waitForFunction(() => window.__npuViewer?.state === 'ready', undefined, { timeout: 120_000 });
  const first = await page.evaluate(() => ({ ...window.__npuViewer, frameTimes: undefined }));
  const pan = async (label) => {
    await page.evaluate(() => { window.__npuViewer.frameTimes.length = 0; window.__raf = []; let last = performance.now(); const tick = (t) => { window.__raf.push(t - last); last = t; if (window.__raf.length < 400) requestAnimationFrame(tick); }; requestAnimationFrame(tick); });
    const box = await page.locator('canvas.graph').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 120; i++) await page.mouse.move(box.x + box.width / 2 + Math.sin(i / 10) * 300, box.y + box.height / 2 + i * 3);
    await page.mouse.up();
    // zoom out and in with the wheel (Ctrl = zoom)
    await page.keyboard.down('Control');
    for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 15 ? 120 : -120);
    await page.keyboard.up('Control');
    const r = await page.evaluate(() => ({ draw: [...window.__npuViewer.frameTimes], raf: window.__raf.slice(1) }));
    return { label, frames: r.draw.length, drawP50: pct(r.draw, 0.5), drawP95: pct(r.draw, 0.95), drawMax: Math.max(...r.draw), rafP95: pct(r.raf, 0.95) };
  };
  if (screenshotDir) {
    // a readable close-up: select the first unsupported node through search, which centres it at zoom ≥ 0.8
    await page.locator('vscode-textfield').click();
    await page.keyboard.type(graphKind === 'edgesam' ? 'Erf' : 'Softmax');
    await page.locator('#search-results li').first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(screenshotDir, `viewer-${graphKind}-${themeKind}.png`) });
  }
  const overview = await pan('overview (collapsed layers)');
  const expandStart = Date.now();
  // on the toolbar row when it fits, else in the More actions (⋯) menu
  const expandAll = page.locator('.toolbar vscode-button', { hasText: 'Expand all' });
  if (await expandAll.isVisible()) await expandAll.click();
  else {
    await page.locator('.toolbar vscode-button.more').click();
    await page.locator('.toolbar-menu [role=menuitem]', { hasText: 'Expand all' }).click();
  }
  await page.waitForFunction((n) => (window.__npuViewer?.items ?? 0) > n, graph.nodes.length);
  const expandMs = Date.now() - expandStart;
  const afterExpand = await page.evaluate(() => ({ layoutMs: window.__npuViewer.layoutMs, items: window.__npuViewer.items }));
  const expanded = await pan('all modules expanded');
  if (screenshotDir) await page.screenshot({ path: join(screenshotDir, `viewer-${graphKind}-${themeKind}-expanded.png`) });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const metrics = (await cdp.send('Performance.getMetrics').catch(async () => { await cdp.send('Performance.enable'); return cdp.send('Performance.getMetrics'); })).metrics;
  await cdp.send('Performance.enable');
  const heap = (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;

  // baseline: one SVG element per node and edge, panned by a transform (what DOM renderers do)
  const dom = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await dom.setContent('<svg id="s" width="1400" height="900"><g id="g"></g></svg>');
  const domResult = await dom.evaluate(async ({ items, edges }) => {
    const ns = 'http://www.w3.org/2000/svg';
    const g = document.getElementById('g');
    const t0 = performance.now();
    for (const [x, y, w, h] of items) { const r = document.createElementNS(ns, 'rect'); r.setAttribute('x', x); r.setAttribute('y', y); r.setAttribute('width', w); r.setAttribute('height', h); r.setAttribute('fill', '#333'); g.appendChild(r); const t = document.createElementNS(ns, 'text'); t.setAttribute('x', x + 4); t.setAttribute('y', y + 16); t.textContent = 'Op'; g.appendChild(t); }
    for (const d of edges) { const p = document.createElementNS(ns, 'path'); p.setAttribute('d', d); p.setAttribute('stroke', '#888'); p.setAttribute('fill', 'none'); g.appendChild(p); }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const build = performance.now() - t0;
    const frames = [];
    let last = performance.now();
    for (let i = 0; i < 60; i++) {
      g.setAttribute('transform', `translate(${-i * 5}, ${-i * 40}) scale(0.6)`);
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    frames.sort((a, b) => a - b);
    return { build, p95: frames[Math.floor(0.95 * frames.length)] };
  }, expandedGeometry);
  const out = {
    nodes: graph.nodes.length,
    firstInteractiveMs: first.firstInteractiveMs, graphReceivedMs: first.graphReceivedMs, unpackMs: first.unpackMs, workerPrepareMs: first.workerPrepareMs, layoutDoneMs: first.layoutDoneMs, layoutMs: first.layoutMs, layoutInWorker: first.layoutInWorker, itemsAtOpen: first.items,
    unsupported: first.unsupported, unverified: first.unverified,
    expandAllMs: expandMs, expandLayoutMs: afterExpand.layoutMs, itemsExpanded: afterExpand.items,
    overview, expanded, heapMB: heap ? Math.round(heap / 1e6) : undefined,
    domBaseline: domResult, errors,
  };
  const f = (v) => (typeof v === 'number' ? v.toFixed(1) : String(v));
  process.stdout.write(`viewer, ${out.nodes}-node transformer in Chromium: first interactive frame ${f(out.firstInteractiveMs)} ms (graph received ${f(out.graphReceivedMs)} ms, unpacked in ${f(out.unpackMs)} ms (worker: ${f(out.workerPrepareMs)} ms + layout), laid out ${f(out.layoutDoneMs)} ms; layout ${f(out.layoutMs)} ms in ${out.layoutInWorker ? 'worker' : 'UI thread'}, ${out.itemsAtOpen} items), ` +
    `pan/zoom overview draw p95 ${f(overview.drawP95)} ms (rAF p95 ${f(overview.rafP95)} ms); expand all ${f(out.expandAllMs)} ms (layout ${f(out.expandLayoutMs)} ms, ${out.itemsExpanded} items), ` +
    `pan/zoom expanded draw p95 ${f(expanded.drawP95)} ms max ${f(expanded.drawMax)} ms (rAF p95 ${f(expanded.rafP95)} ms); JS heap ${out.heapMB} MB` +
    (domResult.build ? ` | DOM/SVG baseline, same geometry: build ${f(domResult.build)} ms, pan frame p95 ${f(domResult.p95)} ms: canvas draw p95 is ${f(domResult.p95 / expanded.drawP95)}× lower` : '') + '\n');
  if (errors.length) process.stdout.write(`page errors: ${errors.join(' | ')}\n`);
  writeFileSync(join(tmpdir(), 'npu-port-frames-bench.json'), JSON.stringify(out, null, 2));
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
