import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffGraphs, foldDiff } from '../../../src/shared/diff';
import { foldConstants } from '../../../src/shared/layout/fold';
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

/** x → MatMul(x, w) → Mul(., Constant) → Add(., Constant) → out; `extra`: one more Constant folded into the Add. */
function withConstants(extra = false): CompactGraph {
  const g = new GraphBuilder('consts');
  const x = g.input('x', [1, 8]);
  const mm = g.op('/enc', 'MatMul', [x, g.initializer('w', [8, 8])]);
  const scale = g.op('/enc', 'Constant', []);
  const mul = g.op('/enc', 'Mul', [mm, scale]);
  const bias = g.op('/enc', 'Constant', []);
  const add = g.op('/enc', 'Add', extra ? [mul, bias, g.op('/enc', 'Constant', [])] : [mul, bias]);
  g.output(add);
  return g.build();
}

const nodeNamed = (graph: CompactGraph, op: string, k = 0) => graph.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === op)[k]![1];

test('a weight or constant with other values (same type and shape) is a changed value, given the digests of both sides', () => {
  const base = withConstants();
  const next = withConstants();
  const scaleOut = next.tensors[next.nodes[nodeNamed(next, 'Constant')]!.outputs[0]!]!.name;
  const digests = (w: string, scale: string) => new Map([['w', w], [scaleOut, scale], [next.tensors[next.nodes[nodeNamed(next, 'Constant', 1)]!.outputs[0]!]!.name, 'b']]);
  // without values nothing differs: the compact graph has types and shapes only
  assert.deepEqual(diffGraphs(base, next).changed, []);
  assert.deepEqual(diffGraphs(base, next, { base: digests('w1', 's1'), compared: digests('w1', 's1') }).changed, []);
  const diff = diffGraphs(base, next, { base: digests('w1', 's1'), compared: digests('w2', 's2') });
  const byOp = new Map(diff.changed.map((c) => [next.nodes[c.node]!.op, c.changes]));
  assert.deepEqual([...byOp.keys()].sort(), ['Constant', 'MatMul']);
  assert.deepEqual(byOp.get('MatMul'), [{ kind: 'value', what: 'w', before: 'float[8×8]', after: 'float[8×8]' }], 'the weight the MatMul reads');
  assert.deepEqual(byOp.get('Constant')!.map((c) => [c.kind, c.what]), [['value', scaleOut]], 'the value the Constant holds');
  // a side without a digest (unreadable, over the budget) is not compared
  const partial = new Map([['w', 'w2']]);
  assert.deepEqual(diffGraphs(base, next, { base: new Map(), compared: partial }).changed, []);
});

test('with constants folded, a changed or added Constant marks the node it is folded into', () => {
  const base = withConstants();
  const next = withConstants(true);
  const fold = foldConstants(next);
  const scale = nodeNamed(next, 'Constant');
  const extra = nodeNamed(next, 'Constant', 2);
  const mul = nodeNamed(next, 'Mul');
  const add = nodeNamed(next, 'Add');
  assert.equal(fold[scale], mul);
  assert.equal(fold[extra], add);
  const scaleOut = next.tensors[next.nodes[scale]!.outputs[0]!]!.name;
  const diff = diffGraphs(base, next, { base: new Map([[scaleOut, 'before']]), compared: new Map([[scaleOut, 'after']]) });
  assert.ok(diff.added.includes(extra) && diff.changed.some((c) => c.node === scale), JSON.stringify(diff));
  const drawn = foldDiff(diff, next, fold);
  assert.deepEqual(drawn.added, diff.added.filter((n) => n !== extra), 'the folded Constant is not listed as an added node');
  assert.equal(drawn.changed.some((c) => c.node === scale), false, 'nor as a changed one');
  const mulChange = drawn.changed.find((c) => c.node === mul);
  assert.ok(mulChange, 'the Mul the changed Constant is folded into is marked');
  assert.deepEqual(mulChange.changes.map((c) => [c.kind, c.what]), [['constant', next.nodes[scale]!.name]]);
  assert.deepEqual(mulChange.changes[0]!.folded, diff.changed.find((c) => c.node === scale)!.changes, 'with what changed in it');
  assert.equal(mulChange.base, -1, 'marked for its constant only');
  // the Add changed itself (a third input) and gets the added constant with it
  const addChange = drawn.changed.find((c) => c.node === add)!;
  assert.deepEqual(addChange.changes.map((c) => c.kind), ['arity', 'constant-added']);
  assert.equal(addChange.changes[1]!.what, next.nodes[extra]!.name);
  // nothing folded: the diff as it is
  const plain = diffGraphs(base, withConstants());
  assert.equal(foldDiff(plain, withConstants(), foldConstants(withConstants())), plain);
});
