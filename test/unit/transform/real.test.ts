import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { formatMessage } from '../../../src/core/l10n';
import { openModel } from '../../../src/core/onnx/decode';
import { encodeModel } from '../../../src/core/onnx/transform/encode';
import { rewriteModel } from '../../../src/core/onnx/transform/rewrite/rewrite';
import { REWRITE_RULES } from '../../../src/core/onnx/transform/rewrite/rules/index';
import { splitByModule } from '../../../src/core/onnx/transform/split';
import { InferenceSession } from '../../../src/core/onnx/run/ort';
import { NPM_MODELS, npmModel } from '../onnx/fixtures';
import { onnxTool, scratch } from './fixtures';

// Real models shipped in npm packages (exported by paddle2onnx, torch and others), fetched by the decoder tests' helper.

test('real models survive decode + encode, as Python onnx reads both', async () => {
  for (const entry of NPM_MODELS) {
    const file = npmModel(entry.id);
    const out = scratch(`real_${entry.id}.onnx`);
    writeFileSync(out, await encodeModel(await openModel(file)));
    const verdict = onnxTool<{ same: boolean; diff: string }>('same', file, out);
    assert.equal(verdict.same, true, `${entry.id}: ${verdict.diff}`);
  }
});

test('PP-OCRv4 detection (paddle2onnx, dynamic H/W): every exact rewrite is verified and none refused', async () => {
  const model = await openModel(npmModel('ppocr_det'));
  const result = await rewriteModel(model, REWRITE_RULES.filter((r) => r.exact), {
    inputShapes: { x: [1, 3, 64, 64] }, random: { seed: 9 }, masks: [],
  });
  for (const r of result.reports) {
    assert.notEqual(r.status, 'refused', `${r.rule}: ${r.comparisons.map((c) => c.problem && formatMessage(c.problem)).join('; ')} ${r.notes.map((n) => formatMessage(n)).join('; ')}`);
  }
  assert.equal(result.reports[0]!.status, 'applied');
  const session = await InferenceSession.create(await encodeModel(result.model));
  assert.deepEqual([...session.inputNames], ['x']);
  await session.release();
});

test('a model without module names splits into one root part that runs', async () => {
  const model = await openModel(npmModel('hello_deepa'));
  const parts = await splitByModule(model, 1);
  assert.ok(parts.length >= 1);
  for (const part of parts) {
    const session = await InferenceSession.create(await encodeModel(part.extracted.model));
    await session.release();
  }
});
