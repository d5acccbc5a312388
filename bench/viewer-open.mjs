// Open → interactive in the real VS Code (code-server + Chromium, the e2e harness): the ONNX viewer opens a
// two-node model (the baseline: the webview's own start-up and the extension's fixed costs) and chained
// transformer exports of about 674, 5,000 and 22,000 nodes, interleaved, in the same run. Each open starts
// from a closed editor (a fresh webview). Time = from Quick Open's Enter to the viewer's first drawn frame
// (window.__npuViewer.state 'ready'), wall clock in the test driver; the webview's own milestones are
// printed beside it. The first round is reported apart (a cold webview process); the median of the others
// is the figure.
//
// usage: npm run build && npx tsc -p . && node bench/viewer-open.mjs [--rounds=4]
// Models: bench/models/ (git-ignored), made by `/usr/bin/python3 bench/onnx_models.py bench/models deep open`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { launchChromium } = require(join(ROOT, 'out/test/harness/browser.js'));
const { startCodeServer, workbenchUrl } = require(join(ROOT, 'out/test/harness/codeServer.js'));
const { openFile, runCommand, waitForWorkbench } = require(join(ROOT, 'out/test/e2e/workbench.js'));

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 4);
const MODELS = ['two-node.onnx', 'transformer-674.onnx', 'transformer-5k.onnx', 'transformer-22k.onnx'];
const MODEL_DIR = join(ROOT, 'bench/models');
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open'], { stdio: 'inherit' });
}

const workspace = mkdtempSync(join(tmpdir(), 'npu-port-bench-open-'));
for (const m of MODELS) copyFileSync(join(MODEL_DIR, m), join(workspace, m));
const server = await startCodeServer({});
const browser = await launchChromium();
const results = new Map(MODELS.map((m) => [m, []]));
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: ROOT }));
  await waitForWorkbench(page);
  for (let round = 0; round < ROUNDS; round++) {
    // rotate the order so no model always follows the same one
    const order = MODELS.map((_, i) => MODELS[(i + round) % MODELS.length]);
    for (const model of order) {
      await openFile(page, model);
      const started = Date.now();
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      let stats = {};
      for (const deadline = Date.now() + 180_000; Date.now() < deadline; await page.waitForTimeout(25)) {
        stats = await frame.locator('body').evaluate(() => globalThis.__npuViewer ?? {}, undefined, { timeout: 180_000 }).catch(() => ({}));
        if (stats.state === 'ready' && stats.nodes !== undefined) break;
      }
      const ms = Date.now() - started;
      if (stats.state !== 'ready') throw new Error(`${model} did not open: ${JSON.stringify(stats)}`);
      results.get(model).push({ ms, round, nodes: stats.nodes, graphReceived: stats.graphReceivedMs, laidOut: stats.layoutDoneMs, firstFrame: stats.firstInteractiveMs, host: stats.hostMs });
      process.stdout.write(`round ${round + 1} ${model}: ${ms} ms (webview: graph received ${Math.round(stats.graphReceivedMs)} ms, laid out ${Math.round(stats.layoutDoneMs)} ms, first frame ${Math.round(stats.firstInteractiveMs)} ms; host ready → graph ${stats.hostMs} ms)\n`);
      await runCommand(page, 'View: Close All Editors');
      await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const base = median(results.get(MODELS[0]).filter((r) => r.round > 0).map((r) => r.ms));
process.stdout.write('\nmodel | nodes | first open (cold) | open → interactive, median of later rounds | / two-node | webview: graph received, first frame (median)\n');
for (const [model, runs] of results) {
  const warm = runs.filter((r) => r.round > 0);
  const m = median(warm.map((r) => r.ms));
  process.stdout.write(`${model} | ${runs[0].nodes} | ${runs.find((r) => r.round === 0)?.ms} ms | ${m} ms | ${(m / base).toFixed(2)}× | ${Math.round(median(warm.map((r) => r.graphReceived)))} ms, ${Math.round(median(warm.map((r) => r.firstFrame)))} ms\n`);
}
