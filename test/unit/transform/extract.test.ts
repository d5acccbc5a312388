import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { openModel } from '../../../src/core/onnx/decode';
import type { Model } from '../../../src/core/onnx/model';
import { compareOutputs } from '../../../src/core/onnx/run/compare';
import { feedInputs, randomInputs } from '../../../src/core/onnx/run/inputs';
import { InferenceSession } from '../../../src/core/onnx/run/ort';
import type { ArrayValue } from '../../../src/core/onnx/run/values';
import { encodeModel } from '../../../src/core/onnx/transform/encode';
import { TransformError } from '../../../src/core/onnx/transform/errors';
import { extractByTensors, extractModule, extractNodes, type ExtractedModel } from '../../../src/core/onnx/transform/extract';
import { nodeReads } from '../../../src/core/onnx/transform/graph';
import { ROOT_PART, splitByModule } from '../../../src/core/onnx/transform/split';
import { extractPart } from '../../../src/core/operations/extractPart';
import { decoderFacts, edgesamDecoder, nondeterministicModel, onnxTool, scratch, type PySummary } from './fixtures';

const RANDOM = { seed: 11, dims: { num_points: 5 }, intLow: -1, intHigh: 3 };

async function original(): Promise<{ file: string; model: Model; feeds: Record<string, ArrayValue> }> {
  const file = edgesamDecoder();
  const model = await openModel(file);
  return { file, model, feeds: randomInputs(feedInputs(model.graph), RANDOM) };
}

/** The original's values of `names`: Python adds them as outputs, onnxruntime runs Python's file. */
async function expectedValues(file: string, names: readonly string[], feeds: Record<string, ArrayValue>, tag: string): Promise<Record<string, ArrayValue>> {
  const probe = scratch(`probe_${tag}.onnx`);
  onnxTool('with_outputs', file, probe, ...names);
  const session = await InferenceSession.create(probe, { optimization: 'disabled' });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Saves the part, checks it with onnx's full checker, runs it on the original's values of its inputs. */
async function reproduces(file: string, part: ExtractedModel, feeds: Record<string, ArrayValue>, tag: string): Promise<void> {
  const out = scratch(`${tag}.onnx`);
  writeFileSync(out, await encodeModel(part.model));
  const check = onnxTool<{ ok: boolean; error: string }>('check', out);
  assert.equal(check.ok, true, check.error);
  const expected = await expectedValues(file, [...part.inputs, ...part.outputs], feeds, tag);
  const session = await InferenceSession.create(out);
  try {
    assert.deepEqual([...session.inputNames].sort(), [...part.inputs].sort());
    const actual = await session.run(Object.fromEntries(part.inputs.map((n) => [n, expected[n]!])));
    const wanted = Object.fromEntries(part.outputs.map((n) => [n, expected[n]!]));
    for (const c of compareOutputs(wanted, actual)) assert.ok(c.pass && c.maxAbsError <= 1e-5, `${tag} ${c.name}: max abs error ${c.maxAbsError}`);
  } finally {
    await session.release();
  }
}

test('a module extracted by prefix is a standalone model that reproduces the original tensors', async () => {
  const { file, model, feeds } = await original();
  const part = await extractModule(model, '/mask_decoder/transformer/', { random: RANDOM });
  // Nodes from outside the module only compute constants (Identity of a weight, Constant, the dense
  // positional encoding): they read initializers and each other, never an input of the part.
  const outside = part.model.graph.nodes.filter((n) => !n.name.startsWith('/mask_decoder/transformer/'));
  const constant = new Set(part.model.graph.initializers.map((t) => t.name));
  for (const node of outside) {
    assert.ok(node.inputs.every((n) => constant.has(n)), `${node.name} reads a computed value`);
    for (const o of node.outputs) constant.add(o);
  }
  assert.ok(outside.some((n) => n.opType === 'Sin'), 'the dense PE (Sin/Cos of constants) comes along');
  assert.deepEqual([...part.inputs].sort(), ['/mask_decoder/Concat_1_output_0', 'image_embeddings']);
  // Only the initializers its nodes read.
  const read = new Set(part.model.graph.nodes.flatMap(nodeReads));
  assert.ok(part.model.graph.initializers.every((t) => read.has(t.name)));
  assert.ok(part.model.graph.initializers.length < model.graph.initializers.length);
  const summary = scratch('layers_summary.onnx');
  writeFileSync(summary, await encodeModel(part.model));
  const py = onnxTool<PySummary>('summary', summary);
  assert.deepEqual(py.opsets, [['', decoderFacts().opset]]);
  // Typed from a run of the original: [1, 5 + 4 + 1, 32] tokens for 5 points.
  assert.deepEqual(py.inputs.find((i) => i[0] === '/mask_decoder/Concat_1_output_0'), ['/mask_decoder/Concat_1_output_0', 'float', [1, 10, 32]]);
  await reproduces(file, part, feeds, 'module_transformer');
});

test('extraction by tensors picks the nodes Python finds walking back from the outputs, and reproduces the tensors', async () => {
  const { file, model, feeds } = await original();
  const from = ['/mask_decoder/Concat_1_output_0', 'image_embeddings'];
  const to = ['/mask_decoder/transformer/layers.0/norm4/Add_1_output_0'];
  const part = await extractByTensors(model, from, to, { random: RANDOM });
  const theirs = onnxTool<{ nodes: string[]; initializers: string[] }>('reachable', file, from.join(','), to.join(','));
  assert.deepEqual(part.model.graph.nodes.map((n) => n.name).sort(), [...theirs.nodes].sort());
  assert.deepEqual(part.model.graph.initializers.map((t) => t.name).sort(), theirs.initializers);
  await reproduces(file, part, feeds, 'tensors_layer0');
});

test('nodes selected by name (the viewer\'s Extract as Model) become a model that reproduces their outputs', async () => {
  const { file, model, feeds } = await original();
  const names = model.graph.nodes.filter((n) => n.name.startsWith('/mask_decoder/transformer/layers.1/mlp/')).map((n) => n.name);
  assert.ok(names.length >= 5);
  const part = await extractNodes(model, names, { random: RANDOM });
  assert.deepEqual(part.model.graph.nodes.filter((n) => names.includes(n.name)).length, names.length);
  assert.equal(part.inputs.length, 1);
  await reproduces(file, part, feeds, 'nodes_mlp');
  await assert.rejects(extractNodes(model, ['/no/such/Node']), (e: unknown) => e instanceof TransformError && e.names.includes('/no/such/Node'));
});

test('unknown tensors and modules are refused with their names', async () => {
  const { model } = await original();
  await assert.rejects(extractByTensors(model, ['nope'], ['scores']), (e: unknown) => e instanceof TransformError && e.names.includes('nope'));
  await assert.rejects(extractModule(model, 'no_such_module'), TransformError);
  await assert.rejects(extractByTensors(model, ['image_embeddings'], ['/prompt_encoder/Add_8_output_0']), (e: unknown) => e instanceof TransformError && e.names.includes('image_embeddings'));
});

test('split by top-level module: the parts chained reproduce the original outputs', async () => {
  const { file, model, feeds } = await original();
  const parts = await splitByModule(model, 1, { random: RANDOM });
  assert.deepEqual(parts.map((p) => p.module), ['prompt_encoder', 'mask_decoder']);
  assert.ok(!parts.some((p) => p.module === ROOT_PART));
  const facts = decoderFacts();
  // Every non-constant node of a module lands in its part (constant helpers may be copied into several).
  for (const part of parts) {
    const own = part.extracted.model.graph.nodes.filter((n) => n.name.startsWith(`/${part.module}/`)).length;
    assert.ok(own <= facts.modules[part.module]! && own > facts.modules[part.module]! / 2, `${part.module}: ${own}`);
  }
  const values: Record<string, ArrayValue> = { ...feeds };
  for (const part of parts) {
    const session = await InferenceSession.create(await encodeModel(part.extracted.model));
    Object.assign(values, await session.run(Object.fromEntries(part.extracted.inputs.map((n) => [n, values[n]!]))));
    await session.release();
  }
  const expected = await expectedValues(file, [], feeds, 'split');
  for (const c of compareOutputs(expected, { scores: values['scores']!, masks: values['masks']! })) assert.ok(c.maxAbsError <= 1e-5, `${c.name} ${c.maxAbsError}`);
});

test('split at depth 2 gives the seed-like parts: transformer, upscaling, hypernetwork MLPs, IoU head', async () => {
  const { model } = await original();
  const parts = await splitByModule(model, 2, { random: RANDOM });
  const modules = parts.map((p) => p.module);
  for (const m of ['prompt_encoder', 'mask_decoder/transformer', 'mask_decoder/output_upscaling', 'mask_decoder/iou_prediction_head', 'mask_decoder/output_hypernetworks_mlps.3']) {
    assert.ok(modules.includes(m), `${m} in ${modules.join(', ')}`);
  }
  for (const part of parts) {
    const session = await InferenceSession.create(await encodeModel(part.extracted.model));
    await session.release();
  }
});

test('extractPart: the part is checked against the original on the same inputs; a part that does not reproduce says so', async () => {
  const model = await openModel(nondeterministicModel(scratch('nondeterministic.onnx')));
  const noise = await extractPart({ model, part: { nodes: ['noise_b'] }, random: { seed: 3 } });
  assert.equal(noise.reproduces, false, 'the random op alone draws other values');
  assert.deepEqual(noise.reproduction.map((c) => [c.name, c.pass]), [['rb', false]]);
  const mix = await extractPart({ model, part: { nodes: ['mix'] }, random: { seed: 3 } });
  assert.equal(mix.reproduces, true, 'Add on the original values of ra and rb gives the original y');
  assert.deepEqual(mix.reproduction.map((c) => [c.name, c.pass]), [['y', true]]);
  const unverified = await extractPart({ model, part: { nodes: ['noise_b'] }, verify: false });
  assert.deepEqual(unverified.reproduction, []);
  assert.equal(unverified.reproduces, true);
  // the bytes are the part: onnxruntime loads them with the part's interface
  const session = await InferenceSession.create(mix.bytes);
  assert.deepEqual([...session.inputNames].sort(), ['ra', 'rb']);
  await session.release();
});
