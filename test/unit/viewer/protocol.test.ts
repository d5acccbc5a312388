import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_EXPORT_CHARS, parseViewerState, parseWebviewMessage } from '../../../src/shared/protocol';
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
