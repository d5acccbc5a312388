/**
 * ONNX viewer layout in the real VS Code web UI, read from the layout the webview reports (test hooks):
 * the 22,000-node export opens on the top of the network at a readable zoom, Fit shows every node, and
 * its main flow is one column, and a frame of its top is drawn before the whole layout is done; the demo decoder folds its weights and constants into their consumers,
 * lists them in the consumer's properties, and draws them again with the toggle (button and W key).
 * What is expected (which nodes fold, how many layers) comes from the model file read with Python's onnx.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { PYTHON } from '../unit/onnx/fixtures';
import { mainFlow, mainFlowSpread } from '../shared/mainFlow';
import { benchModel } from './benchModels';
import type { E2eScenario } from './scenario';
import { toolbarAction, waitForWorkbench } from './workbench';
import { openInViewer } from './viewer.e2e';

interface ReportItem { kind: string; index: number; label: string; op: string; x: number; y: number; w: number; h: number; expanded: boolean }
interface Report {
  items: ReportItem[];
  edges: { from: number; to: number }[];
  view: { x: number; y: number; zoom: number };
  viewport: { width: number; height: number };
  width: number;
  height: number;
  minimapHeight: number;
}
interface Stats { state?: string; items?: number; showConstants?: boolean }

/** What the model file says, independently of the viewer: node names per op, the nodes that fold (Constant, Identity of a weight or of such a node), and the layer modules. */
function modelFacts(file: string): { nodes: number; folded: string[]; constants: string[]; layers: number; consumerOfConstant: string; shapeNodes: string[] } {
  const script = `
import json, sys, onnx
m = onnx.load(sys.argv[1], load_external_data=False)
g = m.graph
inits = {t.name for t in g.initializer}
outs = {o.name for o in g.output}
const = set()
names = []
for n in g.node:
    if n.op_type == 'Constant' and len(n.output) == 1 and n.output[0] not in outs:
        const.add(n.output[0]); names.append(n.name)
    elif n.op_type == 'Identity' and len(n.input) == 1 and (n.input[0] in inits or n.input[0] in const) and n.output[0] not in outs:
        const.add(n.output[0]); names.append(n.name)
consumer = next((n.name for n in g.node if n.op_type not in ('Constant', 'Identity') and any(i in const for i in n.input)), '')
layers = {n.name.split('/')[1] for n in g.node if n.name.startswith('/layers.') and n.name.count('/') >= 2}
# shape arithmetic: Shape/Size, and nodes whose inputs (weights and constants aside) all come from shape arithmetic
shape_out, shape_nodes = set(), []
for n in g.node:
    data = [i for i in n.input if i and i not in inits and i not in const]
    if n.op_type in ('Shape', 'Size') or (data and all(i in shape_out for i in data)):
        shape_out.update(n.output); shape_nodes.append(n.name)
print(json.dumps({'nodes': len(g.node), 'folded': names, 'constants': [n.name for n in g.node if n.op_type == 'Constant'], 'layers': len(layers), 'consumerOfConstant': consumer, 'shapeNodes': shape_nodes}))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as ReturnType<typeof modelFacts>;
}

const body = (frame: FrameLocator) => frame.locator('body');

async function stats(frame: FrameLocator): Promise<Stats> {
  return body(frame).evaluate(() => {
    const s = (globalThis as unknown as { __npuViewer?: Stats }).__npuViewer;
    return { state: s?.state, items: s?.items, showConstants: s?.showConstants };
  });
}

async function report(frame: FrameLocator): Promise<Report> {
  const r = await body(frame).evaluate(() => (globalThis as unknown as { __npuViewer?: { layoutReport?: () => unknown } }).__npuViewer?.layoutReport?.());
  assert.ok(r, 'the viewer reports its layout (test hooks on: NPU_PORT_TEST_HOOKS=1 in the harness)');
  return r as Report;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the view stops changing (a fit or relayout settled and was drawn). */
async function settled(frame: FrameLocator): Promise<Report> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const r = await report(frame);
    const key = JSON.stringify([r.view, r.items.length, r.width, r.height]);
    if (key === last) return r;
    last = key;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  return report(frame);
}

interface OpenSteps { steps: string[]; preview?: Report; firstPixelsMs?: number; firstInteractiveMs?: number; previewMs?: number }

async function openSteps(frame: FrameLocator): Promise<OpenSteps> {
  return body(frame).evaluate(() => {
    const s = (globalThis as unknown as { __npuViewer?: { openSteps: string[]; previewReport?: unknown; firstPixelsMs?: number; firstInteractiveMs?: number; previewMs?: number } }).__npuViewer;
    return { steps: s?.openSteps ?? [], preview: s?.previewReport as Report | undefined, firstPixelsMs: s?.firstPixelsMs, firstInteractiveMs: s?.firstInteractiveMs, previewMs: s?.previewMs };
  });
}

/**
 * A large model is drawn progressively: a frame of its top before the whole layout is done, and the
 * whole layout's first frame shows what that frame showed at the same place on the screen.
 */
function checkPreview(open: OpenSteps, opening: Report, ctx: { log(text: string): void }): void {
  ctx.log(`open steps: ${open.steps.join(' → ')}; first pixels ${Math.round(open.firstPixelsMs ?? NaN)} ms, interactive ${Math.round(open.firstInteractiveMs ?? NaN)} ms after the webview started (preview laid out in ${Math.round(open.previewMs ?? NaN)} ms)`);
  const drawn = open.steps.indexOf('preview drawn');
  assert.ok(drawn >= 0, `a frame of the top was drawn before the whole layout (steps: ${open.steps.join(', ')})`);
  assert.ok(drawn < open.steps.indexOf('layout done'), `the preview frame came before the whole layout was done (steps: ${open.steps.join(', ')})`);
  const preview = open.preview;
  assert.ok(preview, 'the preview frame was reported');
  assert.ok(preview.items.length < opening.items.length, `the preview holds the top only (${preview.items.length} of ${opening.items.length} items)`);
  // the minimap's outline spans the whole graph while only the top is laid out (it had the preview's height)
  ctx.log(`minimap outline during the preview: ${Math.round(preview.minimapHeight)} high (the preview ${Math.round(preview.height)}, the whole layout ${Math.round(opening.height)})`);
  assert.ok(Math.abs(preview.minimapHeight - opening.height) <= 0.1 * opening.height, `the minimap outlines the whole graph during the preview: ${Math.round(preview.minimapHeight)} against the whole layout's ${Math.round(opening.height)}`);
  const screen = (r: Report, i: ReportItem) => ({ x: i.x * r.view.zoom + r.view.x, y: i.y * r.view.zoom + r.view.y });
  const inView = preview.items.filter((i) => !(i.kind === 'module' && i.expanded) && !outside(preview).includes(i));
  assert.ok(inView.length >= 5, `the preview frame shows the top of the network (${inView.length} items in view)`);
  const now = new Map(opening.items.map((i) => [`${i.kind}:${i.label}`, i]));
  for (const item of inView) {
    const same = now.get(`${item.kind}:${item.label}`);
    assert.ok(same, `${item.kind} ${item.label} of the preview is in the whole layout`);
    const a = screen(preview, item);
    const b = screen(opening, same);
    assert.ok(Math.abs(a.x - b.x) <= 8 && Math.abs(a.y - b.y) <= 8, `${item.label} stays in place on the screen: (${a.x.toFixed(0)}, ${a.y.toFixed(0)}) → (${b.x.toFixed(0)}, ${b.y.toFixed(0)})`);
  }
}

/** Items outside the viewport at the current view (screen = world × zoom + pan), with half a pixel of slack. */
function outside(r: Report): ReportItem[] {
  const { x, y, zoom } = r.view;
  return r.items.filter((i) => i.x * zoom + x < -0.5 || i.y * zoom + y < -0.5 || (i.x + i.w) * zoom + x > r.viewport.width + 0.5 || (i.y + i.h) * zoom + y > r.viewport.height + 0.5);
}

/** The main data flow (shape arithmetic, which sits beside it by design, aside) runs from top to bottom in one column. */
function checkMainFlow(r: Report, ctx: { log(text: string): void }, what: string, shapeNodes: ReadonlySet<string>): void {
  const skip = (i: number) => r.items[i]!.kind === 'node' && shapeNodes.has(r.items[i]!.label);
  // drawn boxes: nodes, collapsed modules and the graph's inputs and outputs (the opening view may hold no node at all)
  const nodeWidths = r.items.filter((i) => !(i.kind === 'module' && i.expanded)).map((i) => i.w);
  const narrowest = Math.min(...nodeWidths);
  const flow = mainFlow(r.items.length, r.edges, skip);
  const { spread } = mainFlowSpread(r.items, r.edges, skip);
  const first = r.items[flow[0]!]!;
  const last = r.items[flow.at(-1)!]!;
  ctx.log(`${what}: main flow of ${flow.length} items from ${first.label} to ${last.label}, x spread ${spread.toFixed(2)} px (narrowest node ${narrowest} px), layout ${Math.round(r.width)} × ${Math.round(r.height)}`);
  assert.ok(flow.length >= 100, `${what}: a main flow through the whole model (${flow.length} items)`);
  assert.ok(first.y < r.height * 0.01 && last.y + last.h > r.height * 0.99, `${what}: the main flow runs from the top to the bottom`);
  assert.ok(spread < narrowest, `${what}: the main flow's x varies by ${spread.toFixed(1)} px, more than one node width (${narrowest} px)`);
}

export const scenarios: E2eScenario[] = [
  {
    name: 'ONNX viewer layout: the 22,000-node export opens on its top at a readable zoom, drawn before its whole layout is done; after Fit every node is in view and the main flow is one column (bench/models/transformer-22k.onnx)',
    async run(page: Page, ctx) {
      const big = benchModel(ctx.repoRoot, 'transformer-22k.onnx');
      const facts = modelFacts(big);
      copyFileSync(big, path.join(ctx.workspace, 'transformer-22k.onnx'));
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'transformer-22k.onnx', 120_000);
      await waitFor('the viewer to be ready', async () => (await stats(frame)).state === 'ready');
      const opening = await settled(frame);
      checkPreview(await openSteps(frame), opening, ctx);
      // the report against the file: one box per layer, no weight node drawn
      const layerBoxes = opening.items.filter((i) => i.kind === 'module' && /^\/layers\.\d+$/.test(i.label));
      assert.equal(layerBoxes.length, facts.layers, 'one box per layer');
      const folded = new Set(facts.folded);
      assert.deepEqual(opening.items.filter((i) => i.kind === 'node' && folded.has(i.label)).map((i) => i.label), [], 'weights and constants are folded');
      // first frame: the top of the network, readable, the rest below
      const top = opening.items.reduce((a, b) => (b.y < a.y ? b : a));
      ctx.log(`first frame: zoom ${opening.view.zoom.toFixed(3)}, ${opening.items.length} items, ${outside(opening).length} below or beside the window`);
      assert.ok(opening.view.zoom >= 0.8, `readable zoom at the first frame (${opening.view.zoom})`);
      assert.equal(outside(opening).includes(top), false, 'the top of the network is in view');
      assert.ok(outside(opening).length > 0, 'a model this big does not fit at a readable zoom: the first frame shows its top');
      const shapeNodes = new Set(facts.shapeNodes);
      checkMainFlow(opening, ctx, 'as opened', shapeNodes);

      await toolbarAction(frame, 'Fit');
      const fitted = await settled(frame);
      assert.deepEqual(outside(fitted).map((i) => i.label), [], 'after Fit every item is inside the viewport');

      // every module open: nodes only, the whole model
      await toolbarAction(frame, 'Expand all');
      await waitFor('the expanded layout', async () => ((await stats(frame)).items ?? 0) > 10_000, 180_000);
      const expanded = await settled(frame);
      const drawnNodes = expanded.items.filter((i) => i.kind === 'node');
      assert.equal(drawnNodes.length, facts.nodes - facts.folded.length, 'every node but the folded ones is drawn');
      checkMainFlow(expanded, ctx, 'expanded', shapeNodes);
      await toolbarAction(frame, 'Fit');
      await waitFor('the fit', async () => outside(await report(frame)).length === 0, 30_000).catch(() => undefined);
      const all = await settled(frame);
      ctx.log(`fit, expanded: zoom ${all.view.zoom.toExponential(2)}, ${all.items.length} items`);
      assert.deepEqual(outside(all).slice(0, 5).map((i) => i.label), [], 'after Fit every node of the expanded model is inside the viewport');
    },
  },
  {
    name: 'ONNX viewer layout: the demo decoder draws no Constant or weight node by default, the consumer\'s properties list them, the toggle (button and W) draws them',
    async run(page: Page, ctx) {
      const model = path.join(ctx.workspace, 'decoder.onnx');
      copyFileSync(path.join(ctx.repoRoot, 'examples', 'models', 'decoder.onnx'), model);
      const facts = modelFacts(model);
      assert.ok(facts.constants.length > 50 && facts.consumerOfConstant, 'the demo decoder has Constant nodes for this test to mean something');
      await waitForWorkbench(page);
      const frame = await openInViewer(page, 'decoder.onnx');
      await waitFor('the viewer to be ready', async () => (await stats(frame)).state === 'ready');
      const folded = new Set(facts.folded);
      const drawnFolded = (r: Report) => r.items.filter((i) => i.kind === 'node' && folded.has(i.label));
      const byDefault = await settled(frame);
      await toolbarAction(frame, 'Expand all');
      const all = await settled(frame);
      assert.deepEqual(drawnFolded(byDefault).map((i) => i.label), [], 'no standalone Constant or weight node as opened');
      assert.deepEqual(drawnFolded(all).map((i) => i.label), [], 'none with every module open');
      assert.equal(all.items.filter((i) => i.kind === 'node' && i.op === 'Constant').length, 0);

      // the consumer's properties list what is folded into it, with its type
      await frame.locator('vscode-textfield').click();
      await page.keyboard.type(facts.consumerOfConstant);
      const exact = new RegExp(`^${facts.consumerOfConstant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      await frame.locator('#search-results li .text', { hasText: exact }).first().click({ timeout: 15_000 });
      await frame.getByText('Properties', { exact: true }).click();
      const notes = frame.locator('#properties .folded');
      await notes.first().waitFor({ timeout: 15_000 });
      const texts = await notes.allInnerTexts();
      ctx.log(`properties of ${facts.consumerOfConstant}: ${texts.join(' | ')}`);
      assert.ok(texts.some((t) => /Folded constant: \w+\[[\d,]*\]/.test(t)), 'a folded constant with its dtype and shape');

      // the toggle draws them; W folds them again
      // on the row when it fits, else in More actions (toolbarAction takes either)
      await toolbarAction(frame, 'Constants');
      await waitFor('constants drawn', async () => (await stats(frame)).showConstants === true && drawnFolded(await report(frame)).length === facts.folded.length, 60_000);
      assert.equal((await frame.locator('.toolbar vscode-button[data-action="constants"]').getAttribute('aria-pressed')), 'true', 'the toggle shows its state');
      await frame.locator('canvas.graph').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('w');
      await waitFor('constants folded again', async () => (await stats(frame)).showConstants === false && drawnFolded(await report(frame)).length === 0, 60_000);
    },
  },
];
