import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { layeredLayout } from '../../../src/shared/layout/layered';
import { countCrossings } from '../../../src/shared/layout/crossings';
import { GraphLayoutEngine, type GraphLayout, type VisibleItem } from '../../../src/shared/layout/graphLayout';
import { defaultExpanded } from '../../../src/shared/layout/modules';
import { flatLayoutInput } from '../../../src/shared/layout/flat';
import { noFolding } from '../../../src/shared/layout/fold';
import { edgeSamDecoderGraph, GraphBuilder, transformerGraph } from './synthetic';

const boxes = (n: number, w = 60, h = 26) => ({ widths: new Float64Array(n).fill(w), heights: new Float64Array(n).fill(h) });

test('a chain is ranked by longest path and every edge points down', () => {
  const r = layeredLayout({ ...boxes(4), edges: [[0, 1], [1, 2], [2, 3], [0, 3]] });
  assert.deepEqual(Array.from(r.rank), [0, 1, 2, 3]);
  for (const [a, b] of [[0, 1], [1, 2], [2, 3]] as const) assert.ok(r.y[b]! > r.y[a]!);
  assert.equal(r.dummies, 2, 'the 0→3 edge crosses ranks 1 and 2');
  // routes start at the source's bottom centre and end at the target's top centre
  const route = r.routes[3]!;
  assert.deepEqual([route[0], route[1]], [r.x[0], r.y[0]! + 13]);
  assert.deepEqual([route.at(-2), route.at(-1)], [r.x[3], r.y[3]! - 13]);
  assert.equal(route.length, 8, 'source, two dummies, target');
});

test('sources are pulled down next to their consumer (a Constant sits right above its user)', () => {
  // 0→1→2→3, constant 4 feeds 3 only
  const r = layeredLayout({ ...boxes(5), edges: [[0, 1], [1, 2], [2, 3], [4, 3]] });
  assert.equal(r.rank[4], 2);
});

test('crossing reduction untangles a crossed bipartite pair and leaves K3,3 at its minimum of 9', () => {
  // initial DFS order puts 0's child (3) first; edges 0→3, 1→2: an untangled order has no crossing
  const twisted = layeredLayout({ ...boxes(4), edges: [[0, 3], [1, 2], [0, 2]] });
  assert.equal(twisted.crossings, 0);
  const k33: [number, number][] = [];
  for (const a of [0, 1, 2]) for (const b of [3, 4, 5]) k33.push([a, b]);
  assert.equal(layeredLayout({ ...boxes(6), edges: k33 }).crossings, 9);
});

test('cycles are broken, duplicate edges and self loops ignored', () => {
  const r = layeredLayout({ ...boxes(3), edges: [[0, 1], [1, 2], [2, 0], [0, 1], [1, 1]] });
  assert.equal(new Set(Array.from(r.rank)).size, 3);
  for (const v of [...r.x, ...r.y]) assert.ok(Number.isFinite(v));
  assert.deepEqual(r.routes[3], r.routes[0], 'a duplicate edge shares the route of the first');
  assert.deepEqual(r.routes[4], []);
});

test('nodes of one rank never overlap and keep the minimum gap', () => {
  const g = transformerGraph(2);
  const flat = flatLayoutInput(g);
  const r = layeredLayout(flat, { nodeGap: 24 });
  const byRank = new Map<number, number[]>();
  r.rank.forEach((rank, v) => byRank.set(rank, [...(byRank.get(rank) ?? []), v]));
  for (const nodes of byRank.values()) {
    nodes.sort((a, b) => r.x[a]! - r.x[b]!);
    for (let i = 1; i < nodes.length; i++) {
      const a = nodes[i - 1]!;
      const b = nodes[i]!;
      assert.ok(r.x[b]! - r.x[a]! >= (flat.widths[a]! + flat.widths[b]!) / 2 + 24 - 1e-6, `nodes ${a} and ${b} overlap`);
    }
  }
});

test('geometric crossing count: an X crosses once, edges meeting at a node do not', () => {
  assert.equal(countCrossings([{ from: 0, to: 1, points: [0, 0, 10, 10] }, { from: 2, to: 3, points: [10, 0, 0, 10] }]), 1);
  assert.equal(countCrossings([{ from: 0, to: 1, points: [0, 0, 10, 10] }, { from: 0, to: 3, points: [0, 0, 0, 10] }]), 0);
  assert.equal(countCrossings([{ from: 0, to: 1, points: [0, 0, 10, 0] }, { from: 2, to: 3, points: [0, 5, 10, 5] }]), 0);
  // two edges from one source bundled along one stroke cross a third edge once on screen
  const bundled = [{ from: 0, to: 1, points: [5, 0, 5, 10, 0, 20] }, { from: 0, to: 2, points: [5, 0, 5, 10, 10, 20] }, { from: 3, to: 4, points: [0, 5, 10, 5] }];
  assert.equal(countCrossings(bundled), 1);
  // crossing exactly on a grid line is counted once
  assert.equal(countCrossings([{ from: 0, to: 1, points: [150, 150, 250, 250] }, { from: 2, to: 3, points: [250, 150, 150, 250] }], 200), 1);
});

function overlapping(items: readonly VisibleItem[]): [VisibleItem, VisibleItem] | undefined {
  const sorted = [...items].sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.x < a.x + a.w; j++) {
      const b = sorted[j]!;
      if (b.y < a.y + a.h && a.y < b.y + b.h) return [a, b];
    }
  }
  return undefined;
}

function checkNesting(layout: GraphLayout, engine: GraphLayoutEngine): void {
  const modules = engine.tree.modules;
  for (const item of layout.items) {
    if (item.kind !== 'node') continue;
    for (let m = engine.tree.moduleOf[item.index]!; m > 0; m = modules[m]!.parent) {
      const box = layout.items[layout.itemOfModule[m]!]!;
      assert.ok(item.x >= box.x && item.y >= box.y && item.x + item.w <= box.x + box.w && item.y + item.h <= box.y + box.h,
        `node ${item.index} lies outside its module ${modules[m]!.path}`);
    }
  }
}

test('a 24-layer transformer opens with its 24 layers collapsed', () => {
  const engine = new GraphLayoutEngine(transformerGraph(24));
  const layout = engine.layout(defaultExpanded(engine.tree));
  const boxesShown = layout.items.filter((i) => i.kind === 'module' && !i.expanded).map((i) => engine.tree.modules[i.index]!.path);
  const layerBoxes = boxesShown.filter((p) => /^\/model\/layers\.\d+$/.test(p));
  assert.equal(layerBoxes.length, 24);
  assert.ok(layout.items.length < 100, `${layout.items.length} items`);
  // every layer's nodes are represented by their box
  const layer7 = engine.tree.byPath.get('/model/layers.7')!;
  const node = engine.graph.nodes.findIndex((n) => n.name.startsWith('/model/layers.7/mlp/fc1/'));
  assert.equal(layout.items[layout.itemOfNode[node]!]!.index, layer7);
  assert.equal(overlapping(layout.items.filter((i) => i.depth <= 1 && !(i.kind === 'module' && i.expanded))), undefined);
  // layers follow each other downwards
  const y = (p: string) => layout.items[layout.itemOfModule[engine.tree.byPath.get(p)!]!]!.y;
  for (let i = 1; i < 24; i++) assert.ok(y(`/model/layers.${i}`) > y(`/model/layers.${i - 1}`));
});

test('expanding one layer re-lays out only that layer and its ancestors', () => {
  const engine = new GraphLayoutEngine(transformerGraph(24));
  const expanded = defaultExpanded(engine.tree);
  engine.layout(expanded);
  const layer3 = engine.tree.byPath.get('/model/layers.3')!;
  const more = new Set(expanded).add(layer3);
  const layout = engine.layout(more);
  assert.equal(layout.levelsComputed, 3, 'root, /model and /model/layers.3');
  const shown = layout.items.filter((i) => i.kind === 'node' && engine.graph.nodes[i.index]!.name.startsWith('/model/layers.3/') && engine.tree.moduleOf[i.index] === layer3);
  assert.ok(shown.length > 0);
  assert.equal(engine.layout(expanded).levelsComputed, 2, 'collapsing again: /model and the root');
});

test('fully expanded EdgeSAM-like decoder with constants drawn: every node drawn once, inside its modules, no overlaps, edges end at their nodes', () => {
  const graph = edgeSamDecoderGraph();
  const engine = new GraphLayoutEngine(graph, undefined, { fold: noFolding(graph) });
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  const nodeItems = layout.items.filter((i) => i.kind === 'node');
  assert.equal(nodeItems.length, graph.nodes.length);
  assert.equal(new Set(nodeItems.map((i) => i.index)).size, graph.nodes.length);
  assert.equal(overlapping(layout.items.filter((i) => i.kind !== 'module')), undefined);
  checkNesting(layout, engine);
  for (const edge of layout.edges) {
    const a = layout.items[edge.from]!;
    const b = layout.items[edge.to]!;
    const p = edge.points;
    const near = (x: number, y: number, tx: number, ty: number) => Math.abs(x - tx) < 1e-6 && Math.abs(y - ty) < 1e-6;
    const forward = near(p[0]!, p[1]!, a.x + a.w / 2, a.y + a.h) && near(p.at(-2)!, p.at(-1)!, b.x + b.w / 2, b.y);
    const backward = near(p[0]!, p[1]!, a.x + a.w / 2, a.y) || near(p.at(-2)!, p.at(-1)!, b.x + b.w / 2, b.y + b.h);
    assert.ok(forward || backward, `edge ${edge.from}→${edge.to} does not end at its nodes`);
  }
  // every data edge between two nodes is drawn: producer → consumer pairs
  const pairs = new Set(layout.edges.map((e) => `${layout.items[e.from]!.index}>${layout.items[e.to]!.index}`));
  graph.nodes.forEach((node, consumer) => {
    for (const t of node.inputs) {
      const producer = graph.tensors[t]!.producer;
      if (producer >= 0) assert.ok(pairs.has(`${producer}>${consumer}`), `missing edge ${graph.nodes[producer]!.name} → ${node.name}`);
    }
  });
});

test('initializers are folded into their consumers; graph inputs and outputs are items', () => {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', [1, 4]);
  const w = g.initializer('w', [4, 4]);
  g.output(g.op('/fc', 'Relu', [g.op('/fc', 'MatMul', [x, w])]));
  const graph = g.build();
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout([0, 1]);
  assert.deepEqual(layout.items.map((i) => i.kind).sort(), ['input', 'module', 'node', 'node', 'output']);
  assert.equal(layout.edges.length, 3, 'x → MatMul → Relu → output; no edge from the initializer');
});

test('names without a module path are laid out flat at the root', () => {
  const g = new GraphBuilder('plain');
  let t = g.input('x', [1]);
  for (let i = 0; i < 5; i++) t = g.op('', 'Relu', [t]);
  const graph = { ...g.build(), nodes: g.build().nodes.map((n, i) => ({ ...n, name: `relu_${i}` })) };
  const engine = new GraphLayoutEngine(graph);
  assert.equal(engine.tree.modules.length, 1);
  const layout = engine.layout([]);
  assert.equal(layout.items.filter((i) => i.kind === 'node').length, 5);
});

test('edges leave an open module through its bottom and enter through its top (routed via the module ports)', () => {
  const graph = edgeSamDecoderGraph();
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  const modules = engine.tree.modules;
  const inside = (box: VisibleItem, x: number, y: number) => x >= box.x - 1e-6 && x <= box.x + box.w + 1e-6 && y >= box.y - 1e-6 && y <= box.y + box.h + 1e-6;
  let checked = 0;
  for (const edge of layout.edges) {
    const a = layout.items[edge.from]!;
    const b = layout.items[edge.to]!;
    if (a.kind !== 'node' || b.kind !== 'node') continue;
    const p = edge.points;
    // every module holding the source but not the target: the route's first point outside its box is below it
    for (let m = engine.tree.moduleOf[a.index]!; m > 0; m = modules[m]!.parent) {
      const box = layout.items[layout.itemOfModule[m]!]!;
      if (inside(box, b.x + b.w / 2, b.y + b.h / 2)) break;
      let i = 0;
      while (i < p.length && inside(box, p[i]!, p[i + 1]!)) i += 2;
      assert.ok(i < p.length, 'the route leaves the box');
      assert.ok(p[i + 1]! > box.y + box.h, `edge ${a.index}→${b.index} leaves ${modules[m]!.path} through a side, not the bottom`);
      checked++;
    }
    // and every module holding the target but not the source: the last point before entering is above it
    for (let m = engine.tree.moduleOf[b.index]!; m > 0; m = modules[m]!.parent) {
      const box = layout.items[layout.itemOfModule[m]!]!;
      if (inside(box, a.x + a.w / 2, a.y + a.h / 2)) break;
      let i = p.length - 2;
      while (i >= 0 && inside(box, p[i]!, p[i + 1]!)) i -= 2;
      assert.ok(i >= 0, 'the route starts outside the box');
      assert.ok(p[i + 1]! < box.y, `edge ${a.index}→${b.index} enters ${modules[m]!.path} through a side, not the top`);
      checked++;
    }
  }
  assert.ok(checked > 50, `${checked} module crossings checked`);
});
