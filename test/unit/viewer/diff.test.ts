import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffGraphs } from '../../../src/shared/diff';
import type { CompactGraph } from '../../../src/shared/graph';
import { GraphBuilder } from './synthetic';

function model(variant: 'base' | 'rewritten'): CompactGraph {
  const g = new GraphBuilder(variant);
  const x = g.input('x', [1, 8]);
  const a = g.op('/enc', 'MatMul', [x, g.initializer('w', [8, 8])]);
  // the rewrite: exact GELU (Erf) → tanh form, Squeeze → Reshape, and a changed axis
  const act = variant === 'base' ? g.op('/enc/act', 'Erf', [a]) : g.op('/enc/act', 'Tanh', [a]);
  const s = g.op('/enc', 'Softmax', [act], 1, { axis: variant === 'base' ? '-1' : '1' });
  g.output(variant === 'base' ? g.op('/head', 'Squeeze', [s]) : g.op('/head', 'Reshape', [s, g.op('/head', 'Constant', [])]));
  return g.build();
}

test('diff finds added, removed and changed nodes by name', () => {
  const base = model('base');
  const next = model('rewritten');
  const diff = diffGraphs(base, next);
  assert.deepEqual(diff.removed.map((r) => r.op).sort(), ['Erf', 'Squeeze']);
  assert.deepEqual(diff.added.map((i) => next.nodes[i]!.op).sort(), ['Constant', 'Reshape', 'Tanh']);
  // Softmax keeps its name (the builder numbers nodes in order) and changes its axis
  const softmax = diff.changed.find((c) => next.nodes[c.node]!.op === 'Softmax');
  assert.ok(softmax, JSON.stringify(diff.changed));
  assert.deepEqual(softmax.changes.filter((c) => c.kind === 'attribute'), [{ kind: 'attribute', what: 'axis', before: '-1', after: '1' }]);
});

test('identical graphs have an empty diff; a shape change is reported per input', () => {
  const base = model('base');
  assert.deepEqual(diffGraphs(base, base), { added: [], removed: [], changed: [] });
  const reshaped: CompactGraph = { ...base, tensors: base.tensors.map((t) => (t.name === 'x' ? { ...t, shape: [4, 8] } : t)) };
  const diff = diffGraphs(base, reshaped);
  assert.equal(diff.changed.length, 1);
  assert.deepEqual(diff.changed[0]!.changes, [{ kind: 'input', what: '0', before: 'float[1×8]', after: 'float[4×8]' }]);
});

test('torch renumbering after an inserted node does not turn every later node into removed + added', () => {
  const build = (withExtra: boolean) => {
    const g = new GraphBuilder('m');
    let x = g.input('x', [1, 8]);
    if (withExtra) x = g.op('/pre', 'Abs', [x]);
    for (let i = 0; i < 3; i++) x = g.op(`/enc/layers.${i}`, 'Relu', [g.op(`/enc/layers.${i}`, 'MatMul', [x, g.initializer(`w${i}`, [8, 8])])]);
    g.output(x);
    return g.build();
  };
  const base = build(false);
  const next = build(true);
  assert.notEqual(base.nodes[0]!.name, next.nodes[1]!.name, 'names shifted');
  const diff = diffGraphs(base, next);
  assert.deepEqual(diff.added.map((i) => next.nodes[i]!.op), ['Abs']);
  assert.deepEqual(diff.removed, []);
});
