/**
 * ONNX NonMaxSuppression on Ascend: ATC's plugin makes NonMaxSuppressionV6 with only the inputs the node gives
 * (hicann/ops-cv non_max_suppression_onnx_plugin.cpp), while the only vendor code that launches that kernel passes
 * all five, and CANN's ONNX operator spec documents the three optional inputs as constants. A node that leaves an
 * optional input out, or computes one, is unverified with the rewrite; the five-constant form is not touched
 * (ultralytics PR #25436: 2 inputs fail InferShape, 3 or 4 crash ATC, 5 compile, CANN 9.0.1, Ascend310P3).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel, type NodeVerdict, type Reason } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { builtinTarget } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { generatedModel } from './fixtures';

const PLUGIN = /hicann\/ops-cv@4d57ffe7bfa2:objdetect\/non_max_suppression_v6\/framework\/non_max_suppression_onnx_plugin\.cpp#L98-L110/;
const SPEC = /canncommercial\/900\/API\/aolapi\/atlasoxol_09_0106/;
const nmsReasons = (v: NodeVerdict): Reason[] => v.reasons.filter((r) => r.source && (PLUGIN.test(r.source) || SPEC.test(r.source)));

test('NonMaxSuppression with fewer than five inputs, an empty-named input or a computed threshold: unverified on every Ascend chip, with the rewrite; all five constants: no finding', async () => {
  const model = await openModel(generatedModel('atc_nms_inputs.onnx'));
  for (const target of ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'ascend310p@8.5']) {
    const result = checkModel(model, builtinTarget(target)!);
    const verdict = (name: string) => result.verdicts.find((v) => v.name === `/${name}/NonMaxSuppression`)!;
    const left = (name: string) => nmsReasons(verdict(name)).map((r) => formatMessage(r.message).match(/leaves out input ([\d, ]+) \(/)?.[1]).filter(Boolean);
    assert.deepEqual(left('nms2'), ['3', '4, 5'], target);
    assert.deepEqual(left('nms3'), ['4, 5'], target);
    assert.deepEqual(left('nms4'), ['5'], target);
    assert.deepEqual(left('nms_skip'), ['3'], target);
    for (const name of ['nms2', 'nms3', 'nms4', 'nms_skip']) {
      const v = verdict(name);
      // The source does not say the toolkit refuses these forms (the plugin maps each count): unverified, not unsupported.
      assert.ok(nmsReasons(v).every((r) => r.certain === false), `${target} ${name}`);
      assert.equal(v.verdict, 'unverified', `${target} ${name}: ${JSON.stringify(v.reasons)}`);
      assert.ok(v.hints.some((h) => h.id === 'explicit-inputs' && /all five inputs/.test(formatMessage(h.message))), `${target} ${name}`);
    }
    const computed = nmsReasons(verdict('nms_dynamic_iou'));
    assert.equal(computed.length, 1, target);
    assert.match(formatMessage(computed[0]!.message), /input iou_in is computed at run time/);
    assert.match(computed[0]!.source!, SPEC);
    assert.equal(verdict('nms_dynamic_iou').verdict, 'unverified', target);
    assert.deepEqual(nmsReasons(verdict('nms5')), [], target);
  }
  // The five-constant form (the one the report compiled) is supported where the chip's data has no other finding.
  assert.equal(checkModel(model, builtinTarget('ascend310p')!).verdicts.find((v) => v.name === '/nms5/NonMaxSuppression')!.verdict, 'supported');
  // QNN's data has no such rule.
  assert.deepEqual(checkModel(model, builtinTarget('qnn-htp')!).verdicts.flatMap(nmsReasons), []);
});
