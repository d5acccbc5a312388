import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CompactGraph } from '../../../src/shared/graph';
import { applyInferredShapes, MAX_EXPORT_CHARS, parseShapesMessage, parseViewerState, parseWebviewMessage } from '../../../src/shared/protocol';
import { xmlEscape } from '../../../src/shared/xml';

test('valid webview messages pass through unchanged', () => {
  const valid = [
    { type: 'ready' },
    { type: 'interactive' },
    { type: 'openAsText' },
    { type: 'loadReport' },
    { type: 'compile' },
    { type: 'extract', module: 'prompt_encoder' },
    { type: 'extract', node: '/prompt_encoder/Abs' },
    { type: 'extract' },
    { type: 'setTarget', target: 'qnn-htp' },
    { type: 'selection', node: '/encoder/layers.0/MatMul' },
    { type: 'selection' },
    { type: 'copyText', text: '<script>' },
    { type: 'tensorValues', requestId: 7, tensor: 'w', count: 32 },
    { type: 'export', requestId: 1, format: 'svg', data: '<svg/>' },
    { type: 'export', requestId: 2, format: 'png', data: 'iVBORw0KGgo=' },
  ];
  for (const m of valid) assert.deepEqual(parseWebviewMessage(m), m);
});

test('anything else is refused: unknown types, extra or mistyped fields, oversized or malformed data', () => {
  const invalid: unknown[] = [
    null, undefined, 'ready', 42, [], {}, { type: 'nope' }, { type: 'ready', extra: 1 }, { type: 'interactive', ms: 5 }, { type: 'loadReport', file: '/etc/passwd' }, { type: 'compile', command: 'rm -rf /' },
    { type: 'extract', module: 'a', node: 'b' }, { type: 'extract', module: '' }, { type: 'extract', node: 7 }, { type: 'extract', file: '/etc/passwd' },
    { type: 'setTarget' }, { type: 'setTarget', target: '' }, { type: 'setTarget', target: 7 }, { type: 'setTarget', target: 'x'.repeat(300) },
    { type: 'selection', node: 5 },
    { type: 'tensorValues', requestId: -1, tensor: 'w', count: 1 },
    { type: 'tensorValues', requestId: 1.5, tensor: 'w', count: 1 },
    { type: 'tensorValues', requestId: 1, tensor: 'w', count: 1e9 },
    { type: 'tensorValues', requestId: 1, tensor: {}, count: 1 },
    { type: 'export', requestId: 1, format: 'pdf', data: '' },
    { type: 'export', requestId: 1, format: 'png', data: 'not base64!' },
    { type: 'export', requestId: 1, format: 'svg', data: 'x'.repeat(MAX_EXPORT_CHARS + 1) },
    { type: 'copyText', text: 'x'.repeat(70000) },
    { type: '__proto__' },
  ];
  for (const m of invalid) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m)?.slice(0, 80));
});

test('persisted view state is checked field by field', () => {
  const state = { panX: 1, panY: -2, zoom: 0.5, selected: 'node:a#0', target: 'ascend310p', expanded: ['', '/model'] };
  assert.deepEqual(parseViewerState(state), state);
  assert.deepEqual(parseViewerState({ panX: 0, panY: 0, zoom: 1, expanded: [] }), { panX: 0, panY: 0, zoom: 1, expanded: [] });
  // the constants toggle is kept per editor
  assert.deepEqual(parseViewerState({ ...state, showConstants: true }), { ...state, showConstants: true });
  for (const bad of [undefined, {}, { ...state, zoom: 0 }, { ...state, panX: Infinity }, { ...state, expanded: [1] }, { ...state, selected: 3 }, { ...state, showConstants: 'yes' }]) {
    assert.equal(parseViewerState(bad), undefined, JSON.stringify(bad));
  }
});

test('exported SVG text escapes markup from node names', () => {
  assert.equal(xmlEscape('<img src=x onerror="alert(1)">'), '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  assert.equal(xmlEscape("a&b'c"), 'a&amp;b&apos;c');
  assert.equal(xmlEscape('bell\u0007tab\tok'), 'belltab\tok');
});

test('rewrite offers, rewrite runs and Go to PyTorch source: exact shapes pass', () => {
  const valid = [
    { type: 'rewriteOffers', requestId: 3, node: '/mask_decoder/Gather' },
    { type: 'rewrite', requestId: 4, node: '/mask_decoder/transformer/layers.0/mlp/act/Erf', rule: 'erf-to-tanh', scope: 'node' },
    { type: 'rewrite', requestId: 5, node: '<img src=x onerror=alert(1)>', rule: 'int64-to-int32', scope: 'model' },
    { type: 'goToSource', node: '/mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul' },
    { type: 'goToSource', module: '/mask_decoder/transformer' },
  ];
  for (const m of valid) assert.deepEqual(parseWebviewMessage(m), m);
});

test('rewrite and Go to PyTorch source messages with bad fields are refused', () => {
  const invalid: unknown[] = [
    { type: 'rewriteOffers', node: '/a/Abs' }, { type: 'rewriteOffers', requestId: 1, node: '' }, { type: 'rewriteOffers', requestId: 1, node: 'x'.repeat(5000) },
    { type: 'rewriteOffers', requestId: 1, node: '/a/Abs', rule: 'abs-to-relu' },
    { type: 'rewrite', requestId: 1, node: '/a/Abs' }, { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'Abs To Relu' },
    { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: '../../etc/passwd' }, { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'a'.repeat(65) },
    { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'abs-to-relu', output: '../escape.onnx' }, { type: 'rewrite', requestId: -2, node: '/a/Abs', rule: 'abs-to-relu' },
    { type: 'rewrite', requestId: 1, node: 3, rule: 'abs-to-relu' },
    { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'abs-to-relu' }, { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'abs-to-relu', scope: 'graph' },
    { type: 'rewrite', requestId: 1, node: '/a/Abs', rule: 'abs-to-relu', scope: ['node'] },
    { type: 'goToSource' }, { type: 'goToSource', node: '' }, { type: 'goToSource', node: '/a/B', module: '/a' }, { type: 'goToSource', module: 7 },
    { type: 'goToSource', file: '/etc/passwd' },
  ];
  for (const m of invalid) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m)?.slice(0, 80));
});

/** A shapes message for a graph of 4 tensors: tensor 2 float[1,"batch",8], tensor 3 int64 of unknown rank. */
const shapesMessage = (over: Record<string, unknown> = {}) => ({
  type: 'shapes', load: 2, tensors: new Uint32Array([2, 3]), dtypes: new Uint32Array([0, 2]), shapes: new Int32Array([1, -1]),
  texts: ['float', '[1,"batch",8]', 'int64'], ...over,
});

test('a shapes message is read against the graph it updates and gives its tensors their inferred types', () => {
  const parsed = parseShapesMessage(shapesMessage(), { load: 2, tensors: 4 });
  assert.deepEqual(parsed, { load: 2, tensors: [{ index: 2, dtype: 'float', shape: [1, 'batch', 8] }, { index: 3, dtype: 'int64' }] });
  const graph = {
    version: 1, name: 'g', nodes: [], inputs: [], outputs: [], summary: [], totalNodes: 0,
    tensors: [
      { name: 'x', kind: 'input', dtype: 'float', shape: [1, 8], producer: -1 },
      { name: 'w', kind: 'initializer', dtype: 'float', shape: [8, 8], producer: -1, bytes: 256 },
      { name: 'y', kind: 'intermediate', dtype: '', producer: 0 },
      { name: 'z', kind: 'intermediate', dtype: '', shape: [], producer: 1 },
    ],
  } as CompactGraph;
  assert.equal(applyInferredShapes(graph, parsed!), 2);
  assert.deepEqual(graph.tensors.map((t) => [t.name, t.dtype, t.shape]), [
    ['x', 'float', [1, 8]], ['w', 'float', [8, 8]], ['y', 'float', [1, 'batch', 8]], ['z', 'int64', undefined],
  ]);
  assert.equal(graph.tensors[1]!.bytes, 256, 'the other fields stay');
});

test('stale or malformed shapes messages are refused whole: another load, column types and lengths, indexes out of range, shapes that are not dims', () => {
  const invalid: [string, unknown, number?][] = [
    ['not an object', 'shapes'],
    ['another type', shapesMessage({ type: 'graph' })],
    ['an extra field', shapesMessage({ script: 'alert(1)' })],
    ['no load', shapesMessage({ load: undefined })],
    ['a negative load', shapesMessage({ load: -1 })],
    ['a load that is not an integer', shapesMessage({ load: 1.5 })],
    ['a message of an older load (the file changed: its graph was posted again)', shapesMessage({ load: 1 })],
    ['tensors as a plain array', shapesMessage({ tensors: [2, 3] })],
    ['tensors as Int32Array', shapesMessage({ tensors: new Int32Array([2, 3]) })],
    ['shapes as Uint32Array', shapesMessage({ shapes: new Uint32Array([1, 0]) })],
    ['columns of different lengths', shapesMessage({ dtypes: new Uint32Array([0]) })],
    ['a tensor index past the graph', shapesMessage({ tensors: new Uint32Array([2, 4]) })],
    ['more entries than the graph has tensors', shapesMessage({ tensors: new Uint32Array([0, 1, 2, 3, 0]), dtypes: new Uint32Array(5), shapes: new Int32Array(5).fill(-1) })],
    ['a dtype past the table', shapesMessage({ dtypes: new Uint32Array([0, 3]) })],
    ['a shape past the table', shapesMessage({ shapes: new Int32Array([3, -1]) })],
    ['a shape id below -1', shapesMessage({ shapes: new Int32Array([1, -2]) })],
    ['a shape text that is not JSON', shapesMessage({ texts: ['float', '[1,', 'int64'] })],
    ['a shape text that is not a list of dims', shapesMessage({ texts: ['float', '[1,{"a":2}]', 'int64'] })],
    ['a shape that is an object', shapesMessage({ texts: ['float', '{"length":3}', 'int64'] })],
    ['a text that is not a string', shapesMessage({ texts: ['float', '[1]', 7] })],
    ['an oversized text', shapesMessage({ texts: ['float', '[1]', 'x'.repeat(5000)] })],
    ['texts that are not a list', shapesMessage({ texts: { 0: 'float' } })],
    ['the right message for a smaller graph', shapesMessage(), 3],
  ];
  for (const [what, m, tensors] of invalid) assert.equal(parseShapesMessage(m, { load: 2, tensors: tensors ?? 4 }), undefined, what);
});
