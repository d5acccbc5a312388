/**
 * The local CPU side of the NPU vs CPU table: the same ONNX model with onnxruntime-node on this
 * machine, random inputs of the model's shapes (symbolic dimensions = batch for the first axis, 1
 * elsewhere), a few warm-up runs, then `loop` timed runs.
 */
import { msg } from '../l10n';
import { latencyStats, type LatencyStats } from './benchmarkStats';
import { RemoteError } from './errors';

type Ort = typeof import('onnxruntime-node');

function inputData(type: string, size: number): { data: ArrayBufferView | string[]; type: string } {
  switch (type) {
    case 'float32':
      return { type, data: Float32Array.from({ length: size }, () => Math.random()) };
    case 'float64':
      return { type, data: Float64Array.from({ length: size }, () => Math.random()) };
    case 'int64':
      return { type, data: BigInt64Array.from({ length: size }, () => 0n) };
    case 'int32':
      return { type, data: new Int32Array(size) };
    case 'int8':
      return { type, data: new Int8Array(size) };
    case 'uint8':
      return { type, data: new Uint8Array(size) };
    case 'bool':
      return { type, data: new Uint8Array(size) };
    case 'float16':
      return { type, data: new Uint16Array(size).fill(0x3c00) };
    default:
      throw new RemoteError(msg('The CPU run cannot make inputs of type {0}.', type));
  }
}

export async function cpuBenchmark(modelPath: string, o: { loop: number; batch?: number; warmup?: number; signal?: AbortSignal }): Promise<LatencyStats> {
  const ort: Ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  try {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const meta of session.inputMetadata) {
      if (!meta.isTensor) throw new RemoteError(msg('The CPU run supports tensor inputs only ({0}).', meta.name));
      const dims = meta.shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? (o.batch ?? 1) : 1));
      const size = dims.reduce((a, b) => a * b, 1);
      const { data, type } = inputData(meta.type, size);
      feeds[meta.name] = new ort.Tensor(type as 'float32', data as Float32Array, dims);
    }
    for (let i = 0; i < (o.warmup ?? 3); i++) await session.run(feeds);
    const samples: number[] = [];
    for (let i = 0; i < o.loop; i++) {
      o.signal?.throwIfAborted();
      const start = process.hrtime.bigint();
      await session.run(feeds);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return latencyStats(samples, o.batch ?? 1)!;
  } finally {
    await session.release();
  }
}
