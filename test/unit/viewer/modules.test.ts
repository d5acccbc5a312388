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

test('default expansion opens the level below a handful of items past the budget, up to twice it', () => {
  const layers = (count: number, nodes: number) => {
    const names: string[] = [];
    for (let layer = 0; layer < count; layer++) for (let k = 0; k < nodes; k++) names.push(`/model/layers.${layer}/Op_${k}`);
    return buildModuleTree(names);
  };
  // 9 layers of 38 nodes (a 9-layer transformer with its weights folded): opening them would show 342 items
  const nine = layers(9, 38);
  assert.deepEqual([...defaultExpanded(nine, 120)].map((m) => nine.modules[m]!.path).sort(), ['', '/model'], 'the 9 layers as boxes');
  // 3 layers of 60 nodes: 180 items, above the budget of 120 but within twice it, open from a view of 3 boxes
  const three = layers(3, 60);
  assert.equal(defaultExpanded(three, 120).size, 2 + 3, 'the 3 layers open');
});
