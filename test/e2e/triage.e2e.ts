/**
 * Compile triage in the viewer, as field report 003 does it: with a whitelist profile learned from the
 * passing parts, a rejected node offers its rewrite; running it verifies the result with onnxruntime and
 * saves a new model (checked here independently: onnxruntime loads it, Python's onnx counts its ops);
 * an approximate rewrite shows its measured error first; "Go to PyTorch Source" opens the module.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { edgesamDecoder, PYTHON } from '../unit/transform/fixtures';
import type { E2eContext, E2eScenario } from './scenario';
import { cliCounts, openInViewer, searchAndSelect, viewerFrame, waitForCounts } from './viewer.e2e';
import { checkForTarget, waitForWorkbench } from './workbench';

const MODEL = 'decoder.onnx';

/** The decoder, a whitelist profile and the setting that selects it. `withoutErf`: a profile that also rejects Erf. */
function prepare(ctx: E2eContext, withoutErf = false): void {
  copyFileSync(edgesamDecoder(), path.join(ctx.workspace, MODEL));
  const profile = JSON.parse(readFileSync(path.join(ctx.repoRoot, 'test/fixtures/onnx/profiles/edgesam-pass.json'), 'utf8')) as { name: string; ops: string[] };
  if (withoutErf) {
    profile.name = 'mobile-npu';
    profile.ops = profile.ops.filter((op) => op !== 'Erf');
  }
  mkdirSync(path.join(ctx.workspace, '.npu-port/profiles'), { recursive: true });
  writeFileSync(path.join(ctx.workspace, '.npu-port/profiles', `${profile.name}.json`), JSON.stringify(profile));
  mkdirSync(path.join(ctx.workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(ctx.workspace, '.vscode/settings.json'), JSON.stringify({ 'npuPort.onnx.target': profile.name }));
}

/** Op counts and node names of a saved model, read by Python's onnx (not by our decoder). */
function pythonOps(file: string): { ops: Record<string, number>; names: string[] } {
  const script = 'import json,sys,onnx\nm=onnx.load(sys.argv[1])\nops={}\nfor n in m.graph.node: ops[n.op_type]=ops.get(n.op_type,0)+1\nprint(json.dumps({"ops":ops,"names":[n.name for n in m.graph.node]}))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' })) as { ops: Record<string, number>; names: string[] };
}

/** Accepts the simple save dialog's suggestion once it shows a .onnx name; returns that name. */
async function acceptSaveDialog(page: Page, ctx: E2eContext): Promise<string> {
  const save = page.locator('.quick-input-widget input');
  await save.waitFor({ state: 'visible', timeout: 120_000 });
  let suggested = '';
  for (const deadline = Date.now() + 15_000; !suggested.endsWith('.onnx') && Date.now() < deadline; await page.waitForTimeout(100)) suggested = await save.inputValue();
  ctx.log(`save dialog suggests ${suggested}`);
  await page.keyboard.press('Enter');
  return path.basename(suggested);
}

/** Searches a node, selects the first result and shows the Properties tab (the search leaves the Search tab open). */
async function selectNode(page: Page, frame: FrameLocator, text: string): Promise<void> {
  await searchAndSelect(page, frame, text);
  await frame.locator('vscode-tab-header', { hasText: 'Properties' }).click();
}

async function loadsInOnnxruntime(file: string): Promise<string[]> {
  const { InferenceSession } = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const session = await InferenceSession.create(file);
  const outputs = [...session.outputNames];
  await session.release();
  return outputs;
}

export const scenarios: E2eScenario[] = [
  {
    name: 'Triage: a rejected Gather offers Slice + Reshape; run from the keyboard on that node alone it fixes the shapes, verifies, and saves a new model without it',
    prepare: (ctx) => prepare(ctx),
    async run(page, ctx) {
      const before = pythonOps(path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await selectNode(page, frame, '/mask_decoder/Gather');
      await frame.getByText('Verdict for edgesam-pass').waitFor({ timeout: 30_000 });
      const run = frame.locator('.rewrite vscode-button[data-rule="gather-to-slice"][data-scope="node"]');
      await run.waitFor({ timeout: 30_000 });
      ctx.log(`offers: ${(await frame.locator('.rewrite .rule').allInnerTexts()).join(', ')}`);
      // keyboard: focus the button and press Enter
      await run.focus();
      await page.keyboard.press('Enter');
      // symbolic num_points: the sizes become the rewritten model's fixed input shapes
      const sizes = page.locator('.quick-input-widget input');
      await sizes.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await sizes.inputValue(), /num_points=\d+/);
      await sizes.fill('num_points=5');
      await page.keyboard.press('Enter');
      const saved = await acceptSaveDialog(page, ctx);
      assert.equal(saved, 'decoder.rewritten.onnx', 'the save dialog suggests NAME.rewritten.onnx');
      const toast = page.locator('.notification-toast', { hasText: /Saved decoder\.rewritten\.onnx|refused|Cannot/ }).first();
      await toast.waitFor({ timeout: 120_000 });
      const text = (await toast.innerText()).replace(/\s+/g, ' ');
      ctx.log(text);
      assert.match(text, /Saved decoder\.rewritten\.onnx: gather-to-slice rewrote 1 node/);
      assert.match(text, /max abs error [0-9.e+-]+, cosine/);
      const file = path.join(ctx.workspace, saved);
      assert.ok(existsSync(file), `${file} was written`);
      assert.deepEqual((await loadsInOnnxruntime(file)).sort(), ['masks', 'scores']);
      const after = pythonOps(file);
      assert.ok(!after.names.includes('/mask_decoder/Gather'), 'the selected Gather is gone');
      assert.equal(after.ops.Gather ?? 0, before.ops.Gather! - 1, 'only the selected Gather is rewritten');
      assert.ok(after.ops.Slice! > (before.ops.Slice ?? 0), 'Slice nodes took their place');
      assert.equal(pythonOps(path.join(ctx.workspace, MODEL)).ops.Gather, before.ops.Gather, 'the opened model is untouched');
      // the new model opens in the viewer; the notification compares it with the original
      await page.locator('.tab', { hasText: 'decoder.rewritten.onnx' }).first().waitFor({ timeout: 30_000 });
      await toast.getByRole('button', { name: 'Compare with Original' }).click();
      await page.locator('.tab', { hasText: 'decoder.onnx ↔ decoder.rewritten.onnx' }).first().waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'Triage: Erf → tanh on all matching nodes shows the measured error before saving; declining writes nothing, accepting saves a model without Erf',
    prepare: (ctx) => prepare(ctx, true),
    async run(page, ctx) {
      const before = pythonOps(path.join(ctx.workspace, MODEL));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await selectNode(page, frame, 'mlp/act/Erf');
      const run = frame.locator('.rewrite vscode-button[data-rule="erf-to-tanh"][data-scope="model"]');
      await run.waitFor({ timeout: 30_000 });
      const measure = async () => {
        await run.click();
        const sizes = page.locator('.quick-input-widget input');
        await sizes.waitFor({ state: 'visible', timeout: 30_000 });
        await page.keyboard.press('Enter');
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 120_000 });
        const text = (await dialog.innerText()).replace(/\s+/g, ' ');
        ctx.log(text);
        assert.match(text, /erf-to-tanh changes numerics/);
        assert.match(text, /masks: max abs error [0-9.e+-]+, cosine (?:0\.99|1\.0)\d+/);
        return dialog;
      };
      // declined: nothing is written, the panel says so
      let dialog = await measure();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await frame.locator('.rewrite-result.cancelled').waitFor({ timeout: 30_000 });
      assert.ok(!existsSync(path.join(ctx.workspace, 'decoder.rewritten.onnx')), 'nothing written when declined');
      // accepted
      dialog = await measure();
      await dialog.getByRole('button', { name: 'Save Rewritten Model…' }).click();
      const saved = await acceptSaveDialog(page, ctx);
      const file = path.join(ctx.workspace, saved);
      await page.locator('.notification-toast', { hasText: /Saved decoder\.rewritten\.onnx/ }).first().waitFor({ timeout: 60_000 });
      assert.ok(existsSync(file));
      assert.deepEqual((await loadsInOnnxruntime(file)).sort(), ['masks', 'scores']);
      const after = pythonOps(file);
      assert.equal(after.ops.Erf ?? 0, 0, 'every Erf rewritten');
      assert.equal(after.ops.Tanh ?? 0, (before.ops.Tanh ?? 0) + before.ops.Erf!, 'one Tanh per Erf');
    },
  },
  {
    name: 'Triage: Go to PyTorch Source opens the attention q_proj assignment of an exported MatMul',
    prepare: (ctx) => prepare(ctx),
    async run(page, ctx) {
      cpSync(path.join(ctx.repoRoot, 'test/fixtures/pytorch/edgesam_like/edge_sam'), path.join(ctx.workspace, 'edge_sam'), { recursive: true });
      const source = readFileSync(path.join(ctx.workspace, 'edge_sam/modeling/transformer.py'), 'utf8').split('\n');
      const expectedLine = source.findIndex((l) => l.includes('self.q_proj = nn.Linear(')) + 1;
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await selectNode(page, frame, 'self_attn/q_proj/MatMul');
      await frame.getByText('Go to PyTorch Source', { exact: true }).click();
      await page.locator('.tab.active', { hasText: 'transformer.py' }).waitFor({ timeout: 60_000 });
      const position = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
      await position.waitFor({ timeout: 15_000 });
      const status = await position.innerText();
      ctx.log(`editor at ${status}`);
      assert.equal(Number(/Ln (\d+)/.exec(status)![1]), expectedLine);
    },
  },
  {
    name: 'Triage: a model opened after a rewrite checks against the workspace target setting, not the default nor the first editor\'s own pick',
    prepare(ctx) {
      copyFileSync(edgesamDecoder(), path.join(ctx.workspace, MODEL));
      // written before VS Code opens the folder (a settings.json written later reaches the extension host late)
      mkdirSync(path.join(ctx.workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(ctx.workspace, '.vscode/settings.json'), JSON.stringify({ 'npuPort.onnx.target': 'ascend910' }));
    },
    async run(page, ctx) {
      await waitForWorkbench(page);
      const frame = await openInViewer(page, MODEL);
      await waitForCounts(frame, cliCounts(ctx.repoRoot, path.join(ctx.workspace, MODEL), 'ascend910'));
      // this editor's own pick: qnn-htp (it rejects the Gather, so Properties offers its rewrite)
      await checkForTarget(page, 'qnn-htp');
      await waitForCounts(frame, cliCounts(ctx.repoRoot, path.join(ctx.workspace, MODEL), 'qnn-htp'));
      await selectNode(page, frame, '/mask_decoder/Gather');
      const run = frame.locator('.rewrite vscode-button[data-rule="gather-to-slice"][data-scope="node"]');
      await run.waitFor({ timeout: 30_000 });
      await run.click();
      const sizes = page.locator('.quick-input-widget input');
      await sizes.waitFor({ state: 'visible', timeout: 30_000 });
      await sizes.fill('num_points=5');
      await page.keyboard.press('Enter');
      const saved = await acceptSaveDialog(page, ctx);
      const file = path.join(ctx.workspace, saved);
      const toast = page.locator('.notification-toast', { hasText: /Saved decoder\.rewritten\.onnx|refused|Cannot/ }).first();
      await toast.waitFor({ timeout: 120_000 });
      assert.match((await toast.innerText()).replace(/\s+/g, ' '), /Saved decoder\.rewritten\.onnx/);
      const expected = cliCounts(ctx.repoRoot, file, 'ascend910');
      const others = { default: cliCounts(ctx.repoRoot, file, 'ascend310p'), picked: cliCounts(ctx.repoRoot, file, 'qnn-htp') };
      ctx.log(`rewritten model, CLI: ascend910 ${JSON.stringify(expected)}, ${JSON.stringify(others)}`);
      assert.notDeepEqual(expected, others.default, 'the setting and the default must differ on this model for the test to mean something');
      assert.notDeepEqual(expected, others.picked, 'the setting and the first editor\'s pick must differ on this model');
      // the rewritten model opens in a new viewer: on the workspace setting, which it names
      await page.locator('.tab.active', { hasText: saved }).first().waitFor({ timeout: 30_000 });
      const opened = viewerFrame(page);
      await opened.locator('canvas.graph').waitFor({ timeout: 60_000 });
      await waitForCounts(opened, expected);
      const selected = (await opened.locator('vscode-option[selected]').textContent()) ?? '';
      ctx.log(`new viewer target: "${selected}"`);
      assert.equal(await opened.locator('vscode-option[selected]').getAttribute('value'), 'ascend910');
      assert.match(selected, /\(workspace setting\)$/);
    },
  },
];

