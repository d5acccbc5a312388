import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { encodeNpy } from '../../../src/core/onnx/run/npy';
import { REPO_ROOT } from '../repo';
import { PYTHON, edgesamDecoder, onnxTool, scratch, type PySummary } from './fixtures';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    env: {}, cwd: path.dirname(scratch('x')), stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('onnx extract --module writes a checked standalone model and says it reproduces the original', async () => {
  const out = scratch('cli_upscaling.onnx');
  rmSync(out, { force: true });
  const r = await cli('onnx', 'extract', edgesamDecoder(), '--module', 'mask_decoder/output_upscaling', '-o', out, '--dim', 'num_points=5');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /reproduces the original tensors/);
  const summary = onnxTool<PySummary>('summary', out);
  assert.equal(summary.ops['ConvTranspose'], 2);
  assert.deepEqual(summary.inputs.map((i) => i[0]), ['/mask_decoder/Reshape_output_0']);
});

test('onnx rewrite reports each rule, writes the model, and speaks Chinese with --lang zh-cn', async () => {
  const out = scratch('cli_rewritten.onnx');
  const r = await cli('--lang', 'zh-cn', 'onnx', 'rewrite', edgesamDecoder(), '--apply', 'abs-to-relu,squeeze-to-reshape', '--input-shape', 'point_coords=1,5,2', '--input-shape', 'point_labels=1,5', '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /abs-to-relu: 已应用/);
  assert.match(r.out, /最大绝对误差/);
  const summary = onnxTool<PySummary>('summary', out);
  assert.equal(summary.ops['Abs'] ?? 0, 0);
  assert.equal(summary.ops['Squeeze'] ?? 0, 0);
  // --node limits a one-node rule to the nodes named: one of the decoder's Squeeze/Unsqueeze nodes goes
  const before = onnxTool<PySummary>('summary', edgesamDecoder());
  const one = await cli('onnx', 'rewrite', edgesamDecoder(), '--apply', 'squeeze-to-reshape', '--node', '/mask_decoder/Squeeze', '--dim', 'num_points=5', '-o', out);
  assert.equal(one.code, 0, one.err);
  const scoped = onnxTool<PySummary>('summary', out);
  assert.equal(scoped.ops['Squeeze'] ?? 0, (before.ops['Squeeze'] ?? 0) - 1);
  assert.equal(scoped.ops['Unsqueeze'], before.ops['Unsqueeze']);
  const unknown = await cli('onnx', 'rewrite', edgesamDecoder(), '--apply', 'abs-to-relu', '--node', 'no/such/node', '-o', out);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no node named "no\/such\/node"/);
  const bad = await cli('onnx', 'rewrite', edgesamDecoder(), '--apply', 'no-such-rule', '-o', out);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /Unknown rewrite rule "no-such-rule"/);
});

test('onnx run saves outputs numpy reads, and compare finds a changed tensor', async () => {
  const dir = scratch('cli_run_out');
  rmSync(dir, { recursive: true, force: true });
  const r = await cli('onnx', 'run', edgesamDecoder(), '--iterations', '3', '--warmup', '1', '--dim', 'num_points=5', '--outputs', dir, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { latencyMs: { count: number; p50: number; throughput: number }; saved: string[] };
  assert.equal(report.latencyMs.count, 3);
  assert.ok(report.latencyMs.throughput > 0);
  const shape = execFileSync(PYTHON, ['-c', `import numpy as np; print(np.load(${JSON.stringify(path.join(dir, 'masks.npy'))}).shape)`], { encoding: 'utf8' }).trim();
  assert.equal(shape, '(1, 4, 32, 32)');
  // A "device" result: the same scores, masks shifted by 0.5.
  const device = scratch('cli_device_out');
  mkdirSync(device, { recursive: true });
  execFileSync(PYTHON, ['-c', [
    'import numpy as np, sys',
    `a = np.load(${JSON.stringify(path.join(dir, 'masks.npy'))}); np.save(${JSON.stringify(path.join(device, 'masks.npy'))}, (a + 0.5).astype(np.float32))`,
    `np.save(${JSON.stringify(path.join(device, 'scores.npy'))}, np.load(${JSON.stringify(path.join(dir, 'scores.npy'))}))`,
  ].join('\n')]);
  const same = await cli('compare', dir, dir);
  assert.equal(same.code, 0, same.out + same.err);
  const differs = await cli('compare', dir, device, '--format', 'json');
  assert.equal(differs.code, 1);
  const tensors = (JSON.parse(differs.out) as { tensors: { name: string; pass: boolean; maxAbsError: number; iou: number }[] }).tensors;
  const masks = tensors.find((t) => t.name === 'masks')!;
  assert.equal(masks.pass, false);
  assert.ok(Math.abs(masks.maxAbsError - 0.5) < 1e-6);
  assert.ok(masks.iou < 1);
  assert.equal(tensors.find((t) => t.name === 'scores')!.pass, true);
});

test('onnx run takes inputs from .npy files', async () => {
  const inputs = scratch('cli_inputs');
  mkdirSync(inputs, { recursive: true });
  writeFileSync(path.join(inputs, 'point_labels.npy'), encodeNpy({ elemType: 'int64', dims: [1, 3], data: BigInt64Array.of(1n, 0n, -1n) }));
  const r = await cli('onnx', 'run', edgesamDecoder(), '--inputs', inputs, '--iterations', '1', '--warmup', '0', '--dim', 'num_points=3', '--no-save', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { inputs: { name: string; dims: number[] }[] };
  assert.deepEqual(report.inputs.find((i) => i.name === 'point_labels')!.dims, [1, 3]);
  assert.ok(!existsSync(path.join(path.dirname(scratch('x')), 'edgesam_decoder.outputs')));
});

test('onnx bisect runs a compile command per part, resumes from its record, and saves the whitelist profile', async () => {
  const work = scratch('bisect_ws');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const standin = path.join(REPO_ROOT, 'test/fixtures/transform/standin-compiler.js');
  const command = `"${process.execPath}" "${standin}"`;
  const run = async () => {
    let out = '';
    let err = '';
    process.env['NPU_PORT_REJECT'] = 'Abs,Squeeze';
    try {
      const code = await main(['onnx', 'bisect', edgesamDecoder(), '--compile-cmd', command, '--dim', 'num_points=5', '--profile', 'standin', '--format', 'json'], {
        env: {}, cwd: work, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, signal: new AbortController().signal,
      });
      return { code, out, err };
    } finally {
      delete process.env['NPU_PORT_REJECT'];
    }
  };
  const first = await run();
  assert.equal(first.code, 1, first.err);
  const result = JSON.parse(first.out) as { failingOps: string[]; failingNodes: { name: string; message: string }[]; compiles: number; whitelist: string[] };
  assert.deepEqual(result.failingOps, ['Abs', 'Squeeze']);
  assert.equal(result.failingNodes.length, 2);
  assert.match(result.failingNodes[0]!.message, /EZ3003/);
  const profile = JSON.parse(readFileSync(path.join(work, '.npu-port', 'profiles', 'standin.json'), 'utf8')) as { kind: string; ops: string[] };
  assert.equal(profile.kind, 'whitelist');
  assert.ok(profile.ops.includes('Gather') && !profile.ops.includes('Abs'));
  const second = await run();
  const resumed = JSON.parse(second.out) as { compiles: number; reused: number };
  assert.equal(resumed.compiles, 0);
  assert.equal(resumed.reused, result.compiles);
});
