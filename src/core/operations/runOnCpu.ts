/**
 * The user action "run a model on this machine's CPU" (`npu-port onnx run`, NPU: Run ONNX Model on CPU):
 * the inputs (given values, the rest seeded random), warm-up runs, timed runs with latency statistics,
 * and the outputs.
 */
import { benchmarkModel, type BenchmarkResult } from '../benchmark/cpu';
import type { Model } from '../onnx/model';
import type { RandomInputOptions } from '../onnx/run/inputs';
import type { ArrayValue } from '../onnx/run/values';
import { feedsFor } from '../onnx/transform/probe';
import { wholeNumber, type OperationRequest } from './types';

export const DEFAULT_ITERATIONS = 10;
export const DEFAULT_WARMUP = 3;

export interface RunOnCpuRequest extends OperationRequest {
  /** The model file (onnxruntime opens it, so external data is found beside it). */
  readonly file: string;
  /** The same model decoded (for its inputs). */
  readonly model: Model;
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  /** Timed runs (default DEFAULT_ITERATIONS) after warm-up runs (default DEFAULT_WARMUP). */
  readonly iterations?: number;
  readonly warmup?: number;
}

export interface RunOnCpuResult extends BenchmarkResult {
  readonly iterations: number;
  readonly warmup: number;
  /** The values the model ran on. */
  readonly feeds: Readonly<Record<string, ArrayValue>>;
}

export async function runOnCpu(request: RunOnCpuRequest): Promise<RunOnCpuResult> {
  const iterations = wholeNumber(request.iterations, 'iterations', DEFAULT_ITERATIONS, 1);
  const warmup = wholeNumber(request.warmup, 'warmup', DEFAULT_WARMUP, 0);
  const feeds = feedsFor(request.model, { ...(request.inputs ? { inputs: request.inputs } : {}), ...(request.random ? { random: request.random } : {}) });
  const { signal, onProgress } = request;
  const result = await benchmarkModel(request.file, feeds, {
    iterations,
    warmup,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress({ done, total }) } : {}),
  });
  return { ...result, iterations, warmup, feeds };
}
