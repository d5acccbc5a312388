/**
 * Local CPU inference with timing: warm-up runs first (not counted), then N timed runs, each from
 * feeding the inputs to having the outputs. `npu-port onnx run`, "Run ONNX Model on CPU" and the CPU
 * column beside an NPU benchmark all measure through `benchmarkModel`, and the statistics are
 * `latencyStats` (./stats.ts), the NPU figures' too, so CPU and NPU figures are computed one way.
 */
import { openModel } from '../onnx/decode';
import { feedInputs } from '../onnx/run/inputs';
import { InferenceSession } from '../onnx/run/ort';
import type { ArrayValue } from '../onnx/run/values';
import { feedsFor } from '../onnx/transform/probe';
import { latencyStats, type LatencyStats } from './stats';

export interface BenchmarkOptions {
  readonly iterations?: number;
  readonly warmup?: number;
  /** Batch size for throughput (inferences per run). Default: the first dimension of the first input, else 1. */
  readonly batch?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BenchmarkResult {
  readonly outputs: Record<string, ArrayValue>;
  /** Milliseconds per timed run, in run order. */
  readonly samplesMs: readonly number[];
  readonly stats: LatencyStats | undefined;
  /** Session creation (model load and graph optimization), ms. */
  readonly loadMs: number;
}

export async function benchmarkModel(model: Uint8Array | string, feeds: Readonly<Record<string, ArrayValue>>, options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const iterations = Math.max(1, options.iterations ?? 10);
  const warmup = Math.max(0, options.warmup ?? 3);
  const t0 = performance.now();
  const session = await InferenceSession.create(model);
  const loadMs = performance.now() - t0;
  try {
    let outputs: Record<string, ArrayValue> = {};
    for (let i = 0; i < warmup; i++) {
      options.signal?.throwIfAborted();
      outputs = await session.run(feeds);
    }
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      options.signal?.throwIfAborted();
      const start = performance.now();
      outputs = await session.run(feeds);
      samples.push(performance.now() - start);
      options.onProgress?.(i + 1, iterations);
    }
    const first = Object.values(feeds)[0];
    const batch = options.batch ?? (first && first.dims.length > 1 ? first.dims[0]! : 1);
    return { outputs, samplesMs: samples, stats: latencyStats(samples, batch), loadMs };
  } finally {
    await session.release();
  }
}

export interface CpuBenchmark {
  readonly stats: LatencyStats;
  /** Milliseconds per timed run, in run order. */
  readonly samplesMs: readonly number[];
}

/**
 * The local CPU side of the NPU vs CPU table: the same ONNX model on this machine, seeded random
 * inputs of the model's shapes (a symbolic first dimension = batch, other symbolic dimensions 1), a few
 * warm-up runs, then `loop` timed runs.
 */
export async function cpuBenchmark(modelPath: string, o: { loop: number; batch?: number; warmup?: number; signal?: AbortSignal }): Promise<CpuBenchmark> {
  const model = await openModel(modelPath, o.signal ? { signal: o.signal } : {});
  const dims: Record<string, number> = {};
  for (const input of feedInputs(model.graph)) {
    const first = input.type?.kind === 'tensor' ? input.type.shape?.[0] : undefined;
    if (typeof first === 'string') dims[first] = o.batch ?? 1;
  }
  const feeds = feedsFor(model, { random: { seed: 0, dims } });
  const result = await benchmarkModel(modelPath, feeds, {
    iterations: Math.max(1, o.loop),
    warmup: o.warmup ?? 3,
    batch: o.batch ?? 1,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { stats: result.stats!, samplesMs: result.samplesMs };
}
