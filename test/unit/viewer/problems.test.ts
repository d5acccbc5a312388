/**
 * Findings that summarize (src/shared/problems.ts): verdicts grouped per (op, status, reason codes), as the
 * Problems panel and the viewer's Problems tab show them; and the viewer's graph message carries the shapes
 * the inference found for a model without value_info.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { inferShapes } from '../../../src/core/onnx/shapes';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { toPackedGraph } from '../../../src/core/onnx/view/compactGraph';
import { unpackGraph } from '../../../src/shared/packedGraph';
import { groupProblems } from '../../../src/shared/problems';
import { generatedModel } from '../onnx/fixtures';

const item = (op: string, status: 'unsupported' | 'unverified', codes: string[], name: string) => ({ op, status, codes, name });

test('problems group per (op, status, reason codes): order of codes and repeats do not split a group', () => {
  const items = [
    item('Erf', 'unverified', ['op-unsupported'], 'a'),
    item('Cast', 'unsupported', ['dtype', 'dynamic-shape'], 'b'),
    item('Erf', 'unverified', ['op-unsupported'], 'c'),
    item('Cast', 'unsupported', ['dynamic-shape', 'dtype', 'dtype'], 'd'),
    item('Cast', 'unsupported', ['dtype'], 'e'),
    item('Erf', 'unsupported', ['op-unsupported'], 'f'),
    item('Erf', 'unverified', ['op-unsupported'], 'g'),
  ];
  const groups = groupProblems(items, (i) => i);
  assert.deepEqual(groups.map((g) => [g.op, g.status, g.codes.join(','), g.items.map((i) => i.name).join('')]), [
    ['Cast', 'unsupported', 'dtype,dynamic-shape', 'bd'],
    ['Cast', 'unsupported', 'dtype', 'e'],
    ['Erf', 'unsupported', 'op-unsupported', 'f'],
    ['Erf', 'unverified', 'op-unsupported', 'acg'],
  ]);
});

test('the torch-exported transformer on qnn-htp: every finding is in exactly one group, fewer groups than findings', async () => {
  const model = await openModel(generatedModel('transformer.onnx'));
  const profile = builtinProfiles().find((p) => p.id === 'qnn-htp')!;
  const findings = checkModel(model, profile).verdicts.filter((v) => v.verdict !== 'supported');
  const groups = groupProblems(findings, (v) => ({ op: v.opType, status: v.verdict as 'unsupported' | 'unverified', codes: v.reasons.map((r) => r.code) }));
  assert.ok(findings.length > groups.length, `${findings.length} findings, ${groups.length} groups`);
  assert.equal(groups.reduce((n, g) => n + g.items.length, 0), findings.length);
  for (const g of groups) for (const v of g.items) assert.equal(v.opType, g.op);
});

test('the graph message carries inferred shapes where the model declares none', async () => {
  const model = await openModel(generatedModel('transformer.onnx'));
  const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
  const declared = new Set([...model.graph.valueInfo, ...model.graph.outputs, ...model.graph.inputs].map((v) => v.name));
  const shapes = await inferShapes(model);
  const without = unpackGraph(toPackedGraph(model, labels));
  const withShapes = unpackGraph(toPackedGraph(model, labels, shapes));
  let filled = 0;
  withShapes.tensors.forEach((t, i) => {
    const before = without.tensors[i]!;
    assert.equal(t.name, before.name);
    if (declared.has(t.name) || t.kind === 'initializer') {
      assert.deepEqual(t.shape, before.shape, `${t.name}: a declared shape is kept`);
    } else if (shapes.inferred.has(t.name)) {
      assert.deepEqual(t.shape ?? null, shapes.types.get(t.name)!.shape, t.name);
      if (!before.shape && t.shape) filled++;
    }
  });
  const undeclared = withShapes.tensors.filter((t) => t.kind === 'intermediate' && !declared.has(t.name)).length;
  assert.ok(filled > undeclared / 2, `${filled} of ${undeclared} undeclared values got a shape`);
});
