import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  histogram,
  niceWidth,
  parseBenchmarkResults,
  parseResultsHostMessage,
  parseResultsWebviewMessage,
  resultsFromSavedJson,
  speedUp,
  withCpuRun,
  type BenchmarkRun,
} from '../../../src/shared/results';
import { latencyStats } from '../../../src/core/benchmark/stats';

test('histogram with a forced bin count: edges from min to max, the max in the last bin', () => {
  const h = histogram([1, 2, 2, 3, 3, 3, 4, 4, 4, 4], { bins: 3 });
  // width (4 - 1) / 3 = 1: [1,2) [2,3) [3,4]
  assert.equal(h.start, 1);
  assert.equal(h.width, 1);
  assert.deepEqual(h.counts, [1, 2, 7]);
  assert.equal(h.overflow, 0, 'a forced bin count covers every sample');
  assert.deepEqual(histogram([0, 10], { bins: 5 }).counts, [1, 0, 0, 0, 1]);
});

test('histogram picks nice edges: width 1, 2, 2.5 or 5 × 10^k, first edge a multiple of it', () => {
  assert.equal(niceWidth(0.7), 1);
  assert.equal(niceWidth(1.2), 2);
  assert.equal(niceWidth(2.2), 2.5);
  assert.equal(niceWidth(3), 5);
  assert.equal(niceWidth(0.031), 0.05);
  assert.equal(niceWidth(40), 50);
  // 100 samples spread evenly over [10, 19.9]: IQR 17.425 − 12.475 = 4.95, Freedman–Diaconis width
  // 2·4.95/∛100 = 2.13 → ⌈9.9 / 2.13⌉ = 5 bins of 1.98 ms, rounded up to width 2 from 10: 20 samples each
  const samples = Array.from({ length: 100 }, (_, i) => 10 + i * 0.1);
  const h = histogram(samples);
  assert.equal(h.start, 10);
  assert.equal(h.width, 2);
  assert.deepEqual(h.counts, [20, 20, 20, 20, 20]);
  assert.equal(h.overflow, 0);
  // a far outlier: Q1 1.2, Q3 1.6, fence 1.6 + 3·0.4 = 2.8; 9.6 goes to overflow. The rest: FD width
  // 2·0.4/∛8 = 0.4 → ⌈0.7/0.4⌉ = 2 bins of 0.35, nice 0.5 from 1: [1, 1.5) holds 5, [1.5, 2] holds 3
  const tail = histogram([1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 9.6]);
  assert.deepEqual(tail, { start: 1, width: 0.5, counts: [5, 3], overflow: 1 });
  assert.equal(h.counts.reduce((a, b) => a + b, 0), samples.length);
});

test('histogram: equal samples make one bin; no samples make none; maxBins caps the count', () => {
  const one = histogram([5, 5, 5]);
  assert.deepEqual(one.counts, [3]);
  assert.ok(one.start <= 5 && 5 < one.start + one.width);
  assert.deepEqual(histogram([]).counts, []);
  const many = Array.from({ length: 10_000 }, (_, i) => i);
  const capped = histogram(many, { maxBins: 8 });
  assert.ok(capped.counts.length <= 8, String(capped.counts.length));
  assert.equal(capped.counts.reduce((a, b) => a + b, 0), many.length);
  // the largest sample is inside the last bin
  assert.ok(capped.start + capped.width * capped.counts.length >= 9999);
});

test('speed-up: latencies CPU ÷ NPU, throughput NPU ÷ CPU, nothing when a figure is missing', () => {
  const npu: BenchmarkRun = { device: 'npu', model: 'm.om', stats: { mean: 3, p50: 2.5, throughput: 333.3 } };
  const cpu: BenchmarkRun = { device: 'cpu', model: 'm.onnx', stats: { mean: 45, p50: 40, throughput: 22.2 } };
  assert.equal(speedUp({ npu, cpu }, 'mean'), 15);
  assert.equal(speedUp({ npu, cpu }, 'p50'), 16);
  assert.ok(Math.abs(speedUp({ npu, cpu }, 'throughput')! - 333.3 / 22.2) < 1e-12);
  assert.equal(speedUp({ npu, cpu }, 'p99'), undefined);
  assert.equal(speedUp({ cpu }, 'mean'), undefined);
});

test('a saved benchmark JSON of the first format (no samples) reads; the extended one brings its samples', () => {
  // the remote benchmark task's file as first written (msame: a mean only)
  const old = resultsFromSavedJson({ version: 1, host: 'ascend-loopback', model: 'bench.om', tool: 'msame', batch: 1, npu: { count: 20, mean: 105.422889, throughput: 9.4856 } }, '/x/bench.benchmark.json');
  assert.deepEqual(old, {
    npu: { device: 'npu', model: 'bench.om', tool: 'msame', host: 'ascend-loopback', stats: { count: 20, mean: 105.422889, throughput: 9.4856 }, batch: 1 },
    source: 'bench.benchmark.json',
  });
  const cpuStats = latencyStats([40, 50, 45])!;
  const extended = resultsFromSavedJson({
    version: 1, host: 'qnn', model: 'ctx.bin', tool: 'qnn-net-run', batch: 1, loop: 3, when: '2026-11-23T22:00:00.000Z', cpuModel: 'ctx.onnx',
    npu: latencyStats([2714.698, 2714, 2716]), cpu: cpuStats, samplesMs: { npu: [2714.698, 2714, 2716], cpu: [40, 50, 45] },
  });
  assert.deepEqual(extended?.npu?.samplesMs, [2714.698, 2714, 2716]);
  assert.equal(extended?.npu?.iterations, 3);
  assert.equal(extended?.npu?.when, '2026-11-23T22:00:00.000Z');
  assert.deepEqual(extended?.cpu?.samplesMs, [40, 50, 45]);
  assert.equal(extended?.cpu?.model, 'ctx.onnx');
  assert.equal(extended?.cpu?.stats.p50, 45);
  // the CLI's remote JSON (fields under stats) and npu-port onnx run --format json
  const cli = resultsFromSavedJson({ version: 1, task: 'benchmark', host: 'h', exitCode: 0, diagnostics: [], artifacts: [], stats: { tool: 'ais_bench', batch: 1, npu: { mean: 2.456, p99: 2.456 } } });
  assert.deepEqual(cli?.npu?.stats, { mean: 2.456, p99: 2.456 });
  assert.equal(cli?.npu?.host, 'h');
  const run = resultsFromSavedJson({ version: 1, model: 'models/m.onnx', iterations: 3, warmup: 1, loadMs: 5, latencyMs: cpuStats, samplesMs: [40, 50, 45] });
  assert.deepEqual(run, { cpu: { device: 'cpu', model: 'm.onnx', tool: 'onnxruntime-node', stats: cpuStats, samplesMs: [40, 50, 45], iterations: 3, warmup: 1 } });
  // anything else is not results
  assert.equal(resultsFromSavedJson({ version: 1, hello: 'world' }), undefined);
  assert.equal(resultsFromSavedJson([1, 2]), undefined);
  assert.equal(resultsFromSavedJson({ tool: 'msame', npu: 'fast' }), undefined);
});

test('bad figures and samples in a file are dropped or refused, never passed on', () => {
  const r = resultsFromSavedJson({ tool: 'msame', model: 'm.om', npu: { mean: -1, min: 'x', max: 4, p50: Infinity }, samplesMs: { npu: [1, 'two'] } });
  assert.deepEqual(r?.npu?.stats, { max: 4 });
  assert.equal(r?.npu?.samplesMs, undefined);
});

test('restored state and results messages are checked field by field', () => {
  const cpu = { device: 'cpu', model: 'm.onnx', stats: { mean: 2 }, samplesMs: [1, 2, 3], iterations: 3, when: '2026-11-23T22:00:00Z' };
  assert.deepEqual(parseBenchmarkResults({ cpu }), { cpu });
  assert.equal(parseBenchmarkResults({}), undefined, 'no run');
  assert.equal(parseBenchmarkResults({ npu: cpu }), undefined, 'a CPU run in the NPU column');
  assert.equal(parseBenchmarkResults({ cpu: { ...cpu, samplesMs: [1, -2] } }), undefined, 'negative latency');
  assert.equal(parseBenchmarkResults({ cpu: { ...cpu, iterations: 2.5 } }), undefined);
  assert.equal(parseBenchmarkResults({ cpu: { ...cpu, model: '' } }), undefined);
  assert.equal(parseBenchmarkResults({ cpu: { ...cpu, host: { toString: 1 } } }), undefined);
  assert.equal(parseBenchmarkResults({ cpu: { ...cpu, samplesMs: new Array(100_001).fill(1) } }), undefined, 'too many samples');
  assert.equal(parseBenchmarkResults({ cpu, source: 7 }), undefined);
  assert.deepEqual(parseResultsHostMessage({ type: 'results', results: { cpu } }), { type: 'results', results: { cpu } });
  assert.equal(parseResultsHostMessage({ type: 'results', results: { npu: 1 } }), undefined);
  assert.deepEqual(parseResultsHostMessage({ type: 'init', l10n: { a: 'b' } }), { type: 'init', l10n: { a: 'b' } });
  assert.equal(parseResultsHostMessage({ type: 'init', l10n: 'x' }), undefined);
});

test('webview messages: exactly the known shapes, nothing extra', () => {
  assert.deepEqual(parseResultsWebviewMessage({ type: 'ready' }), { type: 'ready' });
  // the buttons' actions are requests: the view hears when they end
  for (const type of ['openFile', 'runCpu']) {
    assert.deepEqual(parseResultsWebviewMessage({ type, requestId: 3 }), { type, requestId: 3 });
    assert.equal(parseResultsWebviewMessage({ type }), undefined);
    assert.equal(parseResultsWebviewMessage({ type, requestId: -1 }), undefined);
    assert.equal(parseResultsWebviewMessage({ type, requestId: 1.5 }), undefined);
  }
  assert.deepEqual(parseResultsWebviewMessage({ type: 'copyText', text: '| a |' }), { type: 'copyText', text: '| a |' });
  assert.equal(parseResultsWebviewMessage({ type: 'ready', extra: 1 }), undefined);
  assert.equal(parseResultsWebviewMessage({ type: 'copyText', text: 5 }), undefined);
  assert.equal(parseResultsWebviewMessage({ type: 'copyText', text: 'x'.repeat(65537) }), undefined);
  assert.equal(parseResultsWebviewMessage({ type: 'runCommand', command: 'rm' }), undefined);
  assert.equal(parseResultsWebviewMessage(null), undefined);
  assert.equal(parseResultsWebviewMessage('ready'), undefined);
  assert.equal(parseResultsWebviewMessage({ type: ['ready'] }), undefined);
});

test('a new CPU run keeps the NPU column of the same model and drops another model\'s', () => {
  const npu: BenchmarkRun = { device: 'npu', model: 'edge.om', stats: { mean: 3 } };
  const cpu: BenchmarkRun = { device: 'cpu', model: 'edge.onnx', stats: { mean: 45 } };
  assert.deepEqual(withCpuRun({ npu, source: 'edge.benchmark.json' }, cpu), { npu, cpu, source: 'edge.benchmark.json' });
  assert.deepEqual(withCpuRun({ npu }, { ...cpu, model: 'other.onnx' }), { cpu: { ...cpu, model: 'other.onnx' } });
  assert.deepEqual(withCpuRun(undefined, cpu), { cpu });
});
