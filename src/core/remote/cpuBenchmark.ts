/**
 * The local CPU side of the NPU vs CPU table: the same ONNX model with onnxruntime-node on this
 * machine, seeded random inputs of the model's shapes (a symbolic first dimension = batch, other
 * symbolic dimensions 1), a few warm-up runs, then `loop` timed runs. The loop and the statistics
 * are `npu-port onnx run`'s (src/core/onnx/run/benchmark.ts), so both CPU figures are measured alike.
 */
import { openModel } from '../onnx/decode';
import { benchmarkModel } from '../onnx/run/benchmark';
import { feedInputs } from '../onnx/run/inputs';
import { feedsFor } from '../onnx/transform/probe';
import type { LatencyStats } from './benchmarkStats';

export interface CpuBenchmark {
  readonly stats: LatencyStats;
  /** Milliseconds per timed run, in run order. */
  readonly samplesMs: readonly number[];
}

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
