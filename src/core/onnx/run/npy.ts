/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), the exchange format of inputs and outputs between
 * this tool, numpy scripts and NPU runtimes (msame, ais_bench and qnn-net-run dumps convert to it).
 * Little-endian and byte-sized types, C order; Fortran order and big-endian data are refused with a reason.
 */
import { msg } from '../../l10n';
import type { ElementType } from '../model';
import type { NumericArray } from '../transform/payload';
import { RunError } from './errors';
import { elementCount, type ArrayValue } from './values';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

const DESCR: Partial<Record<ElementType, string>> = {
  float: '<f4', double: '<f8', float16: '<f2', int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2',
  int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1',
};
const BY_DESCR = new Map<string, ElementType>();
for (const [type, descr] of Object.entries(DESCR) as [ElementType, string][]) {
  BY_DESCR.set(descr, type as ElementType);
  BY_DESCR.set(descr.replace('<', '='), type as ElementType);
  if (descr.startsWith('|')) { BY_DESCR.set(`<${descr.slice(1)}`, type as ElementType); BY_DESCR.set(`=${descr.slice(1)}`, type as ElementType); }
}

export function encodeNpy(value: ArrayValue): Uint8Array {
  const descr = DESCR[value.elemType];
  if (!descr || Array.isArray(value.data)) throw new RunError(msg('Values of type {0} cannot be written as .npy.', value.elemType));
  const shape = value.dims.length === 1 ? `(${value.dims[0]},)` : `(${value.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const prefix = 10;
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header.padEnd(total - prefix - 1, ' ') + '\n';
  const data = value.data as NumericArray;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

export function decodeNpy(bytes: Uint8Array, file?: string): ArrayValue {
  const fail = (m: ReturnType<typeof msg>, offset?: number): never => {
    throw new RunError(m, { ...(file ? { file } : {}), ...(offset !== undefined ? { offset } : {}) });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(msg('{0} is not a .npy file (no NUMPY magic).', file ?? '.npy'), 0);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) { headerLength = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(msg('{0} ends inside its header.', file ?? '.npy'), 8);
    headerLength = view.getUint32(8, true); start = 12;
  } else return fail(msg('{0} has .npy format version {1}, which this tool does not read.', file ?? '.npy', major), 6);
  if (start + headerLength > bytes.length) fail(msg('{0} ends inside its header.', file ?? '.npy'), start);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail(msg('{0} has a header this tool cannot read: {1}', file ?? '.npy', header.trim().slice(0, 120)), start);
  if (fortran === 'True') fail(msg('{0} is in Fortran order; save it with numpy.ascontiguousarray first.', file ?? '.npy'), start);
  const elemType = BY_DESCR.get(descr);
  if (!elemType) return fail(msg('{0} holds dtype {1}, which this tool does not read (little-endian numbers and bools only).', file ?? '.npy', descr), start);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail(msg('{0} has an invalid shape ({1}).', file ?? '.npy', shapeText), start);
  const dataStart = start + headerLength;
  const count = elementCount(dims);
  const size = Number(descr.slice(2));
  if (dataStart + count * size > bytes.length) fail(msg('{0} is truncated: it holds {1} bytes of data; its shape needs {2}.', file ?? '.npy', bytes.length - dataStart, count * size), dataStart);
  const aligned = new Uint8Array(count * size);
  aligned.set(bytes.subarray(dataStart, dataStart + count * size));
  const b = aligned.buffer;
  const data: NumericArray = elemType === 'float' ? new Float32Array(b) : elemType === 'double' ? new Float64Array(b)
    : elemType === 'float16' || elemType === 'uint16' ? new Uint16Array(b) : elemType === 'int8' ? new Int8Array(b)
    : elemType === 'int16' ? new Int16Array(b) : elemType === 'int32' ? new Int32Array(b) : elemType === 'uint32' ? new Uint32Array(b)
    : elemType === 'int64' ? new BigInt64Array(b) : elemType === 'uint64' ? new BigUint64Array(b) : new Uint8Array(b);
  return { elemType, dims, data };
}
