import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { formatMessage, msg } from '../../../src/core/l10n';
import { openModel } from '../../../src/core/onnx/decode';
import type { Model } from '../../../src/core/onnx/model';
import { compareOutputs } from '../../../src/core/onnx/run/compare';
import { InferenceSession } from '../../../src/core/onnx/run/ort';
import type { ArrayValue } from '../../../src/core/onnx/run/values';
import { GraphEditor, makeNode } from '../../../src/core/onnx/transform/editor';
import { encodeModel } from '../../../src/core/onnx/transform/encode';
import type { RewriteRule } from '../../../src/core/onnx/transform/rewrite/context';
import { refusalReasons, rewriteModel, type RewriteResult } from '../../../src/core/onnx/transform/rewrite/rewrite';
import { REWRITE_RULES, ruleById } from '../../../src/core/onnx/transform/rewrite/rules/index';
import { decoderFacts, edgesamDecoder, onnxTool, scratch, type PySummary } from './fixtures';

const FIXED = { inputShapes: { point_coords: [1, 5, 2], point_labels: [1, 5] }, random: { seed: 5, intLow: -1, intHigh: 3 } };

let shared: Promise<{ model: Model; fixed: RewriteResult }> | undefined;
/** The decoder with fixed input shapes (the first step for every shape-dependent rule). */
function fixedDecoder(): Promise<{ model: Model; fixed: RewriteResult }> {
  shared ??= (async () => {
    const model = await openModel(edgesamDecoder());
    return { model, fixed: await rewriteModel(model, [ruleById('fix-input-shapes')!], FIXED) };
  })();
  return shared;
}

/** Saves the model and has Python's onnx summarize (and fully check) what was written. */
async function pythonView(model: Model, tag: string): Promise<{ file: string; summary: PySummary }> {
  const file = scratch(`${tag}.onnx`);
  writeFileSync(file, await encodeModel(model));
  const summary = onnxTool<PySummary>('summary', file);
  assert.equal(summary.check.ok, true, summary.check.error);
  return { file, summary };
}

/** Runs two saved files in onnxruntime on the same inputs (independently of the rewrite's own check). */
async function runBoth(a: string, b: string, feeds: Readonly<Record<string, ArrayValue>>) {
  const run = async (file: string) => {
    const s = await InferenceSession.create(file);
    try { return await s.run(feeds); } finally { await s.release(); }
  };
  return compareOutputs(await run(a), await run(b));
}

test('fix-input-shapes makes every input static', async () => {
  const { fixed } = await fixedDecoder();
  assert.equal(fixed.reports[0]!.status, 'applied');
  const { summary } = await pythonView(fixed.model, 'fixed');
  assert.deepEqual(summary.inputs.map((i) => i[2]), [[1, 32, 8, 8], [1, 5, 2], [1, 5]]);
  // Outputs get static shapes too (torch wrote derived symbolic dims there).
  assert.deepEqual(summary.outputs.map((o) => o[2]), [[1, 4], [1, 4, 32, 32]]);
});

for (const [id, ops] of [
  ['fold-constants', ['Sin', 'Cos', 'Shape']],
  ['gather-to-slice', ['Gather']],
  ['squeeze-to-reshape', ['Squeeze', 'Unsqueeze']],
  ['abs-to-relu', ['Abs']],
  ['equal-cast-to-float', ['Equal']],
] as const) {
  test(`${id} removes ${ops.join('/')} and keeps the outputs within tolerance`, async () => {
    const { model, fixed } = await fixedDecoder();
    // Shape rules see the model after folding (Gather of Shape folds away; the rest are tensor indexing).
    const before = id === 'fold-constants' ? fixed.model : (await rewriteModel(fixed.model, [ruleById('fold-constants')!], FIXED)).model;
    const result = await rewriteModel(before, [ruleById(id)!], FIXED);
    const report = result.reports[0]!;
    assert.equal(report.status, 'applied', report.comparisons.map((c) => c.problem && formatMessage(c.problem)).join('; '));
    assert.ok(report.comparisons.length === 2 && report.comparisons.every((c) => c.pass));
    const { file, summary } = await pythonView(result.model, `rule_${id}`);
    const facts = decoderFacts();
    for (const op of ops) {
      if (id === 'fold-constants' && (op === 'Sin' || op === 'Cos')) {
        // The dense PE's Sin/Cos are constant and fold; the point PE's depend on the input and stay.
        assert.equal(summary.ops[op], facts.ops[op]! / 2, op);
      } else {
        assert.equal(summary.ops[op] ?? 0, 0, `${op} left: ${summary.ops[op]}`);
      }
    }
    // Independently of the rule's own verification: the saved files agree in onnxruntime.
    const original = scratch('original_for_compare.onnx');
    writeFileSync(original, await encodeModel(model));
    for (const c of await runBoth(original, file, result.feeds)) assert.ok(c.maxAbsError < 1e-4 && c.cosine > 0.9999, `${c.name}: ${c.maxAbsError}`);
  });
}

test('int64-to-int32 narrows index constants and leaves shape inputs int64', async () => {
  const { fixed } = await fixedDecoder();
  const result = await rewriteModel(fixed.model, [ruleById('int64-to-int32')!], FIXED);
  assert.equal(result.reports[0]!.status, 'applied');
  const graph = result.model.graph;
  const gatherIndex = graph.nodes.filter((n) => n.opType === 'Gather').map((n) => n.inputs[1]!);
  const reshapeShape = new Set(graph.nodes.filter((n) => n.opType === 'Reshape').map((n) => n.inputs[1]!));
  const { summary } = await pythonView(result.model, 'rule_int32');
  const types = summary.initializers;
  const constantTypes = new Map<string, string>();
  for (const n of graph.nodes) {
    const value = n.attributes.find((a) => a.name === 'value');
    if (n.opType === 'Constant' && value?.type === 'tensor') constantTypes.set(n.outputs[0]!, value.value.elemType);
  }
  const typeOf = (name: string) => types[name] ?? constantTypes.get(name);
  assert.ok(gatherIndex.length > 0 && gatherIndex.every((n) => typeOf(n) === 'int32'), 'Gather indices are int32');
  assert.ok([...reshapeShape].every((n) => typeOf(n) === undefined || typeOf(n) === 'int64'), 'Reshape shapes stay int64');
  assert.ok(result.reports[0]!.notes.some((n) => formatMessage(n).includes('Reshape')));
});

test('erf-to-tanh is applied with its measured error shown, under the approximate tolerance', async () => {
  const { fixed } = await fixedDecoder();
  const result = await rewriteModel(fixed.model, [ruleById('erf-to-tanh')!], FIXED);
  const report = result.reports[0]!;
  assert.equal(report.exact, false);
  assert.equal(report.status, 'applied');
  assert.deepEqual(report.ops['Erf'], { before: 4, after: 0 });
  const masks = report.comparisons.find((c) => c.name === 'masks')!;
  // tanh GELU is not exact: the error is measurable, and small.
  assert.ok(masks.maxAbsError > 1e-7 && masks.maxAbsError < 1e-2, `masks error ${masks.maxAbsError}`);
  assert.ok(masks.iou !== undefined && masks.iou > 0.99);
  // Under the strict tolerance of exact rules it would be refused.
  const strict = await rewriteModel(fixed.model, [ruleById('erf-to-tanh')!], { ...FIXED, approximateTolerance: { atol: 1e-7, rtol: 0, minCosine: 0.9999, minIou: 0.99 } });
  assert.equal(strict.reports[0]!.status, 'refused');
});

test('a wrong rewrite (Abs → Relu) is caught: refused, with by how much, and the model stays unchanged', async () => {
  const { fixed } = await fixedDecoder();
  const wrong: RewriteRule = {
    id: 'abs-to-relu-wrong', summary: msg('Abs → Relu (wrong for negative inputs)'), removes: ['Abs'], exact: true,
    async apply(ctx) {
      const editor = new GraphEditor(ctx.graph);
      ctx.graph.nodes.forEach((n, i) => { if (n.opType === 'Abs') editor.replace(i, [makeNode('Relu', n.inputs, n.outputs, `${n.name}/Relu`)]); });
      return { graph: editor.build(), changed: editor.changed, notes: [] };
    },
  };
  const result = await rewriteModel(fixed.model, [wrong], FIXED);
  const report = result.reports[0]!;
  assert.equal(report.status, 'refused');
  const failed = report.comparisons.filter((c) => !c.pass);
  assert.ok(failed.length > 0 && failed.every((c) => c.maxAbsError > 1e-3));
  const reasons = refusalReasons(report).map((m) => formatMessage(m));
  assert.match(reasons[0]!, /differs by up to [0-9.e+-]+ \(allowed [0-9.e+-]+\)|cosine|IoU/);
  assert.equal(result.model.graph.nodes.filter((n) => n.opType === 'Abs').length, 1);
});

test('a rewrite that breaks the model is refused, not thrown', async () => {
  const { fixed } = await fixedDecoder();
  const broken: RewriteRule = {
    id: 'abs-to-nothing', summary: msg('Abs → an op that does not exist'), removes: ['Abs'], exact: true,
    async apply(ctx) {
      const editor = new GraphEditor(ctx.graph);
      ctx.graph.nodes.forEach((n, i) => { if (n.opType === 'Abs') editor.replace(i, [makeNode('NoSuchOp', n.inputs, n.outputs, n.name)]); });
      return { graph: editor.build(), changed: editor.changed, notes: [] };
    },
  };
  const result = await rewriteModel(fixed.model, [broken], FIXED);
  assert.equal(result.reports[0]!.status, 'refused');
  assert.match(formatMessage(refusalReasons(result.reports[0]!)[0]!), /does not run/);
  assert.ok(result.reports[0]!.notes.some((n) => /NoSuchOp/.test(formatMessage(n))));
});

test('every rule in order: the EdgeSAM decoder loses the ops the seed had to remove', async () => {
  const { model } = await fixedDecoder();
  const exact = REWRITE_RULES.filter((r) => r.exact);
  const result = await rewriteModel(model, exact, FIXED);
  for (const r of result.reports) assert.notEqual(r.status, 'refused', r.rule);
  const { summary } = await pythonView(result.model, 'all_exact');
  for (const op of ['Gather', 'Abs', 'Squeeze', 'Unsqueeze', 'Equal', 'Shape']) assert.equal(summary.ops[op] ?? 0, 0, op);
  assert.ok(summary.nodes < decoderFacts().nodes / 2, `${summary.nodes} nodes`);
});
