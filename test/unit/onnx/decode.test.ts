import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeModel, openModel } from '../../../src/core/onnx/decode';
import { walkGraphs, walkNodes, type Attribute, type Graph, type Model, type Tensor, type ValueType } from '../../../src/core/onnx/model';
import { readTensor } from '../../../src/core/onnx/tensor';
import { generatedModel, NPM_MODELS, npmModel, pythonDump, type PyGraph, type PythonModel, type PyTensor, type PyType } from './fixtures';

const SAFE = Number.MAX_SAFE_INTEGER;
const int64 = (v: number | bigint) => (typeof v === 'bigint' ? (v >= -SAFE && v <= SAFE ? Number(v) : v.toString()) : v);

function pyType(t: ValueType | null): PyType {
  if (!t) return null;
  switch (t.kind) {
    case 'tensor': case 'sparse_tensor': return [t.kind, t.elemType, t.shape ? [...t.shape] : null];
    case 'sequence': case 'optional': return [t.kind, pyType(t.elem)];
    case 'map': return ['map', t.keyType, pyType(t.value)];
    case 'unknown': return ['unknown'];
    default: return [`${t.kind}_type`];
  }
}

async function pyTensor(model: Model, t: Tensor): Promise<PyTensor> {
  let head: unknown;
  try {
    const { values } = await readTensor(model, t, { limit: 8 });
    head = Array.from(values as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? int64(v) : t.elemType === 'bool' ? Boolean(v) : v));
  } catch (error) {
    head = `unreadable: ${(error as Error).name}`;
  }
  return { name: t.name, dtype: t.elemType, dims: [...t.dims], head };
}

async function pyAttribute(model: Model, a: Attribute, graphPath: (g: Graph) => string): Promise<[string, unknown]> {
  if (a.refAttrName) return ['ref', a.refAttrName];
  switch (a.type) {
    case 'int': return ['int', int64(a.value)];
    case 'ints': return ['ints', a.value.map(int64)];
    case 'tensor': return ['tensor', await pyTensor(model, a.value)];
    case 'tensors': return ['tensors', await Promise.all(a.value.map((t) => pyTensor(model, t)))];
    case 'graph': return ['graph', graphPath(a.value)];
    case 'graphs': return ['graphs', a.value.map(graphPath)];
    case 'sparse_tensor': return ['sparse_tensor', [...a.value.dims]];
    case 'sparse_tensors': return ['sparse_tensors', a.value.map((s) => [...s.dims])];
    case 'type_proto': return ['type_proto', pyType(a.value)];
    case 'type_protos': return ['type_protos', a.value.map(pyType)];
    case 'floats': return ['floats', [...a.value]];
    case 'strings': return ['strings', [...a.value]];
    default: return [a.type, a.value];
  }
}

/** Our model in the shape dump_model.py prints. */
async function asPython(model: Model): Promise<PythonModel> {
  const graphs: Record<string, PyGraph> = {};
  for (const g of walkGraphs(model.graph)) {
    const nodes = [];
    for (const n of g.nodes) {
      const attributes: Record<string, [string, unknown]> = {};
      for (const a of n.attributes) attributes[a.name] = await pyAttribute(model, a, (sub) => sub.path);
      nodes.push({ name: n.name, op: n.opType, domain: n.domain, inputs: [...n.inputs], outputs: [...n.outputs], attributes });
    }
    graphs[g.path] = {
      name: g.name, nodes,
      initializers: await Promise.all(g.initializers.map((t) => pyTensor(model, t))),
      sparse_initializers: g.sparseInitializers.map((s) => [...s.dims]),
      inputs: g.inputs.map((v) => [v.name, pyType(v.type)]),
      outputs: g.outputs.map((v) => [v.name, pyType(v.type)]),
      value_info: g.valueInfo.map((v) => [v.name, pyType(v.type)]),
    };
  }
  return {
    ir_version: model.irVersion,
    opset_import: model.opsetImports.map((o) => [o.domain, o.version]),
    producer_name: model.producerName, producer_version: model.producerVersion, model_version: model.modelVersion,
    doc_string: model.docString, metadata: model.metadata.map((m) => [m.key, m.value]),
    functions: model.functions.map((f) => ({ name: f.name, domain: f.domain, inputs: [...f.inputs], outputs: [...f.outputs], attributes: [...f.attributes], ops: f.body.nodes.map((n) => n.opType) })),
    graphs,
    node_count: [...walkNodes(model.graph)].length,
  };
}

/** Python prints floats as doubles of the float32 value, exactly what we read; compare structurally. */
function compare(ours: PythonModel, theirs: PythonModel, label: string): void {
  assert.equal(ours.node_count, theirs.node_count, `${label}: node count`);
  assert.deepEqual(Object.keys(ours.graphs).sort(), Object.keys(theirs.graphs).sort(), `${label}: graph paths`);
  for (const key of Object.keys(theirs.graphs)) {
    const a = ours.graphs[key]!;
    const b = theirs.graphs[key]!;
    assert.deepEqual(a.nodes.map((n) => n.op), b.nodes.map((n) => n.op), `${label} ${key}: op types`);
    for (let i = 0; i < b.nodes.length; i++) assert.deepEqual(a.nodes[i], b.nodes[i], `${label} ${key}: node ${i} (${b.nodes[i]!.name})`);
    assert.deepEqual(a.inputs, b.inputs, `${label} ${key}: inputs`);
    assert.deepEqual(a.outputs, b.outputs, `${label} ${key}: outputs`);
    assert.deepEqual(a.value_info, b.value_info, `${label} ${key}: value_info`);
    assert.deepEqual(a.initializers, b.initializers, `${label} ${key}: initializers`);
    assert.deepEqual(a.sparse_initializers, b.sparse_initializers, `${label} ${key}: sparse initializers`);
  }
  const { graphs: _a, ...restOurs } = ours;
  const { graphs: _b, ...restTheirs } = theirs;
  assert.deepEqual(restOurs, restTheirs, `${label}: model fields`);
}

const GENERATED_MODELS = ['every_attribute.onnx', 'control_flow.onnx', 'external_data.onnx', 'transformer.onnx', 'edgesam_decoder_opset11.onnx', 'edgesam_decoder_opset17.onnx', 'edgesam_like_npu_safe.onnx', 'atc_limits.onnx'];

test('decoder matches Python onnx on generated models (attributes of every kind, subgraphs, functions, external data)', async () => {
  const files = GENERATED_MODELS.map(generatedModel);
  const reference = pythonDump(files);
  for (const file of files) compare(await asPython(await openModel(file)), reference[file]!, file);
});

test('decoder matches Python onnx on real models shipped in npm packages', async () => {
  const files = NPM_MODELS.map((m) => npmModel(m.id));
  const reference = pythonDump(files);
  for (const [k, file] of files.entries()) {
    const model = await openModel(file);
    compare(await asPython(model), reference[file]!, NPM_MODELS[k]!.id);
    assert.equal(reference[file]!.node_count, NPM_MODELS[k]!.nodes, `${NPM_MODELS[k]!.id}: node count recorded in npm-models.json`);
  }
});

test('paged decoding (tensor payloads skipped by position) gives the same model as decoding the whole buffer', async () => {
  const file = npmModel('ppocr_rec');
  const whole = await openModel(file);
  const paged = await openModel(file, { wholeFileLimit: 0 });
  assert.deepEqual({ ...paged, source: null }, { ...whole, source: null });
  assert.ok(paged.source.bytesRead < paged.source.byteLength / 2, `paged read ${paged.source.bytesRead} of ${paged.source.byteLength} bytes`);
  const fromBytes = decodeModel(readFileSync(file));
  assert.deepEqual({ ...fromBytes, source: null }, { ...whole, source: null });
  // Every other model too: varints and strings cross page boundaries at many places.
  for (const other of [...GENERATED_MODELS.map(generatedModel), ...NPM_MODELS.map((m) => npmModel(m.id))]) {
    const a = await openModel(other);
    const b = await openModel(other, { wholeFileLimit: 0 });
    assert.deepEqual({ ...b, source: null }, { ...a, source: null }, other);
  }
});

test('known values: every_attribute.onnx', async () => {
  const model = await openModel(generatedModel('every_attribute.onnx'));
  const node = model.graph.nodes[0]!;
  const big = node.attributes.find((a) => a.name === 'big');
  assert.deepEqual(big && big.type === 'int' ? big.value : undefined, 9223372036854775807n);
  const x = model.graph.inputs[0]!;
  assert.deepEqual(x.type, { kind: 'tensor', elemType: 'float', shape: ['batch', 3, null] });
  const ints = model.graph.initializers.find((t) => t.name === 'big_ints')!;
  assert.equal(ints.data.kind, 'typed');
  const values = await readTensor(model, ints);
  assert.deepEqual(Array.from(values.values as BigInt64Array), [9223372036854775807n, -9223372036854775808n, -1n, 42n]);
  const half = model.graph.initializers.find((t) => t.name === 'half_weights')!;
  assert.deepEqual(Array.from((await readTensor(model, half)).values as Float32Array), [1, -2.5, 65504, 0]);
  const preview = await readTensor(model, model.graph.initializers.find((t) => t.name === 'raw_ints')!, { limit: 5 });
  assert.deepEqual([...(preview.values as Int32Array)], [0, 1, 2, 3, 4]);
  assert.equal(preview.truncated, true);
  assert.equal(model.functions[0]!.body.path, 'function:com.example::MulSoftmax');
});

test('external data resolves inside the model folder', async () => {
  const model = await openModel(generatedModel('external_data.onnx'));
  const w = model.graph.initializers[0]!;
  assert.equal(w.data.kind, 'external');
  assert.equal(w.byteLength, 8 * 3 * 3 * 3 * 4);
  const values = await readTensor(model, w);
  assert.equal(values.values.length, 216);
});
