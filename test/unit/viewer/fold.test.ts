import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { foldConstants, foldedInto, noFolding, viewerModuleTree } from '../../../src/shared/layout/fold';
import { GraphLayoutEngine } from '../../../src/shared/layout/graphLayout';
import { flatLayoutInput } from '../../../src/shared/layout/flat';
import type { CompactGraph } from '../../../src/shared/graph';
import { edgeSamDecoderGraph, GraphBuilder } from './synthetic';

/** x → Mul(x, Constant) → Add(., Identity(w)) → Reshape(., Identity(Constant)) → out; plus a Constant that is a graph output and an Identity of an activation. */
function small(): { graph: CompactGraph } {
  const g = new GraphBuilder('small');
  const x = g.input('x', [1, 4]);
  const w = g.initializer('w', [4]);
  const c = g.op('/scale', 'Constant', []);
  const mul = g.op('/scale', 'Mul', [x, c]);
  const wId = g.op('', 'Identity', [w]);
  const add = g.op('/bias', 'Add', [mul, wId]);
  const shapeConst = g.op('/view', 'Constant', []);
  const shapeId = g.op('/view', 'Identity', [shapeConst]);
  const reshape = g.op('/view', 'Reshape', [add, shapeId]);
  const actId = g.op('/view', 'Identity', [reshape]);
  g.output(actId);
  g.output(g.op('/extra', 'Constant', []));
  return { graph: g.build() };
}

const index = (graph: CompactGraph, prefix: string) => graph.nodes.findIndex((n) => n.name.startsWith(prefix));

test('Constant nodes and Identity of a weight or of a constant fold into the node that uses them', () => {
  const { graph } = small();
  const fold = foldConstants(graph);
  const mul = index(graph, '/scale/Mul');
  const add = index(graph, '/bias/Add');
  const reshape = index(graph, '/view/Reshape');
  assert.equal(fold[index(graph, '/scale/Constant')], mul);
  assert.equal(fold[index(graph, '/Identity')], add, 'Identity of an initializer');
  assert.equal(fold[index(graph, '/view/Constant')], reshape, 'Constant → Identity → Reshape: into the Reshape');
  assert.equal(fold[index(graph, '/view/Identity')], reshape);
  // drawn: the real ops, an Identity of an activation, and a Constant that is a graph output
  for (const name of ['/scale/Mul', '/bias/Add', '/view/Reshape', '/extra/Constant']) assert.equal(fold[index(graph, name)], -1, name);
  assert.equal(fold[graph.nodes.findIndex((n) => n.op === 'Identity' && n.name.startsWith('/view/Identity') && graph.tensors[n.inputs[0]!]!.producer === reshape)], -1, 'Identity of an activation');
  assert.deepEqual(foldedInto(fold).get(reshape), [index(graph, '/view/Constant'), index(graph, '/view/Identity')]);
});

test('a folded node is no item and has no edge; it is shown by its consumer; drawing constants restores them', () => {
  const { graph } = small();
  const all = (e: GraphLayoutEngine) => e.layout(e.tree.modules.map((_, i) => i));
  const folded = all(new GraphLayoutEngine(graph));
  const kinds = (layout: typeof folded) => layout.items.filter((i) => i.kind === 'node').map((i) => graph.nodes[i.index]!.op).sort();
  assert.deepEqual(kinds(folded), ['Add', 'Constant', 'Identity', 'Mul', 'Reshape']);
  const constant = index(graph, '/scale/Constant');
  const mul = index(graph, '/scale/Mul');
  assert.equal(folded.itemOfNode[constant], folded.itemOfNode[mul], 'a finding on the Constant is reached through its consumer');
  for (const e of folded.edges) for (const end of [e.from, e.to]) assert.notEqual(folded.items[end]!.kind === 'node' && foldConstants(graph)[folded.items[end]!.index]! >= 0, true);
  const drawn = all(new GraphLayoutEngine(graph, undefined, { fold: noFolding(graph) }));
  assert.equal(drawn.items.filter((i) => i.kind === 'node').length, graph.nodes.length);
  assert.notEqual(drawn.itemOfNode[constant], drawn.itemOfNode[mul]);
  assert.ok(drawn.edges.some((e) => drawn.items[e.from]!.index === constant && drawn.items[e.to]!.index === mul), 'Constant → Mul drawn');
});

test('a module holding only constants is no box; the module tree is the same whatever is drawn', () => {
  const g = new GraphBuilder('tree');
  const x = g.input('x', [1]);
  // /consts holds two Constant nodes used by /fc
  const a = g.op('/consts', 'Constant', []);
  const b = g.op('/consts', 'Constant', []);
  g.output(g.op('/fc', 'Add', [g.op('/fc', 'Mul', [x, a]), b]));
  const graph = g.build();
  const tree = viewerModuleTree(graph);
  assert.equal(tree.byPath.get('/consts'), undefined, 'no box for weights alone');
  assert.equal(tree.moduleOf[index(graph, '/consts/Constant')], tree.byPath.get('/fc'));
  const drawnTree = new GraphLayoutEngine(graph, undefined, { fold: noFolding(graph) }).tree;
  assert.deepEqual(drawnTree.modules.map((m) => m.path), tree.modules.map((m) => m.path));
});

test('the EdgeSAM-like decoder: every Constant folds, every edge of the drawn graph survives, the flat input matches', () => {
  const graph = edgeSamDecoderGraph();
  const fold = foldConstants(graph);
  const constants = graph.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === 'Constant');
  assert.ok(constants.length > 50);
  for (const [n, i] of constants) assert.ok(fold[i]! >= 0, `${n.name} folds`);
  const engine = new GraphLayoutEngine(graph);
  const layout = engine.layout(engine.tree.modules.map((_, i) => i));
  const drawnNodes = graph.nodes.length - constants.length;
  assert.equal(layout.items.filter((i) => i.kind === 'node').length, drawnNodes);
  assert.equal(flatLayoutInput(graph).labels.length, drawnNodes + graph.inputs.length + graph.outputs.length);
  const pairs = new Set(layout.edges.map((e) => `${layout.items[e.from]!.index}>${layout.items[e.to]!.index}`));
  graph.nodes.forEach((node, consumer) => {
    if (fold[consumer]! >= 0) return;
    for (const t of node.inputs) {
      const producer = graph.tensors[t]!.producer;
      if (producer >= 0 && fold[producer]! < 0) assert.ok(pairs.has(`${producer}>${consumer}`), `missing edge ${graph.nodes[producer]!.name} → ${node.name}`);
    }
  });
});
