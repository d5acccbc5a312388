import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkModel, type CheckResult, type NodeVerdict } from '../../../src/core/onnx/check';
import { checkToJson } from '../../../src/core/onnx/check-report';
import { openModel } from '../../../src/core/onnx/decode';
import { modulePath } from '../../../src/core/onnx/hints';
import { builtinProfiles, loadWhitelistProfile, resolveProfile, whitelistProfile } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { REPO_ROOT } from '../repo';
import { generatedModel } from './fixtures';

const SEED_PROFILE = path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json');
const builtin = (id: string) => builtinProfiles().find((p) => p.id === id)!;
const byOp = (r: CheckResult, op: string) => r.verdicts.filter((v) => v.opType === op);
const codes = (v: NodeVerdict) => v.reasons.map((r) => r.code);
const hintIds = (v: NodeVerdict) => v.hints.map((h) => h.id);

test('the five built-in targets exist, each citing sources and saying what it cannot tell', () => {
  assert.deepEqual(builtinProfiles().map((p) => p.id), ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp']);
  for (const p of builtinProfiles()) {
    assert.ok(p.sources.length >= 2, p.id);
    assert.ok(p.caveats.length >= 1, p.id);
    assert.ok(p.ops.size > 100, `${p.id}: ${p.ops.size} ops`);
  }
  // Facts from the reference data: ATC registers LayerNormalization only at opsets 17-18. QNN HTP: the ONNX
  // Runtime QNN EP's op registry (no opset ceiling: the EP takes what ONNX Runtime loads), default Hexagon v73.
  assert.deepEqual(builtin('ascend310').ops.get('LayerNormalization')!.opsets!.versions, [17, 18]);
  const qnn = builtin('qnn-htp');
  assert.equal(qnn.modelOpsets, undefined);
  assert.deepEqual(qnn.toolkit, { name: 'Hexagon', version: 'v73', available: ['v81', 'v75', 'v73', 'v69', 'v68'] });
  assert.ok(qnn.ops.has('RMSNormalization') && qnn.ops.has('com.microsoft::DequantizeLinear'));
  assert.ok(!qnn.ops.has('Attention') && !qnn.ops.has('DynamicQuantizeLinear'), 'not in the EP registry');
  // MatMulNBits is in the non-ABI qnn/ registry of the release branch, not in the qnn-abi/ one its packages build.
  assert.ok(!qnn.ops.has('MatMulNBits') && !qnn.ops.has('com.microsoft::MatMulNBits'), 'not in the published 2.0.0 registry');
  assert.ok(qnn.sources.every((s) => !s.ref.includes('zhiyuan8')), 'no third-party converter copy');
  assert.equal(builtin('ascend910b').ops.get('Loop')!.support, 'unverified');
});

test('seed whitelist: the EdgeSAM-like decoder fails on exactly the ops the field report names, with its rewrites', async () => {
  const model = await openModel(generatedModel('edgesam_decoder_opset11.onnx'));
  const result = checkModel(model, await loadWhitelistProfile(SEED_PROFILE));
  const unsupportedOps = new Set(result.verdicts.filter((v) => v.reasons.some((r) => r.code === 'op-unsupported')).map((v) => v.opType));
  for (const op of ['Gather', 'Abs', 'Sin', 'Cos', 'Squeeze']) assert.ok(unsupportedOps.has(op), `${op} should be unsupported`);
  for (const op of ['Erf', 'Equal', 'Unsqueeze', 'MatMul', 'Concat']) assert.ok(!unsupportedOps.has(op), `${op} is in field report 003's PASS list`);
  // Rewrite hints from the report, per op.
  const gathers = byOp(result, 'Gather');
  assert.equal(gathers.length, 3);
  assert.ok(gathers.some((v) => hintIds(v).includes('gather-constant-index')), 'hs[:, 0, :] → Slice + Reshape');
  assert.deepEqual(hintIds(byOp(result, 'Abs')[0]!), ['abs-relu-form']);
  assert.deepEqual(hintIds(byOp(result, 'Sin')[0]!), ['sin-cos-precompute']);
  assert.ok(byOp(result, 'Squeeze').every((v) => hintIds(v).includes('squeeze-reshape')));
  const castToBool = byOp(result, 'Cast').find((v) => v.name === '/prompt_encoder/Cast_3')!;
  assert.deepEqual(hintIds(castToBool), ['equal-float-compare'], 'Cast(bool) → float compare');
  // Module paths from torch.onnx.export names, and the constructs that export to the op.
  assert.equal(byOp(result, 'Sin')[0]!.modulePath, 'prompt_encoder');
  assert.deepEqual(gathers.map((v) => v.modulePath), ['prompt_encoder', 'mask_decoder', 'mask_decoder']);
  assert.ok(gathers.every((v) => v.constructs!.includes('x[:, i, :]')));
  // staticShapes: true in the whitelist → the num_points inputs are dynamic-shape findings.
  assert.ok(result.modelReasons.some((r) => r.code === 'dynamic-shape' && r.certain));
  assert.ok(result.counts.unsupported > 0);
});

test('seed rewrites: the NPU-safe decoder passes the whitelist once the rewritten part compiles', async () => {
  const model = await openModel(generatedModel('edgesam_like_npu_safe.onnx'));
  const seed = await loadWhitelistProfile(SEED_PROFILE);
  const profile = whitelistProfile({ name: 'edgesam-pass-part3', kind: 'whitelist', ops: [...seed.ops.keys(), 'Gemm', 'ConvTranspose', 'ReduceSum'], staticShapes: true });
  const result = checkModel(model, profile);
  assert.deepEqual(result.verdicts.filter((v) => v.verdict !== 'supported').map((v) => `${v.opType} ${v.name}`), []);
  assert.equal(result.counts.supported, 40);
  // The same model against the plain seed list: only the ops of Part 3 that the list lacks.
  const plain = checkModel(model, seed);
  assert.deepEqual([...new Set(plain.verdicts.filter((v) => v.verdict === 'unsupported').map((v) => v.opType))].sort(), ['ConvTranspose', 'Gemm', 'ReduceSum']);
});

test('Ascend ATC: attribute limits from the parser plugins, unverified where the data cannot tell', async () => {
  const model = await openModel(generatedModel('atc_limits.onnx'));
  const result = checkModel(model, builtin('ascend310p'));
  const maxPool = byOp(result, 'MaxPool')[0]!;
  assert.equal(maxPool.verdict, 'unsupported');
  assert.equal(maxPool.reasons.filter((r) => r.code === 'attribute').length, 2, 'storage_order=1 and the Indices output');
  assert.deepEqual(codes(byOp(result, 'ArgMax')[0]!), ['attribute']);
  assert.deepEqual(codes(byOp(result, 'LRN')[0]!), ['attribute']);
  assert.equal(byOp(result, 'Relu')[0]!.verdict, 'supported');
  const flow = checkModel(await openModel(generatedModel('control_flow.onnx')), builtin('ascend910'));
  assert.equal(flow.nodeCount, 12);
  assert.equal(byOp(flow, 'Loop')[0]!.verdict, 'unverified');
  assert.equal(byOp(flow, 'If').length, 2);
  assert.ok(byOp(flow, 'If').every((v) => v.verdict === 'supported'));
});

test('QNN HTP: dynamic dims, Shape + Gather chains, runtime reshape targets, int64', async () => {
  const model = await openModel(generatedModel('transformer.onnx'));
  const result = checkModel(model, builtin('qnn-htp'));
  assert.ok(result.modelReasons.some((r) => r.code === 'dynamic-shape'));
  const shapeGather = byOp(result, 'Gather').find((v) => v.name === '/layers.0/Gather')!;
  assert.notEqual(shapeGather.verdict, 'supported');
  assert.ok(hintIds(shapeGather).includes('shape-unpacking'));
  assert.ok(codes(shapeGather).includes('dtype'), 'int64 indices');
  const reshapes = byOp(result, 'Reshape');
  assert.ok(reshapes.length && reshapes.every((v) => v.verdict === 'unsupported' && hintIds(v).includes('literal-shape')));
  // Shape of a dynamic tensor is not folded by ONNX Runtime and the QNN EP has no Shape builder.
  assert.equal(byOp(result, 'Shape')[0]!.verdict, 'unsupported');
  assert.equal(modulePath('/mask_decoder/transformer/layers.0/Gather_3'), 'mask_decoder.transformer.layers.0');
  assert.equal(modulePath('Gather_3'), undefined);
});

test('custom domains, model-local functions and subgraph bodies', async () => {
  const model = await openModel(generatedModel('every_attribute.onnx'));
  // ascend310p: on ascend310 the body's dynamic dimensions are refused too (no dynamic-shape input on 310).
  const result = checkModel(model, builtin('ascend310p'));
  const custom = byOp(result, 'Everything')[0]!;
  assert.equal(custom.verdict, 'unsupported');
  assert.deepEqual(codes(custom), ['custom-domain']);
  const call = byOp(result, 'MulSoftmax')[0]!;
  assert.equal(call.verdict, 'unverified');
  assert.deepEqual(hintIds(call), ['function-inline']);
  const flow = await openModel(generatedModel('control_flow.onnx'));
  const noNeg = whitelistProfile({ name: 'no-neg', kind: 'whitelist', ops: ['ReduceSum', 'Greater', 'If', 'Loop', 'Add', 'Sub', 'Identity'] });
  const r = checkModel(flow, noNeg);
  const neg = byOp(r, 'Neg')[0]!;
  assert.equal(neg.graph, 'main/repeat.body/loop_if.else_branch');
  assert.equal(neg.verdict, 'unsupported');
  assert.deepEqual(codes(byOp(r, 'Loop')[0]!), ['subgraph']);
  assert.ok(codes(r.verdicts.find((v) => v.name === 'loop_if')!).includes('subgraph'));
  assert.equal(byOp(r, 'If').find((v) => v.name === 'branch')!.verdict, 'supported');
});

test('JSON report has the documented shape: findings grouped per (op, status, reason codes), every node listed once', async () => {
  const model = await openModel(generatedModel('control_flow.onnx'));
  const r = checkModel(model, whitelistProfile({ name: 'tiny', kind: 'whitelist', ops: ['If', 'Loop', 'Identity'] }));
  const json = JSON.parse(JSON.stringify(checkToJson(r, 'control_flow.onnx', (m) => formatMessage(m))));
  assert.equal(json.version, 2);
  assert.equal(json.target, 'tiny');
  assert.equal(json.nodes, 12);
  assert.deepEqual(json.counts, { supported: 2, unsupported: 10, unverified: 0 });
  for (const f of json.findings) {
    assert.deepEqual(Object.keys(f).slice(0, 7), ['status', 'op', 'domain', 'codes', 'count', 'reasons', 'hint']);
    assert.equal(f.count, f.nodes.length);
    assert.ok(f.reasons.every((x: { code: string; message: string }) => typeof x.code === 'string' && x.message.length > 0));
    assert.deepEqual(f.codes, [...new Set(f.reasons.map((x: { code: string }) => x.code))].sort());
  }
  // Bodies count: If (branch) holds Add and Sub, the Loop body holds Greater and an If holding Neg.
  assert.deepEqual(json.summary, { ReduceSum: 1, Greater: 2, Add: 2, Sub: 1, Neg: 1, If: 2, Loop: 1 });
  const nodes = json.findings.flatMap((f: { op: string; nodes: { graph: string; index: number }[] }) => f.nodes.map((n) => ({ op: f.op, ...n })));
  assert.equal(nodes.length, 10);
  assert.equal(new Set(nodes.map((n: { graph: string; index: number }) => `${n.graph}#${n.index}`)).size, 10, 'each node once');
  assert.equal(nodes.find((n: { op: string }) => n.op === 'Neg').graph, 'main/repeat.body/loop_if.else_branch');
  // Two Greater and two Add nodes with the same codes: one finding each, two nodes listed.
  assert.deepEqual(json.findings.filter((f: { op: string }) => ['Greater', 'Add'].includes(f.op)).map((f: { count: number }) => f.count), [2, 2]);
});

test('JSON report: a node whose messages differ from its finding\'s carries its own; the others carry none', async () => {
  const model = await openModel(generatedModel('transformer.onnx'));
  for (const target of ['qnn-htp', 'ascend310p', 'ascend310']) {
    const r = checkModel(model, builtin(target), { findingsOnly: true });
    const json = JSON.parse(JSON.stringify(checkToJson(r, 'transformer.onnx', formatMessage)));
    const render = (v: NodeVerdict) => ({ reasons: v.reasons.map((x) => formatMessage(x.message)), hint: v.hints.map((h) => formatMessage(h.message)).join(' ') });
    let listed = 0;
    let own = 0;
    for (const f of json.findings) {
      for (const n of f.nodes) {
        const v = r.verdicts.find((x) => x.graph === n.graph && x.index === n.index)!;
        listed++;
        if (n.reasons || n.hint !== undefined) own++;
        // What a reader gets (the node's own facts, else its finding's) is exactly the node's verdict.
        assert.deepEqual({ reasons: (n.reasons ?? f.reasons).map((x: { message: string }) => x.message), hint: n.hint ?? f.hint }, render(v), `${target} ${v.name}`);
        assert.equal(v.opType, f.op);
        assert.equal(v.verdict, f.status);
      }
    }
    assert.equal(listed, r.counts.unsupported + r.counts.unverified, target);
    // qnn-htp names each Reshape's computed shape input: those nodes differ from their finding's first.
    if (target === 'qnn-htp') assert.ok(own > 0 && own < listed, `${own} of ${listed} nodes with their own facts`);
  }
});

test('whitelist files are validated and unknown targets are refused', async () => {
  assert.throws(() => whitelistProfile({ name: 'x', kind: 'list', ops: [] }), /kind/);
  assert.throws(() => whitelistProfile({ name: 'x', kind: 'whitelist', ops: [1] }), /ops/);
  await assert.rejects(resolveProfile({ target: 'ascend999' }), /Unknown target/);
  const p = whitelistProfile({ name: 'x', kind: 'whitelist', ops: ['com.microsoft::Gelu', 'ai.onnx::Add'] });
  assert.ok(p.ops.has('com.microsoft::Gelu') && p.ops.has('Add'));
});

test('findingsOnly keeps exactly the verdicts of nodes not supported, with the counts of every node; equal findings share their lists', async () => {
  for (const [file, target] of [['edgesam_decoder_opset11.onnx', 'qnn-htp'], ['control_flow.onnx', 'ascend910'], ['transformer.onnx', 'ascend310p'], ['every_attribute.onnx', 'ascend310p'], ['per_chip.onnx', 'ascend310p']] as const) {
    const model = await openModel(generatedModel(file));
    const full = checkModel(model, builtin(target));
    const lean = checkModel(model, builtin(target), { findingsOnly: true });
    const findings = full.verdicts.filter((v) => v.verdict !== 'supported');
    assert.ok(findings.length > 0 && findings.length < full.verdicts.length, `${file}: a mix of verdicts`);
    assert.deepEqual(lean.verdicts, findings, file);
    assert.deepEqual(lean.counts, full.counts, file);
    assert.equal(lean.nodeCount, full.nodeCount, file);
    assert.equal(JSON.stringify(checkToJson(lean, file, formatMessage)), JSON.stringify(checkToJson(full, file, formatMessage)), file);
  }
  const decoder = checkModel(await openModel(generatedModel('transformer.onnx')), builtin('qnn-htp'), { findingsOnly: true });
  const byKey = new Map<string, NodeVerdict>();
  let shared = 0;
  for (const v of decoder.verdicts) {
    const key = JSON.stringify([v.reasons, v.hints]);
    const first = byKey.get(key);
    if (!first) byKey.set(key, v);
    else if (first.reasons === v.reasons && first.hints === v.hints) shared++;
    else assert.fail(`equal findings of ${v.name} not shared`);
  }
  assert.ok(shared > 0, 'some nodes share findings');
});
