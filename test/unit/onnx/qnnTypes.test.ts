/**
 * qnn-htp: the element types the ONNX Runtime QNN EP maps to QNN ones (OnnxDataTypeToQnnDataType in qnn_utils.cc, read
 * by build-qnn.mjs into qnn-htp.json `types`). A node input or output of another type fails in GetTensorInfo ("Failed
 * to map Onnx data type to Qnn data type!") and the node stays on the CPU: clpeak's NVFP4 DequantizeLinear
 * (krrishnarraj/clpeak#197). ONNX Runtime does not fold a DequantizeLinear of constant inputs (QDQ node units).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel, type NodeVerdict } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { builtinTarget } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { generatedModel } from './fixtures';
import qnnData from '../../../src/core/onnx/targets/data/qnn-htp.json';

const codes = (v: NodeVerdict) => v.reasons.map((r) => `${r.code}${r.certain ? '' : '?'}`);

test('qnn-htp.json holds the EP type table of the pin: no float8/float4/bfloat16/double, and no version of the table ever mapped them', () => {
  const { mapped, everMapped, source } = qnnData.types;
  assert.match(source, /^onnxruntime\/core\/providers\/qnn-abi\/builder\/qnn_utils\.cc#L\d+-L\d+$/);
  // The table's history reaches back through the non-ABI qnn/ directory to the EP's first version (2023-03-01).
  assert.deepEqual(qnnData.types.history.since, { commit: '4369fe215725', date: '2023-03-01' });
  for (const t of ['float', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'int64', 'bool', 'int4', 'uint4']) assert.ok(mapped.includes(t), t);
  for (const t of ['float4e2m1', 'float8e4m3fn', 'float8e5m2', 'bfloat16', 'double', 'string']) {
    assert.ok(!mapped.includes(t), t);
    assert.ok(!everMapped.includes(t), t);
  }
  for (const t of mapped) assert.ok(everMapped.includes(t), t);
});

test('NVFP4 DequantizeLinear (float4e2m1 data, float8e4m3fn scales; clpeak#197): unsupported on the pinned EP, unverified on a later release, unsupported on the 1.x ones', async () => {
  const model = await openModel(generatedModel('qnn_unmapped_types.onnx'));
  const init = (name: string) => model.graph.initializers.find((t) => t.name === name)!;
  assert.equal(init('w_fp4').elemType, 'float4e2m1');
  assert.equal(init('s_fp8').elemType, 'float8e4m3fn');
  const verdict = (target: string, name: string) => checkModel(model, builtinTarget(target)!).verdicts.find((v) => v.name === name);

  const pinned = verdict('qnn-htp', '/nvfp4/DequantizeLinear')!;
  assert.equal(pinned.verdict, 'unsupported');
  assert.deepEqual(codes(pinned), ['dtype']);
  const text = formatMessage(pinned.reasons[0]!.message);
  assert.match(text, /float4e2m1, float8e4m3fn/);
  assert.match(text, /onnxruntime-qnn 2\.0\.0/);
  assert.match(pinned.reasons[0]!.source!, /onnxruntime-qnn@fbd7fc534234:onnxruntime\/core\/providers\/qnn-abi\/builder\/qnn_utils\.cc#L795-L825 .*#L761\)/);
  assert.match(pinned.reasons[0]!.source!, /Failed to map Onnx data type to Qnn data type!/);
  assert.ok(pinned.hints.length > 0, 'a rewrite is offered');

  const later = verdict('qnn-htp@ep2.6', '/nvfp4/DequantizeLinear')!;
  assert.equal(later.verdict, 'unverified');
  assert.deepEqual(codes(later), ['dtype?']);
  for (const release of ['1.16.1', '1.19.2', '1.20.1']) {
    const old = verdict(`qnn-htp@ep${release}`, '/nvfp4/DequantizeLinear')!;
    assert.equal(old.verdict, 'unsupported', release);
    assert.ok(old.reasons.some((r) => r.code === 'dtype' && r.certain && /qnn_utils\.cc/.test(r.source ?? '')), release);
  }

  // The int8 DequantizeLinear of the same shape is taken: no type finding, on the pin or later.
  for (const target of ['qnn-htp', 'qnn-htp@ep2.6']) {
    const int8 = verdict(target, '/int8/DequantizeLinear');
    assert.ok(!int8 || int8.verdict === 'supported', `${target}: ${JSON.stringify(int8?.reasons)}`);
  }
});

test('a double Add is refused for certain on the pinned EP (outside its type table), with the double -> float rewrite', async () => {
  const model = await openModel(generatedModel('qnn_unmapped_types.onnx'));
  const add = checkModel(model, builtinTarget('qnn-htp')!).verdicts.find((v) => v.name === '/double/Add')!;
  assert.equal(add.verdict, 'unsupported');
  assert.ok(add.reasons.some((r) => r.code === 'dtype' && r.certain && /qnn_utils\.cc/.test(r.source ?? '')), JSON.stringify(add.reasons));
  assert.ok(add.hints.some((h) => h.id === 'double-to-float'));
});
