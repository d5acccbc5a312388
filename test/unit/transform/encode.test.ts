import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeModel, openModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/transform/encode';
import { makeTensor } from '../../../src/core/onnx/transform/payload';
import { readTensor } from '../../../src/core/onnx/tensor';
import { InferenceSession } from '../../../src/core/onnx/run/ort';
import { generatedModel } from '../onnx/fixtures';
import { edgesamDecoder, onnxTool, scratch } from './fixtures';

test('decode + encode gives back the same model, as Python onnx reads both', async () => {
  const file = edgesamDecoder();
  const model = await openModel(file);
  const out = scratch('roundtrip_edgesam.onnx');
  writeFileSync(out, await encodeModel(model));
  assert.deepEqual(onnxTool('same', file, out), { same: true, diff: '' });
  // Byte-identical too: field order and presence follow onnx's own serializer for a torch export.
  assert.equal(Buffer.compare(readFileSync(file), readFileSync(out)), 0);
});

test('every model of the decoder tests survives a round trip (typed fields, external data, subgraphs, functions)', async () => {
  // The decoder tests' models (test/fixtures/onnx/generate_models.py), each with a feature the encoder must keep.
  const files = ['transformer.onnx', 'control_flow.onnx', 'every_attribute.onnx', 'external_data.onnx', 'atc_limits.onnx'];
  for (const name of files) {
    const file = generatedModel(name);
    const model = await openModel(file);
    const out = scratch(`roundtrip_${name}`);
    writeFileSync(out, await encodeModel(model));
    const verdict = onnxTool<{ same: boolean; diff: string }>('same', file, out);
    assert.equal(verdict.same, true, `${name}: ${verdict.diff}`);
  }
});

test('a model decoded from bytes encodes with its bytes, and in-memory tensors keep their exact values', async () => {
  const bytes = readFileSync(edgesamDecoder());
  const model = decodeModel(bytes);
  const half = makeTensor('half', 'float16', [3], Uint16Array.of(0x3c00, 0xc000, 0x7bff));
  const big = makeTensor('big', 'int64', [2], BigInt64Array.of(-(2n ** 62n), 2n ** 62n + 1n));
  const graph = { ...model.graph, initializers: [...model.graph.initializers, half, big] };
  const encoded = await encodeModel({ ...model, graph }, { modelBytes: bytes });
  const again = decodeModel(encoded);
  const find = (name: string) => again.graph.initializers.find((t) => t.name === name)!;
  assert.deepEqual([...(await readTensor(again, find('half'), { modelBytes: encoded })).values as Float32Array], [1, -2, 65504]);
  assert.deepEqual([...(await readTensor(again, find('big'), { modelBytes: encoded })).values as BigInt64Array], [-(2n ** 62n), 2n ** 62n + 1n]);
  const session = await InferenceSession.create(encoded);
  assert.deepEqual([...session.inputNames], ['image_embeddings', 'point_coords', 'point_labels']);
  await session.release();
});
