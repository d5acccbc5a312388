/**
 * Tensor values passed to and returned from inference: element type (the model's names, ./model.ts),
 * dimensions and row-major data. float16 data are the 16-bit patterns (Uint16Array), bool data 0/1 bytes,
 * int64 a BigInt64Array: what onnxruntime and .npy files hold, so values go through unconverted.
 */
import type { ElementType } from '../model';
import type { NumericArray } from '../transform/payload';
import { halfToFloat } from '../transform/payload';

export interface ArrayValue {
  readonly elemType: ElementType;
  readonly dims: readonly number[];
  readonly data: NumericArray | readonly string[];
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** The values as float64 numbers (float16 decoded, int64 converted), for comparisons. */
export function asFloat64(value: ArrayValue): Float64Array {
  const data = value.data;
  if (Array.isArray(data)) return new Float64Array(0);
  if (value.elemType === 'float16') return Float64Array.from(data as Uint16Array, halfToFloat);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data as BigInt64Array, (v) => Number(v));
  return Float64Array.from(data as Float32Array);
}

export function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}
