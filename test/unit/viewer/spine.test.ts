import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { layeredLayout } from '../../../src/shared/layout/layered';
import { GraphLayoutEngine } from '../../../src/shared/layout/graphLayout';
import { defaultExpanded } from '../../../src/shared/layout/modules';
import { shapeComputations } from '../../../src/shared/layout/fold';
import type { GraphLayout } from '../../../src/shared/layout/graphLayout';
import type { CompactGraph } from '../../../src/shared/graph';
import { mainFlow, mainFlowSpread } from '../../shared/mainFlow';
import { GraphBuilder, transformerGraph } from './synthetic';

/** The drawn main flow's spread, shape arithmetic aside (nodes computing a shape are beside the flow by design). */
const flowSpread = (graph: CompactGraph, layout: GraphLayout) => {
  const shape = shapeComputations(graph);
  return mainFlowSpread(layout.items, layout.edges, (i) => layout.items[i]!.kind === 'node' && shape[layout.items[i]!.index] === 1);
};
const boxes = (widths: number[], h = 26) => ({ widths: Float64Array.from(widths), heights: new Float64Array(widths.length).fill(h) });
const column = (x: Float64Array, nodes: readonly number[]) => nodes.map((v) => x[v]!);
const assertColumn = (x: Float64Array, nodes: readonly number[], what: string) => {
  const xs = column(x, nodes);
  assert.ok(Math.max(...xs) - Math.min(...xs) < 0.01, `${what}: x of ${nodes.join(',')} = ${xs.map((v) => v.toFixed(1)).join(', ')}`);
};

test('a chain with a side input at every step stays one column (mean-of-neighbours placement drifts it into a staircase)', () => {
  // c0 → c1 → ... → c9; every c_i (i ≥ 1) also reads a side source s_i (a mask, a shape chain): the
  // side input sits beside its consumer and must not pull it over
  const chain = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const edges: [number, number][] = [];
  for (let i = 1; i < 10; i++) edges.push([i - 1, i], [9 + i, i]);
  const r = layeredLayout({ ...boxes(new Array(19).fill(60)), edges });
  assertColumn(r.x, chain, 'the chain');
  assert.ok(Math.abs(r.spineX - r.x[0]!) < 0.01, "spineX is the column");
  assert.deepEqual(Array.from(r.spine), chain);
  // each side input is right beside its consumer's rank above, not far away
  for (let i = 1; i < 10; i++) assert.ok(Math.abs(r.x[9 + i]! - r.x[i]!) <= 60 + 24 + 1e-6, `side input ${9 + i} is ${Math.abs(r.x[9 + i]! - r.x[i]!)} px away`);
});

test('side inputs of different widths on both sides do not shift the spine', () => {
  // 0 → 1 → 2 → 3; 4 (wide) → 2, 5 → 2, 6 (wide) → 3
  const r = layeredLayout({ ...boxes([60, 60, 60, 60, 200, 80, 180]), edges: [[0, 1], [1, 2], [2, 3], [4, 2], [5, 2], [6, 3]] });
  assertColumn(r.x, [0, 1, 2, 3], 'the chain');
});

test('a residual block: the spine runs through the block, the skip connection goes beside it', () => {
  // 0 → 1 → 2 → 3 → 4(Add) with the skip 0 → 4, and a parallel branch 1 → 5 → 4
  const r = layeredLayout({ ...boxes(new Array(6).fill(60)), edges: [[0, 1], [1, 2], [2, 3], [3, 4], [0, 4], [1, 5], [5, 4]] });
  assertColumn(r.x, [0, 1, 2, 3, 4], 'the main path');
  assert.notEqual(r.x[5], r.x[2], 'the branch node is beside the spine');
  // the skip edge's dummies are off the column (it would run through nodes 1..3 otherwise)
  const skip = r.routes[4]!;
  for (let i = 2; i < skip.length - 2; i += 2) assert.notEqual(skip[i], r.x[0], 'the skip runs beside the block');
});

test('a level with ports: the spine runs from the entry port to the exit port', () => {
  // entry 0 → 1 → 2 → exit 3, and a source 4 → 2 (a side input)
  const r = layeredLayout({ ...boxes([2, 60, 60, 2, 120]), edges: [[0, 1], [1, 2], [2, 3], [4, 2]] }, { pinTop: 0, pinBottom: 3 });
  assertColumn(r.x, [0, 1, 2, 3], 'entry to exit');
});

test('module boxes stack in one column with the spine running straight through them', () => {
  const g = new GraphBuilder('stack');
  let x = g.input('x', [1, 8]);
  for (let block = 0; block < 4; block++) {
    const scope = `/blocks.${block}`;
    // a side chain on one side only (a shape computation feeding the Reshape), which made boxes lopsided
    const side = g.op(`${scope}/shape`, 'Gather', [g.op(`${scope}/shape`, 'Shape', [x])]);
    const h = g.op(`${scope}/fc`, 'MatMul', [x, g.initializer(`${scope}.w`, [8, 8])]);
    const r = g.op(scope, 'Reshape', [h, side]);
    x = g.op(scope, 'Add', [g.op(scope, 'Relu', [r]), x]);
  }
  g.output(x);
  const graph = g.build();
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  const nodeItem = (name: string) => layout.items[layout.itemOfNode[graph.nodes.findIndex((n) => n.name.includes(name))]!]!;
  const centre = (i: { x: number; w: number }) => i.x + i.w / 2;
  const spineNames = [0, 1, 2, 3].flatMap((b) => [`/blocks.${b}/fc/MatMul`, `/blocks.${b}/Reshape`, `/blocks.${b}/Relu`, `/blocks.${b}/Add`]);
  const xs = spineNames.map((n) => centre(nodeItem(n)));
  assert.ok(Math.max(...xs) - Math.min(...xs) < 0.01, `spine x: ${xs.join(', ')}`);
  for (let b = 0; b < 4; b++) {
    const box = layout.items[layout.itemOfModule[engine.tree.byPath.get(`/blocks.${b}`)!]!]!;
    assert.ok(Math.abs(centre(box) - xs[0]!) < 0.01, `box ${b} is centred on the spine`);
  }
  assert.ok(flowSpread(graph, layout).spread < 0.01);
});

test('a transformer export, fully expanded and as it opens: the main flow is one column from top to bottom', () => {
  const graph = transformerGraph(6);
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  const { spread, length } = flowSpread(graph, layout);
  assert.ok(length > 300, `main flow of ${length} items`);
  assert.ok(spread < 0.01, `the main flow spreads over ${spread.toFixed(1)} px`);
  // as it opens (sub-modules collapsed, where counting drawn items cannot tell the embedding from the
  // mask path): the layers' boxes and the nodes between them are one column
  const open = engine.layout([...defaultExpanded(engine.tree)]);
  const centres = open.items.filter((i) => {
    if (i.kind === 'module') return !i.expanded && /^\/model\/layers\.\d+\/(input_layernorm|self_attn|post_attention_layernorm|mlp)$/.test(engine.tree.modules[i.index]!.path);
    return i.kind === 'node' && /^\/model\/layers\.\d+\/Add_/.test(graph.nodes[i.index]!.name);
  }).map((i) => i.x + i.w / 2);
  assert.equal(centres.length, 6 * 6);
  assert.ok(Math.max(...centres) - Math.min(...centres) < 0.01, `layers spread over ${Math.max(...centres) - Math.min(...centres)} px`);
});

test('mainFlow finds the items every longest path passes through', () => {
  // 0 → 1 → 3, 0 → 2 → 3, 3 → 4: 1 and 2 are parallel, 0, 3, 4 are on every longest path
  assert.deepEqual(mainFlow(5, [{ from: 0, to: 1 }, { from: 0, to: 2 }, { from: 1, to: 3 }, { from: 2, to: 3 }, { from: 3, to: 4 }]), [0, 3, 4]);
  // a bent column is measured as such
  const items = [{ x: 0, w: 60 }, { x: 100, w: 60 }, { x: 0, w: 60 }];
  assert.equal(mainFlowSpread(items, [{ from: 0, to: 1 }, { from: 1, to: 2 }]).spread, 100);
});

test('shape arithmetic is told from data: Shape → Gather → Unsqueeze → Concat is, the Reshape that uses it is not', () => {
  const g = new GraphBuilder('shape');
  const x = g.input('x', [1, 8]);
  const dim = g.op('/v', 'Unsqueeze', [g.op('/v', 'Gather', [g.op('/v', 'Shape', [x]), g.op('/v', 'Constant', [])]), g.op('/v', 'Constant', [])]);
  const target = g.op('/v', 'Concat', [dim, g.op('/v', 'Constant', [])]);
  const out = g.op('/v', 'Reshape', [g.op('/v', 'Relu', [x]), target]);
  g.output(out);
  const graph = g.build();
  const shape = shapeComputations(graph);
  const of = (op: string) => shape[graph.nodes.findIndex((n) => n.op === op)];
  assert.deepEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Relu', 'Constant'].map(of), [1, 1, 1, 1, 0, 0, 0]);
});
