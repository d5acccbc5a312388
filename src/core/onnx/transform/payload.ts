/**
 * Tensor payloads for transforms. A decoded `Tensor` only says where its bytes are (model.ts); tensors a
 * transform creates (folded constants, new shape tensors) carry their bytes in memory. Both stay plain
 * `Tensor` values, so the checker, the text printer and the viewer read transformed models like decoded
 * ones: created tensors are registered here (a WeakMap keyed by the Tensor object), and `PayloadReader`
 * returns the little-endian bytes of either kind on demand, one tensor at a time.
 */
import { msg } from '../../l10n';
import type { ElementType, Model, Tensor } from '../model';
import { BufferSource, FileSource, type ByteSource } from '../reader';
import { elementSize } from '../schema';
import { readTensor, type TensorValueArray } from '../tensor';
import { TransformError } from './errors';

/** Bytes held in memory for a tensor a transform created: little-endian dense values, or strings. */
type InlinePayload = { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'strings'; readonly strings: readonly string[] };

const inlinePayloads = new WeakMap<Tensor, InlinePayload>();

/** Numeric values accepted by `makeTensor` (bool as Uint8Array 0/1; float16 as raw Uint16Array bits). */
export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** A tensor whose values are held in memory (little-endian, row-major). */
export function makeTensor(name: string, elemType: ElementType, dims: readonly number[], values: NumericArray | readonly string[]): Tensor {
  let elementCount = 1;
  for (const d of dims) elementCount *= d;
  const payload: InlinePayload = Array.isArray(values)
    ? { kind: 'strings', strings: values as readonly string[] }
    : { kind: 'bytes', bytes: new Uint8Array((values as NumericArray).buffer, (values as NumericArray).byteOffset, (values as NumericArray).byteLength) };
  const byteLength = payload.kind === 'bytes' ? payload.bytes.byteLength : 0;
  const tensor: Tensor = { name, elemType, dims: [...dims], elementCount, byteLength, data: { kind: 'none' }, fileOffset: -1 };
  inlinePayloads.set(tensor, payload);
  return tensor;
}

/** The same tensor (values, type, shape) under another name. */
export function renameTensor(tensor: Tensor, name: string): Tensor {
  const renamed: Tensor = { ...tensor, name };
  const inline = inlinePayloads.get(tensor);
  if (inline) inlinePayloads.set(renamed, inline);
  return renamed;
}

export function isInlineTensor(tensor: Tensor): boolean {
  return inlinePayloads.has(tensor);
}

/**
 * Reads tensor payloads of one model: from memory (created tensors, or `modelBytes` for a model decoded from
 * bytes), from the model file (one open handle for all reads), or through `readTensor` for typed fields and
 * external data. Call `close()` when done.
 */
export class PayloadReader {
  private source: ByteSource | undefined;

  constructor(private readonly model: Model, private readonly modelBytes?: Uint8Array) {}

  /** Little-endian dense bytes of a numeric tensor (float16/bfloat16 as their 16-bit patterns). */
  async bytes(tensor: Tensor, signal?: AbortSignal): Promise<Uint8Array> {
    const inline = inlinePayloads.get(tensor);
    if (inline) {
      if (inline.kind !== 'bytes') throw new TransformError(msg('Tensor "{0}" holds strings, not numbers.', tensor.name), { names: [tensor.name] });
      return inline.bytes;
    }
    const size = elementSize(tensor.elemType);
    const need = tensor.elementCount * size;
    const data = tensor.data;
    if (data.kind === 'none' || tensor.elementCount === 0) return new Uint8Array(0);
    if (data.kind === 'raw' && size > 0) {
      if (data.length < need) {
        throw new TransformError(msg('Tensor "{0}" stores {1} bytes but its shape needs {2}.', tensor.name, data.length, need), { names: [tensor.name] });
      }
      return this.byteSource().read(data.offset, need);
    }
    if (size === 0) {
      throw new TransformError(msg('Tensor "{0}" has element type {1}, which this tool cannot write.', tensor.name, tensor.elemType), { names: [tensor.name] });
    }
    // Typed fields and external data: values through the decoder's reader, then back to little-endian bytes.
    const { values } = await readTensor(this.model, tensor, { ...(this.modelBytes ? { modelBytes: this.modelBytes } : {}), ...(signal ? { signal } : {}) });
    return valuesToBytes(tensor.elemType, values);
  }

  /** The values of a string tensor. */
  async strings(tensor: Tensor): Promise<readonly string[]> {
    const inline = inlinePayloads.get(tensor);
    if (inline) return inline.kind === 'strings' ? inline.strings : [];
    const { values } = await readTensor(this.model, tensor, this.modelBytes ? { modelBytes: this.modelBytes } : {});
    return values as string[];
  }

  /** Decoded values (float16 as float32, int64 as BigInt64Array), for rewrites that look at constants. */
  async values(tensor: Tensor): Promise<TensorValueArray> {
    if (tensor.elemType === 'string') return [...(await this.strings(tensor))];
    return bytesToValues(tensor.elemType, await this.bytes(tensor), tensor.elementCount);
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
  }

  private byteSource(): ByteSource {
    if (!this.source) {
      if (this.modelBytes) this.source = new BufferSource(this.modelBytes);
      else if (this.model.source.path) this.source = new FileSource(this.model.source.path);
      else throw new TransformError(msg('Tensor values need the model bytes: this model was not opened from a file.'));
    }
    return this.source;
  }
}

/** Values as read by `readTensor` → little-endian bytes of `type` (float16/bfloat16 re-encoded from float32). */
export function valuesToBytes(type: ElementType, values: TensorValueArray): Uint8Array {
  if (Array.isArray(values)) throw new TransformError(msg('String values cannot be written as bytes.'));
  if (type === 'float16') return new Uint8Array(Uint16Array.from(values as Float32Array, floatToHalf).buffer);
  if (type === 'bfloat16') {
    const words = new Uint32Array(Float32Array.from(values as Float32Array).buffer);
    return new Uint8Array(Uint16Array.from(words, (w) => w >>> 16).buffer);
  }
  const typed = values as NumericArray;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** Little-endian bytes → values (copied into an aligned buffer); float16/bfloat16 → Float32Array. */
export function bytesToValues(type: ElementType, bytes: Uint8Array, count: number): NumericArray {
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const b = aligned.buffer;
  switch (type) {
    case 'float': return new Float32Array(b, 0, count);
    case 'double': return new Float64Array(b, 0, count);
    case 'int8': return new Int8Array(b, 0, count);
    case 'uint8': case 'bool': return new Uint8Array(b, 0, count);
    case 'int16': return new Int16Array(b, 0, count);
    case 'uint16': return new Uint16Array(b, 0, count);
    case 'int32': return new Int32Array(b, 0, count);
    case 'uint32': return new Uint32Array(b, 0, count);
    case 'int64': return new BigInt64Array(b, 0, count);
    case 'uint64': return new BigUint64Array(b, 0, count);
    case 'float16': return Float32Array.from(new Uint16Array(b, 0, count), halfToFloat);
    case 'bfloat16': return new Float32Array(Uint32Array.from(new Uint16Array(b, 0, count), (h) => h << 16).buffer);
    default: return aligned;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, round to nearest even (exact for values that came from halves). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  e = half;
  return sign | e;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  return exponent === 0 ? sign * 2 ** -14 * (fraction / 1024)
    : exponent === 31 ? (fraction ? NaN : sign * Infinity)
    : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
