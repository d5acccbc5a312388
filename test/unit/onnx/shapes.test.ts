/**
 * Shape inference (src/core/onnx/shapes.ts) on models torch.onnx.export made, with value_info removed,
 * checked against the shapes onnxruntime produces when it runs them (every node output is a graph
 * output of the probe copy); plus hand-made graphs where the answer must stay unknown.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { openModel } from '../../../src/core/onnx/decode';
import type { Dim, Graph, Node, Tensor, ValueInfo } from '../../../src/core/onnx/model';
import { inferGraphShapes, inferShapes, valuesNeeded } from '../../../src/core/onnx/shapes';
import { InferenceSession } from '../../../src/core/onnx/run/ort';
import { feedInputs, randomInputs } from '../../../src/core/onnx/run/inputs';
import { REPO_ROOT } from '../repo';
import { GENERATED, PYTHON } from './fixtures';

const DIR = path.join(GENERATED, 'shapes');
const MODELS = ['transformer_dynamic', 'transformer_static', 'convnet', 'indexing_op11', 'indexing_op13'];
/** Ops the inference covers: their outputs must be inferred whenever their inputs' shapes are. */
const COVERED = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Greater', 'Less', 'MatMul', 'Gemm', 'Conv', 'Reshape', 'Transpose', 'Concat',
  'Slice', 'Gather', 'Unsqueeze', 'Squeeze', 'Cast', 'Relu', 'Sigmoid', 'Erf', 'Sqrt', 'Softmax', 'BatchNormalization', 'LayerNormalization', 'Flatten',
  'Shape', 'Split', 'ReduceMean', 'Identity', 'Constant']);

let made = false;
function shapeModel(name: string): { file: string; probe: string; sizes: Record<string, number> } {
  if (!made) {
    mkdirSync(DIR, { recursive: true });
    execFileSync('flock', [path.join(DIR, '.lock'), PYTHON, path.join(REPO_ROOT, 'test/fixtures/onnx/shape_models.py'), DIR], { stdio: 'pipe' });
    made = true;
  }
  const base = path.join(DIR, name);
  return { file: `${base}.onnx`, probe: `${base}.probe.onnx`, sizes: (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { sizes: Record<string, number> }).sizes };
}

for (const name of MODELS) {
  test(`shape inference on torch export ${name} matches onnxruntime's shapes`, async () => {
    const { file, probe, sizes } = shapeModel(name);
    const model = await openModel(file);
    assert.equal(model.graph.valueInfo.length, 0, 'the test model has no value_info');
    const { types, inferred } = await inferShapes(model);
    const probeModel = await openModel(probe);
    const session = await InferenceSession.create(probe, { optimization: 'disabled' });
    const real = await session.run(randomInputs(feedInputs(probeModel.graph), { dims: sizes, seed: 1 }));
    await session.release();
    let compared = 0;
    let complete = 0;
    for (const [value, actual] of Object.entries(real)) {
      const t = types.get(value);
      if (!t || !inferred.has(value)) continue;
      if (t.elemType !== 'undefined') assert.equal(t.elemType, actual.elemType, `${value}: element type`);
      if (!t.shape) continue;
      assert.equal(t.shape.length, actual.dims.length, `${value}: rank of [${t.shape.join(',')}] vs real [${actual.dims.join(',')}]`);
      t.shape.forEach((d: Dim, i: number) => {
        if (d === null) return;
        // a symbolic dim must be the size fed for that symbol
        const expected = typeof d === 'string' ? sizes[d] : d;
        assert.notEqual(expected, undefined, `${value}: symbol ${String(d)} is not an input dim`);
        assert.equal(actual.dims[i], expected, `${value} dim ${i}: inferred ${String(d)}, real [${actual.dims.join(',')}]`);
      });
      compared++;
      if (t.shape.every((d) => d !== null)) complete++;
    }
    // every covered op whose inputs all have a fully known shape gets a fully known output shape
    const known = (v: string) => { const s = types.get(v)?.shape; return !!s && s.every((d) => d !== null); };
    const missed = model.graph.nodes.filter((n) => COVERED.has(n.opType) && n.inputs.every((i) => !i || known(i)) && n.opType !== 'Reshape' && !n.outputs.every((o) => !o || known(o)));
    assert.deepEqual(missed.map((n) => `${n.opType} ${n.name}`), []);
    assert.ok(compared >= 5, `${name}: ${compared} values compared`);
    assert.ok(complete > compared / 2, `${name}: ${complete} of ${compared} shapes complete`);
  });
}

test('the dynamic transformer keeps batch and seq symbolic through the Shape → Concat → Reshape path', async () => {
  const { file } = shapeModel('transformer_dynamic');
  const model = await openModel(file);
  const { types } = await inferShapes(model);
  const reshapes = model.graph.nodes.filter((n) => n.opType === 'Reshape');
  assert.ok(reshapes.length >= 6);
  for (const r of reshapes) {
    const shape = types.get(r.outputs[0]!)?.shape;
    assert.ok(shape, `${r.name}: rank known`);
    assert.equal(shape[0], 'batch', `${r.name}: [${shape.join(',')}]`);
    assert.equal(shape[1], 'seq', `${r.name}: [${shape.join(',')}]`);
  }
  // the graph output is declared with torch's own names (Softmax237_dim_0): the head's output is inferred
  const softmax = model.graph.nodes.filter((n) => n.opType === 'Softmax').at(-1)!;
  assert.deepEqual(types.get(softmax.inputs[0]!)?.shape, ['batch', 'seq', 10]);
});

// ------------------------------------------------------------------ unknown stays unknown

const tensor = (name: string, elemType: 'float' | 'int64', shape: Dim[] | null): ValueInfo => ({ name, type: { kind: 'tensor', elemType, shape } });
const node = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = []): Node => ({ name: outputs[0]!, opType, domain: '', inputs, outputs, attributes });
const init = (name: string, dims: number[]): Tensor => ({ name, elemType: 'int64', dims, elementCount: dims.reduce((a, b) => a * b, 1), byteLength: 0, data: { kind: 'none' }, fileOffset: 0 });
const graph = (nodes: Node[], inputs: ValueInfo[], initializers: Tensor[] = []): Graph => ({ name: 'g', path: 'main', nodes, inputs, outputs: [], valueInfo: [], initializers, sparseInitializers: [] });

test('unknown stays unknown: run-time shapes, unknown ops, unknown ranks and incompatible broadcasts are never guessed', () => {
  const g = graph([
    node('Reshape', ['x', 'dyn'], ['r']), // shape computed at run time from an input: rank from its length, sizes unknown
    node('NonZero', ['x'], ['nz']), // data-dependent: not inferred at all
    node('Relu', ['nz'], ['after']), // follows an unknown shape
    node('Add', ['x', 'u'], ['sum']), // one input of unknown rank
    node('Add', ['x', 'bad'], ['clash']), // 4 against 5: not broadcastable
    node('MyOp', ['x'], ['custom']),
    node('Reshape', ['x', 'k'], ['r2']), // constant shape with -1 over a symbolic dim that does not divide out
    node('Slice', ['x', 's', 'e'], ['sl']), // bounds computed at run time: rank known, sizes not
    node('Add', ['x', 'n'], ['half']), // [batch,4] + [?,4]: the null dim is 1 or batch, so the sum is [batch,4]
    node('Add', ['n', 'n'], ['nn']), // [?,4] + [?,4]: stays unknown
  ], [tensor('x', 'float', ['batch', 4]), tensor('dyn', 'int64', [3]), tensor('u', 'float', null), tensor('bad', 'float', [5]),
    tensor('s', 'int64', [1]), tensor('e', 'int64', [1]), tensor('n', 'float', [null, 4])], [init('k', [2])]);
  const { types } = inferGraphShapes(g, 13, new Map([['k', [-1, 3]]]));
  assert.deepEqual(types.get('r')?.shape, [null, null, null]);
  assert.equal(types.get('nz')?.shape ?? null, null);
  assert.equal(types.get('after')?.shape ?? null, null);
  assert.equal(types.get('sum')?.shape ?? null, null);
  assert.equal(types.get('clash')?.shape ?? null, null);
  assert.equal(types.get('custom'), undefined);
  assert.deepEqual(types.get('r2')?.shape, [null, 3]);
  assert.deepEqual(types.get('sl')?.shape, [null, null]);
  assert.deepEqual(types.get('half')?.shape, ['batch', 4]);
  assert.deepEqual(types.get('nn')?.shape, [null, 4]);
});

test('declared types win over inferred ones, and a declared unknown rank is completed', () => {
  const g: Graph = {
    ...graph([node('Transpose', ['x'], ['t']), node('Relu', ['t'], ['y'])], [tensor('x', 'float', [2, 3])]),
    valueInfo: [tensor('t', 'float', [3, 2]), { name: 'y', type: { kind: 'tensor', elemType: 'float', shape: null } }],
  };
  const { types, inferred } = inferGraphShapes(g, 13);
  assert.ok(!inferred.has('t'));
  assert.deepEqual(types.get('y')?.shape, [3, 2]);
  assert.ok(inferred.has('y'));
});

test('with value_info, values are read and carried only for outputs that are not declared', () => {
  // x.view(x.shape): Shape → Reshape; the Reshape's output declared or not
  const nodes = [node('Shape', ['x'], ['s']), node('Reshape', ['x', 's'], ['r']), node('Relu', ['r'], ['y'])];
  const undeclared = graph(nodes, [tensor('x', 'float', [2, 3])]);
  assert.deepEqual([...valuesNeeded(undeclared)], ['s']);
  const declared: Graph = { ...undeclared, valueInfo: [tensor('r', 'float', [2, 3]), tensor('y', 'float', [2, 3])] };
  assert.deepEqual([...valuesNeeded(declared)], [], 'every consumer of a value is declared: nothing to read');
  const { types, inferred } = inferGraphShapes(declared, 13);
  assert.deepEqual(types.get('r')?.shape, [2, 3]);
  assert.ok(!inferred.has('r') && !inferred.has('y'));
  // the shape declared, the Reshape not: the declared Shape node still carries its value to the Reshape
  const shapeDeclared: Graph = { ...undeclared, valueInfo: [{ name: 's', type: { kind: 'tensor', elemType: 'int64', shape: [2] } }] };
  assert.deepEqual([...valuesNeeded(shapeDeclared)], ['s']);
  const after = inferGraphShapes(shapeDeclared, 13);
  assert.deepEqual(after.types.get('r')?.shape, [2, 3]);
  assert.deepEqual(after.types.get('y')?.shape, [2, 3]);
  assert.ok(after.inferred.has('r') && !after.inferred.has('s'));
});
