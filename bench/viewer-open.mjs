// Open → interactive in the real VS Code (code-server + Chromium, the e2e harness): the ONNX viewer opens a
// two-node model (the baseline: the webview's own start-up and the extension's fixed costs) and chained
// transformer exports of about 674, 5,000 and 22,000 nodes, interleaved, in the same run. Each open starts
// from a closed editor (a fresh webview): editors are closed with the mouse (the tabs' close buttons; keys typed
// after an open can land in the webview, which VS Code focuses again late), Quick Open is typed in the empty editor
// group, its Enter pressed once the focused row is the model (before its name has filtered the list, the row focused is
// the last file opened: that, not lost keys, had earlier runs leave many opens out), and an Enter that opened no
// editor of the model is typed again (counted; the time is taken from the Enter that opened it). Time = from Quick Open's Enter to the viewer's first drawn frame
// (window.__npuViewer.state 'ready'), wall clock in the test driver; the webview's own milestones are
// printed beside it. First pixels: the first frame with graph content (window.__npuViewer.firstPixelsMs; on a
// large model the top of the network, drawn while the whole layout runs; a build without that mark counts its
// first frame), wall clock and inside the webview (graph received → first pixels). The first round is reported apart (a cold webview process); the median of the others
// is the figure.
// Before/after: the extension as it was at --before=REV (default 5e78410, the commit before issue 17: shape
// inference, folded constants, the straight main flow, open progress) is built from `git archive` into a
// temporary folder and runs in a second window of the same code-server (its own extension host); every model
// is opened in both windows one after the other, the order alternating, so load changes hit both.
//
// usage: npm run build && npx tsc -p . && node bench/viewer-open.mjs [--rounds=4] [--before=REV|none] [--before-first]
// Models: bench/models/ (git-ignored), made by `/usr/bin/python3 bench/onnx_models.py bench/models deep open`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeAt } from './lib/core.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { launchChromium } = require(join(ROOT, 'out/test/harness/browser.js'));
const { startCodeServer, workbenchUrl } = require(join(ROOT, 'out/test/harness/codeServer.js'));
const { closeAllEditors, openFile, waitForWorkbench } = require(join(ROOT, 'out/test/e2e/workbench.js'));

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 4);
const beforeRev = process.argv.find((a) => a.startsWith('--before='))?.slice(9) ?? '5e78410';
const MODELS = ['two-node.onnx', 'transformer-674.onnx', 'transformer-5k.onnx', 'transformer-22k.onnx'];
const MODEL_DIR = join(ROOT, 'bench/models');
if (MODELS.some((m) => !existsSync(join(MODEL_DIR, m)))) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/onnx_models.py'), MODEL_DIR, 'deep', 'open'], { stdio: 'inherit' });
}
// each model's node count (Python's onnx): stats of another model (a closed editor's webview VS Code has not
// torn down yet) are left out
const NODES = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json, sys, onnx; print(json.dumps({f: len(onnx.load(f, load_external_data=False).graph.node) for f in sys.argv[1:]}))',
  ...MODELS.map((m) => join(MODEL_DIR, m))], { encoding: 'utf8' }));

/** [variant, extension folder] */
const variants = [['now', ROOT]];
const old = beforeRev === 'none' ? undefined : treeAt(beforeRev);
if (old) {
  process.stdout.write(`building the extension at ${beforeRev} ...\n`);
  execFileSync(process.execPath, [join(old.dir, 'scripts/build.mjs')], { cwd: old.dir, stdio: 'inherit' });
  variants.push(['before', old.dir]);
}
// which window opens first in the session (--before-first: the old one), to see whether the order matters
if (process.argv.includes('--before-first')) variants.reverse();
const workspaces = [];
const server = await startCodeServer({});
const browser = await launchChromium();
const results = new Map(variants.map(([v]) => [v, new Map(MODELS.map((m) => [m, []]))]));
let failed = 0;
let reopened = 0;
try {
  const pages = [];
  for (const [variant, extension] of variants) {
    const workspace = mkdtempSync(join(tmpdir(), `npu-port-bench-open-${variant}-`));
    workspaces.push(workspace);
    for (const m of MODELS) copyFileSync(join(MODEL_DIR, m), join(workspace, m));
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: extension }));
    await waitForWorkbench(page);
    pages.push([variant, page]);
  }
  for (let round = 0; round < ROUNDS; round++) {
    // rotate the order so no model always follows the same one; alternate which window opens it first
    const order = MODELS.map((_, i) => MODELS[(i + round) % MODELS.length]);
    for (const [i, model] of order.entries()) {
      for (const [variant, page] of (round + i) % 2 ? [...pages].reverse() : pages) {
        // Quick Open from the empty editor group that closeAllEditors left focused; the model's tab shows the Enter
        // opened it (else said, counted and typed again, the time taken from the Enter that opened it)
        let started;
        for (let attempt = 1; ; attempt++) {
          await openFile(page, model);
          started = Date.now();
          if (await page.locator('.tabs-container .tab', { hasText: model }).first().waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
          const shot = join(tmpdir(), `npu-port-bench-open-${variant}-${round + 1}-${model}-${attempt}.png`);
          await page.screenshot({ path: shot }).catch(() => undefined);
          const tabs = (await page.locator('.tabs-container .tab').allInnerTexts().catch(() => [])).map((t) => t.trim()).join(', ') || 'none';
          process.stdout.write(`round ${round + 1} ${variant} ${model}: Quick Open's Enter opened no editor of it (attempt ${attempt}; tabs: ${tabs}; screenshot ${shot}), again\n`);
          reopened++;
          await closeAllEditors(page);
        }
        const load = loadavg()[0];
        const expected = NODES[join(MODEL_DIR, model)];
        let stats = {};
        let pixels;
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await page.waitForTimeout(25)) {
          stats = await viewerStats(page, expected);
          if (pixels === undefined && (stats.firstPixelsMs !== undefined || stats.state === 'ready')) pixels = Date.now() - started;
          if (stats.state === 'ready') break;
        }
        const ms = Date.now() - started;
        if (stats.state !== 'ready') {
          // an open that did not finish (a workbench dialog, Quick Open under load): said and left out
          const shot = join(tmpdir(), `npu-port-bench-open-${variant}-${round + 1}-${model}.png`);
          await page.screenshot({ path: shot }).catch(() => undefined);
          process.stdout.write(`round ${round + 1} ${variant} ${model}: left out, no viewer of this model was ready within ${ms} ms (screenshot ${shot})\n`);
          failed++;
        } else {
          const firstPixels = stats.firstPixelsMs ?? stats.firstInteractiveMs;
          results.get(variant).get(model).push({ ms, pixels, round, load, nodes: stats.nodes, graphReceived: stats.graphReceivedMs, laidOut: stats.layoutDoneMs, firstPixels, firstFrame: stats.firstInteractiveMs, host: stats.hostMs });
          process.stdout.write(`round ${round + 1} ${variant} ${model}: first pixels ${pixels} ms, interactive ${ms} ms (webview: graph received ${Math.round(stats.graphReceivedMs)} ms, first pixels ${Math.round(firstPixels)} ms, laid out ${Math.round(stats.layoutDoneMs)} ms, first frame ${Math.round(stats.firstInteractiveMs)} ms${stats.shapesMs !== undefined ? `, inferred shapes ${Math.round(stats.shapesMs)} ms` : ''}; host ready → graph ${stats.hostMs} ms; load ${load.toFixed(1)})\n`);
        }
        // with the mouse (the tabs' close buttons): keys typed now can go to the webview, which VS Code focuses again late
        await closeAllEditors(page);
        await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      }
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  await server.stop();
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
  old?.dispose();
}

/**
 * The stats of the viewer showing this model: a closed editor's webview can still be in the page (and answer)
 * for a while after Close All Editors, so every viewer iframe is asked and the one with `nodes` nodes is read
 * ({} until it has its graph).
 */
async function viewerStats(page, nodes) {
  const frames = page.locator('iframe.webview.ready');
  const count = await frames.count().catch(() => 0);
  for (let i = 0; i < count; i++) {
    const body = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame').locator('body');
    const stats = await body.evaluate(() => globalThis.__npuViewer ?? {}, undefined, { timeout: 1_000 }).catch(() => ({}));
    if (stats.nodes === nodes) return stats;
  }
  return {};
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmtLoad = (runs) => { const l = runs.map((r) => r.load); return `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}`; };
const warmMedian = (variant, model, key) => median(results.get(variant).get(model).filter((r) => r.round > 0).map((r) => r[key]));
process.stdout.write('\n| model | nodes | variant | first open (cold) | open → interactive, median of rounds 2+ | / two-node | now / before | first pixels, median (/ two-node) | webview: graph received, first frame (median) | webview: graph received → first pixels / → first frame | load |\n|---|---|---|---|---|---|---|---|---|---|---|\n');
for (const model of MODELS) {
  for (const [variant] of variants) {
    const runs = results.get(variant).get(model);
    const m = warmMedian(variant, model, 'ms');
    const base = warmMedian(variant, MODELS[0], 'ms');
    const ratio = variant === 'now' && results.has('before') ? `**${(m / warmMedian('before', model, 'ms')).toFixed(2)}×**` : '';
    const pixels = warmMedian(variant, model, 'pixels');
    const inWebview = (key) => median(runs.filter((r) => r.round > 0).map((r) => r[key] - r.graphReceived));
    process.stdout.write(`| ${model} | ${runs[0]?.nodes} | ${variant} | ${runs.find((r) => r.round === 0)?.ms} ms | ${m} ms | ${(m / base).toFixed(2)}× | ${ratio} | ${pixels} ms (${(pixels / warmMedian(variant, MODELS[0], 'pixels')).toFixed(2)}×) | ${Math.round(warmMedian(variant, model, 'graphReceived'))} ms, ${Math.round(warmMedian(variant, model, 'firstFrame'))} ms | ${Math.round(inWebview('firstPixels'))} / ${Math.round(inWebview('firstFrame'))} ms | ${fmtLoad(runs)} |\n`);
  }
}
process.stdout.write(`\nleft-out opens: ${failed} (not ready within 30 s); Quick Open typed again: ${reopened}\n`);
