import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { foldConstants, viewerModuleTree } from '../../../src/shared/layout/fold';
import { GraphLayoutEngine, type GraphLayout } from '../../../src/shared/layout/graphLayout';
import { buildModuleTree, defaultExpanded } from '../../../src/shared/layout/modules';
import { prefixGraph, previewLayout, previewOutlineHeight } from '../../../src/shared/layout/preview';
import type { CompactGraph } from '../../../src/shared/graph';
import { GraphBuilder, transformerGraph } from './synthetic';

function opening(graph: CompactGraph) {
  const fold = foldConstants(graph);
  const tree = viewerModuleTree(graph, fold);
  const expanded = defaultExpanded(tree);
  expanded.add(0);
  return { fold, tree, expanded, whole: new GraphLayoutEngine(graph, tree, { fold }).layout(expanded) };
}

test('the preview of a large graph is the top of its whole layout, in the whole graph\'s indexes', () => {
  const graph = transformerGraph(40);
  const { fold, tree, expanded, whole } = opening(graph);
  const preview = previewLayout(graph, tree, fold, expanded, 1500);
  assert.ok(preview, 'a graph over the limit has a preview');
  assert.ok(preview.items.length < whole.items.length / 2, `${preview.items.length} items of ${whole.items.length}`);
  assert.equal(preview.itemOfNode.length, graph.nodes.length);
  assert.equal(preview.itemOfModule.length, tree.modules.length);
  // the opening view's top (what a 900 px editor shows at zoom 0.8): the same items at the same place,
  // measured from the main column (the whole layout's width differs below)
  const wholeOf = new Map(whole.items.map((item) => [`${item.kind}:${item.index}`, item]));
  const top = preview.items.filter((item) => item.y < 900 / 0.8);
  assert.ok(top.length >= 8, `${top.length} items on the first screen`);
  for (const item of top) {
    const same = wholeOf.get(`${item.kind}:${item.index}`);
    assert.ok(same, `${item.kind} ${item.kind === 'module' ? tree.modules[item.index]!.path : item.index} is in the whole layout`);
    assert.ok(Math.abs(item.x - preview.spineX - (same.x - whole.spineX)) < 1, `x of ${item.kind} ${item.index}`);
    assert.ok(Math.abs(item.y - same.y) <= 8, `y of ${item.kind} ${item.index}: ${item.y} vs ${same.y}`);
    assert.ok(Math.abs(item.w - same.w) < 1, `width of ${item.kind} ${item.index}`);
  }
  // module boxes are the whole tree's (by path), with its node counts
  const boxes = preview.items.filter((item) => item.kind === 'module' && !item.expanded);
  assert.ok(boxes.length > 0);
  for (const box of boxes) assert.match(tree.modules[box.index]!.path, /^\/model\/layers\.\d+$/);
  for (const [node, item] of preview.itemOfNode.entries()) {
    if (node >= 1500) assert.equal(item, -1, `node ${node} is past the preview`);
    else assert.ok(item >= 0 && item < preview.items.length);
  }
});

test('the minimap\'s outline during the preview spans about the whole layout\'s height, not the preview\'s', () => {
  for (const layers of [40, 120]) {
    const graph = transformerGraph(layers);
    const { fold, tree, expanded, whole } = opening(graph);
    const preview = previewLayout(graph, tree, fold, expanded, 1500)!;
    const outline = previewOutlineHeight(preview, tree, expanded, 1500, fold);
    assert.ok(preview.height < whole.height / 2, `the preview is the top only: ${preview.height} of ${whole.height}`);
    assert.ok(Math.abs(outline - whole.height) <= 0.1 * whole.height, `${layers} layers: outline ${Math.round(outline)} against the whole layout's ${Math.round(whole.height)}`);
  }
  // boxes: drawn nodes, and the outermost collapsed module of a node in one; rows 10 apart at the preview's bottom
  const tree = buildModuleTree(['/a/x', '/a/y', '/b/x', '/b/y', '/c', '/d', '/e/x', '/e/y']);
  const e = tree.byPath.get('/e')!;
  const rows = (...ys: number[]) => ({ items: ys.map((y) => ({ kind: 'node', y, expanded: false })), height: Math.max(...ys) + 10 }) as unknown as GraphLayout;
  const preview = rows(0, 10, 10);
  assert.equal(previewOutlineHeight(preview, tree, [0], 4), 20 + 3 * 10, 'a, b | c, d, e: 3 boxes more');
  assert.equal(previewOutlineHeight(preview, tree, [0, e], 4), 20 + 4 * 10, 'e open: its 2 nodes are boxes');
  assert.equal(previewOutlineHeight(preview, tree, [], 4), 20 + 3 * 10, 'the root is always open');
  assert.equal(previewOutlineHeight(preview, tree, [0], 4, Int32Array.from([-1, -1, -1, -1, 0, 0, 0, 0])), 20, 'the rest folded away');
  assert.equal(previewOutlineHeight(rows(5), tree, [0], 4), 15, 'one row: no pitch to go by');
});

test('a graph within the limit has no preview (its whole layout is as quick)', () => {
  const graph = transformerGraph(2);
  const { fold, tree, expanded } = opening(graph);
  assert.equal(previewLayout(graph, tree, fold, expanded, graph.nodes.length), undefined);
});

test('the prefix of a graph listed out of order reads a later node\'s value as coming from nowhere', () => {
  const g = new GraphBuilder('unordered');
  const x = g.input('x', [1, 4]);
  const a = g.op('/a', 'Relu', [x]);
  const b = g.op('/b', 'Neg', [a]);
  const c = g.op('/c', 'Abs', [b]);
  g.output(c);
  const graph = g.build();
  // node 0 reads node 2's output (malformed order)
  const nodes = graph.nodes.map((n, i) => (i === 0 ? { ...n, inputs: [x, c] } : n));
  const unordered: CompactGraph = { ...graph, nodes };
  const prefix = prefixGraph(unordered, 2);
  assert.equal(prefix.nodes.length, 2);
  assert.equal(prefix.tensors[c]!.producer, -1);
  assert.equal(prefix.tensors[a]!.producer, 0, 'values of the prefix keep their producer');
  assert.deepEqual(prefix.outputs, [], 'the graph output is produced past the prefix');
  assert.deepEqual(prefix.inputs, [x]);
  // it lays out: the edges stay within the prefix's two nodes and its input
  const layout = new GraphLayoutEngine(prefix).layout([0]);
  assert.equal(layout.items.filter((i) => i.kind === 'node').length, 2);
  for (const edge of layout.edges) assert.ok(edge.from < layout.items.length && edge.to < layout.items.length);
});

test('a constant listed in the prefix whose consumer lies past it is not drawn at the top of the preview', () => {
  // each layer lists its Constant first and uses it last: a prefix can end between the two
  const g = new GraphBuilder('constants-first');
  let x = g.input('x', [1, 4]);
  for (let i = 0; i < 30; i++) {
    const c = g.op(`/layers.${i}`, 'Constant', []);
    x = g.op(`/layers.${i}`, 'Mul', [g.op(`/layers.${i}`, 'Neg', [g.op(`/layers.${i}`, 'Relu', [x])]), c]);
  }
  g.output(x);
  const graph = g.build();
  const { fold, tree, expanded, whole } = opening(graph);
  const limit = 4 * 10 + 1; // ten layers and the next one's Constant
  assert.equal(graph.nodes[limit - 1]!.op, 'Constant');
  for (const showConstants of [false, true]) {
    const preview = previewLayout(graph, tree, fold, expanded, limit, showConstants);
    assert.ok(preview);
    assert.equal(preview.itemOfNode[limit - 1], -1, 'the cut-off constant has no item');
    assert.ok(!preview.items.some((i) => i.kind === 'node' && i.index === limit - 1), `showConstants ${showConstants}: the cut-off constant is not drawn`);
    if (showConstants) continue;
    // and the preview is the whole layout's top, to the pixel
    const wholeOf = new Map(whole.items.map((item) => [`${item.kind}:${item.index}`, item]));
    for (const item of preview.items.filter((i) => i.y < 600)) {
      const same = wholeOf.get(`${item.kind}:${item.index}`);
      assert.ok(same, `${item.kind} ${item.index}`);
      assert.deepEqual([item.x - preview.spineX, item.y], [same.x - whole.spineX, same.y], `${item.kind} ${item.index}`);
    }
  }
});
