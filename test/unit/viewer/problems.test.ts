/**
 * Findings that summarize (src/shared/problems.ts): verdicts grouped per (op, status, reason codes), as the
 * Problems panel and the viewer's Problems tab show them; and the shapes the inference finds for a model
 * without value_info reach the viewer in a message after the graph's, not in it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkModel } from '../../../src/core/onnx/check';
import { openModel } from '../../../src/core/onnx/decode';
import { inferShapes } from '../../../src/core/onnx/shapes';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { viewGraph, viewShapes } from '../../../src/core/operations/viewGraph';
import { unpackGraph } from '../../../src/shared/packedGraph';
import { applyInferredShapes, parseShapesMessage } from '../../../src/shared/protocol';
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

test('the graph message carries the declared types only; the shapes message after it gives the inferred ones to the same tensors', async () => {
  const model = await openModel(generatedModel('transformer.onnx'));
  const labels = { format: 'Format', producer: 'Producer', opsets: 'Opsets', graph: 'Graph', nodes: 'Nodes' };
  const declared = new Set([...model.graph.valueInfo, ...model.graph.outputs, ...model.graph.inputs].map((v) => v.name));
  const shapes = await inferShapes(model);
  // what the host posts first, and (structured-cloned as postMessage does) what it posts once the inference is done
  const graph = unpackGraph(structuredClone(viewGraph({ model, labels }).graph));
  const message = structuredClone({ type: 'shapes', load: 3, ...viewShapes({ model, labels, shapes }) });
  const before = graph.tensors.slice();
  let onlyInferred = 0;
  for (const t of before) {
    if (t.kind === 'initializer' || declared.has(t.name) || !shapes.inferred.has(t.name) || !shapes.types.get(t.name)!.shape) continue;
    assert.equal(t.shape, undefined, `${t.name}: an inferred shape is not in the graph message`);
    onlyInferred++;
  }
  const parsed = parseShapesMessage(message, { load: 3, tensors: graph.tensors.length });
  assert.ok(parsed, 'the shapes message is valid for the graph');
  assert.equal(parsed.load, 3);
  assert.equal(applyInferredShapes(graph, parsed), parsed.tensors.length);
  let filled = 0;
  graph.tensors.forEach((t, i) => {
    const old = before[i]!;
    assert.equal(t.name, old.name);
    if (declared.has(t.name) || t.kind === 'initializer') {
      assert.deepEqual(t.shape, old.shape, `${t.name}: a declared shape is kept`);
    } else if (shapes.inferred.has(t.name)) {
      assert.deepEqual(t.shape ?? null, shapes.types.get(t.name)!.shape, t.name);
      if (!old.shape && t.shape) filled++;
    }
  });
  assert.equal(filled, onlyInferred, 'every inferred-only shape arrives with the shapes message');
  const undeclared = graph.tensors.filter((t) => t.kind === 'intermediate' && !declared.has(t.name)).length;
  assert.ok(filled > undeclared / 2, `${filled} of ${undeclared} undeclared values got a shape`);
});
