/**
 * ONNX viewer in the real VS Code web UI: verdict counts equal `npu-port onnx check`, the target
 * changes them, problems and search reveal nodes, SVG export parses, hostile node names stay text.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { generatedModel, PYTHON } from '../unit/onnx/fixtures';
import { nondeterministicModel } from '../unit/transform/fixtures';
import { benchModel } from './benchModels';
import { bytesText } from '../../src/core/output';
import type { E2eScenario } from './scenario';
import { checkForTarget, focusProblems, openFile, problemRows, runCommand, toolbarAction, waitForWorkbench } from './workbench';

const MODEL = 'edgesam_decoder_opset11.onnx';

export function cliCounts(repoRoot: string, model: string, target: string): { unsupported: number; unverified: number } {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'onnx', 'check', model, '--target', target, '--format', 'json'], { encoding: 'utf8' });
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exit code 1 = findings
  }
  return listedNodes(JSON.parse(out) as CheckJsonV2);
}

/** The part of `onnx check --format json` (version 2) these tests read. */
interface CheckJsonV2 { findings: { status: 'unsupported' | 'unverified'; nodes: unknown[] }[]; modelReasons: unknown[] }

/** Nodes the CLI's findings list, per status. */
function listedNodes(json: CheckJsonV2): { unsupported: number; unverified: number } {
  const counts = { unsupported: 0, unverified: 0 };
  for (const f of json.findings) counts[f.status] += f.nodes.length;
  return counts;
}

/** The viewer's document inside VS Code's webview iframes. */
export function viewerFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Opens a workspace model in the viewer and waits until its graph is drawn. */
export async function openInViewer(page: Page, file: string, timeoutMs = 60_000): Promise<FrameLocator> {
  await openFile(page, file);
  const frame = viewerFrame(page);
  await frame.locator('canvas.graph').waitFor({ timeout: timeoutMs });
  return frame;
}

/** Types `text` into the viewer's search field and selects the first result. */
export async function searchAndSelect(page: Page, frame: FrameLocator, text: string): Promise<void> {
  await frame.locator('vscode-textfield').click();
  await page.keyboard.type(text);
  const first = frame.locator('#search-results li').first();
  await first.waitFor({ timeout: 15_000 });
  await first.click();
}

async function counts(frame: FrameLocator): Promise<{ unsupported: number; unverified: number }> {
  const read = async (cls: string) => Number(await frame.locator(`.count.${cls}`).getAttribute('data-count', { timeout: 60_000 }));
  return { unsupported: await read('unsupported'), unverified: await read('unverified') };
}

export async function waitForCounts(frame: FrameLocator, expected: { unsupported: number; unverified: number }): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await counts(frame).catch(() => undefined);
    if (now && now.unsupported === expected.unsupported && now.unverified === expected.unverified) return;
    if (Date.now() > deadline) assert.deepEqual(now, expected, 'viewer counts');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Opens problem group `g` of the viewer's Problems tab and picks its node `at`; returns the node's name. */
async function pickProblem(frame: FrameLocator, g: number, at: number): Promise<string> {
  const group = frame.locator(`#problems li.group[data-group="${g}"]`);
  if ((await group.getAttribute('aria-expanded')) !== 'true') await group.click();
  const row = frame.locator(`#problems li[data-group="${g}"][data-at="${at}"]`);
  const name = (await row.locator('.text').textContent())!;
  await row.click();
  return name;
}

/** The count badge of a file's row in the Problems panel. */
async function problemsCount(page: Page, file: string): Promise<number> {
  const badge = page.locator('.markers-panel .monaco-list-row', { hasText: file }).first().locator('.monaco-count-badge');
  return Number((await badge.textContent({ timeout: 30_000 }))?.replace(/[^0-9]/g, ''));
}

/** CLI verdicts grouped per (op, status, reason codes), as the Problems panel groups them, and the model-level findings. */
function cliGroups(repoRoot: string, model: string, target: string): { groups: number; nodes: number; model: number } {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'onnx', 'check', model, '--target', target, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  // The CLI groups per (op, status, reason codes) as the Problems panel does: one finding per group.
  const json = JSON.parse(out) as CheckJsonV2;
  const listed = listedNodes(json);
  return { groups: json.findings.length, nodes: listed.unsupported + listed.unverified, model: json.modelReasons.length };
}

/** Makes the editor's webview `width` px wide (the window minus the workbench around it). */
async function setEditorWidth(page: Page, width: number): Promise<number> {
  let now = 0;
  for (let i = 0; i < 4; i++) {
    now = (await page.locator('iframe.webview.ready').boundingBox())?.width ?? 0;
    if (Math.abs(now - width) < 2) break;
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: Math.round(viewport.width + width - now), height: viewport.height });
    await page.waitForTimeout(400);
  }
  return now;
}

/** Opens a workspace file that the viewer cannot show and returns its error page's text (one line). */
async function errorPage(page: Page, file: string): Promise<string> {
  await waitForWorkbench(page);
  await openFile(page, file);
  const error = viewerFrame(page).locator('.state.error');
  await error.waitFor({ timeout: 60_000 });
  return (await error.innerText()).replace(/\s+/g, ' ');
}

export const scenarios: E2eScenario[] = [
  {
    name: 'ONNX viewer chrome: one toolbar row at 1,000 px editor width (the rest in More actions), the side panel collapses and comes back',
    async run(page, ctx) {
      copyFileSync(generatedModel(MODEL), path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await frame.locator('.toolbar vscode-button.more').waitFor({ state: 'attached', timeout: 30_000 });
      const width = await setEditorWidth(page, 1000);
      ctx.log(`editor (webview) width ${width} px`);
      assert.ok(Math.abs(width - 1000) < 2, `webview width ${width}`);
      await page.waitForTimeout(500);
      // runs in the webview (this file is compiled without the DOM library: the element types are spelled out)
      type Box = { top: number; height: number; right: number };
      type El = { children: ArrayLike<El>; offsetParent: unknown; dataset: Record<string, string>; clientWidth: number; getBoundingClientRect(): Box };
      const row = await frame.locator('.toolbar').evaluate((bar: unknown) => {
        const el = bar as El;
        const style = (globalThis as unknown as { getComputedStyle(e: El): { position: string } }).getComputedStyle;
        const items = Array.from(el.children).filter((c) => c.offsetParent !== null && style(c).position !== 'fixed');
        const boxes = items.map((c) => c.getBoundingClientRect());
        return { tops: boxes.map((b) => Math.round(b.top + b.height / 2)), height: el.getBoundingClientRect().height, overflow: Number(el.dataset.overflow), right: Math.max(...boxes.map((b) => b.right)), width: el.clientWidth };
      });
      ctx.log(`toolbar: ${row.tops.length} items, height ${row.height}, ${row.overflow} actions in the menu`);
      assert.ok(row.tops.length >= 8, 'the toolbar shows its items');
      assert.equal(new Set(row.tops).size, 1, `one row: item centres at ${[...new Set(row.tops)].join(', ')}`);
      assert.ok(row.height < 48, `toolbar height ${row.height}`);
      assert.ok(row.right <= row.width + 8 + 1, 'nothing is cut off at the right');
      // the actions that did not fit are in the More actions menu, opened and walked with the keyboard
      if (row.overflow > 0) {
        await frame.locator('.toolbar vscode-button.more').focus();
        await page.keyboard.press('Enter');
        const items = frame.locator('.toolbar-menu [role=menuitem], .toolbar-menu [role=menuitemcheckbox]');
        await items.first().waitFor({ timeout: 5_000 });
        assert.equal(await items.count(), row.overflow);
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Escape');
        assert.ok(await frame.locator('.toolbar-menu').isHidden(), 'Escape closes the menu');
      }
      // the side panel: the toggle hides it and the canvas takes the room; P brings it back
      const side = frame.locator('aside.side');
      assert.ok(await side.isVisible(), 'the panel is open at 1,000 px');
      const canvasBefore = (await frame.locator('canvas.graph').boundingBox())!.width;
      await frame.locator('.toolbar vscode-button.panel-toggle').click();
      await side.waitFor({ state: 'hidden', timeout: 5_000 });
      const canvasAfter = (await frame.locator('canvas.graph').boundingBox())!.width;
      assert.ok(canvasAfter > canvasBefore + 200, `canvas ${canvasBefore} → ${canvasAfter} px`);
      await frame.locator('canvas.graph').focus();
      await page.keyboard.press('p');
      await side.waitFor({ state: 'visible', timeout: 5_000 });
      // the shortcuts popover opens with ? and closes with Escape
      await page.keyboard.press('?');
      await frame.locator('.help-popover').waitFor({ state: 'visible', timeout: 5_000 });
      assert.ok((await frame.locator('.help-popover tr').count()) >= 10);
      await page.keyboard.press('Escape');
      await frame.locator('.help-popover').waitFor({ state: 'hidden', timeout: 5_000 });
    },
  },
  {
    name: 'ONNX Problems per (op, reason) group on the 22k model (qnn-htp); the viewer walks a group; npuPort.onnx.problemsPerNode restores per-node entries',
    prepare(ctx) {
      copyFileSync(benchModel(ctx.repoRoot, 'transformer-22k.onnx'), path.join(ctx.workspace, 'transformer-22k.onnx'));
      mkdirSync(path.join(ctx.workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(ctx.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'npuPort.onnx.target': 'qnn-htp' }, null, 2));
    },
    async run(page, ctx) {
      const model = path.join(ctx.workspace, 'transformer-22k.onnx');
      const expected = cliGroups(ctx.repoRoot, model, 'qnn-htp');
      ctx.log(`CLI: ${expected.nodes} nodes with findings in ${expected.groups} (op, reason) groups, ${expected.model} model-level findings`);
      assert.ok(expected.nodes > expected.groups * 10, 'the model has many findings per group');
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'transformer-22k.onnx', 120_000);
      await focusProblems(page);
      const waitForCount = async (want: number) => {
        let now = NaN;
        for (const deadline = Date.now() + 90_000; Date.now() < deadline; await page.waitForTimeout(500)) {
          now = await problemsCount(page, 'transformer-22k.onnx').catch(() => NaN);
          if (now === want) return;
        }
        assert.equal(now, want, 'Problems panel count');
      };
      await waitForCount(expected.groups + expected.model);
      ctx.log(`Problems panel: ${expected.groups + expected.model} entries`);
      // the viewer's Problems tab: the same groups; picking one opens the node's Properties; F8 walks the group
      await frame.getByText('Problems', { exact: true }).click();
      assert.equal(await frame.locator('#problems li.group').count(), expected.groups);
      const first = await pickProblem(frame, 0, 0);
      await frame.locator('#properties .mono', { hasText: first }).first().waitFor({ timeout: 30_000 });
      await frame.locator('#properties .walk-position', { hasText: /^Problem 1 of \d+/ }).waitFor({ timeout: 15_000 });
      await frame.locator('canvas.graph').focus();
      await page.keyboard.press('F8');
      await frame.locator('#properties .walk-position', { hasText: /^Problem 2 of \d+/ }).waitFor({ timeout: 30_000 });
      await page.keyboard.press('Shift+F8');
      await frame.locator('#properties .walk-position', { hasText: /^Problem 1 of \d+/ }).waitFor({ timeout: 30_000 });
      // per-node entries when the setting says so
      writeFileSync(path.join(ctx.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'npuPort.onnx.target': 'qnn-htp', 'npuPort.onnx.problemsPerNode': true }, null, 2));
      // VS Code keeps 1,000 diagnostics per file and adds one "Not showing N further errors and warnings." entry,
      // so per-node entries on this model read 1,001 (grouped: 7)
      // (MAX_DIAGNOSTICS_PER_FILE: vscode src/vs/workbench/api/common/extHostDiagnostics.ts, _maxDiagnosticsPerFile = 1000)
      const total = expected.nodes + expected.model;
      await waitForCount(total > 1000 ? 1001 : total);
      ctx.log(`per node: ${total} entries (VS Code shows 1,000 and says how many more)`);
    },
  },
  {
    name: 'ONNX viewer per chip: the decoder opens on the workspace target setting, counts match the CLI on 910, 310P and 910B',
    prepare(ctx) {
      // the workspace setting names the target a newly opened viewer checks against; written before VS Code
      // opens the folder (a settings.json written after the start reaches the extension host late)
      mkdirSync(path.join(ctx.workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(ctx.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'npuPort.onnx.target': 'ascend910' }, null, 2));
    },
    async run(page, ctx) {
      const model = path.join(ctx.workspace, 'decoder.onnx');
      copyFileSync(path.join(ctx.repoRoot, 'examples', 'models', 'decoder.onnx'), model);
      const expected = Object.fromEntries(['ascend910', 'ascend310p', 'ascend910b'].map((id) => [id, cliCounts(ctx.repoRoot, model, id)]));
      ctx.log(`CLI: ${JSON.stringify(expected)}`);
      assert.notDeepEqual(expected.ascend910, expected.ascend310p, 'the chips must differ on this model for the test to mean something');
      assert.notDeepEqual(expected.ascend910, expected.ascend910b);
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'decoder.onnx');
      await waitForCounts(frame, expected.ascend910!);
      for (const id of ['ascend310p', 'ascend910b']) {
        await checkForTarget(page, id);
        await waitForCounts(frame, expected[id]!);
        ctx.log(`${id}: ${JSON.stringify(expected[id])}`);
        // the picker says which target is this editor's own choice and which one the workspace setting names
        const picked = (await frame.locator(`vscode-option[value="${id}"]`).textContent()) ?? '';
        assert.match(picked, /\(this editor\)$/, `${id} option: "${picked}"`);
        const setting = (await frame.locator('vscode-option[value="ascend910"]').textContent()) ?? '';
        assert.match(setting, /\(workspace setting\)$/, `ascend910 option: "${setting}"`);
        assert.doesNotMatch(setting, /this editor/);
      }
      // the Hexagon architectures of qnn-htp are targets of both pickers: the check command's list and the viewer's
      const v68 = cliCounts(ctx.repoRoot, model, 'qnn-htp@v68');
      assert.notDeepEqual(v68, expected.ascend910b, 'the targets must differ on this model for the test to mean something');
      await checkForTarget(page, 'qnn-htp@v68');
      await waitForCounts(frame, v68);
      ctx.log(`qnn-htp@v68: ${JSON.stringify(v68)}`);
      const archOptions = await frame.locator('vscode-option[value^="qnn-htp@"]').evaluateAll((options) => options.map((o) => o.getAttribute('value')));
      assert.deepEqual(archOptions, ['qnn-htp@v81', 'qnn-htp@v75', 'qnn-htp@v69', 'qnn-htp@v68', 'qnn-htp@ep2.6', 'qnn-htp@ep2.0'], 'every non-default architecture after qnn-htp (v73), then the onnxruntime-qnn releases');
      assert.match((await frame.locator('vscode-option[value="qnn-htp@ep2.0"]').textContent()) ?? '', /onnxruntime-qnn 2\.0\.0\)$/, 'the pinned release names itself');
      assert.match((await frame.locator('vscode-option[value="qnn-htp@v68"]').textContent()) ?? '', /Hexagon v68: QCS6490.*\(this editor\)$/);
    },
  },
  {
    name: 'ONNX viewer: counts match the CLI, target switch, problem click selects, search, SVG export parses',
    async run(page, ctx) {
      const model = path.join(ctx.workspace, MODEL);
      copyFileSync(generatedModel(MODEL), model);
      const expected310p = cliCounts(ctx.repoRoot, model, 'ascend310p');
      const expectedHtp = cliCounts(ctx.repoRoot, model, 'qnn-htp');
      assert.notDeepEqual(expected310p, expectedHtp, 'the two targets must differ for this test to mean something');
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await waitForCounts(frame, expected310p);
      ctx.log(`ascend310p: ${JSON.stringify(expected310p)}`);

      // switch the target through the check command: the open viewer follows
      await checkForTarget(page, 'qnn-htp');
      await waitForCounts(frame, expectedHtp);
      ctx.log(`qnn-htp: ${JSON.stringify(expectedHtp)}`);
      // qnn-htp itself (the default architecture), not one of the qnn-htp@ARCH entries listed after it
      assert.match((await frame.locator('vscode-option[value="qnn-htp"]').textContent()) ?? '', /\(this editor\)$/);

      // the verdicts are diagnostics on the .onnx file; the link on one reveals and selects its node
      await focusProblems(page);
      const row = problemRows(page, /not supported by/).first();
      await row.waitFor({ timeout: 30_000 });
      const rowText = (await row.innerText()).replace(/\s+/g, ' ');
      const link = row.locator('a:visible').first();
      await link.click();
      const diagnosticNode = /^(\S+) \(/.exec(rowText.replace(/^.*?(\/\S+ \()/, '$1'))?.[1];
      assert.ok(diagnosticNode, `node name in "${rowText}"`);
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties .mono', { hasText: diagnosticNode }).first().waitFor({ timeout: 15_000 });
      ctx.log(`diagnostic link revealed ${diagnosticNode}`);

      // a problem in the viewer's list selects its node and opens its Properties (reason and hint)
      await frame.getByText('Problems', { exact: true }).click();
      const name = await pickProblem(frame, 0, 0);
      await frame.locator('#properties .mono', { hasText: name }).first().waitFor({ timeout: 15_000 });
      assert.ok(await frame.locator('#properties').isVisible(), 'picking a problem shows the Properties tab');

      // search by op type: the results list and a jump
      await searchAndSelect(page, frame, 'Erf');
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties td.mono', { hasText: /^Erf$/ }).first().waitFor({ timeout: 15_000 });

      // export SVG: accept the default path in the save dialog, then parse the file
      await toolbarAction(frame, 'Export SVG');
      const save = page.locator('.quick-input-widget input');
      await save.waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const svgFile = path.join(ctx.workspace, MODEL.replace(/\.onnx$/, '.svg'));
      const deadline = Date.now() + 30_000;
      while (!existsSync(svgFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
      const svg = readFileSync(svgFile, 'utf8');
      const parsed = await page.evaluate((text) => {
        type Doc = { getElementsByTagName(n: string): { length: number }; querySelectorAll(s: string): { length: number } };
        const Parser = (globalThis as unknown as { DOMParser: new () => { parseFromString(t: string, m: string): Doc } }).DOMParser;
        const doc = new Parser().parseFromString(text, 'image/svg+xml');
        return { error: doc.getElementsByTagName('parsererror').length, nodes: doc.querySelectorAll('g.node').length };
      }, svg);
      assert.equal(parsed.error, 0, 'the SVG parses');
      assert.ok(parsed.nodes > 0, 'the SVG holds nodes');
    },
  },
  {
    name: 'ONNX viewer: comparing a model with its rewrite lists the rewritten and added nodes, and marks the node a changed Constant is folded into',
    async run(page, ctx) {
      const base = path.join(ctx.workspace, 'base.onnx');
      const next = path.join(ctx.workspace, 'rewritten.onnx');
      copyFileSync(generatedModel(MODEL), base);
      // the rewrite, made by Python onnx: every Erf becomes Tanh (same names), one Identity appended, and the
      // value of one float Constant changed (same type and shape: drawn folded into the node that uses it)
      const script = [
        'import json, onnx, sys',
        'from onnx import helper, numpy_helper',
        'm = onnx.load(sys.argv[1])',
        'erf = [n for n in m.graph.node if n.op_type == "Erf"]',
        'for n in erf: n.op_type = "Tanh"',
        'first = lambda name: next(n for n in m.graph.node if name in n.input)',
        'const = next(n for n in m.graph.node if n.op_type == "Constant" and n.attribute[0].t.data_type == onnx.TensorProto.FLOAT and first(n.output[0]).op_type not in ("Constant", "Identity"))',
        'value = numpy_helper.to_array(const.attribute[0].t)',
        'const.attribute[0].t.CopyFrom(numpy_helper.from_array((value + 1).astype(value.dtype), const.attribute[0].t.name))',
        'out = m.graph.output[0]',
        'm.graph.node.append(helper.make_node("Identity", [out.name], [out.name + "_copy"], name="/postprocess/Identity_added"))',
        'm.graph.output[0].name = out.name + "_copy"',
        'onnx.save(m, sys.argv[2])',
        'print(json.dumps({"erf": len(erf), "constant": const.name, "consumer": first(const.output[0]).name}))',
      ].join('\n');
      writeFileSync(path.join(ctx.workspace, 'rewrite.py'), script);
      const rewrite = JSON.parse(execFileSync(PYTHON, [path.join(ctx.workspace, 'rewrite.py'), base, next], { encoding: 'utf8' })) as { erf: number; constant: string; consumer: string };
      const erfCount = rewrite.erf;
      assert.ok(erfCount > 0, 'the model has Erf nodes to rewrite');
      await waitForWorkbench(page);
      await runCommand(page, 'NPU: Compare ONNX Models');
      // the two open dialogs (VS Code's simple file dialog in the web UI), told apart by their button
      for (const [file, button] of [[base, 'Base Model'], [next, 'Compare with Base']] as const) {
        const widget = page.locator('.quick-input-widget', { hasText: button });
        await widget.waitFor({ state: 'visible', timeout: 15_000 });
        const input = widget.locator('input');
        // the dialog lists the folder asynchronously and may put its own path back over a fill: retry
        // until the value holds (a loaded machine needs more than a few tries), then say if it never did
        const deadline = Date.now() + 20_000;
        while ((await input.inputValue()) !== file && Date.now() < deadline) {
          await input.fill(file);
          await page.waitForTimeout(500);
        }
        assert.equal(await input.inputValue(), file, `the ${button} dialog took the path`);
        await page.keyboard.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
      }
      const frame = viewerFrame(page);
      const diff = frame.locator('.count.diff[data-added]');
      await diff.waitFor({ timeout: 60_000 });
      assert.equal(Number(await diff.getAttribute('data-added')), 1, 'the appended Identity');
      assert.equal(Number(await diff.getAttribute('data-removed')), 0);
      // each rewritten Erf is a changed node (its operator)
      assert.ok(Number(await diff.getAttribute('data-changed')) >= erfCount, `changed ${await diff.getAttribute('data-changed')} < ${erfCount}`);
      await frame.locator('#changes li', { hasText: 'Identity' }).first().waitFor({ timeout: 15_000 });
      await frame.locator('#changes li', { hasText: 'Tanh' }).first().waitFor({ timeout: 15_000 });
      ctx.log(`diff: +1 −0 ~${await diff.getAttribute('data-changed')} (${erfCount} Erf → Tanh, ${rewrite.constant} changed, folded into ${rewrite.consumer})`);
      // the changed Constant is folded into its consumer: the consumer's row says so, and the Constant has no row
      const ownName = new RegExp(`^${rewrite.constant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      const row = frame.locator('#changes li', { hasText: `constant changed: ${rewrite.constant}` });
      await row.first().waitFor({ timeout: 15_000 });
      assert.equal(await row.count(), 1);
      assert.equal((await row.locator('.text').innerText()).trim(), rewrite.consumer, 'the row is the consumer\'s');
      assert.equal(await frame.locator('#changes li .text', { hasText: ownName }).count(), 0, 'no row of its own');
      // from the keyboard: Enter on the row reveals the consumer, drawn with the changed mark
      const markOf = async (label: string) => {
        const report = await frame.locator('body').evaluate(() => (globalThis as unknown as { __npuViewer?: { layoutReport?: () => { items: { kind: string; label: string; diff?: string }[] } | undefined } }).__npuViewer?.layoutReport?.());
        return report?.items.find((i) => i.kind === 'node' && i.label === label)?.diff;
      };
      await row.first().focus();
      await page.keyboard.press('Enter');
      for (const deadline = Date.now() + 30_000; (await markOf(rewrite.consumer)) !== 'changed' && Date.now() < deadline;) await page.waitForTimeout(250);
      assert.equal(await markOf(rewrite.consumer), 'changed', `${rewrite.consumer} is drawn with the changed mark`);
      assert.equal(await frame.locator('body').evaluate(() => (globalThis as unknown as { __npuViewer?: { selected?: string } }).__npuViewer?.selected?.replace(/#\d+$/, '')), `node:${rewrite.consumer}`, 'Enter selected it');
      // constants drawn (W): the Constant is marked itself and listed under its own name
      await frame.locator('canvas.graph').focus();
      await page.keyboard.press('w');
      for (const deadline = Date.now() + 30_000; (await markOf(rewrite.constant)) !== 'changed' && Date.now() < deadline;) await page.waitForTimeout(250);
      assert.equal(await markOf(rewrite.constant), 'changed', `${rewrite.constant}, drawn, has the changed mark`);
      await frame.locator('#changes li .text', { hasText: ownName }).first().waitFor({ timeout: 15_000 });
      assert.equal(await frame.locator('#changes li', { hasText: 'constant changed:' }).count(), 0);
    },
  },
  {
    name: 'ONNX viewer: hiding and showing the tab keeps the selection and expanded modules (webview state, no retained context)',
    async run(page, ctx) {
      copyFileSync(generatedModel(MODEL), path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      let frame = await openInViewer(page, MODEL);
      await searchAndSelect(page, frame, 'Erf');
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties td.mono', { hasText: /^Erf$/ }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500); // state is saved shortly after a change
      await openFile(page, 'train.py');
      await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
      await page.locator('.tabs-container .tab', { hasText: MODEL }).first().click();
      frame = viewerFrame(page);
      await frame.locator('canvas.graph').waitFor({ timeout: 60_000 });
      // restored without any new search: the selected node's properties are shown again
      await frame.locator('#properties td.mono', { hasText: /^Erf$/ }).first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('vscode-textfield').evaluate((e) => (e as unknown as { value: string }).value), '', 'a fresh webview (the search field is empty)');
    },
  },
  {
    name: 'ONNX viewer: an ATC pre-check report next to the model is overlaid on its nodes, named by its file',
    async run(page, ctx) {
      const model = path.join(ctx.workspace, MODEL);
      copyFileSync(generatedModel(MODEL), model);
      const expected = cliCounts(ctx.repoRoot, model, 'ascend310p');
      // the report layout of ATC's PreChecker (check_result.json), naming one real node as failed
      const report = { name: 'edgesam', result: 'failed', total: 2, pass: 1, fail: 1, op: [
        { name: '/prompt_encoder/Sin', type: 'Sin', result: 'failed', cause: [{ code: 1, message: 'The type is not supported.' }] },
        { name: '/prompt_encoder/Cos', type: 'Cos', result: 'success' },
      ] };
      writeFileSync(path.join(ctx.workspace, MODEL.replace(/\.onnx$/, '.check_result.json')), JSON.stringify(report));
      await waitForWorkbench(page);
      await openFile(page, MODEL);
      const frame = viewerFrame(page);
      await waitForCounts(frame, { unsupported: expected.unsupported + 1, unverified: expected.unverified });
      await frame.getByText('Problems', { exact: true }).click();
      const closed = frame.locator('#problems li.group[aria-expanded=false]');
      while ((await closed.count()) > 0) await closed.first().click();
      await frame.locator('#problems li[data-at]', { hasText: '/prompt_encoder/Sin' }).first().click();
      await frame.locator('#properties', { hasText: 'check_result.json' }).waitFor({ timeout: 15_000 });
      await frame.locator('#properties', { hasText: 'The type is not supported.' }).waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'ONNX viewer: a 22,000-node torch export opens, grouped, and pans (timings logged, bench/models/transformer-22k.onnx)',
    async run(page, ctx) {
      const big = benchModel(ctx.repoRoot, 'transformer-22k.onnx');
      copyFileSync(big, path.join(ctx.workspace, 'transformer-22k.onnx'));
      await waitForWorkbench(page);
      const started = Date.now();
      const frame = await openInViewer(page, 'transformer-22k.onnx', 120_000);
      const body = frame.locator('body');
      const deadline = Date.now() + 120_000;
      let stats: { state?: string; firstInteractiveMs?: number; graphReceivedMs?: number; layoutDoneMs?: number; layoutMs?: number; items?: number; frameTimes?: number[]; hostDecodeWaitMs?: number; hostPackMs?: number; messageMs?: number; unpackMs?: number; readyPostedMs?: number; hostMs?: number; shapesMs?: number } = {};
      while (Date.now() < deadline) {
        stats = await body.evaluate(() => (globalThis as unknown as { __npuViewer?: typeof stats }).__npuViewer ?? {});
        if (stats.state === 'ready') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const openMs = Date.now() - started;
      assert.equal(stats.state, 'ready');
      assert.ok((stats.items ?? 0) > 0 && (stats.items ?? 0) < 22_000, `the opening view is grouped (${stats.items} items)`);
      // pan with the mouse and read the draw times the viewer recorded
      const canvas = await frame.locator('canvas.graph').boundingBox();
      await body.evaluate(() => { (globalThis as unknown as { __npuViewer: { frameTimes: number[] } }).__npuViewer.frameTimes.length = 0; });
      await page.mouse.move(canvas!.x + canvas!.width / 2, canvas!.y + canvas!.height / 2);
      await page.mouse.down();
      for (let i = 0; i < 60; i++) await page.mouse.move(canvas!.x + canvas!.width / 2 + Math.sin(i / 8) * 200, canvas!.y + canvas!.height / 2 + i * 4);
      await page.mouse.up();
      const frames = await body.evaluate(() => [...(globalThis as unknown as { __npuViewer: { frameTimes: number[] } }).__npuViewer.frameTimes]);
      const sorted = [...frames].sort((x, y) => x - y);
      const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? NaN;
      ctx.log(`open → interactive ${openMs} ms; in the webview after its start: graph received ${Math.round(stats.graphReceivedMs ?? NaN)} ms, laid out ${Math.round(stats.layoutDoneMs ?? NaN)} ms (layout ${Math.round(stats.layoutMs ?? NaN)} ms), first frame ${Math.round(stats.firstInteractiveMs ?? NaN)} ms${stats.shapesMs !== undefined ? ` (inferred shapes so far: at ${Math.round(stats.shapesMs)} ms)` : ''}; ready posted ${Math.round(stats.readyPostedMs ?? NaN)} ms, host ready → graph posted ${stats.hostMs} ms (decode wait ${stats.hostDecodeWaitMs} ms, packed graph ${stats.hostPackMs} ms), message ${stats.messageMs} ms; unpack ${Math.round(stats.unpackMs ?? NaN)} ms; ${stats.items} items; pan: ${frames.length} frames, draw p95 ${p95.toFixed(1)} ms`);
      assert.ok(frames.length > 0, 'panning drew frames');
    },
  },
  {
    name: 'ONNX viewer: a searched node is extracted as a standalone model that onnxruntime loads',
    async run(page, ctx) {
      // a model with static input shapes: the types of the cut tensors are probed with seeded inputs
      const model = 'transformer_static.onnx';
      copyFileSync(generatedModel('edgesam_like_npu_safe.onnx'), path.join(ctx.workspace, model));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, model);
      await searchAndSelect(page, frame, 'MatMul');
      await toolbarAction(frame, 'Extract as Model');
      const save = page.locator('.quick-input-widget input');
      await save.waitFor({ state: 'visible', timeout: 15_000 });
      // the simple file dialog fills in the folder first, then the suggested file name
      let suggested = '';
      for (const deadline = Date.now() + 15_000; !suggested.endsWith('.onnx') && Date.now() < deadline; await page.waitForTimeout(100)) suggested = await save.inputValue();
      ctx.log(`save dialog suggests ${suggested}`);
      await page.keyboard.press('Enter');
      const toast = page.locator('.notification-toast', { hasText: /Saved .*\.onnx|Cannot extract/ }).first();
      await toast.waitFor({ timeout: 60_000 });
      const toastText = (await toast.innerText()).replace(/\s+/g, ' ');
      ctx.log(toastText);
      assert.match(toastText, /Saved .*\.onnx \(\d+ nodes/);
      const file = path.join(ctx.workspace, path.basename(suggested));
      assert.ok(existsSync(file), `${file} was written`);
      const { InferenceSession } = require('onnxruntime-node') as typeof import('onnxruntime-node');
      const session = await InferenceSession.create(file);
      assert.equal(session.outputNames.length, 1, 'one MatMul node: one output');
      ctx.log(`extracted model inputs ${session.inputNames.join(', ')} → outputs ${session.outputNames.join(', ')}`);
    },
  },
  {
    name: 'ONNX viewer: a part that does not reproduce the original is not saved (the same verification as the CLI)',
    async run(page, ctx) {
      await waitForWorkbench(page);
      nondeterministicModel(path.join(ctx.workspace, 'noise.onnx'));
      const frame = await openInViewer(page, 'noise.onnx');
      await searchAndSelect(page, frame, 'noise_b');
      await toolbarAction(frame, 'Extract as Model');
      const save = page.locator('.quick-input-widget input');
      await save.waitFor({ state: 'visible', timeout: 15_000 });
      let suggested = '';
      for (const deadline = Date.now() + 15_000; !suggested.endsWith('.onnx') && Date.now() < deadline; await page.waitForTimeout(100)) suggested = await save.inputValue();
      await page.keyboard.press('Enter');
      const toast = page.locator('.notification-toast', { hasText: /Saved .*\.onnx|was not saved|Cannot extract/ }).first();
      await toast.waitFor({ timeout: 60_000 });
      const toastText = (await toast.innerText()).replace(/\s+/g, ' ');
      ctx.log(toastText);
      assert.match(toastText, /noise_b was not saved: .*does not reproduce the original tensors \(rb: max abs error/);
      assert.ok(!existsSync(path.join(ctx.workspace, path.basename(suggested))), 'nothing was written');
    },
  },
  {
    name: 'ONNX viewer: with the display language zh-cn the viewer labels are Chinese',
    locale: 'zh-cn',
    async run(page, ctx) {
      copyFileSync(generatedModel(MODEL), path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      for (const label of ['目标平台', '适应窗口', '属性', '问题', '搜索']) {
        await frame.getByText(label, { exact: true }).first().waitFor({ timeout: 15_000 });
      }
      // actions that do not fit the row are in the More actions menu, in Chinese too
      await frame.locator('.toolbar vscode-button.more[title="更多操作"]').click();
      await frame.locator('.toolbar-menu [role=menuitem]', { hasText: '导出 SVG' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');
      await frame.locator('.count.unverified', { hasText: '个未验证' }).waitFor({ timeout: 60_000 });
      ctx.log(await frame.locator('.toolbar').innerText());
    },
  },
  {
    name: 'ONNX viewer: a torch export without value_info comes with its declared shapes only, the inferred ones follow in their own message and show in the properties',
    async run(page, ctx) {
      const model = path.join(ctx.workspace, 'transformer.onnx');
      copyFileSync(generatedModel('transformer.onnx'), model);
      // independently of the viewer (Python's onnx): the tensors the file gives a shape (initializers, graph inputs
      // and outputs, value_info), and onnx's own inferred shape of the first attention projection's output
      const facts = JSON.parse(execFileSync(PYTHON, ['-c', `
import json, sys, onnx
m = onnx.load(sys.argv[1]); g = m.graph
names = {t.name for t in g.initializer} | {v.name for v in g.input} | {v.name for v in g.output}
for n in g.node: names.update(x for x in list(n.input) + list(n.output) if x)
shaped = {t.name for t in g.initializer} | {v.name for v in list(g.input) + list(g.output) + list(g.value_info) if v.type.tensor_type.HasField('shape')}
node = next(n for n in g.node if n.op_type == 'MatMul')
out = {v.name: v for v in onnx.shape_inference.infer_shapes(m).graph.value_info}[node.output[0]].type.tensor_type
dims = [d.dim_param if d.HasField('dim_param') else str(d.dim_value) if d.HasField('dim_value') else '?' for d in out.shape.dim]
print(json.dumps({'declared': len(shaped & names), 'valueInfo': len(g.value_info), 'node': node.name, 'type': 'float[' + '×'.join(dims) + ']', 'declaredOut': node.output[0] in shaped}))
`, model], { encoding: 'utf8' })) as { declared: number; valueInfo: number; node: string; type: string; declaredOut: boolean };
      assert.equal(facts.valueInfo, 0, 'the export has no value_info (every intermediate shape is inferred)');
      assert.equal(facts.declaredOut, false, `${facts.node}'s output is not declared by the file`);
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'transformer.onnx');
      const body = frame.locator('body');
      type Stats = { state?: string; shapedAtGraph?: number; shapesInferred?: number; openSteps?: string[] };
      let stats: Stats = {};
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && stats.shapesInferred === undefined; await page.waitForTimeout(100)) {
        stats = await body.evaluate(() => (globalThis as unknown as { __npuViewer: Stats }).__npuViewer);
      }
      ctx.log(`tensors with a shape in the graph message: ${stats.shapedAtGraph}, given by the shapes message: ${stats.shapesInferred}; open steps: ${stats.openSteps?.join(' → ')}`);
      assert.equal(stats.shapedAtGraph, facts.declared, 'the graph message carries the shapes the file declares, none inferred');
      assert.ok((stats.shapesInferred ?? 0) > 0, 'the inferred shapes arrived in their own message');
      // the projection's output, as onnx infers it, in its properties
      await searchAndSelect(page, frame, facts.node);
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties .tensor .mono', { hasText: facts.type }).first().waitFor({ timeout: 15_000 });
      ctx.log(`${facts.node}: ${facts.type}`);
    },
  },
  {
    name: 'ONNX viewer: arrow keys follow edges, Enter opens the properties',
    async run(page, ctx) {
      copyFileSync(generatedModel(MODEL), path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      const body = frame.locator('body');
      const selected = () => body.evaluate(() => (globalThis as unknown as { __npuViewer: { selected?: string } }).__npuViewer.selected ?? '');
      // start on the Erf node of an exact GELU: x / √2 → Erf → + 1; Div's only consumer is Erf, Erf's only producer Div and only consumer Add
      await searchAndSelect(page, frame, 'Erf');
      const start = await selected();
      assert.match(start, /Erf/);
      await frame.locator('canvas.graph').focus();
      await page.keyboard.press('ArrowUp');
      const up = await selected();
      assert.match(up, /Div/, `up from ${start} reached ${up}`);
      await page.keyboard.press('ArrowDown');
      assert.equal(await selected(), start, 'down goes back to the consumer');
      await page.keyboard.press('ArrowDown');
      const down = await selected();
      assert.match(down, /Add/, `down from ${start} reached ${down}`);
      await page.keyboard.press('Enter');
      await frame.locator('#properties td.mono', { hasText: /^Add$/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      ctx.log(`${up} → ${start} → ${down}`);
    },
  },
  {
    name: 'ONNX viewer: a model whose external data file is missing opens with a warning',
    async run(page, ctx) {
      copyFileSync(generatedModel('external_data.onnx'), path.join(ctx.workspace, 'external_data.onnx')); // its .weights file is not copied
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'external_data.onnx');
      const warning = frame.locator('.warnings');
      await warning.waitFor({ timeout: 30_000 });
      assert.match(await warning.innerText(), /external data/);
    },
  },
  {
    name: 'ONNX viewer: a truncated model says how much of it is there, in the CLI\'s words, and offers Open as Text',
    async run(page, ctx) {
      const bytes = readFileSync(generatedModel(MODEL));
      const cut = Math.floor(bytes.length / 2);
      writeFileSync(path.join(ctx.workspace, 'truncated.onnx'), bytes.subarray(0, cut));
      const text = await errorPage(page, 'truncated.onnx');
      ctx.log(text);
      // the size written above, in the CLI's unit (src/cli/errors.ts says the same sentence)
      const shown = new RegExp(`truncated\\.onnx is truncated: the file has ${bytesText(cut).replace('.', '\\.')} of ([\\d.]+) (B|KiB|MiB) or more`);
      const promised = shown.exec(text);
      assert.ok(promised, text);
      const unit = { B: 1, KiB: 1024, MiB: 1024 * 1024 }[promised[2] as 'B' | 'KiB' | 'MiB'];
      assert.ok(Number(promised[1]) * unit > cut, `the length fields promise more than the ${cut} bytes there: ${text}`);
      assert.doesNotMatch(text, /byte offset/, 'the decoder\'s detail is not the message');
      await viewerFrame(page).locator('.state.error vscode-button', { hasText: 'Open as Text' }).waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'ONNX viewer: a text file named .onnx is "not an ONNX model: it is a text file"; Open as Text reopens it in the text editor',
    async run(page, ctx) {
      const line = 'these are notes, not a model: 7f3a9c';
      writeFileSync(path.join(ctx.workspace, 'notes.onnx'), `${line}\nsecond line\n`);
      const text = await errorPage(page, 'notes.onnx');
      ctx.log(text);
      assert.match(text, /notes\.onnx is not an ONNX model: it is a text file\./);
      assert.doesNotMatch(text, /wire type|byte offset/, 'the decoder\'s detail is not the message');
      await viewerFrame(page).locator('.state.error vscode-button', { hasText: 'Open as Text' }).click();
      // VS Code's own text editor on the same file (vscode.openWith 'default'), showing its lines
      const editor = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: line });
      await editor.first().waitFor({ timeout: 30_000 });
      const tab = page.locator('.tabs-container .tab.active');
      assert.match(await tab.innerText(), /notes\.onnx/);
      // the viewer's tab was replaced, not kept beside the text editor
      await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 30_000 });
    },
  },
  {
    name: 'ONNX viewer: an If body opens as its own graph from the properties panel, with a breadcrumb back',
    async run(page, ctx) {
      const model = 'control_flow.onnx';
      const file = generatedModel(model);
      copyFileSync(file, path.join(ctx.workspace, model));
      // what Python's onnx reads: the If node, its then-branch size, the main graph size
      const expected = JSON.parse(execFileSync(PYTHON, ['-c', [
        'import json, sys, onnx',
        'm = onnx.load(sys.argv[1])',
        "node = [n for n in m.graph.node if n.op_type == 'If'][0]",
        "body = [a.g for a in node.attribute if a.name == 'then_branch'][0]",
        "print(json.dumps({'main': len(m.graph.node), 'then': len(body.node)}))",
      ].join('\n'), file], { encoding: 'utf8' })) as { main: number; then: number };
      await waitForWorkbench(page);
      const frame = await openInViewer(page, model);
      const body = frame.locator('body');
      type Shown = { state?: string; graphPath?: string; nodes?: number };
      const waitShown = async (matches: (s: Shown) => boolean): Promise<Shown> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const shown = await body.evaluate(() => (globalThis as unknown as { __npuViewer?: Shown }).__npuViewer ?? {});
          if (shown.state === 'ready' && matches(shown)) return shown;
          if (Date.now() > deadline) assert.fail(`viewer did not show the expected graph: ${JSON.stringify(shown)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      assert.equal((await waitShown((s) => s.graphPath === 'main')).nodes, expected.main);
      await searchAndSelect(page, frame, 'If');
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties vscode-button[data-subgraph$=".then_branch"]').click();
      const nested = await waitShown((s) => s.graphPath?.endsWith('.then_branch') === true);
      assert.equal(nested.nodes, expected.then, 'the then-branch is drawn with its own nodes');
      const crumbs = frame.locator('nav.breadcrumb');
      await crumbs.locator('.crumb.current', { hasText: 'then_branch' }).waitFor({ timeout: 10_000 });
      ctx.log(`${nested.graphPath}: ${nested.nodes} nodes; breadcrumb: ${(await crumbs.innerText()).replace(/\s+/g, ' ')}`);
      await crumbs.locator('a.crumb').first().click();
      assert.equal((await waitShown((s) => s.graphPath === 'main')).nodes, expected.main, 'back on the main graph');
      assert.equal(await frame.locator('nav.breadcrumb').count(), 0);
    },
  },
  {
    name: 'ONNX viewer: node names with markup are shown as text, never run',
    async run(page, ctx) {
      const model = path.join(ctx.workspace, 'xss.onnx');
      const script = [
        'import onnx, sys',
        'from onnx import helper, TensorProto',
        'names = ["<script>window.__pwned=1</script>", "<img src=x onerror=\\"window.__pwned=2\\">", "/m/<b>bold</b>/Relu"]',
        'nodes = [helper.make_node("Relu", ["x" if i == 0 else "t%d" % (i - 1)], ["t%d" % i], name=n) for i, n in enumerate(names)]',
        'g = helper.make_graph(nodes, "<svg onload=alert(1)>", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])], [helper.make_tensor_value_info("t2", TensorProto.FLOAT, [1, 4])])',
        'onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])',
      ].join('\n');
      writeFileSync(path.join(ctx.workspace, 'make_xss.py'), script);
      execFileSync(PYTHON, [path.join(ctx.workspace, 'make_xss.py'), model]);
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'xss.onnx');
      await frame.locator('vscode-textfield').click();
      await page.keyboard.type('<');
      const results = frame.locator('#search-results li .text');
      await results.first().waitFor({ timeout: 15_000 });
      const texts = await results.allTextContents();
      assert.ok(texts.includes('<script>window.__pwned=1</script>'), `results: ${texts.join(' | ')}`);
      assert.ok(texts.includes('<img src=x onerror="window.__pwned=2">'), `results: ${texts.join(' | ')}`);
      assert.equal(await frame.locator('img, b, svg[onload]').count(), 0, 'no element was created from a name');
      assert.equal(await frame.locator('script', { hasText: '__pwned' }).count(), 0, 'no script was created from a name');
      await results.first().click();
      await frame.getByText('Properties', { exact: true }).click();
      await frame.locator('#properties td.mono', { hasText: '<script>' }).first().waitFor({ timeout: 15_000 });
      assert.equal(await frame.locator('img, b').count(), 0);
      assert.deepEqual(dialogs, []);
    },
  },
];
