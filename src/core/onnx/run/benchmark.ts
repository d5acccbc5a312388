/**
 * Local CPU inference with timing, the way seed 004's benchmark measures: warm-up runs first (not
 * counted), then N timed runs, each from feeding the inputs to having the outputs. The statistics are the
 * remote benchmark's (src/core/remote/benchmarkStats.ts), so CPU and NPU figures are computed one way.
 */
import { latencyStats, type LatencyStats } from '../../remote/benchmarkStats';
import { InferenceSession } from './ort';
import type { ArrayValue } from './values';

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
