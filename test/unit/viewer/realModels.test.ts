/**
 * The viewer's path on real models: decode (ONNX core) → compact graph → grouped layout. Counts are
 * checked against Python's onnx (independent reader); the layout invariants against the geometry.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openModel } from '../../../src/core/onnx/decode';
import { toCompactGraph } from '../../../src/core/onnx/view/compactGraph';
import { noFolding } from '../../../src/shared/layout/fold';
import { GraphLayoutEngine } from '../../../src/shared/layout/graphLayout';
import { defaultExpanded } from '../../../src/shared/layout/modules';
import type { CompactGraph } from '../../../src/shared/graph';
import { execFileSync } from 'node:child_process';
import { ModelSession } from '../../../src/core/onnx/view/modelSession';
import { generatedModel, npmModel, PYTHON, pythonDump } from '../onnx/fixtures';

const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };

async function compact(file: string): Promise<CompactGraph> {
  return toCompactGraph(await openModel(file), labels);
}

function assertDrawable(graph: CompactGraph, name: string): void {
  for (const engine of [new GraphLayoutEngine(graph), new GraphLayoutEngine(graph, undefined, { fold: noFolding(graph) })]) for (const expanded of [defaultExpanded(engine.tree), new Set(engine.tree.modules.map((_, i) => i))]) {
    const layout = engine.layout(expanded);
    const folded = engine.fold.filter((into) => into >= 0).length;
    const shown = new Set<number>();
    for (let node = 0; node < graph.nodes.length; node++) {
      const item = layout.items[layout.itemOfNode[node]!];
      assert.ok(item, `${name}: node ${node} has no visible item`);
      if (item.kind === 'node') shown.add(item.index);
    }
    for (const v of [layout.width, layout.height]) assert.ok(Number.isFinite(v) && v > 0, `${name}: layout size ${v}`);
    for (const edge of layout.edges) for (const p of edge.points) assert.ok(Number.isFinite(p), `${name}: edge point ${p}`);
    if (expanded.size === engine.tree.modules.length) assert.equal(shown.size, graph.nodes.length - folded, `${name}: every node but the folded weights and constants drawn when all is expanded`);
    // a folded node is shown by the node it is folded into
    engine.fold.forEach((into, node) => { if (into >= 0) assert.equal(layout.itemOfNode[node], layout.itemOfNode[into], `${name}: node ${node}`); });
  }
}

test('generated models: node and tensor facts match Python onnx, layouts are drawable', async () => {
  const names = ['transformer.onnx', 'edgesam_decoder_opset11.onnx', 'control_flow.onnx', 'every_attribute.onnx', 'external_data.onnx'];
  const files = names.map(generatedModel);
  const dump = pythonDump(files);
  for (const [i, file] of files.entries()) {
    const graph = await compact(file);
    const py = dump[file]!;
    const main = Object.values(py.graphs)[0]!;
    assert.equal(graph.nodes.length, main.nodes.length, `${names[i]}: main graph nodes`);
    assert.deepEqual(graph.nodes.map((n) => n.op), main.nodes.map((n) => n.op), `${names[i]}: op sequence`);
    assert.deepEqual(graph.nodes.map((n) => n.name), main.nodes.map((n) => n.name), `${names[i]}: names`);
    assert.equal(graph.totalNodes, py.node_count, `${names[i]}: nodes including subgraphs`);
    const initializerNames = new Set(main.initializers.map((t) => t.name));
    assert.deepEqual(new Set(graph.tensors.filter((t) => t.kind === 'initializer').map((t) => t.name)), initializerNames, `${names[i]}: initializers`);
    assert.deepEqual(graph.inputs.map((t) => graph.tensors[t]!.name), main.inputs.map(([n]) => n).filter((n) => !initializerNames.has(n)), `${names[i]}: graph inputs`);
    assertDrawable(graph, names[i]!);
  }
});

test('a torch export opens grouped by its module path', async () => {
  const graph = await compact(generatedModel('transformer.onnx'));
  const engine = new GraphLayoutEngine(graph);
  const paths = engine.tree.modules.map((m) => m.path);
  assert.ok(paths.some((p) => /\/layers\.0$/.test(p)), `module paths: ${paths.slice(0, 10).join(', ')}`);
  const open = engine.layout(defaultExpanded(engine.tree));
  assert.ok(open.items.length < graph.nodes.length, 'the opening view is smaller than the graph');
});

test('real npm-shipped models (If subgraphs, Constant-heavy, dynamic dims) convert and lay out', async () => {
  for (const id of ['hello_deepa', 'silero_vad_v5', 'ppocr_det', 'ppocr_rec']) {
    const file = npmModel(id);
    const graph = await compact(file);
    const py = pythonDump([file])[file]!;
    assert.equal(graph.totalNodes, py.node_count, `${id}: node count`);
    if (id === 'silero_vad_v5') assert.ok(graph.nodes.some((n) => n.op === 'If' && (n.subgraphs?.length ?? 0) === 2), 'If nodes list their two branches');
    assertDrawable(graph, id);
  }
});

test('initializer values for the properties panel match numpy (first values, min, max, mean)', async () => {
  const file = generatedModel('transformer.onnx');
  const model = await openModel(file);
  const init = [...model.graph.initializers].filter((t) => t.elemType === 'float' && t.elementCount > 100).sort((a, b) => b.elementCount - a.elementCount)[0]!;
  const session = new ModelSession(file);
  try {
    const values = await session.tensorValues(init.name, 8);
    const script = [
      'import onnx, sys, json',
      'from onnx import numpy_helper',
      'm = onnx.load(sys.argv[1])',
      't = [numpy_helper.to_array(i) for i in m.graph.initializer if i.name == sys.argv[2]][0].astype("float64").ravel()',
      'print(json.dumps({"first": t[:8].tolist(), "min": float(t.min()), "max": float(t.max()), "mean": float(t.mean()), "count": int(t.size)}))',
    ].join('\n');
    const py = JSON.parse(execFileSync(PYTHON, ['-c', script, file, init.name], { encoding: 'utf8' })) as { first: number[]; min: number; max: number; mean: number; count: number };
    assert.equal(values.count, py.count);
    assert.equal(values.first.length, 8);
    values.first.forEach((v, i) => assert.ok(Math.abs((v as number) - py.first[i]!) < 1e-6, `value ${i}: ${v} vs ${py.first[i]}`));
    assert.ok(Math.abs(values.min! - py.min) < 1e-6 && Math.abs(values.max! - py.max) < 1e-6);
    assert.ok(Math.abs(values.mean! - py.mean) < 1e-6 * Math.max(1, Math.abs(py.mean)), `mean ${values.mean} vs ${py.mean}`);
  } finally {
    session.dispose();
  }
});

test('every attribute kind reaches the properties panel with its type and a display value (checked against Python onnx)', async () => {
  const file = generatedModel('every_attribute.onnx');
  const graph = await compact(file);
  const main = Object.values(pythonDump([file])[file]!.graphs)[0]!;
  main.nodes.forEach((pyNode, i) => {
    const node = graph.nodes[i]!;
    const ours = Object.fromEntries(node.attributes.map((a) => [a.name, a.type.toLowerCase()]));
    const theirs = Object.fromEntries(Object.entries(pyNode.attributes).map(([k, [type]]) => [k, type]));
    assert.deepEqual(ours, theirs, `attributes of ${pyNode.name}`);
    for (const a of node.attributes) assert.ok(a.value.length > 0 && a.value.length < 2000, `${a.name}: ${a.value}`);
  });
  const everything = graph.nodes.find((n) => n.name === '/everything/Everything_0')!;
  const value = (name: string) => everything.attributes.find((a) => a.name === name)!.value;
  assert.equal(value('big'), '9223372036854775807', 'int64 beyond 2^53 shown exactly');
  assert.equal(value('alpha'), '0.25');
  assert.equal(value('mode'), '"nearest"');
  assert.equal(value('strings'), '["a", "bé"]');
  assert.ok(everything.subgraphs && everything.subgraphs.length >= 2, 'graph attributes listed as subgraphs');
});
