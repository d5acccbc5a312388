/**
 * QNN HTP per Hexagon architecture (`qnn-htp@v68` ...): the ONNX Runtime QNN EP's op registry, what each
 * HTP computes (FP16, 16-bit weights), QDQ node units, and the nodes ONNX Runtime removes before the EP.
 * Model: test/fixtures/onnx/generate_models.py qnn_arch().
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel, checkOpCase, type CheckResult, type NodeVerdict } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { builtinTarget, resolveProfile } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { listTargets } from '../../../src/core/operations/listTargets';
import { generatedModel } from './fixtures';

const node = (r: CheckResult, name: string): NodeVerdict => r.verdicts.find((v) => v.name === name)!;
const codes = (v: NodeVerdict) => v.reasons.map((r) => `${r.code}${r.certain ? '' : '?'}`);
const hints = (v: NodeVerdict) => v.hints.map((h) => h.id);

async function check(target: string): Promise<CheckResult> {
  return checkModel(await openModel(generatedModel('qnn_arch.onnx')), builtinTarget(target)!);
}

test('qnn-htp@ARCH picks the Hexagon architecture; qnn-htp is v73 and the result says so', async () => {
  assert.equal(builtinTarget('qnn-htp')!.toolkit!.version, 'v73');
  assert.equal(builtinTarget('qnn-htp@v68')!.toolkit!.version, 'v68');
  assert.equal(builtinTarget('qnn-htp@68')!.toolkit!.version, 'v68', 'the v may be left out');
  assert.equal(builtinTarget('QNN-HTP@V75')!.toolkit!.version, 'v75');
  assert.equal((await check('qnn-htp')).target, 'qnn-htp@v73');
  assert.equal((await check('qnn-htp@v68')).target, 'qnn-htp@v68');
  assert.match(builtinTarget('qnn-htp@v68')!.name, /Hexagon v68: QCS6490/);
  await assert.rejects(resolveProfile({ target: 'qnn-htp@v79' }), /qnn-htp has no data for Hexagon v79\. Releases covered: v81, v75, v73, v69, v68/);
});

test('no FP16 on Hexagon v68: a float Conv is refused, the same Conv as a QDQ node unit runs; v69 cannot be settled; v73 takes both', async () => {
  const v68 = await check('qnn-htp@v68');
  const float68 = node(v68, '/float/Conv');
  assert.equal(float68.verdict, 'unsupported');
  assert.deepEqual(codes(float68), ['dtype']);
  assert.ok(hints(float68).includes('quantize-qdq'));
  assert.match(float68.reasons[0]!.source!, /fp16 requires hexagon v73 and above/);
  assert.match(float68.reasons[0]!.source!, /quic\/ai-hub-models@52c080d245d2/);
  assert.equal(node(v68, '/a8w8/Conv').verdict, 'supported');
  assert.equal(node(v68, '/a8w8/DQ_x').verdict, 'supported');
  assert.equal(node(v68, '/a8w8/Q_y').verdict, 'supported');
  assert.deepEqual(codes(node(await check('qnn-htp@v69'), '/float/Conv')), ['dtype?']);
  for (const arch of ['v73', 'v75', 'v81']) assert.equal(node(await check(`qnn-htp@${arch}`), '/float/Conv').verdict, 'supported', arch);
});

test('16-bit Conv weights need Hexagon v73: refused on v68 and v69 through the DequantizeLinear that feeds them', async () => {
  for (const arch of ['v68', 'v69']) {
    const v = node(await check(`qnn-htp@${arch}`), '/a16w16/Conv');
    assert.equal(v.verdict, 'unsupported', arch);
    assert.deepEqual(codes(v), ['dtype']);
    assert.ok(hints(v).includes('weight-8bit'));
    assert.match(v.reasons[0]!.source!, /HtpOpDefSupplement/);
  }
  const v73 = await check('qnn-htp@v73');
  assert.equal(node(v73, '/a16w16/Conv').verdict, 'supported');
  // com.microsoft QuantizeLinear/DequantizeLinear (16-bit, written by ONNX Runtime's quantizer) are QNN EP ops.
  assert.equal(node(v73, '/a16w16/DQ_w').verdict, 'supported');
});

test('signed int16 activations are unverified on every architecture (HTP INT16 configurations take unsigned 16-bit)', async () => {
  for (const arch of ['v68', 'v73', 'v81']) {
    const r = await check(`qnn-htp@${arch}`);
    assert.deepEqual(codes(node(r, '/int16/Relu')), ['dtype?'], arch);
    assert.equal(node(r, '/int16/DQ_x').verdict, 'unverified', arch);
  }
  // uint16 activations are the HTP's INT16 configuration: not flagged.
  assert.equal(node(await check('qnn-htp@v73'), '/a16w16/DQ_x').verdict, 'supported');
});

test('QNN EP constraints with their source line; nodes ONNX Runtime removes before the EP are not judged', async () => {
  const r = await check('qnn-htp');
  const grid = node(r, '/grid/GridSample');
  assert.equal(grid.verdict, 'unsupported');
  assert.deepEqual(codes(grid), ['attribute']);
  assert.match(grid.reasons[0]!.source!, /^github:onnxruntime\/onnxruntime-qnn@fbd7fc534234:onnxruntime\/core\/providers\/qnn-abi\/builder\/opbuilder\/simple_op_builder\.cc#L53$/);
  assert.equal(node(r, '/misc/Identity').verdict, 'supported');
  assert.equal(node(r, '/misc/Shape').verdict, 'supported', 'Shape of a fixed-shape value is folded');
  assert.equal(node(r, '/misc/Shape').sources, undefined, 'no QNN op: not judged');
});

test('ops outside the EP registry: unsupported, except those the EP places on QNN inside a fusion (Erf of the exact-GELU pattern)', () => {
  const qnn = builtinTarget('qnn-htp')!;
  const verdict = (op: string) => checkOpCase({ op, opset: 13, inputs: [{ type: 'float', shape: [1, 8] }] }, qnn).verdict;
  assert.equal(verdict('Attention').verdict, 'unsupported');
  assert.equal(verdict('DynamicQuantizeLinear').verdict, 'unsupported');
  const erf = verdict('Erf');
  assert.equal(erf.verdict, 'unverified');
  assert.match(JSON.stringify(erf.reasons[0]!.message), /GeluFusion/);
  assert.equal(verdict('Relu').verdict, 'supported');
});

test('signed int8 Reciprocal and Div are refused for the QAIRT release the EP was built with (HTP Divide takes SFIXED_POINT_8 from QNN 2.44); uint8 runs', async () => {
  const r = checkModel(await openModel(generatedModel('qnn_divide_int8.onnx')), builtinTarget('qnn-htp')!);
  for (const [name, inputs] of [['/i8/Reciprocal', 1], ['/i8/Div', 2]] as const) {
    const v = node(r, name);
    assert.equal(v.verdict, 'unsupported', name);
    assert.deepEqual(codes(v), Array(inputs).fill('dtype'), `${name}: each int8 input`);
    assert.deepEqual(hints(v), ['activation-uint8'], name);
    assert.match(formatMessage(v.reasons[0]!.message), /quantized to int8/);
    assert.match(v.reasons[0]!.source!, /htp_opdef_version_history.*2\.44\.0/);
    assert.match(v.reasons[0]!.source!, /release-notes\.txt/);
  }
  // The EP's own HTP tests run these ops on uint8 QDQ (simple_op_test.cc Reciprocal_QU8, Div): not flagged.
  for (const name of ['/u8/Reciprocal', '/u8/Div', '/u8/DQ_x', '/i8/DQ_x']) assert.equal(node(r, name).verdict, 'supported', name);
  // The profile says which QAIRT release its per-op data types are for.
  assert.ok(builtinTarget('qnn-htp')!.caveats.some((c) => /QAIRT 2\.42\.0/.test(formatMessage(c))));
});

test('target pickers list the other Hexagon architectures right after qnn-htp, then the onnxruntime-qnn releases; `onnx targets` keeps one entry per target', async () => {
  const ids = async (architectures?: boolean) => (await listTargets({ folders: [], ...(architectures ? { architectures } : {}) })).profiles.map((p) => p.id);
  assert.deepEqual(await ids(true), ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp', 'qnn-htp@v81', 'qnn-htp@v75', 'qnn-htp@v69', 'qnn-htp@v68', 'qnn-htp@ep2.6', 'qnn-htp@ep2.0']);
  assert.deepEqual(await ids(), ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp']);
  // each entry carries its architecture's facts, under an id the setting and --target accept
  const v68 = (await listTargets({ folders: [], architectures: true })).profiles.find((p) => p.id === 'qnn-htp@v68')!;
  assert.equal(v68.toolkit!.version, 'v68');
  assert.equal(v68.floatCompute?.certain, true, 'v68 has no FP16 compute');
  assert.equal(builtinTarget(v68.id)!.toolkit!.version, 'v68');
  // each release entry is what its id selects (`--target`, the setting) and names its release, the pinned one too
  const listed = (await listTargets({ folders: [], architectures: true })).profiles;
  for (const [id, release] of [['qnn-htp@ep2.6', '2.6.0'], ['qnn-htp@ep2.0', '2.0.0']] as const) {
    const entry = listed.find((p) => p.id === id)!;
    assert.match(entry.name, new RegExp(`onnxruntime-qnn ${release.replace(/\./g, '\\.')}\\)$`), `${id}: ${entry.name}`);
    assert.equal(entry.toolkit!.version, `ep${release}`);
    assert.deepEqual(entry.ops, builtinTarget(id)!.ops, `${id}: the facts of the release the id selects`);
  }
  // the pinned release's entry has qnn-htp's facts; 2.6 differs from it (Resize tf_half_pixel_for_nn)
  assert.deepEqual(listed.find((p) => p.id === 'qnn-htp@ep2.0')!.ops, builtinTarget('qnn-htp')!.ops);
  assert.notDeepEqual(listed.find((p) => p.id === 'qnn-htp@ep2.6')!.ops, builtinTarget('qnn-htp')!.ops);
  // names stay apart in the pickers: no two entries share a label
  const names = listed.map((p) => p.name);
  assert.equal(new Set(names).size, names.length, names.join(' | '));
});

test('a picker entry that already names a version gives the check result its version once, and the result target picks the same facts again', async () => {
  const model = await openModel(generatedModel('qnn_arch.onnx'));
  const listed = (await listTargets({ folders: [], architectures: true })).profiles;
  // the editor also offers the setting's release of a built-in under the setting's own name (services.profiles)
  const entries = [...listed, { ...builtinTarget('ascend310p@8.5')!, id: 'ascend310p@8.5' }];
  const targets = entries.map((p) => checkModel(model, p).target);
  assert.deepEqual(targets, [
    'ascend310@9.1.0', 'ascend310p@9.1.0', 'ascend910@9.1.0', 'ascend910b@9.1.0',
    'qnn-htp@v73', 'qnn-htp@v81', 'qnn-htp@v75', 'qnn-htp@v69', 'qnn-htp@v68', 'qnn-htp@ep2.6.0', 'qnn-htp@ep2.0.0', 'ascend310p@8.5.0',
  ]);
  entries.forEach((p, i) => {
    const again = builtinTarget(targets[i]!);
    assert.ok(again, `${targets[i]} is a target again`);
    assert.equal(again.id, p.id.replace(/@.*$/, ''), targets[i]);
    assert.deepEqual(again.ops, p.ops, `${targets[i]}: the facts of the entry it came from`);
  });
});
