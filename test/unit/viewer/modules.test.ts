import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ancestorsOfNode, buildModuleTree, defaultExpanded, modulePathOf } from '../../../src/shared/layout/modules';

test('module paths come from torch.onnx.export node names', () => {
  assert.deepEqual(modulePathOf('/encoder/layers.3/attn/q_proj/MatMul'), ['encoder', 'layers.3', 'attn', 'q_proj']);
  assert.deepEqual(modulePathOf('/mask_decoder/transformer/layers.0/Gather_3'), ['mask_decoder', 'transformer', 'layers.0']);
  assert.deepEqual(modulePathOf('/Concat_12'), []);
  assert.deepEqual(modulePathOf('onnx::MatMul_123'), []);
  assert.deepEqual(modulePathOf('Conv_0'), []);
  assert.deepEqual(modulePathOf(''), []);
});

test('the tree counts nodes per module; single-node modules are no boxes', () => {
  const names = ['/enc/l.0/MatMul', '/enc/l.0/Add', '/enc/l.1/MatMul', '/enc/l.1/Add', '/enc/norm/Div', 'output_cast'];
  const tree = buildModuleTree(names);
  const enc = tree.byPath.get('/enc')!;
  assert.equal(tree.modules[enc]!.nodeCount, 5);
  assert.equal(tree.modules[0]!.nodeCount, 6);
  assert.deepEqual(tree.modules[enc]!.children.map((c) => tree.modules[c]!.name), ['l.0', 'l.1']);
  // /enc/norm holds one node: that node sits directly in /enc
  assert.equal(tree.moduleOf[4], enc);
  assert.equal(tree.moduleOf[5], 0);
  assert.deepEqual(ancestorsOfNode(tree, 2).map((m) => tree.modules[m]!.path), ['', '/enc', '/enc/l.1']);
});

test('default expansion opens whole levels within the budget and single-child chains', () => {
  const names: string[] = [];
  for (let layer = 0; layer < 24; layer++) for (let k = 0; k < 50; k++) names.push(`/model/encoder/layers.${layer}/attn/Op_${k}`);
  const tree = buildModuleTree(names);
  const open = [...defaultExpanded(tree, 300)].map((m) => tree.modules[m]!.path).sort();
  assert.deepEqual(open, ['', '/model', '/model/encoder'], 'layers stay collapsed: opening them shows 24 × 50 nodes');
  // with room for everything, each layer opens together with its lone child module
  const wide = defaultExpanded(tree, 5000);
  assert.equal(wide.size, 3 + 24 * 2);
  assert.ok(wide.has(tree.byPath.get('/model/encoder/layers.5/attn')!));
});
