/**
 * The file a real remote benchmark saves (loopback OpenSSH, stand-in msame and qnn-net-run, the
 * local CPU run with onnxruntime-node) reads back into the results view with its samples; a file of
 * the first format (no samples) still reads.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { latencyStats } from '../../../src/core/benchmark/stats';
import { resultsFromSavedJson } from '../../../src/shared/results';
import { sshdAvailable, startLoopbackSshd, type LoopbackSshd } from '../remote/loopbackSshd';
import { tinyOnnxModel } from '../remote/tinyModel';

let server: LoopbackSshd;
let work: string;
const skip = !sshdAvailable && 'OpenSSH server (openssh-server) is not installed';

before(async () => {
  if (skip) return;
  server = await startLoopbackSshd();
  work = mkdtempSync(path.join(tmpdir(), 'npu-port-results-'));
  writeFileSync(path.join(work, 'hosts.json'), JSON.stringify([server.ascendHost, server.qnnHost]));
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function benchmark(args: string[]): Promise<void> {
  let out = '';
  const code = await main(['remote', 'benchmark', '--hosts', path.join(work, 'hosts.json'), '--known-hosts', server.knownHosts, ...args], {
    env: {}, cwd: work, stdout: (s) => (out += s), stderr: (s) => (out += s), signal: new AbortController().signal,
  });
  assert.equal(code, 0, out);
}

test('a QNN benchmark with the CPU run beside it saves both sets of samples, and the view reads them', { skip }, async () => {
  const ctxBin = path.join(work, 'edge.bin');
  copyFileSync(tinyOnnxModel(), ctxBin);
  const onnx = path.join(work, 'edge.onnx');
  copyFileSync(tinyOnnxModel(), onnx);
  await benchmark(['--host', 'qnn-loopback', ctxBin, '--input-list', 'inputs.txt', '--cpu-onnx', onnx, '--loop', '7']);
  const file = path.join(work, 'edge.benchmark.json');
  const results = resultsFromSavedJson(JSON.parse(readFileSync(file, 'utf8')), file);
  assert.ok(results?.npu && results.cpu, JSON.stringify(results));
  // the stand-in's three profiled iterations (constructed values, µs → ms)
  assert.deepEqual(results.npu.samplesMs, [2714.698, 2714, 2716]);
  assert.equal(results.npu.tool, 'qnn-net-run');
  assert.equal(results.npu.host, 'qnn-loopback');
  assert.equal(results.npu.model, 'edge.bin');
  assert.equal(results.source, 'edge.benchmark.json');
  assert.ok(results.npu.when && !Number.isNaN(Date.parse(results.npu.when)));
  // the CPU run: 7 timed runs, and its statistics are those of its samples
  assert.equal(results.cpu.model, 'edge.onnx');
  assert.equal(results.cpu.samplesMs?.length, 7);
  assert.deepEqual(results.cpu.stats, latencyStats(results.cpu.samplesMs!, 1));
});

test('an Ascend benchmark with msame reads back; a file of the first format (no loop, time or samples) reads the same figures', { skip }, async () => {
  const om = path.join(work, 'bench.om');
  copyFileSync(tinyOnnxModel(), om);
  await benchmark(['--host', 'ascend-loopback', om, '--loop', '20']);
  const file = path.join(work, 'bench.benchmark.json');
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const results = resultsFromSavedJson(saved, file);
  assert.ok(results?.npu, JSON.stringify(saved));
  assert.equal(results.npu.tool, 'msame');
  assert.equal(results.npu.iterations, 20);
  assert.equal(results.cpu, undefined);
  // msame prints per-run times in some versions and only averages in others: either the statistics
  // are those of the samples, or the averages as printed (the stand-in's "without first time" mean)
  if (results.npu.samplesMs) assert.deepEqual(results.npu.stats, latencyStats(results.npu.samplesMs, 1));
  else assert.equal(results.npu.stats.mean, 105.422889);
  const { loop: _loop, when: _when, samplesMs: _samples, ...first } = saved;
  const old = resultsFromSavedJson(first, file);
  assert.deepEqual(old?.npu?.stats, results.npu.stats);
  assert.equal(old?.npu?.samplesMs, undefined);
  assert.equal(old?.npu?.iterations, undefined);
});
