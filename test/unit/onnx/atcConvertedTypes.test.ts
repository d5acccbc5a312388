/**
 * Element types ATC gives differently from ONNX, carried one hop: GE's TopK declares its indices DT_INT32 and ATC's
 * ONNX TopK plugin inserts no Cast, so an op whose ONNX inputs share one type (Add, Concat, ...) sees int32 next to
 * int64 after conversion (the 2022 report: "The Add_718 op dtype is not same, type1:DT_INT64, type2:DT_INT32").
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel, checkOpCase, type NodeVerdict, type OpCase } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { builtinTarget } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { generatedModel } from './fixtures';

const mixed = (v: NodeVerdict) => v.reasons.filter((r) => /after conversion/.test(formatMessage(r.message)));

test('TopK indices (int32 after ATC) into Add and Concat with int64: a finding on every Ascend chip, with the Cast rewrite; an explicit Cast, a Gather and TopK values are not', async () => {
  const model = await openModel(generatedModel('atc_topk_indices.onnx'));
  for (const target of ['ascend310', 'ascend310p', 'ascend910b', 'ascend310@8.5']) {
    const result = checkModel(model, builtinTarget(target)!);
    const verdict = (name: string) => result.verdicts.find((v) => v.name === name)!;
    for (const name of ['/topk/Add', '/topk/Concat']) {
      const v = verdict(name);
      const found = mixed(v);
      assert.equal(found.length, 1, `${target} ${name}: ${JSON.stringify(v.reasons)}`);
      // The GE sources at the CANN pins let Add promote mixed types: the data cannot say the toolkit refuses it.
      assert.equal(found[0]!.certain, false);
      assert.equal(v.verdict, 'unverified', `${target} ${name}`);
      assert.match(found[0]!.source!, /ops-nn@ceb4536a2bd6:common\/inc\/op_graph\/op_nn_proto_extend\.h#L1188/);
      assert.match(formatMessage(found[0]!.message), /indices is int32 after conversion \(TopK gives int32.*\) while (y|offsets) is int64/);
      assert.ok(v.hints.some((h) => h.id === 'converted-type-cast'), name);
    }
    for (const name of ['/cast/Add', '/gather/Gather', '/values/Add']) assert.deepEqual(mixed(verdict(name)), [], `${target} ${name}`);
  }
  // QNN has no such retyping in its data.
  const qnn = checkModel(model, builtinTarget('qnn-htp')!);
  assert.deepEqual(qnn.verdicts.flatMap(mixed), []);
});

test('an op case can state the op that makes an input (one hop of context): TopK indices into Add with int64 is a finding, with int32 (the other rewrite) none', () => {
  const topk = (other: 'int64' | 'int32'): OpCase => ({
    op: 'Add', opset: 11,
    inputs: [
      { type: 'int64', shape: [1, 8], from: { op: 'TopK', output: 1, inputs: [{ type: 'float', shape: [1, 8] }, { type: 'int64', shape: [1], constant: true }] } },
      { type: other, shape: [1, 8] },
    ],
  });
  const ascend = builtinTarget('ascend310')!;
  const int64 = checkOpCase(topk('int64'), ascend);
  assert.equal(int64.verdict.name, 'Add', 'the case verdict is the op, not its producer');
  assert.equal(mixed(int64.verdict).length, 1);
  // The other operand int32 (ONNX itself would refuse int64 + int32, but after ATC both are int32): nothing differs.
  assert.deepEqual(mixed(checkOpCase(topk('int32'), ascend).verdict), []);
});
