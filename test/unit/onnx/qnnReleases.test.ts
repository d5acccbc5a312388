/**
 * qnn-htp per onnxruntime-qnn release (`qnn-htp@ep2.6`): constraints that changed between EP releases
 * (Resize tf_half_pixel_for_nn, PR #287), per-op HTP data types of the QAIRT a release was built with
 * (signed 8-bit Divide from QNN 2.44), and inputs the EP turns into op parameters (int64 Pad pads,
 * Unsqueeze axes), whose element types are no HTP tensor types.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel, checkOpCase, type NodeVerdict, type OpCase } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { ProfileError } from '../../../src/core/onnx/errors';
import { builtinTarget, QNN_EP_RELEASES } from '../../../src/core/onnx/targets';
import type { Attribute } from '../../../src/core/onnx/model';
import { formatMessage } from '../../../src/core/l10n';
import { generatedModel } from './fixtures';
import qnnData from '../../../src/core/onnx/targets/data/qnn-htp.json';
import ruleData from '../../../src/core/onnx/targets/data/attribute-rules.json';

const codes = (v: NodeVerdict) => v.reasons.map((r) => `${r.code}${r.certain ? '' : '?'}`);
const strings = (a: Record<string, string>): Attribute[] => Object.entries(a).map(([name, value]) => ({ name, type: 'string', value }));
const resize = (attributes: Record<string, string>, rank = 4): OpCase => ({
  op: 'Resize', opset: 13, attributes: strings(attributes),
  inputs: [
    { type: 'uint8', shape: [1, 3, 8, 8, 2, 2].slice(0, rank) },
    { type: 'float', shape: [0], constant: true },
    { type: 'float', shape: [rank], constant: true },
  ],
});
const TF = { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' };

test('qnn-htp@epX.Y picks the onnxruntime-qnn release; qnn-htp is the pinned 2.0.0 and names no release; unknown releases are refused', () => {
  assert.deepEqual(QNN_EP_RELEASES, ['2.6.0', '2.0.0', '1.23.2', '1.20.1', '1.20.0', '1.19.2', '1.19.0', '1.16.3', '1.16.1']);
  assert.equal(builtinTarget('qnn-htp')!.name, builtinTarget('qnn-htp@ep2.0')!.name);
  assert.match(builtinTarget('qnn-htp@ep2.6')!.name, /Hexagon v73.*onnxruntime-qnn 2\.6\.0/);
  assert.equal(builtinTarget('qnn-htp@EP2.6.0')!.name, builtinTarget('qnn-htp@ep2.6')!.name);
  // A later release names itself as the toolkit; the result's target picks the same facts again.
  assert.deepEqual(builtinTarget('qnn-htp@ep2.6')!.toolkit, { name: 'onnxruntime-qnn', version: 'ep2.6.0', available: ['ep2.6.0', 'ep2.0.0', 'ep1.23.2', 'ep1.20.1', 'ep1.20.0', 'ep1.19.2', 'ep1.19.0', 'ep1.16.3', 'ep1.16.1'] });
  // A 1.x release (the QNN EP inside microsoft/onnxruntime) names itself too; `ep1.16` is its newest patch release.
  assert.equal(builtinTarget('qnn-htp@ep1.16')!.toolkit!.version, 'ep1.16.3');
  assert.match(builtinTarget('qnn-htp@ep1.16.1')!.name, /Hexagon v73.*onnxruntime-qnn 1\.16\.1/);
  assert.equal(builtinTarget('qnn-htp@ep2.0')!.toolkit!.version, 'v73', 'the pinned release keeps the architecture as its version');
  assert.throws(() => builtinTarget('qnn-htp@ep1.9'), (e: unknown) => e instanceof ProfileError && /Releases covered: 2\.6\.0, 2\.0\.0, 1\.23\.2, 1\.20\.1, 1\.20\.0, 1\.19\.2, 1\.19\.0, 1\.16\.3, 1\.16\.1/.test(e.message));
  assert.throws(() => builtinTarget('ascend310p@ep2.6'), ProfileError, 'an EP release is no CANN release');
  // The default release is the pinned snapshot's (VERSION_NUMBER, by build-qnn.mjs), with the QAIRT of its release notes.
  const releases = ruleData.qnnReleases as unknown as Record<string, { qairt: string; registry: boolean }>;
  assert.equal(qnnData.ep, '2.0.0');
  assert.deepEqual([releases[qnnData.ep]!.qairt, releases[qnnData.ep]!.registry], [qnnData.qairt, true]);
});

test('an op outside the 2.0.0 registry (IsInf, listed by the 2.4.0 documentation): unsupported for 2.0.0, unverified for a later release (which may translate it)', () => {
  const shape = { op: 'IsInf', opset: 20, inputs: [{ type: 'float' as const, shape: [1, 8] }] };
  assert.equal(checkOpCase(shape, builtinTarget('qnn-htp@ep2.0')!).verdict.verdict, 'unsupported');
  assert.equal(checkOpCase(shape, builtinTarget('qnn-htp@ep2.6')!).verdict.verdict, 'unverified');
  assert.match(builtinTarget('qnn-htp@ep2.6')!.caveats.map((c) => formatMessage(c)).join('\n'), /op list is that of 2\.0\.0/);
  // Tan: registered on main (PR #80, 2026-03-04) after the 2.0.0 release branch left it, so not in the published 2.0.0.
  const tan = { op: 'Tan', opset: 13, inputs: [{ type: 'float' as const, shape: [1, 8] }] };
  assert.equal(checkOpCase(tan, builtinTarget('qnn-htp@ep2.0')!).verdict.verdict, 'unsupported');
  assert.equal(checkOpCase(tan, builtinTarget('qnn-htp@ep2.6')!).verdict.verdict, 'unverified');
});

test('Resize tf_half_pixel_for_nn: refused by onnxruntime-qnn 2.0.0 for certain, taken by 2.6.0 only as nearest + floor on rank 4 (PR #287)', () => {
  const before = checkOpCase(resize({ ...TF, nearest_mode: 'floor' }), builtinTarget('qnn-htp@ep2.0')!).verdict;
  assert.equal(before.verdict, 'unsupported');
  assert.deepEqual(codes(before), ['attribute']);
  assert.match(before.reasons[0]!.source!, /@fbd7fc534234:onnxruntime\/core\/providers\/qnn-abi\/builder\/opbuilder\/resize_op_builder\.cc#L66 /);
  const after = builtinTarget('qnn-htp@ep2.6')!;
  assert.equal(checkOpCase(resize({ ...TF, nearest_mode: 'floor' }), after).verdict.verdict, 'supported');
  // The ONNX default nearest_mode (round_prefer_floor) and the other modes fall back to the CPU.
  for (const attrs of [TF, { ...TF, nearest_mode: 'round_prefer_floor' }, { ...TF, mode: 'linear' }]) {
    const v = checkOpCase(resize(attrs), after).verdict;
    assert.equal(v.verdict, 'unsupported', JSON.stringify(attrs));
    assert.match(v.reasons[0]!.source!, /02dc787ca654/);
  }
  assert.equal(checkOpCase(resize({ ...TF, nearest_mode: 'floor' }, 5), after).verdict.verdict, 'unsupported', 'rank 4 only');
  // The conditions hold for tf_half_pixel_for_nn only: other modes keep their defaults.
  for (const target of ['qnn-htp@ep2.0', 'qnn-htp@ep2.6']) {
    assert.equal(checkOpCase(resize({ mode: 'nearest' }), builtinTarget(target)!).verdict.verdict, 'supported', target);
    assert.equal(checkOpCase(resize({ mode: 'linear', coordinate_transformation_mode: 'align_corners' }, 5), builtinTarget(target)!).verdict.verdict, 'supported', target);
  }
});

test('signed int8 Div/Reciprocal are refused with the QAIRT of onnxruntime-qnn 2.0.0 (2.42) and taken with that of 2.6.0 (2.49.40, after 2.44)', async () => {
  const model = await openModel(generatedModel('qnn_divide_int8.onnx'));
  const old = checkModel(model, builtinTarget('qnn-htp@ep2.0')!);
  const now = checkModel(model, builtinTarget('qnn-htp@ep2.6')!);
  // The result names the release, and that name picks the same facts again.
  assert.equal(now.target, 'qnn-htp@ep2.6.0');
  assert.deepEqual(now.toolkit, { name: 'onnxruntime-qnn', version: 'ep2.6.0' });
  assert.equal(builtinTarget(now.target)!.name, builtinTarget('qnn-htp@ep2.6')!.name);
  assert.equal(old.target, 'qnn-htp@v73');
  for (const name of ['/i8/Reciprocal', '/i8/Div']) {
    assert.equal(old.verdicts.find((v) => v.name === name)!.verdict, 'unsupported', name);
    assert.equal(now.verdicts.find((v) => v.name === name)!.verdict, 'supported', name);
  }
});

test('int64 Pad pads, Unsqueeze/Squeeze axes and the Expand shape become QNN op parameters or static data: no dtype finding; an int64 data input still is one', () => {
  const qnn = builtinTarget('qnn-htp')!;
  const pad = checkOpCase({ op: 'Pad', opset: 13, inputs: [{ type: 'float', shape: [1, 16, 64] }, { type: 'int64', shape: [6], constant: true }] }, qnn);
  assert.deepEqual(codes(pad.verdict), []);
  assert.deepEqual(pad.verdict.hints.map((h) => h.id), []);
  for (const op of ['Unsqueeze', 'Squeeze']) {
    const axes = checkOpCase({ op, opset: 13, inputs: [{ type: 'float', shape: [1, 8] }, { type: 'int64', shape: [1], constant: true }] }, qnn);
    assert.deepEqual(codes(axes.verdict), [], op);
    const data = checkOpCase({ op, opset: 13, inputs: [{ type: 'int64', shape: [1, 8] }, { type: 'int64', shape: [1], constant: true }] }, qnn);
    assert.deepEqual(codes(data.verdict), ['dtype?'], `${op}: int64 data is an HTP tensor`);
  }
  // Expand: the EP reads the constant int64 shape and builds a static ones tensor of that shape (expand_op_builder.cc#L60, #L67-L71)
  const expand = checkOpCase({ op: 'Expand', opset: 13, inputs: [{ type: 'float', shape: [1, 8] }, { type: 'int64', shape: [2], constant: true }] }, qnn);
  assert.deepEqual(codes(expand.verdict), [], 'a constant int64 Expand shape is no HTP tensor');
  assert.equal(expand.verdict.verdict, 'supported');
  const dynamicShape = checkOpCase({ op: 'Expand', opset: 13, inputs: [{ type: 'float', shape: [1, 8] }, { type: 'int64', shape: [2] }] }, qnn);
  assert.equal(dynamicShape.verdict.verdict, 'unsupported', 'a shape that is no constant is refused (#L60)');
  // Ops the EP builds with their int64 inputs as tensors keep the finding (Gather indices).
  const gather = checkOpCase({ op: 'Gather', opset: 13, inputs: [{ type: 'float', shape: [4, 8] }, { type: 'int64', shape: [2], constant: true }] }, qnn);
  assert.deepEqual(codes(gather.verdict), ['dtype?']);
});

test('onnxruntime-qnn 1.16 (before float32-as-FP16, PR #19863): a float Conv is refused on the HTP, the same model on the pin is not; a QDQ Conv and a single float Transpose are taken', async () => {
  const model = await openModel(generatedModel('qnn_arch.onnx'));
  const verdict = (target: string, name: string) => checkModel(model, builtinTarget(target)!).verdicts.find((v) => v.name === name)!;
  for (const target of ['qnn-htp@ep1.16.1', 'qnn-htp@ep1.16.3']) {
    const old = verdict(target, '/float/Conv');
    assert.equal(old.verdict, 'unsupported', target);
    assert.deepEqual(codes(old), ['dtype']);
    assert.match(old.reasons[0]!.source!, /pull\/19863/);
    assert.match(formatMessage(old.reasons[0]!.message), /onnxruntime-qnn 1\.16\.\d places only quantized ops on the HTP/);
    assert.deepEqual(old.hints.map((h) => h.id), ['quantize-qdq']);
    assert.equal(verdict(target, '/a8w8/Conv').verdict, 'supported', `${target}: a QDQ Conv is a quantized node unit`);
  }
  assert.equal(verdict('qnn-htp', '/float/Conv').verdict, 'supported', 'the pinned 2.0.0 runs float32 on a v73 HTP as FP16');
  assert.equal(verdict('qnn-htp@ep2.0', '/float/Conv').verdict, 'supported');
  const transpose = { op: 'Transpose', opset: 13, inputs: [{ type: 'float' as const, shape: [1, 8] }] };
  assert.equal(checkOpCase(transpose, builtinTarget('qnn-htp@ep1.16.1')!).verdict.verdict, 'supported', 'a single Transpose node was placed on the NPU (PR #16916)');
  // 1.19.2: float32 as FP16 only with enable_htp_fp16_precision, off by default until PR #22186 (2024-09-23).
  const later = verdict('qnn-htp@ep1.19.2', '/float/Conv');
  assert.equal(later.verdict, 'unverified');
  assert.match(later.reasons[0]!.source!, /pull\/22186/);
  // The QNN SDK of a 1.x release is not recorded: a QAIRT-scoped rule (signed 8-bit Divide before 2.44) is unverified there.
  const div = checkModel(await openModel(generatedModel('qnn_divide_int8.onnx')), builtinTarget('qnn-htp@ep1.19.2')!).verdicts.find((v) => v.name === '/i8/Div')!;
  assert.equal(div.verdict, 'unverified');
  assert.ok(div.reasons.some((r) => r.certain === false && /80-63442-10/.test(r.source ?? '')), JSON.stringify(div.reasons));
});

test('onnxruntime-qnn 1.19.0 (#22532) and 1.19.2 (#22369): float Gather, Unsqueeze, Concat and Pad are unverified on the HTP (float only with an opt-in), their QDQ node units and the pinned 2.0.0 take them', async () => {
  const model = await openModel(generatedModel('qnn_unquantized_shape_ops.onnx'));
  const verdicts = (target: string) => new Map(checkModel(model, builtinTarget(target)!).verdicts.map((v) => [v.name, v]));
  const ops = ['Gather', 'Unsqueeze', 'Concat', 'Pad'];
  const floatFinding = (v: NodeVerdict) => v.reasons.find((r) => /pull\/22186/.test(r.source ?? ''));
  for (const release of ['1.19.0', '1.19.2']) {
    const target = `qnn-htp@ep${release}`;
    assert.equal(builtinTarget(target)!.toolkit!.version, `ep${release}`, target);
    const at = verdicts(target);
    for (const op of ops) {
      const float = at.get(`/float/${op}`)!;
      assert.equal(float.verdict, 'unverified', `${target} ${op}`);
      const finding = floatFinding(float);
      assert.ok(finding && finding.certain === false, `${target} ${op}: ${JSON.stringify(float.reasons)}`);
      assert.match(formatMessage(finding.message), new RegExp(`onnxruntime-qnn ${release.replace(/\./g, '\\.')} places only quantized ops`));
      assert.ok(float.hints.some((h) => h.id === 'quantize-qdq'), `${target} ${op}: the rewrite is QDQ quantization`);
      assert.equal(floatFinding(at.get(`/u8/${op}`)!), undefined, `${target} ${op}: a QDQ node unit is quantized`);
    }
    // Unsqueeze's axes and Pad's pads become op parameters in the 1.19 EP as well: their int64 is no finding.
    for (const op of ['Unsqueeze', 'Pad', 'Concat']) assert.equal(at.get(`/u8/${op}`)!.verdict, 'supported', `${target} ${op}`);
  }
  assert.match(builtinTarget('qnn-htp@ep1.19.0')!.caveats.map((c) => formatMessage(c)).join('\n'), /88c811b6382c.*qnn_execution_provider\.h#L89/s);
  assert.equal(builtinTarget('qnn-htp@ep1.19')!.toolkit!.version, 'ep1.19.2', '`ep1.19` is the newest 1.19 patch release');
  const pinned = verdicts('qnn-htp');
  for (const op of ops) assert.equal(floatFinding(pinned.get(`/float/${op}`)!), undefined, `the pinned 2.0.0 runs float ${op} on a v73 HTP as FP16`);
  for (const op of ['Unsqueeze', 'Concat', 'Pad']) assert.equal(pinned.get(`/float/${op}`)!.verdict, 'supported', op);
});

test('an int64 Expand shape: refused by onnxruntime-qnn 1.19.2 (before PR #24389), taken by the pinned 2.0.0', () => {
  const expand: OpCase = { op: 'Expand', opset: 13, inputs: [{ type: 'uint8', shape: [1, 8] }, { type: 'int64', shape: [2], constant: true }] };
  const old = checkOpCase(expand, builtinTarget('qnn-htp@ep1.19.2')!).verdict;
  assert.equal(old.verdict, 'unsupported');
  assert.deepEqual(codes(old), ['dtype']);
  assert.match(old.reasons[0]!.source!, /pull\/24389/);
  assert.deepEqual(old.hints.map((h) => h.id), ['int64-to-int32']);
  assert.equal(checkOpCase(expand, builtinTarget('qnn-htp')!).verdict.verdict, 'supported');
  const int32: OpCase = { ...expand, inputs: [expand.inputs[0]!, { type: 'int32', shape: [2], constant: true }] };
  assert.equal(checkOpCase(int32, builtinTarget('qnn-htp@ep1.19.2')!).verdict.verdict, 'supported', 'the rewrite: an int32 shape');
});

test('a release of the EP inside microsoft/onnxruntime lacks the builders first registered after it was published (ScatterND, #22319; ScatterElements, #22962)', () => {
  const added = qnnData.added as Record<string, { commit: string; date: string; path: string }>;
  // The registry history (build-qnn.mjs): every op of the pinned registry has the version that first registers it.
  assert.deepEqual(Object.keys(added).sort(), Object.keys(qnnData.ops).sort());
  for (const [op, a] of Object.entries(added)) assert.match(`${a.commit} ${a.date}`, /^[0-9a-f]{12} \d{4}-\d{2}-\d{2}$/, op);
  // microsoft/onnxruntime PR #24592 (ScatterND, merged 2025-04-29) and #24811 (ScatterElements, 2025-08-01).
  // Both in the non-ABI qnn/ registry: the release's qnn-abi/ directory appeared later (first on 2025-08-20).
  const nonAbi = 'onnxruntime/core/providers/qnn/builder/op_builder_factory.cc';
  assert.deepEqual([added.ScatterND, added.ScatterElements], [{ commit: '64b56429bc1a', date: '2025-04-29', path: nonAbi }, { commit: 'f755b8a8f4e2', date: '2025-08-01', path: nonAbi }]);
  const scatter = (op: string): OpCase => ({
    op, opset: 13,
    inputs: [{ type: 'uint8', shape: [1, 8] }, { type: 'int32', shape: [1, 1], constant: true }, { type: 'uint8', shape: [1, 1] }],
  });
  for (const [op, release] of [['ScatterND', '1.19.2'], ['ScatterElements', '1.20.1'], ['ScatterElements', '1.19.2']] as const) {
    const v = checkOpCase(scatter(op), builtinTarget(`qnn-htp@ep${release}`)!).verdict;
    assert.equal(v.verdict, 'unsupported', `${op} on ${release}`);
    assert.deepEqual(codes(v), ['op-unsupported']);
    assert.match(formatMessage(v.reasons[0]!.message), new RegExp(`${op} is not supported by .*onnxruntime ${release.replace(/\./g, '\\.')} \\(published .*first registered on ${added[op]!.date}`));
    // The pinned release has the builder.
    assert.equal(checkOpCase(scatter(op), builtinTarget('qnn-htp@ep2.0')!).verdict.verdict, 'supported', `${op} on the pin`);
  }
  // An op registered since the EP's first version (Add, 2023-03-01) is there in every release.
  assert.equal(checkOpCase({ op: 'Add', opset: 13, inputs: [{ type: 'uint8', shape: [1, 8] }, { type: 'uint8', shape: [1, 8] }] }, builtinTarget('qnn-htp@ep1.16.1')!).verdict.verdict, 'supported');
  assert.match(builtinTarget('qnn-htp@ep1.19.2')!.caveats.map((c) => formatMessage(c)).join('\n'), /without the ops whose builder was first registered after 1\.19\.2 was published \(2024-09-04\)/);
});

test('onnxruntime 1.20.0 was built with QNN SDK 2.27: signed 16-bit Sqrt (HTP from QNN 2.39.0) and signed 8-bit Div (2.44.0) are refused for certain, Reciprocal had no EP builder (PR #25035); with QAIRT 2.42 (the pin) signed 16-bit Sqrt is only the general int16 doubt', async () => {
  const sqrt = await openModel(generatedModel('qnn_sqrt_qdq.onnx'));
  const verdict = (target: string, name: string) => checkModel(sqrt, builtinTarget(target)!).verdicts.find((v) => v.name === name)!;
  const old = verdict('qnn-htp@ep1.20.0', '/i16/Sqrt');
  assert.equal(old.verdict, 'unsupported');
  const refusal = old.reasons.find((r) => r.certain)!;
  assert.equal(refusal.code, 'dtype');
  assert.match(refusal.source!, /80-63442-50\/topics\/htp_opdef_version_history/);
  assert.match(formatMessage(refusal.message), /x_i16_f is quantized to int16.*SFIXED_POINT_16 \(QNN SDK 2\.39\.0\)/);
  assert.ok(old.hints.some((h) => h.id === 'activation-uint16'), JSON.stringify(old.hints.map((h) => h.id)));
  for (const name of ['/u16/Sqrt', '/u8/Sqrt']) assert.equal(verdict('qnn-htp@ep1.20.0', name).verdict, 'supported', `${name}: unsigned activations`);
  // QAIRT 2.42 (the pinned 2.0.0) and 2.49.40 (2.6.0) are after 2.39.0: only the general, uncertain int16 finding is left.
  for (const target of ['qnn-htp', 'qnn-htp@ep2.6']) {
    const now = verdict(target, '/i16/Sqrt');
    assert.equal(now.verdict, 'unverified', target);
    assert.deepEqual(codes(now), ['dtype?'], target);
  }
  // 1.19.2: the QNN SDK it was built with is not recorded, so the QAIRT-scoped refusal is a doubt there.
  const unknown = verdict('qnn-htp@ep1.19.2', '/i16/Sqrt');
  assert.equal(unknown.verdict, 'unverified');
  assert.ok(unknown.reasons.some((r) => !r.certain && /80-63442-50/.test(r.source ?? '')), JSON.stringify(unknown.reasons));
  // Signed 8-bit Divide: certain for 1.20.0 (QAIRT recorded), a doubt for 1.19.2.
  const div = await openModel(generatedModel('qnn_divide_int8.onnx'));
  const divAt = (target: string, name: string) => checkModel(div, builtinTarget(target)!).verdicts.find((v) => v.name === name)!.verdict;
  assert.equal(divAt('qnn-htp@ep1.20.0', '/i8/Div'), 'unsupported');
  assert.equal(divAt('qnn-htp@ep1.19.2', '/i8/Div'), 'unverified');
  assert.equal(divAt('qnn-htp@ep1.20.0', '/u8/Div'), 'supported');
  // Reciprocal had no QNN EP builder before PR #25035 (commit 038577962b46, 2025-06-18 US time, 2025-06-19 UTC; first in
  // 1.23.0): left on the CPU whatever its type. The registry history (qnn-htp.json added) gives the commit.
  for (const target of ['qnn-htp@ep1.16.1', 'qnn-htp@ep1.19.2', 'qnn-htp@ep1.20.0']) {
    for (const name of ['/i8/Reciprocal', '/u8/Reciprocal']) {
      const v = checkModel(div, builtinTarget(target)!).verdicts.find((x) => x.name === name)!;
      assert.equal(v.verdict, 'unsupported', `${target} ${name}`);
      assert.equal(codes(v)[0], 'op-unsupported', `${target} ${name}`);
      // The registry file at that commit: the non-ABI qnn/ one (qnn-abi/ did not exist yet).
      assert.ok((v.sources ?? []).some((x) => /@038577962b46:onnxruntime\/core\/providers\/qnn\/builder\/op_builder_factory\.cc$/.test(x)), JSON.stringify(v.sources));
    }
  }
  assert.equal(divAt('qnn-htp', '/u8/Reciprocal'), 'supported', 'the pinned 2.0.0 has the builder');
  assert.equal(divAt('qnn-htp@ep2.6', '/i8/Reciprocal'), 'supported');
  assert.match(builtinTarget('qnn-htp@ep1.20.0')!.caveats.map((c) => formatMessage(c)).join('\n'), /QAIRT 2\.27\.0, the release onnxruntime-qnn 1\.20\.0 was built with/);
  // 1.20.0 runs float32 as FP16 by default (PR #22186 is before its branch point); 1.19.2 only with the option.
  const arch = await openModel(generatedModel('qnn_arch.onnx'));
  const conv = (target: string) => checkModel(arch, builtinTarget(target)!).verdicts.find((v) => v.name === '/float/Conv')!.verdict;
  assert.equal(conv('qnn-htp@ep1.20.0'), 'supported');
  assert.equal(conv('qnn-htp@ep1.19.2'), 'unverified');
});

test('onnxruntime 1.23.2 (the newest release on 2026-01-28, onnxruntime-qnn PR #4): Resize mode cubic is refused for certain, as in every 1.x release and in the published 2.0.0 (its branch left main before PR #53); 2.6.0 takes it', () => {
  const old = checkOpCase(resize({ mode: 'cubic' }), builtinTarget('qnn-htp@ep1.23.2')!).verdict;
  assert.equal(old.verdict, 'unsupported');
  assert.deepEqual(codes(old), ['attribute']);
  // The refusal is the rel-1.23 builder's supported_modes (nearest, linear) and its line 130, the one the report quotes.
  assert.match(old.reasons[0]!.source!, /@d9b2048791ef:.*resize_op_builder\.cc#L62-L64.*#L130/);
  assert.match(old.reasons[0]!.source!, /onnxruntime-qnn\/pull\/53 \(merged 2026-02-19/);
  assert.match(formatMessage(old.reasons[0]!.message), /Resize attribute mode = cubic is not accepted/);
  for (const release of ['1.16.1', '1.19.2', '1.20.1']) {
    assert.equal(checkOpCase(resize({ mode: 'cubic' }), builtinTarget(`qnn-htp@ep${release}`)!).verdict.verdict, 'unsupported', release);
  }
  for (const mode of ['nearest', 'linear']) {
    assert.equal(checkOpCase(resize({ mode }), builtinTarget('qnn-htp@ep1.23.2')!).verdict.verdict, 'supported', `${mode} on 1.23.2`);
  }
  // An unset mode is ONNX's default, nearest.
  assert.equal(checkOpCase(resize({}), builtinTarget('qnn-htp@ep1.23.2')!).verdict.verdict, 'supported');
  for (const target of ['qnn-htp', 'qnn-htp@ep2.0']) {
    const v = checkOpCase(resize({ mode: 'cubic' }), builtinTarget(target)!).verdict;
    assert.equal(v.verdict, 'unsupported', target);
    assert.deepEqual(codes(v), ['attribute'], target);
    // The release branch's qnn-abi builder: supported_modes without cubic, and the refusal.
    assert.match(v.reasons[0]!.source!, /@fbd7fc534234:onnxruntime\/core\/providers\/qnn-abi\/builder\/opbuilder\/resize_op_builder\.cc#L62-L64 .*#L131-L132/, target);
    for (const mode of ['nearest', 'linear']) {
      assert.equal(checkOpCase(resize({ mode }), builtinTarget(target)!).verdict.verdict, 'supported', `${mode} on ${target}`);
    }
  }
  assert.equal(checkOpCase(resize({ mode: 'cubic' }), builtinTarget('qnn-htp@ep2.6')!).verdict.verdict, 'supported', 'qnn-htp@ep2.6');
});

test('onnxruntime 1.23.2 lacks the builders registered on main after its release branch left it (2025-07-25), though before it was published (2025-10-22)', () => {
  const added = qnnData.added as Record<string, { commit: string; date: string }>;
  const release = (ruleData.qnnReleases as unknown as Record<string, { date: string; branched?: string }>)['1.23.2']!;
  assert.deepEqual([release.branched, release.date], ['2025-07-25', '2025-10-22']);
  const scatter = (op: string): OpCase => ({
    op, opset: 13,
    inputs: [{ type: 'uint8', shape: [1, 8] }, { type: 'int32', shape: [1, 1], constant: true }, { type: 'uint8', shape: [1, 1] }],
  });
  // ScatterElements: first registered 2025-08-01, between the branch point and the release.
  assert.ok(added.ScatterElements!.date > release.branched! && added.ScatterElements!.date < release.date);
  const v = checkOpCase(scatter('ScatterElements'), builtinTarget('qnn-htp@ep1.23.2')!).verdict;
  assert.equal(v.verdict, 'unsupported');
  assert.deepEqual(codes(v), ['op-unsupported']);
  assert.match(formatMessage(v.reasons[0]!.message), /onnxruntime 1\.23\.2 \(published 2025-10-22; its release branch left main on 2025-07-25\).*first registered on 2025-08-01/);
  // ScatterND (2025-04-29) was registered before the branch point.
  assert.equal(checkOpCase(scatter('ScatterND'), builtinTarget('qnn-htp@ep1.23.2')!).verdict.verdict, 'supported');
  assert.match(builtinTarget('qnn-htp@ep1.23.2')!.caveats.map((c) => formatMessage(c)).join('\n'), /first registered after its release branch left main \(2025-07-25; published 2025-10-22\)/);
  // Releases without a recorded branch point keep the publication date (1.20.1: ScatterElements, 2025-08-01, is after it either way).
  assert.match(builtinTarget('qnn-htp@ep1.20.1')!.caveats.map((c) => formatMessage(c)).join('\n'), /first registered after 1\.20\.1 was published \(2024-11-21\)/);
});

test('CumSum with an int64 axis: refused by the published 2.0.0 and the 1.x EP (the axis size check assumes 4-byte elements), taken by 2.6.0 (PR #33); an int32 axis is taken everywhere', () => {
  const cumsum = (axis: 'int64' | 'int32'): OpCase => ({
    op: 'CumSum', opset: 14, inputs: [{ type: 'float', shape: [1, 8, 16] }, { type: axis, shape: [], constant: true }],
  });
  for (const target of ['qnn-htp', 'qnn-htp@ep2.0', 'qnn-htp@ep1.23.2']) {
    const v = checkOpCase(cumsum('int64'), builtinTarget(target)!).verdict;
    assert.equal(v.verdict, 'unsupported', target);
    const refusal = v.reasons.find((r) => r.certain)!;
    assert.equal(refusal.code, 'dtype', target);
    assert.match(refusal.source!, /@fbd7fc534234:onnxruntime\/core\/providers\/qnn-abi\/builder\/opbuilder\/cumsum_op_builder\.cc#L20-L21 .*pull\/33/, target);
    assert.ok(v.hints.some((h) => h.id === 'int64-to-int32'), target);
    assert.equal(checkOpCase(cumsum('int32'), builtinTarget(target)!).verdict.verdict, 'supported', `int32 axis on ${target}`);
  }
  // 2.6.0: only the general doubt about int64 on the HTP is left, no refusal.
  const later = checkOpCase(cumsum('int64'), builtinTarget('qnn-htp@ep2.6')!).verdict;
  assert.notEqual(later.verdict, 'unsupported');
  assert.ok(!later.reasons.some((r) => r.certain || /cumsum_op_builder/.test(r.source ?? '')), JSON.stringify(later.reasons));
});
