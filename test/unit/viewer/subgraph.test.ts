/**
 * If/Loop/Scan bodies open as graphs of their own: the host converts a nested graph by its path
 * (checked against Python onnx's reading of the same model), and the webview's request is validated.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openModel } from '../../../src/core/onnx/decode';
import { toCompactGraph, toPackedSubgraph } from '../../../src/core/onnx/view/compactGraph';
import { GraphLayoutEngine } from '../../../src/shared/layout/graphLayout';
import { unpackGraph } from '../../../src/shared/packedGraph';
import { parseWebviewMessage } from '../../../src/shared/protocol';
import { generatedModel, pythonDump } from '../onnx/fixtures';

const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };

test('every body listed on a node converts to a drawable graph with the nodes Python onnx reads', async () => {
  const file = generatedModel('control_flow.onnx');
  const model = await openModel(file);
  const py = pythonDump([file])[file]!;
  const main = toCompactGraph(model, labels);
  const paths = main.nodes.flatMap((n) => n.subgraphs ?? []);
  assert.ok(paths.length >= 3, `If and Loop bodies listed (${paths.join(', ')})`);
  for (const path of paths) {
    const expected = py.graphs[path];
    assert.ok(expected, `Python names a graph ${path} (${Object.keys(py.graphs).join(', ')})`);
    const packed = toPackedSubgraph(model, path, labels);
    assert.ok(packed, path);
    const body = unpackGraph(packed);
    assert.deepEqual(body.nodes.map((n) => n.op), expected.nodes.map((n) => n.op), `${path}: ops`);
    assert.deepEqual(body.nodes.map((n) => n.name), expected.nodes.map((n) => n.name), `${path}: names`);
    assert.deepEqual(body.outputs.map((t) => body.tensors[t]!.name), expected.outputs.map(([n]) => n), `${path}: outputs`);
    // values from the enclosing graph show as inputs without a producer
    for (const node of body.nodes) for (const t of node.inputs) if (t >= 0) assert.ok(body.tensors[t]!.producer < body.nodes.length);
    const engine = new GraphLayoutEngine(body);
    const layout = engine.layout(engine.tree.modules.map((_, i) => i));
    assert.equal(layout.items.filter((i) => i.kind === 'node').length, body.nodes.length, `${path}: every node drawn`);
  }
  assert.equal(toPackedSubgraph(model, 'main', labels), undefined, 'the main graph is not a nested one');
  assert.equal(toPackedSubgraph(model, 'main/nothing.here', labels), undefined);
});

test('subgraph requests from the webview are validated', () => {
  const ok = { type: 'subgraph', requestId: 3, path: 'main/branch.then_branch' };
  assert.deepEqual(parseWebviewMessage(ok), ok);
  for (const bad of [
    { type: 'subgraph', path: 'main/x.body' },
    { type: 'subgraph', requestId: 1 },
    { type: 'subgraph', requestId: 1, path: '' },
    { type: 'subgraph', requestId: 1, path: 7 },
    { type: 'subgraph', requestId: -1, path: 'main/x.body' },
    { type: 'subgraph', requestId: 1, path: 'x'.repeat(5000) },
    { type: 'subgraph', requestId: 1, path: 'main/x.body', file: '/etc/passwd' },
  ]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 80));
});
