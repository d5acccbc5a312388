import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openModel, decodeModel } from '../../../src/core/onnx/decode';
import { whitelistProfile } from '../../../src/core/onnx/targets';
import { bisectCompile, whitelistProfileJson, type CompileRecordEntry, type PartCompiler } from '../../../src/core/onnx/transform/bisect';
import { decoderFacts, edgesamDecoder } from './fixtures';

const REJECTED = ['Abs', 'Sin', 'Cos', 'Erf', 'Squeeze'];

/**
 * TEST STAND-IN for an NPU compiler (not a real tool): it refuses the configured op types and, like ATC
 * and QNN, reports only the first one it meets, then stops.
 */
function standInCompiler(rejected: readonly string[]): PartCompiler & { calls: number } {
  const compiler = Object.assign(async (bytes: Uint8Array) => {
    compiler.calls++;
    const model = decodeModel(bytes);
    const first = model.graph.nodes.find((n) => rejected.includes(n.opType));
    return first ? { ok: false, message: `EZ3003: No supported Ops kernel and engine are found for [${first.name}], optype [${first.opType}].` } : { ok: true };
  }, { calls: 0 });
  return compiler;
}

test('bisection finds every node the compiler refuses, though it reports one at a time, and builds the whitelist', async () => {
  const model = await openModel(edgesamDecoder());
  const facts = decoderFacts();
  const compiler = standInCompiler(REJECTED);
  const record: CompileRecordEntry[] = [];
  const result = await bisectCompile(model, compiler, { random: { seed: 2, dims: { num_points: 5 } }, onCompiled: (e) => { record.push(e); } });
  assert.deepEqual([...result.failingOps], [...REJECTED].sort());
  // Every refused node, found on its own: the model's count of each rejected op (Python's count).
  const expected = REJECTED.reduce((sum, op) => sum + (facts.ops[op] ?? 0), 0);
  assert.equal(result.failingNodes.length, expected);
  assert.deepEqual(result.failingTogether, []);
  // The whitelist is every other op of the model: each other node compiled in some passing part.
  assert.deepEqual([...result.whitelist], Object.keys(facts.ops).filter((op) => !REJECTED.includes(op)).sort());
  assert.equal(result.compiles, compiler.calls);
  assert.equal(record.length, result.compiles);
  assert.ok(result.failingNodes.some((n) => n.module === 'mask_decoder/output_upscaling/output_upscaling.2' && n.opType === 'Erf'));
  // The profile loads as a whitelist target that `onnx check` and the viewer use.
  const profile = whitelistProfile(whitelistProfileJson('edgesam-standin', result, 'edgesam_decoder.onnx'));
  assert.equal(profile.ops.has('Gather'), true);
  assert.equal(profile.ops.has('Erf'), false);
  // Resumed from the record: nothing is compiled again, and the answer is the same.
  const again = standInCompiler(REJECTED);
  const resumed = await bisectCompile(model, again, { random: { seed: 2, dims: { num_points: 5 } }, record });
  assert.equal(again.calls, 0);
  assert.equal(resumed.reused, result.compiles);
  assert.deepEqual(resumed.failingOps, result.failingOps);
});

test('a failure that needs two nodes together is reported as such, not blamed on one op', async () => {
  const model = await openModel(edgesamDecoder());
  // Refuses any part holding both Sin and Cos (say, a fused-pattern bug), accepts each alone.
  const compiler: PartCompiler = async (bytes) => {
    const ops = new Set(decodeModel(bytes).graph.nodes.map((n) => n.opType));
    return ops.has('Sin') && ops.has('Cos') ? { ok: false, message: 'pattern failure' } : { ok: true };
  };
  const result = await bisectCompile(model, compiler, { random: { seed: 2, dims: { num_points: 5 } } });
  assert.deepEqual(result.failingNodes, []);
  assert.ok(result.failingTogether.length >= 1);
  for (const part of result.failingTogether) assert.ok(part.nodes.length >= 2);
});
