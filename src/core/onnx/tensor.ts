/**
 * Tensor values on demand. A decoded `Tensor` only says where its bytes are; `readTensor` reads them
 * (the first `limit` elements for a preview, or all of them) from the model file, the bytes the model
 * was decoded from, or its external data file (path already confined to the model folder).
 */
import { msg } from '../l10n';
import { OnnxDecodeError } from './errors';
import { externalBeyondEnd, externalNotRegular, openRegularFile } from './external';
import type { ElementType, Model, Tensor, TensorSegment } from './model';
import { elementSize } from './schema';

/** Decoded values. float16/bfloat16 become Float32Array; int64/uint64 BigInt64Array/BigUint64Array; bool Uint8Array (0/1). */
export type TensorValueArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

export interface TensorValues {
  readonly elemType: ElementType;
  readonly dims: readonly number[];
  /** Values in row-major order; complex types interleave real and imaginary parts. */
  readonly values: TensorValueArray;
  /** True when `limit` cut the values short. */
  readonly truncated: boolean;
}

export interface ReadTensorOptions {
  /** Read at most this many elements (a preview). Default: all. */
  readonly limit?: number;
  /** The bytes the model was decoded from, for models from `decodeModel` (no file path); or a part of them (`modelBytesOffset`). */
  readonly modelBytes?: Uint8Array;
  /** File offset of `modelBytes[0]` when they hold only a part of the model (default 0). */
  readonly modelBytesOffset?: number;
  readonly signal?: AbortSignal;
  /** Refuse full reads above this many bytes (default 4 GiB - 1: what a typed array can hold). */
  readonly maxBytes?: number;
}

export async function readTensor(model: Model, tensor: Tensor, options: ReadTensorOptions = {}): Promise<TensorValues> {
  const total = Math.max(0, tensor.elementCount);
  const wanted = Math.min(total, options.limit ?? total);
  const truncated = wanted < total;
  const elemType = tensor.elemType;
  const dims = tensor.dims;
  const data = tensor.data;
  const limitBytes = options.maxBytes ?? 0xffffffff;
  if (data.kind === 'none' || wanted === 0) return { elemType, dims, values: emptyOf(elemType), truncated };
  const size = elementSize(elemType);
  if (data.kind === 'raw' || data.kind === 'external') {
    if (size === 0) {
      throw new OnnxDecodeError(msg('Tensor "{0}" has element type {1}, which cannot be read as values.', tensor.name, elemType), { offset: tensor.fileOffset });
    }
    const need = wanted * size;
    if (need > limitBytes) throw new OnnxDecodeError(msg('Tensor "{0}" needs {1} bytes, more than the {2} allowed.', tensor.name, need, limitBytes));
    let bytes: Uint8Array;
    if (data.kind === 'raw') {
      if (data.length < need) throw shortData(tensor, data.length, need);
      bytes = await readModelRange(model, data.offset, need, options);
    } else {
      if (!data.path || data.problem) {
        throw new OnnxDecodeError(data.problem ?? msg('External data of tensor "{0}" cannot be located.', tensor.name));
      }
      if (data.length !== null && data.length < need) throw shortData(tensor, data.length, need);
      bytes = await readFileRange(data.path, data.offset, need, options.signal, { tensor: tensor.name, location: data.location });
    }
    return { elemType, dims, values: fromLittleEndian(elemType, bytes, wanted), truncated };
  }
  // Typed repeated fields: read the segments, then parse the wire encoding.
  const segments = data.segments;
  const values = await readTypedSegments(model, tensor, data.field, segments, wanted, options);
  return { elemType, dims, values, truncated };
}

function shortData(tensor: Tensor, have: number, need: number): OnnxDecodeError {
  return new OnnxDecodeError(msg('Tensor "{0}" stores {1} bytes but its shape needs {2}.', tensor.name, have, need), { offset: tensor.fileOffset });
}

async function readModelRange(model: Model, offset: number, length: number, options: ReadTensorOptions): Promise<Uint8Array> {
  if (options.modelBytes) {
    const at = offset - (options.modelBytesOffset ?? 0);
    if (at < 0 || at + length > options.modelBytes.length) throw new OnnxDecodeError(msg('The model bytes end before tensor data at byte {0}.', offset), { offset });
    return options.modelBytes.subarray(at, at + length);
  }
  if (!model.source.path) throw new OnnxDecodeError(msg('Tensor values need the model bytes: this model was not opened from a file.'));
  return readFileRange(model.source.path, offset, length, options.signal);
}

/**
 * Bytes [offset, offset + length) of `file`, which must be a regular file (never blocks on a pipe); checked
 * against the file's size before anything is allocated. `external` names the tensor and location for errors.
 */
export async function readFileRange(file: string, offset: number, length: number, signal?: AbortSignal, external?: { tensor: string; location: string }): Promise<Uint8Array> {
  signal?.throwIfAborted();
  const { handle, size } = await openRegularFile(file, () => (external ? externalNotRegular(external.location) : msg('{0} is not a regular file.', file)));
  try {
    if (offset + length > size) {
      throw new OnnxDecodeError(external ? externalBeyondEnd(external.tensor, external.location, offset, length, size)
        : msg('The file {0} ends at byte {1}, before the tensor data it should hold.', file, size), external ? { file } : { offset: Math.min(offset, size), file });
    }
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, Math.min(length - done, 1 << 26), offset + done);
      if (bytesRead === 0) throw new OnnxDecodeError(msg('The file {0} ends at byte {1}, before the tensor data it should hold.', file, offset + done), { offset: offset + done, file });
      done += bytesRead;
      signal?.throwIfAborted();
    }
    return out;
  } finally {
    await handle.close();
  }
}

function emptyOf(type: ElementType): TensorValueArray {
  return type === 'string' ? [] : fromLittleEndian(type, new Uint8Array(0), 0);
}

/** Little-endian dense bytes (raw_data, external data) → values. */
function fromLittleEndian(type: ElementType, bytes: Uint8Array, count: number): TensorValueArray {
  // Copy into an aligned buffer: raw_data offsets are arbitrary.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const buffer = aligned.buffer;
  switch (type) {
    case 'float': return new Float32Array(buffer, 0, count);
    case 'double': return new Float64Array(buffer, 0, count);
    case 'complex64': return new Float32Array(buffer, 0, count * 2);
    case 'complex128': return new Float64Array(buffer, 0, count * 2);
    case 'int8': return new Int8Array(buffer, 0, count);
    case 'uint8': case 'bool': return new Uint8Array(buffer, 0, count);
    case 'int16': return new Int16Array(buffer, 0, count);
    case 'uint16': return new Uint16Array(buffer, 0, count);
    case 'int32': return new Int32Array(buffer, 0, count);
    case 'uint32': return new Uint32Array(buffer, 0, count);
    case 'int64': return new BigInt64Array(buffer, 0, count);
    case 'uint64': return new BigUint64Array(buffer, 0, count);
    case 'float16': return halfToFloat(new Uint16Array(buffer, 0, count));
    case 'bfloat16': return bfloatToFloat(new Uint16Array(buffer, 0, count));
    default: return new Uint8Array(buffer, 0, count);
  }
}

export function halfToFloat(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    out[i] = exponent === 0 ? sign * 2 ** -14 * (fraction / 1024)
      : exponent === 31 ? (fraction ? NaN : sign * Infinity)
      : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

function bfloatToFloat(bits: ArrayLike<number>): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
  return new Float32Array(words.buffer);
}

async function readTypedSegments(
  model: Model, tensor: Tensor, field: string, segments: readonly TensorSegment[], wanted: number, options: ReadTensorOptions,
): Promise<TensorValueArray> {
  const parts: Uint8Array[] = [];
  for (const segment of segments) parts.push(await readModelRange(model, segment.offset, segment.length, options));
  const type = tensor.elemType;
  if (field === 'string_data') {
    const decoder = new TextDecoder();
    return parts.slice(0, wanted).map((p) => decoder.decode(p));
  }
  const isComplex = type === 'complex64' || type === 'complex128';
  if ((field === 'float_data' || field === 'double_data') !== (isComplex || type === 'float' || type === 'double')) {
    throw new OnnxDecodeError(msg('Tensor "{0}" of element type {1} stores its values in {2}, a field for other types.', tensor.name, type, field), { offset: tensor.fileOffset });
  }
  const n = isComplex ? wanted * 2 : wanted;
  const numbers: (number | bigint)[] = [];
  for (let k = 0; k < parts.length && numbers.length < n; k++) {
    const part = parts[k]!;
    const view = new DataView(part.buffer, part.byteOffset, part.byteLength);
    const packed = segments[k]!.packed;
    let i = 0;
    const one = () => {
      if (field === 'float_data') { numbers.push(view.getFloat32(i, true)); i += 4; }
      else if (field === 'double_data') { numbers.push(view.getFloat64(i, true)); i += 8; }
      else {
        const [value, used] = varint(part, i, tensor);
        i += used;
        numbers.push(field === 'uint64_data' ? BigInt.asUintN(64, value) : value);
      }
    };
    if (packed) while (i < part.length && numbers.length < n) one();
    else one();
  }
  if (numbers.length < n) throw shortData(tensor, numbers.length, n);
  switch (type) {
    case 'float': case 'complex64': return Float32Array.from(numbers as number[]);
    case 'double': case 'complex128': return Float64Array.from(numbers as number[]);
    case 'int64': return BigInt64Array.from(numbers as bigint[], (v) => BigInt.asIntN(64, v));
    case 'uint64': return BigUint64Array.from(numbers as bigint[]);
    case 'uint32': return Uint32Array.from(numbers as bigint[], (v) => Number(BigInt.asUintN(32, v)));
    case 'int32': return Int32Array.from(numbers as bigint[], (v) => Number(BigInt.asIntN(32, v)));
    case 'int16': return Int16Array.from(numbers as bigint[], (v) => Number(BigInt.asIntN(16, v)));
    case 'uint16': return Uint16Array.from(numbers as bigint[], (v) => Number(BigInt.asUintN(16, v)));
    case 'int8': return Int8Array.from(numbers as bigint[], (v) => Number(BigInt.asIntN(8, v)));
    case 'uint8': case 'bool': return Uint8Array.from(numbers as bigint[], (v) => Number(BigInt.asUintN(8, v)));
    case 'float16': return halfToFloat((numbers as bigint[]).map((v) => Number(BigInt.asUintN(16, v))));
    case 'bfloat16': return bfloatToFloat((numbers as bigint[]).map((v) => Number(BigInt.asUintN(16, v))));
    default: return Uint8Array.from(numbers as bigint[], (v) => Number(BigInt.asUintN(8, v)));
  }
}

/** A varint as a 64-bit two's complement bigint, with the bytes it used. */
function varint(bytes: Uint8Array, at: number, tensor: Tensor): [bigint, number] {
  let result = 0n;
  for (let k = 0; k < 10; k++) {
    if (at + k >= bytes.length) break;
    const b = bytes[at + k]!;
    result |= BigInt(b & 0x7f) << BigInt(7 * k);
    if (b < 0x80) return [BigInt.asIntN(64, result), k + 1];
  }
  throw new OnnxDecodeError(msg('Corrupt varint in the values of tensor "{0}".', tensor.name), { offset: tensor.fileOffset });
}
