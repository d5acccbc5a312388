import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openModel } from '../../../src/core/onnx/decode';
import { parseDimSizes, symbolicInputDims } from '../../../src/core/onnx/run/inputs';
import { extractNodes } from '../../../src/core/onnx/transform/extract';
import { generatedModel } from '../onnx/fixtures';

test('symbolic input dimensions of a torch export with dynamic axes', async () => {
  const model = await openModel(generatedModel('edgesam_decoder_opset11.onnx'));
  // exported with dynamic_axes {points: {1: num_points}, labels: {1: num_points}} (generate_models.py)
  assert.deepEqual(symbolicInputDims(model), ['num_points']);
  assert.deepEqual(symbolicInputDims(await openModel(generatedModel('edgesam_like_npu_safe.onnx'))), []);
});

test('dimension sizes are NAME=N pairs, every required name a whole number of at least 1', () => {
  assert.deepEqual(parseDimSizes('num_points=4, batch = 2', ['num_points', 'batch']), { num_points: 4, batch: 2 });
  assert.deepEqual(parseDimSizes('', []), {});
  assert.equal(parseDimSizes('num_points=4', ['num_points', 'batch']), undefined, 'a required name is missing');
  assert.equal(parseDimSizes('num_points=0', ['num_points']), undefined, 'zero is not a size');
  assert.equal(parseDimSizes('num_points=2.5', ['num_points']), undefined);
  assert.equal(parseDimSizes('num_points', ['num_points']), undefined);
});

test('with the sizes given, a node behind an index op is extracted where size 1 breaks the probe run', async () => {
  const model = await openModel(generatedModel('edgesam_decoder_opset11.onnx'));
  const node = '/mask_decoder/mlp/mlp.1/Erf';
  await assert.rejects(extractNodes(model, [node]), /Gather/);
  const part = await extractNodes(model, [node], { random: { dims: { num_points: 4 } } });
  assert.deepEqual(part.model.graph.nodes.map((n) => n.opType), ['Erf']);
  assert.deepEqual(part.outputs, [`${node}_output_0`]);
});
