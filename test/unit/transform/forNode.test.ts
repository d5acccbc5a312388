import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openModel } from '../../../src/core/onnx/decode';
import type { Model } from '../../../src/core/onnx/model';
import { RewriteFinder, rulesForOffer } from '../../../src/core/onnx/transform/rewrite/forNode';
import { rewriteModel } from '../../../src/core/onnx/transform/rewrite/rewrite';
import { decoderFacts, edgesamDecoder } from './fixtures';

let shared: Promise<{ model: Model; finder: RewriteFinder }> | undefined;
function decoder() {
  shared ??= openModel(edgesamDecoder()).then((model) => ({ model, finder: new RewriteFinder(model) }));
  return shared;
}

const rulesOf = (finder: RewriteFinder, node: string) => finder.forNode(node).map((r) => r.rule);

test('each rejected op of the decoder gets its rewrite, and ops without one get none', async () => {
  const { finder } = await decoder();
  assert.deepEqual(rulesOf(finder, '/prompt_encoder/Abs'), ['abs-to-relu']);
  assert.deepEqual(rulesOf(finder, '/mask_decoder/transformer/layers.0/mlp/act/Erf'), ['erf-to-tanh']);
  // the dense positional encoding has only constant inputs: folded; the point encoding reads the inputs: not
  assert.deepEqual(rulesOf(finder, '/pe_layer/Sin'), ['fold-constants']);
  assert.deepEqual(rulesOf(finder, '/prompt_encoder/Sin'), []);
  // Equal read by Where needs a bool; Equal read by Cast(float) on int64 labels becomes arithmetic
  assert.deepEqual(rulesOf(finder, '/prompt_encoder/Equal'), []);
  assert.deepEqual(rulesOf(finder, '/prompt_encoder/Equal_6'), ['equal-cast-to-float']);
  assert.deepEqual(rulesOf(finder, '/mask_decoder/Squeeze'), ['squeeze-to-reshape']);
  assert.deepEqual(rulesOf(finder, '/mask_decoder/Gather').filter((r) => r !== 'fold-constants'), ['gather-to-slice', 'int64-to-int32']);
  assert.deepEqual(finder.forNode('/no/such/node'), []);
});

test('offers say how many nodes the rule rewrites, whether it is exact, and when shapes must be fixed first', async () => {
  const { finder } = await decoder();
  const facts = decoderFacts();
  const erf = finder.forNode('/mask_decoder/output_upscaling/output_upscaling.2/Erf')[0]!;
  assert.equal(erf.exact, false);
  assert.equal(erf.matching, facts.ops.Erf);
  const squeeze = finder.forNode('/mask_decoder/Squeeze')[0]!;
  assert.equal(squeeze.matching, (facts.ops.Squeeze ?? 0) + (facts.ops.Unsqueeze ?? 0));
  assert.equal(squeeze.needsStaticShapes, true, 'num_points is symbolic');
  assert.deepEqual(rulesForOffer(squeeze).map((r) => r.id), ['fix-input-shapes', 'squeeze-to-reshape']);
  const abs = finder.forNode('/prompt_encoder/Abs')[0]!;
  assert.equal(abs.exact, true);
  assert.equal(abs.needsStaticShapes, false);
  assert.deepEqual(rulesForOffer(abs).map((r) => r.id), ['abs-to-relu']);
});

test('running an offer removes the node it was offered for (verified against the original)', async () => {
  const { model, finder } = await decoder();
  const offer = finder.forNode('/mask_decoder/Gather')[0]!;
  assert.equal(offer.rule, 'gather-to-slice');
  const result = await rewriteModel(model, rulesForOffer(offer), { dims: { num_points: 5 }, random: { seed: 3, intLow: -1, intHigh: 3 } });
  const report = result.reports.at(-1)!;
  assert.equal(report.status, 'applied');
  assert.ok(!result.model.graph.nodes.some((n) => n.name === '/mask_decoder/Gather'), 'the Gather is gone');
  assert.ok(report.comparisons.every((c) => c.maxAbsError <= 1e-4 && c.cosine > 0.9999));
});

test('an offer of a one-node rule can be limited to that node: the other matching nodes stay as they were', async () => {
  const { model, finder } = await decoder();
  const facts = decoderFacts();
  assert.ok((facts.ops.Erf ?? 0) > 1, 'the decoder has several Erf nodes');
  const name = '/mask_decoder/output_upscaling/output_upscaling.2/Erf';
  const offer = finder.forNode(name)[0]!;
  assert.equal(offer.perNode, true);
  const result = await rewriteModel(model, rulesForOffer(offer), { nodes: [name], dims: { num_points: 5 }, random: { seed: 3 } });
  const report = result.reports.at(-1)!;
  assert.equal(report.status, 'applied');
  assert.equal(report.changed, 1);
  const erfs = result.model.graph.nodes.filter((n) => n.opType === 'Erf').map((n) => n.name);
  assert.equal(erfs.length, facts.ops.Erf! - 1);
  assert.ok(!erfs.includes(name), 'the chosen Erf is the one rewritten');
  // folding constants is never limited to one node
  const fold = finder.forNode('/pe_layer/Sin')[0]!;
  assert.equal(fold.rule, 'fold-constants');
  assert.equal(fold.perNode, false);
});
