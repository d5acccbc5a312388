/**
 * The graph message's packed form (src/shared/packedGraph.ts): it round-trips every field, and the
 * receiving side refuses a malformed one with its own error instead of crashing or reading out of range.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CompactGraph } from '../../../src/shared/graph';
import { copyPackedGraph, PACKED_GRAPH_COLUMNS, packGraph, PackedGraphError, unpackGraph, type PackedGraph } from '../../../src/shared/packedGraph';
import { edgeSamDecoderGraph } from './synthetic';

/** A small graph with every field kind: odd names (markup, non-ASCII, astral characters, empty), symbolic and unknown dims. */
function oddGraph(): CompactGraph {
  return {
    version: 1, name: 'graph «ü» 🚀', totalNodes: 5,
    tensors: [
      { name: 'x', kind: 'input', dtype: 'float', shape: ['batch', 3, null], producer: -1 },
      { name: 'w', kind: 'initializer', dtype: 'float', shape: [4, 3], producer: -1, bytes: 48 },
      { name: 'ext', kind: 'initializer', dtype: 'float16', shape: [], producer: -1, bytes: 0, external: true },
      { name: '<script>alert(1)</script>', kind: 'intermediate', dtype: '', producer: 0 },
      { name: '名字', kind: 'output', dtype: 'int64', shape: [1], producer: 1 },
    ],
    nodes: [
      { name: '/enc/layers.0/<img src=x onerror=alert(1)>', op: 'MatMul', domain: '', inputs: [0, 1], outputs: [3], attributes: [] },
      {
        name: '', op: 'If', domain: 'com.example 🚀', inputs: [3, -1, 2], outputs: [4],
        attributes: [{ name: 'then_branch', type: 'GRAPH', value: 'then (2)' }, { name: 's', type: 'STRING', value: 'x'.repeat(300) }, { name: 'k', type: 'INT', value: '' }],
        subgraphs: ['main/If.then_branch', 'main/If.else_branch'],
      },
    ],
    inputs: [0], outputs: [4],
    summary: [{ label: 'Format', value: 'ONNX IR v8' }, { label: 'Producer', value: 'pytorch 1.13' }],
  };
}

test('packed graphs unpack to exactly the graph that was packed', () => {
  for (const graph of [oddGraph(), edgeSamDecoderGraph()]) {
    const packed = packGraph(graph);
    assert.deepEqual(unpackGraph(packed), graph);
    // what the layout worker gets: a copy with its own buffers, equal content
    const { graph: copy, transfer } = copyPackedGraph(packed);
    assert.equal(transfer.length, PACKED_GRAPH_COLUMNS.length);
    for (const key of PACKED_GRAPH_COLUMNS) assert.notEqual(copy[key].buffer, packed[key].buffer, key);
    assert.deepEqual(unpackGraph(copy), graph);
  }
});

test('repeated strings are stored once', () => {
  const graph = edgeSamDecoderGraph();
  const packed = packGraph(graph);
  const ops = new Set(graph.nodes.map((n) => n.op));
  assert.equal(new Set(packed.nodeOp).size, ops.size);
  const shapes = new Set(graph.tensors.map((t) => JSON.stringify(t.shape ?? null)));
  assert.ok(new Set(packed.tensorShape).size <= shapes.size);
});

type Mutable = Record<string, unknown>;
/** A packed oddGraph() with one change applied to a fresh copy. */
function corrupted(change: (p: Mutable) => void): unknown {
  const { graph } = copyPackedGraph(packGraph(oddGraph()));
  const p = { ...graph } as Mutable;
  change(p);
  return p;
}

test('malformed packed graphs are refused with PackedGraphError', () => {
  const cases: [string, unknown][] = [
    ['null', null],
    ['a string', 'graph'],
    ['the object form', oddGraph()],
    ['wrong version', corrupted((p) => { p.version = 1; })],
    ['missing column', corrupted((p) => { delete p.nodeOp; })],
    ['plain array for a column', corrupted((p) => { p.nodeInputs = [...(p.nodeInputs as Int32Array)]; })],
    ['wrong typed array kind', corrupted((p) => { p.tensorBytes = new Float32Array((p.tensorBytes as Float64Array).length); })],
    ['column one short', corrupted((p) => { p.nodeDomain = (p.nodeDomain as Uint32Array).subarray(1); })],
    ['string id past the table', corrupted((p) => { (p.nodeName as Uint32Array)[0] = 1e6; })],
    ['string ends past the text', corrupted((p) => { const e = p.stringEnds as Uint32Array; e[e.length - 1] = e[e.length - 1]! + 5; })],
    ['string ends shrinking', corrupted((p) => { const e = p.stringEnds as Uint32Array; e[1] = 0; e[0] = 3; })],
    ['tensor index past the tensors', corrupted((p) => { (p.nodeInputs as Int32Array)[0] = 99; })],
    ['tensor index below -1', corrupted((p) => { (p.nodeOutputs as Int32Array)[0] = -2; })],
    ['graph input -1', corrupted((p) => { (p.inputs as Int32Array)[0] = -1; })],
    ['input ends shrinking', corrupted((p) => { (p.nodeInputEnd as Uint32Array)[0] = 3; (p.nodeInputEnd as Uint32Array)[1] = 2; })],
    ['input ends overrunning', corrupted((p) => { (p.nodeInputEnd as Uint32Array)[1] = 50; })],
    ['attribute ends short of the list', corrupted((p) => { (p.nodeAttributeEnd as Uint32Array)[1] = 1; })],
    ['attribute columns of different lengths', corrupted((p) => { p.attributeValue = (p.attributeValue as Uint32Array).subarray(1); })],
    ['producer past the nodes', corrupted((p) => { (p.tensorProducer as Int32Array)[3] = 7; })],
    ['unknown tensor kind', corrupted((p) => { (p.tensorKind as Uint8Array)[0] = 9; })],
    ['shape id below -1', corrupted((p) => { (p.tensorShape as Int32Array)[0] = -5; })],
    ['shape that is not JSON', corrupted((p) => { (p.tensorShape as Int32Array)[0] = (p.tensorName as Uint32Array)[3]!; })],
    ['negative byte count', corrupted((p) => { (p.tensorBytes as Float64Array)[1] = -3; })],
    ['NaN byte count', corrupted((p) => { (p.tensorBytes as Float64Array)[1] = NaN; })],
    ['odd summary', corrupted((p) => { p.summary = (p.summary as Uint32Array).subarray(1); })],
    ['fractional node total', corrupted((p) => { p.totalNodes = 1.5; })],
  ];
  for (const [what, raw] of cases) assert.throws(() => unpackGraph(raw), PackedGraphError, what);
});

test('random damage to any column is either refused or stays within bounds', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let refused = 0;
  for (let round = 0; round < 3000; round++) {
    const raw = corrupted((p) => {
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        const key = PACKED_GRAPH_COLUMNS[Math.floor(random() * PACKED_GRAPH_COLUMNS.length)]!;
        const column = p[key] as PackedGraph[typeof key];
        if (column.length === 0) continue;
        const values = [-1, 0, 1, 2, 7, 255, 2 ** 31 - 1, 0xffffffff, -(2 ** 31), 1e300];
        (column as unknown as number[])[Math.floor(random() * column.length)] = values[Math.floor(random() * values.length)]!;
      }
    });
    let graph: CompactGraph;
    try {
      graph = unpackGraph(raw);
    } catch (error) {
      assert.ok(error instanceof PackedGraphError, String(error));
      refused++;
      continue;
    }
    for (const node of graph.nodes) {
      for (const t of [...node.inputs, ...node.outputs]) assert.ok(t >= -1 && t < graph.tensors.length);
      assert.equal(typeof node.name, 'string');
      for (const a of node.attributes) assert.equal(typeof a.value, 'string');
    }
    for (const t of graph.tensors) {
      assert.ok(t.producer >= -1 && t.producer < graph.nodes.length);
      assert.equal(typeof t.name, 'string');
    }
    for (const t of [...graph.inputs, ...graph.outputs]) assert.ok(t >= 0 && t < graph.tensors.length);
  }
  assert.ok(refused > 0);
});
