/**
 * Per-chip Ascend profiles, toolkit versions and the constraint model, on generated models. Expected
 * verdicts come from the vendor documents the data cites (hicann/ops-math and ops-nn at the CANN 9.1.0
 * and 8.5.0 release tags), read independently of the build script: see the comments at each case.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { checkModel, checkOpCase, type CheckResult, type NodeVerdict } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { builtinProfiles, builtinTarget, CANN_RELEASES, resolveProfile, whitelistProfile, type NodeRule, type OpProfile, type TargetProfile } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { generatedModel } from './fixtures';
import { REPO_ROOT } from '../repo';

const builtin = (id: string) => builtinProfiles().find((p) => p.id === id)!;
const node = (r: CheckResult, name: string): NodeVerdict => r.verdicts.find((v) => v.name === name)!;
const codes = (v: NodeVerdict) => v.reasons.map((r) => r.code);
const hintIds = (v: NodeVerdict) => v.hints.map((h) => h.id);

test('the four Ascend profiles differ where the chips differ: bf16, per-chip kernel documents', async () => {
  const model = await openModel(generatedModel('per_chip.onnx'));
  const r = Object.fromEntries(['ascend310', 'ascend310p', 'ascend910', 'ascend910b'].map((id) => [id, checkModel(model, builtin(id))]));
  // bf16: "Atlas 训练系列产品、Atlas 推理系列产品：不支持BFLOAT16" (ops-math math/abs/README.md and others);
  // "Atlas 200/300/500推理产品：不支持BFLOAT16" (ops-math conversion/split_v/README.md). Atlas A2 (910B) takes bf16.
  for (const id of ['ascend310', 'ascend310p', 'ascend910']) {
    const relu = node(r[id]!, '/bf16/Relu');
    assert.equal(relu.verdict, 'unsupported', id);
    const dtype = relu.reasons.find((x) => x.code === 'dtype')!;
    assert.ok(dtype.certain && /README\.md/.test(dtype.source ?? ''), `${id}: ${dtype.source}`);
    assert.ok(hintIds(relu).includes('bf16-to-fp16'), id);
  }
  assert.equal(node(r.ascend910b!, '/bf16/Relu').verdict, 'supported');
  // Sqrt: math/sqrt/README.md (9.1.0) marks Atlas 推理系列产品 ×, Atlas 训练系列产品 and A2 √.
  assert.deepEqual(codes(node(r.ascend310p!, '/head/Sqrt')), ['kernel']);
  assert.equal(node(r.ascend310p!, '/head/Sqrt').verdict, 'unverified', 'a document × is not proof that ATC refuses it');
  assert.match(node(r.ascend310p!, '/head/Sqrt').reasons[0]!.source!, /^github:hicann\/ops-math@c821871ee4bc:math\/sqrt\/README\.md$/);
  assert.ok(hintIds(node(r.ascend310p!, '/head/Sqrt')).includes('kernel-fallback'));
  assert.equal(node(r.ascend910!, '/head/Sqrt').verdict, 'supported');
  assert.equal(node(r.ascend910b!, '/head/Sqrt').verdict, 'supported');
  // ReduceMean: math/reduce_mean/README.md marks 推理系列 and 训练系列 ×, A2 √.
  assert.equal(node(r.ascend310p!, '/head/ReduceMean').verdict, 'unverified');
  assert.equal(node(r.ascend910!, '/head/ReduceMean').verdict, 'unverified');
  assert.equal(node(r.ascend910b!, '/head/ReduceMean').verdict, 'supported');
  // Every verdict names its sources: the parser plugin, and on 910B the document that shows the kernel.
  const sqrt910b = node(r.ascend910b!, '/head/Sqrt');
  assert.ok(sqrt910b.sources!.some((s) => s.includes('similar_opp_onnx_plugin')), sqrt910b.sources!.join());
  assert.ok(sqrt910b.sources!.some((s) => s.endsWith('math/sqrt/README.md')), sqrt910b.sources!.join());
  // Ascend 310 is in no per-op product table: only the bf16 limit is known, the rest is left as the parser data says.
  assert.equal(node(r.ascend310!, '/head/ReduceMean').verdict, 'supported');
  // The TopK -> Add of int64 indices: ATC makes the indices int32 (GE TopK), so the Add mixes int32 and int64 (unverified).
  assert.equal(node(r.ascend310!, '/topk/Add').verdict, 'unverified');
  assert.deepEqual(r.ascend310!.counts, { supported: 3, unsupported: 1, unverified: 1 });
  assert.notDeepEqual(r.ascend310p!.counts, r.ascend910b!.counts);
});

test('toolkit versions: target@version picks the CANN release; the default is the newest, and the result says which', async () => {
  assert.deepEqual(CANN_RELEASES, ['9.1.0', '8.5.0']);
  const model = await openModel(generatedModel('per_chip.onnx'));
  const newest = checkModel(model, await resolveProfile({ target: 'ascend310p' }));
  assert.deepEqual(newest.toolkit, { name: 'CANN', version: '9.1.0' });
  assert.equal(newest.target, 'ascend310p@9.1.0');
  const old = await resolveProfile({ target: 'ascend310p@8.5' });
  assert.equal(old.toolkit!.version, '8.5.0');
  const r85 = checkModel(model, old);
  assert.equal(r85.target, 'ascend310p@8.5.0');
  // The 8.5.0 math/sqrt/README.md lists only Atlas A2 products: nothing is said about 推理系列, so no kernel finding.
  assert.equal(node(r85, '/head/Sqrt').verdict, 'supported');
  assert.equal(node(newest, '/head/Sqrt').verdict, 'unverified');
  // bf16 is refused in both releases.
  assert.equal(node(r85, '/bf16/Relu').verdict, 'unsupported');
  assert.equal((await resolveProfile({ target: 'ascend910b@9' })).toolkit!.version, '9.1.0');
  await assert.rejects(resolveProfile({ target: 'ascend310p@7.0' }), /no data for CANN 7\.0\. Releases covered: 9\.1\.0, 8\.5\.0/);
  await assert.rejects(resolveProfile({ target: 'qnn-htp@2.30' }), /qnn-htp has no data for Hexagon 2\.30\. Releases covered: v81, v75, v73, v69, v68/);
});

/** A profile with one op carrying the given rules (the rest of the profile as ascend910b). */
function withRules(op: string, rules: NodeRule[], base: TargetProfile = builtin('ascend910b')): TargetProfile {
  const ops = new Map<string, OpProfile>(base.ops);
  ops.set(op, { ...(base.ops.get(op) ?? { support: 'supported', sources: ['test'] }), rules });
  return { ...base, ops };
}

test('constraint model: opset range, attribute values, constant inputs, dtypes, rank and static shape, each with its source and rewrite', () => {
  const src = 'https://example.invalid/doc v1';
  const grid = withRules('GridSample', [{ attribute: 'mode', allowed: ['bilinear', 'nearest'], source: src, evidence: 'mode: bilinear, nearest', rewrite: 'attribute' }]);
  const bicubic = checkOpCase({ op: 'GridSample', opset: 16, attributes: [{ name: 'mode', type: 'string', value: 'bicubic' }], inputs: [{ type: 'float', shape: [1, 3, 8, 8] }, { type: 'float', shape: [1, 8, 8, 2] }] }, grid);
  assert.equal(bicubic.verdict.verdict, 'unsupported');
  assert.deepEqual(codes(bicubic.verdict), ['attribute']);
  assert.equal(bicubic.verdict.reasons[0]!.source, src);
  const bilinear = checkOpCase({ op: 'GridSample', opset: 16, attributes: [{ name: 'mode', type: 'string', value: 'bilinear' }], inputs: [{ type: 'float', shape: [1, 3, 8, 8] }, { type: 'float', shape: [1, 8, 8, 2] }] }, grid);
  assert.equal(bilinear.verdict.verdict, 'supported');

  const resize = withRules('Resize', [{ opsets: { min: 10, max: 13 }, evidence: 'Resize registered to opset 13 in this release' }]);
  const at18 = checkOpCase({ op: 'Resize', opset: 18, inputs: [{ type: 'float', shape: [1, 3, 8, 8] }] }, resize);
  assert.deepEqual(codes(at18.verdict).filter((c) => c === 'opset'), ['opset']);
  assert.ok(hintIds(at18.verdict).includes('opset'));
  assert.ok(!codes(checkOpCase({ op: 'Resize', opset: 13, inputs: [{ type: 'float', shape: [1, 3, 8, 8] }] }, resize).verdict).includes('opset'));

  const bn = withRules('BatchNormalization', [{ constInputs: [1], evidence: 'scale must be static' }]);
  const bnInputs = (constant: boolean) => [{ type: 'float' as const, shape: [1, 4, 8, 8] }, { type: 'float' as const, shape: [4], constant }, { type: 'float' as const, shape: [4], constant: true }, { type: 'float' as const, shape: [4], constant: true }, { type: 'float' as const, shape: [4], constant: true }];
  const fed = checkOpCase({ op: 'BatchNormalization', opset: 15, inputs: bnInputs(false) }, bn);
  assert.equal(fed.verdict.verdict, 'unsupported');
  assert.deepEqual(hintIds(fed.verdict), ['constant-fold']);
  assert.equal(checkOpCase({ op: 'BatchNormalization', opset: 15, inputs: bnInputs(true) }, bn).verdict.verdict, 'supported');

  const topk = withRules('Add', [{ refusedTypes: ['int64'], certain: true, source: src, evidence: 'Add: int32 only' }]);
  const int64 = checkOpCase({ op: 'Add', opset: 13, inputs: [{ type: 'int64', shape: [2] }, { type: 'int64', shape: [2], constant: true }] }, topk);
  assert.deepEqual(codes(int64.verdict), ['dtype']);
  assert.deepEqual(hintIds(int64.verdict), ['int64-to-int32']);
  assert.equal(checkOpCase({ op: 'Add', opset: 13, inputs: [{ type: 'int32', shape: [2] }, { type: 'int32', shape: [2] }] }, topk).verdict.verdict, 'supported');

  const typed = withRules('Gather', [{ input: 1, types: ['int32'], certain: false, evidence: 'indices: int32' }]);
  const gather = checkOpCase({ op: 'Gather', opset: 13, inputs: [{ type: 'float', shape: [4, 4] }, { type: 'int64', shape: [2] }] }, typed);
  assert.equal(gather.verdict.verdict, 'unverified', 'an uncertain constraint makes the node unverified');

  const ranked = withRules('Softmax', [{ input: 0, maxRank: 4, evidence: 'rank <= 4' }, { input: 0, staticShape: true, evidence: 'static shape' }]);
  assert.deepEqual(codes(checkOpCase({ op: 'Softmax', opset: 13, inputs: [{ type: 'float', shape: [1, 2, 3, 4, 5] }] }, ranked).verdict), ['rank']);
  assert.deepEqual(codes(checkOpCase({ op: 'Softmax', opset: 13, inputs: [{ type: 'float', shape: [1, null, 4] }] }, ranked).verdict), ['dynamic-shape']);
  assert.equal(checkOpCase({ op: 'Softmax', opset: 13, inputs: [{ type: 'float', shape: [1, 2, 4] }] }, ranked).verdict.verdict, 'supported');
});

test('constant paths and inferred types: folded Reshape targets pass, run-time ones fail; TopK indices are int64', async () => {
  const model = await openModel(generatedModel('constant_paths.onnx'));
  const profile = withRules('Reshape', [{ constInputs: [1], evidence: 'shape must be static' }]);
  const r = checkModel(model, profile);
  assert.equal(node(r, '/folded/Reshape').verdict, 'supported', 'Constant -> Concat folds to a constant');
  assert.equal(node(r, '/static/Reshape').verdict, 'supported', 'Shape of a fixed-shape value is a constant');
  assert.equal(node(r, '/runtime/Reshape').verdict, 'unsupported');
  assert.ok(hintIds(node(r, '/runtime/Reshape')).includes('literal-shape'));
  // TopK writes no value_info for its indices: the check infers int64 and follows it into the Add.
  const chip = checkModel(await openModel(generatedModel('per_chip.onnx')), withRules('Add', [{ refusedTypes: ['int64'], evidence: 'int32 only' }]));
  // The rule's int64 finding, and the int32 the indices get from ATC next to the int64 constant (atcConvertedTypes).
  assert.deepEqual(codes(node(chip, '/topk/Add')), ['dtype', 'dtype']);
  assert.match(formatMessage(node(chip, '/topk/Add').reasons[0]!.message), /indices is int64.*int32 only/);
});

test('whitelist profiles keep working beside the constraint model', async () => {
  const model = await openModel(generatedModel('per_chip.onnx'));
  const r = checkModel(model, whitelistProfile({ name: 'w', kind: 'whitelist', ops: ['Relu', 'Sqrt', 'TopK', 'Add'] }));
  assert.deepEqual(r.verdicts.filter((v) => v.verdict !== 'supported').map((v) => v.opType), ['ReduceMean']);
  assert.equal(r.toolkit, undefined);
  assert.equal(r.target, 'w');
});

test('kernel data: pinned release commits, and facts that match the vendor documents read by hand', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const data = require('../../../src/core/onnx/targets/data/ascend-kernels.json') as {
    default: string;
    releases: Record<string, { repos: Record<string, string>; onnx: Record<string, { ge: string[]; src: string[] }>; ge: Record<string, { doc?: string; products?: Record<string, boolean>; refused?: Record<string, string[]> }> }>;
  };
  assert.equal(data.default, '9.1.0');
  // The release tags v9.1.0 / v8.5.0 of the three repositories.
  assert.deepEqual(data.releases['9.1.0']!.repos, {
    'hicann/ops-nn': 'ceb4536a2bd6fc99b85aec9d0fdcc0f470376292', 'hicann/ops-math': 'c821871ee4bccb0c564a582d1b362072c356a88d', 'hicann/ops-cv': '4d57ffe7bfa2c903ced575cea269ffcc3a9613bd',
  });
  const r91 = data.releases['9.1.0']!;
  for (const [op, e] of Object.entries(r91.onnx)) assert.ok(e.src.length && e.src.every((s) => /^ops-(nn|math|cv):\S+\.(cc|cpp)$/.test(s)), op);
  // ops-math math/sqrt/README.md @ v9.1.0: A2 √, 200I/500 A2 ×, 推理系列 ×, 训练系列 √.
  assert.deepEqual(r91.ge.Sqrt!.products, { ascend910b: true, ascend310p: false, ascend910: true });
  // ops-nn index/gather_v2/README.md @ v9.1.0: √ for every product; ONNX Gather maps to GatherV2 (gather_onnx_plugin.cpp).
  assert.ok(r91.onnx.Gather!.ge.includes('GatherV2'));
  assert.deepEqual(r91.ge.GatherV2!.products, { ascend910b: true, ascend310p: true, ascend910: true });
  // ops-math math/cast/README.md @ v9.1.0 line 52: "Atlas 训练系列产品、Atlas 推理系列产品：不支持BFLOAT16。"
  assert.deepEqual(r91.ge.Cast!.refused, { ascend910: ['bfloat16'], ascend310p: ['bfloat16'] });
  // ONNX Div becomes RealDiv (similar_opp_onnx_plugin.cpp: REGISTER_CUSTOM_ONNX_OP(ai.onnx::11::Div, RealDiv, DivV11)).
  assert.deepEqual(r91.onnx.Div!.ge, ['RealDiv']);
  // bf16 is chip-wide only where many documents say so: 推理系列 and 训练系列 yes; one note on Atlas A2 (Erf) stays per op.
  assert.deepEqual(Object.keys((data.releases['9.1.0'] as unknown as { bf16Refused: object }).bf16Refused).sort(), ['ascend310', 'ascend310p', 'ascend910']);
  assert.equal(builtin('ascend910b').dtypes, undefined);
  // No source outside the vendor's repositories.
  assert.ok(!JSON.stringify(data).includes('dengguojie'));
  const atc = builtin('ascend310p').sources.map((s) => s.ref);
  assert.ok(atc.every((ref) => /^github:(hicann|Ascend)\//.test(ref) || ref.startsWith('src/')), atc.join('\n'));
});

test('builtinTarget (the npuPort.onnx.target lookup): id, id@version, unknown names, uncovered versions', async () => {
  assert.equal(builtinTarget('ascend310p')?.id, 'ascend310p');
  assert.equal(builtinTarget('ASCEND310P')?.id, 'ascend310p');
  assert.equal(builtinTarget('ascend310p@8.5')?.toolkit?.version, '8.5.0');
  assert.equal(builtinTarget('my-whitelist'), undefined, 'a whitelist name is not a built-in');
  assert.throws(() => builtinTarget('ascend310p@1.0'), /1\.0/);
  assert.deepEqual(builtinTarget('ascend310p@8.5'), await resolveProfile({ target: 'ascend310p@8.5' }));
});

test('built-in targets cite vendor sources on GitHub or files of this repository, nothing outside it', () => {
  for (const profile of builtinProfiles()) {
    for (const { ref } of profile.sources) {
      if (ref.startsWith('github:')) continue;
      const file = ref.split('#')[0]!;
      assert.ok(!path.isAbsolute(file) && !file.startsWith('..') && existsSync(path.join(REPO_ROOT, file)), `${profile.id}: ${ref}`);
    }
  }
});

test('Ascend 310 takes no dynamic-shape input (CANN documentation: Atlas 200/300/500 inference products): dynamic graph inputs are refused there, unverified on the other Ascend chips', async () => {
  const model = await openModel(generatedModel('edgesam_decoder_opset11.onnx'));
  const dynamic = (id: string) => checkModel(model, builtinTarget(id)!).modelReasons.filter((r) => r.code === 'dynamic-shape');
  const on310 = dynamic('ascend310');
  assert.equal(on310.length, 1);
  assert.equal(on310[0]!.certain, true);
  assert.match(on310[0]!.source!, /canncommercial\/700\/.*aclpythondevg_0059\.html.*Atlas 200\/300\/500 推理产品不支持该特性/);
  assert.match(on310[0]!.source!, /github:hicann\/ge@d5b140e5de6c:.*dnnengine_manager\.cc.*Dynamic shape is not supported on this chip/);
  for (const id of ['ascend310p', 'ascend910', 'ascend910b']) {
    assert.deepEqual(dynamic(id).map((r) => r.certain), [false], id);
  }
  // The same op with fixed shapes is not refused for its shapes (mindspore-lab/mindocr#690: static and profiled shapes converted on 310).
  const fixed = checkOpCase({ op: 'Conv', opset: 11, inputs: [{ type: 'float', shape: [1, 3, 48, 192] }, { type: 'float', shape: [8, 3, 3, 3], constant: true }] }, builtinTarget('ascend310')!);
  assert.deepEqual(fixed.modelReasons, []);
});
