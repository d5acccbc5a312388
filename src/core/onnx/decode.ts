/**
 * ONNX ModelProto → `Model` (./model.ts), driven by the field numbers of the official schema
 * (./schema.ts). Tensor payloads are skipped by position: a tensor records where its bytes are and
 * `readTensor` (./tensor.ts) reads them on demand. Hostile input fails with OnnxDecodeError and the byte
 * offset: every length is checked against its enclosing message, nested graphs and types have a depth
 * limit, and nothing is allocated in proportion to a length field before the bytes are there.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { msg, type Message } from '../l10n';
import { OnnxDecodeError } from './errors';
import { externalBeyondEnd, openRegularFile, resolveExternalLocation, type ExternalResolution } from './external';
import type {
  Attribute, AttributeType, Dim, ElementType, Graph, Int64, MetadataEntry, Model, ModelFunction, Node, OpsetImport,
  SparseTensor, Tensor, TensorData, TensorSegment, TypedField, ValueInfo, ValueType,
} from './model';
import { BufferSource, FileSource, ProtoReader, type ByteSource } from './reader';
import { elementSize, elementTypeName, onnxSchema, WIRE_LENGTH, type MessageSchema, type OnnxSchema } from './schema';

export interface DecodeOptions {
  /** Subgraph nesting allowed (If/Loop/Scan bodies inside bodies); deeper models are refused. Default 32. */
  readonly maxGraphDepth?: number;
  readonly signal?: AbortSignal;
  /** Folder external data is resolved against; for `openModel` the model's folder. */
  readonly baseDir?: string;
}

export interface OpenOptions extends DecodeOptions {
  /**
   * Files up to this size are read whole (one read is fastest for small models); larger files are read
   * in pages and tensor payloads are skipped by position. Default 64 MiB: below that, one read plus an
   * in-memory decode beats a page read per tensor header (measured on a 38 MiB, 22k-node model).
   */
  readonly wholeFileLimit?: number;
}

const DEFAULT_MAX_GRAPH_DEPTH = 32;
/** TypeProto nesting (sequence of map of ...) allowed. */
const MAX_TYPE_DEPTH = 64;

/** Decodes a model held in memory. External data resolves against `options.baseDir`, when given. */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  const source = new BufferSource(bytes);
  return decodeFromSource(source, undefined, options);
}

/** Opens a model file, reading only its non-weight bytes (for files over `wholeFileLimit`). */
export async function openModel(file: string, options: OpenOptions = {}): Promise<Model> {
  const absolute = path.resolve(file);
  const stat = await fsp.stat(absolute);
  if (!stat.isFile()) throw new OnnxDecodeError(notRegularModel(file), { file: absolute });
  const baseDir = options.baseDir ?? path.dirname(absolute);
  options.signal?.throwIfAborted();
  if (stat.size <= (options.wholeFileLimit ?? 64 * 1024 * 1024)) {
    const bytes = await readWhole(absolute, stat.size);
    options.signal?.throwIfAborted();
    return decodeFromSource(new BufferSource(bytes), absolute, { ...options, baseDir });
  }
  const source = new FileSource(absolute);
  try {
    return decodeFromSource(source, absolute, { ...options, baseDir });
  } finally {
    source.close();
  }
}

/** The whole file in one read request (fs.promises.readFile reads in 512 KiB rounds through the thread pool). */
async function readWhole(file: string, size: number): Promise<Buffer> {
  const { handle } = await openRegularFile(file, () => notRegularModel(file));
  try {
    const bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    await handle.close();
  }
}

function notRegularModel(file: string): Message {
  return msg('{0} is not a regular file (a folder, a named pipe, a socket or a device).', file);
}

function decodeFromSource(source: ByteSource, file: string | undefined, options: DecodeOptions): Model {
  const decoder = new ModelDecoder(new ProtoReader(source, file), onnxSchema(), options, file);
  return decoder.model();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Shared by every node without attributes (most of them) and every node without inputs (Constant): never mutated. */
const NO_ATTRIBUTES: Attribute[] = Object.freeze([]) as unknown as Attribute[];
const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];
/**
 * Appends to a list that starts as a shared empty array: the first two elements make array literals of
 * exactly their size (push on [] reserves room for 16 elements, most of a small node's memory).
 */
function append<T>(list: T[], value: T): T[] {
  switch (list.length) {
    case 0: return [value];
    case 1: return [list[0]!, value];
    default:
      list.push(value);
      return list;
  }
}

/** Shared by every scalar tensor (Constant nodes of exported graphs are mostly scalars). */
const NO_DIMS: number[] = Object.freeze([]) as unknown as number[];

const TYPED_FIELDS: readonly TypedField[] = ['float_data', 'int32_data', 'string_data', 'int64_data', 'double_data', 'uint64_data'];

class ModelDecoder {
  private readonly s: OnnxSchema;
  private readonly maxGraphDepth: number;
  private readonly typedFieldByNumber = new Map<number, TypedField>();
  private readonly externalCache = new Map<string, ExternalResolution>();
  private nodesSeen = 0;
  private sawSubgraph = false;

  constructor(
    private readonly r: ProtoReader,
    schema: OnnxSchema,
    private readonly options: DecodeOptions,
    private readonly file: string | undefined,
  ) {
    this.s = schema;
    this.maxGraphDepth = options.maxGraphDepth ?? DEFAULT_MAX_GRAPH_DEPTH;
    for (const field of TYPED_FIELDS) this.typedFieldByNumber.set(schema.tensor.id[field], field);
  }

  /** Reads a tag and checks its wire type against the schema; returns the field number (0 = unknown field). */
  private wire = 0;

  private tag<K extends string>(schema: MessageSchema<K>, end: number): number {
    const at = this.r.pos;
    const tag = this.r.uint32(end);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0 || tag > 0xffffffff) this.r.fail(msg('Invalid field tag {0} at byte {1}.', tag, at), at);
    const expected = field < schema.wireByField.length ? schema.wireByField[field] : schema.wire.get(field);
    if (expected && expected.wire !== wire && !(expected.packable && wire === WIRE_LENGTH)) {
      this.r.fail(msg('Field {0}.{1} at byte {2} has wire type {3}, the ONNX schema says {4}.', schema.name, expected.name, at, wire, expected.wire), at);
    }
    this.wire = wire;
    return field;
  }

  /** An attribute string: UTF-8, or latin1 with `bytes` set when the bytes are not valid UTF-8. */
  private text(end: number): { value: string; bytes: boolean } {
    const start = this.r.pos;
    const value = this.r.string(end);
    if (!value.includes('\uFFFD')) return { value, bytes: false };
    const stop = this.r.pos;
    this.r.pos = start;
    const raw = this.r.bytes(end);
    if (this.r.pos !== stop) this.r.fail(msg('Invalid field tag {0} at byte {1}.', 0, start), start);
    return utf8(raw);
  }

  model(): Model {
    const r = this.r;
    const M = this.s.model.id;
    const end = r.fileSize;
    const opsetImports: OpsetImport[] = [];
    const metadata: MetadataEntry[] = [];
    const functions: ModelFunction[] = [];
    let irVersion = 0;
    let producerName = '';
    let producerVersion = '';
    let domain = '';
    let modelVersion = 0;
    let docString = '';
    let graph: Mutable<Graph> | undefined;
    let trainingInfoCount = 0;
    let sawField = false;
    while (r.pos < end) {
      const field = this.tag(this.s.model, end);
      const wire = this.wire;
      sawField = true;
      switch (field) {
        case M.ir_version: irVersion = r.int64AsNumber(end); break;
        case M.opset_import: opsetImports.push(this.opset(r.length(end))); break;
        case M.producer_name: producerName = r.string(end); break;
        case M.producer_version: producerVersion = r.string(end); break;
        case M.domain: domain = r.string(end); break;
        case M.model_version: modelVersion = r.int64AsNumber(end); break;
        case M.doc_string: docString = r.string(end); break;
        case M.graph: graph = this.graph(r.length(end), 0); break;
        case M.metadata_props: metadata.push(this.entry(r.length(end))); break;
        case M.functions: functions.push(this.function(r.length(end))); break;
        case M.training_info: trainingInfoCount++; r.skip(wire, end); break;
        default: r.skip(wire, end);
      }
    }
    if (!graph) {
      return r.fail(sawField
        ? msg('This ONNX model has no graph.')
        : msg('This file is empty: it is not an ONNX model.'), 0);
    }
    if (this.sawSubgraph) {
      assignGraphPaths(graph, 'main');
      for (const fn of functions) assignGraphPaths(fn.body as Mutable<Graph>, fn.body.path);
    } else {
      graph.path = 'main';
    }
    return {
      irVersion, opsetImports, producerName, producerVersion, domain, modelVersion, docString, metadata,
      graph, functions, trainingInfoCount,
      source: {
        ...(this.file ? { path: this.file } : {}),
        ...(this.options.baseDir ? { baseDir: this.options.baseDir } : {}),
        byteLength: r.fileSize,
        bytesRead: r.bytesRead,
      },
    };
  }

  private opset(end: number): OpsetImport {
    const r = this.r;
    const O = this.s.opset.id;
    let domain = '';
    let version = 0;
    while (r.pos < end) {
      const field = this.tag(this.s.opset, end);
      const wire = this.wire;
      if (field === O.domain) domain = r.string(end);
      else if (field === O.version) version = r.int64AsNumber(end);
      else r.skip(wire, end);
    }
    return { domain, version };
  }

  private entry(end: number): MetadataEntry {
    const r = this.r;
    const E = this.s.entry.id;
    let key = '';
    let value = '';
    while (r.pos < end) {
      const field = this.tag(this.s.entry, end);
      const wire = this.wire;
      if (field === E.key) key = r.string(end);
      else if (field === E.value) value = r.string(end);
      else r.skip(wire, end);
    }
    return { key, value };
  }

  private graph(end: number, depth: number): Mutable<Graph> {
    const r = this.r;
    if (depth > this.maxGraphDepth) {
      r.fail(msg('Subgraphs are nested deeper than {0} levels at byte {1}; the model is refused as a recursion bomb.', this.maxGraphDepth, r.pos));
    }
    const G = this.s.graph.id;
    const nodes: Node[] = [];
    const inputs: ValueInfo[] = [];
    const outputs: ValueInfo[] = [];
    const valueInfo: ValueInfo[] = [];
    const initializers: Tensor[] = [];
    const sparseInitializers: SparseTensor[] = [];
    let name = '';
    let docString: string | undefined;
    while (r.pos < end) {
      const field = this.tag(this.s.graph, end);
      const wire = this.wire;
      switch (field) {
        case G.node:
          nodes.push(this.node(r.length(end), depth));
          if ((++this.nodesSeen & 1023) === 0) this.options.signal?.throwIfAborted();
          break;
        case G.name: name = r.string(end); break;
        case G.initializer: initializers.push(this.tensor(r.length(end))); break;
        case G.sparse_initializer: sparseInitializers.push(this.sparseTensor(r.length(end))); break;
        case G.doc_string: docString = r.string(end); break;
        case G.input: inputs.push(this.valueInfo(r.length(end))); break;
        case G.output: outputs.push(this.valueInfo(r.length(end))); break;
        case G.value_info: valueInfo.push(this.valueInfo(r.length(end))); break;
        default: r.skip(wire, end);
      }
    }
    const graph: Mutable<Graph> = { name, path: '', nodes, inputs, outputs, valueInfo, initializers, sparseInitializers };
    if (docString) graph.docString = docString;
    return graph;
  }

  private node(end: number, depth: number): Node {
    const r = this.r;
    const N = this.s.node.id;
    let inputs: string[] = NO_NAMES;
    let outputs: string[] = NO_NAMES;
    let attributes: Attribute[] = NO_ATTRIBUTES;
    let name = '';
    let opType = '';
    let domain = '';
    let docString: string | undefined;
    while (r.pos < end) {
      const field = this.tag(this.s.node, end);
      const wire = this.wire;
      switch (field) {
        case N.input: inputs = append(inputs, r.atom(end)); break;
        case N.output: outputs = append(outputs, r.atom(end)); break;
        case N.name: name = r.string(end); break;
        case N.op_type: opType = r.atom(end); break;
        case N.domain: domain = r.atom(end); break;
        case N.attribute: attributes = append(attributes, this.attribute(r.length(end), depth)); break;
        case N.doc_string: docString = r.string(end); break;
        default: r.skip(wire, end);
      }
    }
    const node: Mutable<Node> = { name, opType, domain, inputs, outputs, attributes };
    if (docString) node.docString = docString;
    return node;
  }

  private attribute(end: number, depth: number): Attribute {
    const r = this.r;
    const A = this.s.attribute.id;
    let name = '';
    let refAttrName: string | undefined;
    let docString: string | undefined;
    let typeCode: number | undefined;
    let f: number | undefined;
    let i: Int64 | undefined;
    let s: string | undefined;
    let sBytes = false;
    let t: Tensor | undefined;
    let g: Graph | undefined;
    let sparse: SparseTensor | undefined;
    let tp: ValueType | undefined;
    let floats: number[] | undefined;
    let ints: Int64[] | undefined;
    let strings: string[] | undefined;
    let tensors: Tensor[] | undefined;
    let graphs: Graph[] | undefined;
    let sparseTensors: SparseTensor[] | undefined;
    let typeProtos: ValueType[] | undefined;
    while (r.pos < end) {
      const field = this.tag(this.s.attribute, end);
      const wire = this.wire;
      switch (field) {
        case A.name: name = r.atom(end); break;
        case A.ref_attr_name: refAttrName = r.string(end); break;
        case A.doc_string: docString = r.string(end); break;
        case A.type: typeCode = r.int32(end); break;
        case A.f: f = r.float(end); break;
        case A.i: i = r.int64(end); break;
        case A.s: {
          const decoded = this.text(end);
          s = decoded.value;
          sBytes = decoded.bytes;
          break;
        }
        case A.t: t = this.tensor(r.length(end)); break;
        case A.g: g = this.graph(r.length(end), depth + 1); this.sawSubgraph = true; break;
        case A.sparse_tensor: sparse = this.sparseTensor(r.length(end)); break;
        case A.tp: tp = this.type(r.length(end), 0); break;
        case A.floats:
          floats ??= [];
          if (wire === WIRE_LENGTH) for (const stop = r.length(end); r.pos < stop;) floats.push(r.float(stop));
          else floats.push(r.float(end));
          break;
        case A.ints:
          ints ??= [];
          if (wire === WIRE_LENGTH) for (const stop = r.length(end); r.pos < stop;) ints.push(r.int64(stop));
          else ints.push(r.int64(end));
          break;
        case A.strings: (strings ??= []).push(this.text(end).value); break;
        case A.tensors: (tensors ??= []).push(this.tensor(r.length(end))); break;
        case A.graphs: (graphs ??= []).push(this.graph(r.length(end), depth + 1)); this.sawSubgraph = true; break;
        case A.sparse_tensors: (sparseTensors ??= []).push(this.sparseTensor(r.length(end))); break;
        case A.type_protos: (typeProtos ??= []).push(this.type(r.length(end), 0)); break;
        default: r.skip(wire, end);
      }
    }
    let type = (typeCode !== undefined ? this.s.attributeTypes.get(typeCode) : undefined) as AttributeType | undefined;
    if (type === undefined || type === 'undefined') {
      // IR versions before 0.0.2 had no type field; ONNX infers it from the field that is set.
      type = f !== undefined ? 'float' : i !== undefined ? 'int' : s !== undefined ? 'string' : t ? 'tensor' : g ? 'graph'
        : sparse ? 'sparse_tensor' : tp ? 'type_proto' : floats ? 'floats' : ints ? 'ints' : strings ? 'strings'
        : tensors ? 'tensors' : graphs ? 'graphs' : sparseTensors ? 'sparse_tensors' : typeProtos ? 'type_protos' : 'undefined';
    }
    let value: unknown;
    switch (type) {
      case 'float': value = f ?? 0; break;
      case 'int': value = i ?? 0; break;
      case 'string': value = s ?? ''; break;
      case 'tensor': value = t; break;
      case 'graph': value = g; break;
      case 'sparse_tensor': value = sparse; break;
      case 'type_proto': value = tp; break;
      case 'floats': value = floats ?? []; break;
      case 'ints': value = ints ?? []; break;
      case 'strings': value = strings ?? []; break;
      case 'tensors': value = tensors ?? []; break;
      case 'graphs': value = graphs ?? []; break;
      case 'sparse_tensors': value = sparseTensors ?? []; break;
      case 'type_protos': value = typeProtos ?? []; break;
      default: value = null;
    }
    if (value === undefined) {
      type = 'undefined';
      value = null;
    }
    const attribute = { name, type, value } as Mutable<Attribute> & { bytes?: boolean };
    if (type === 'string' && sBytes) attribute.bytes = true;
    if (refAttrName) attribute.refAttrName = refAttrName;
    if (docString) attribute.docString = docString;
    return attribute as Attribute;
  }

  private valueInfo(end: number): ValueInfo {
    const r = this.r;
    const V = this.s.valueInfo.id;
    let name = '';
    let type: ValueType | null = null;
    let docString: string | undefined;
    while (r.pos < end) {
      const field = this.tag(this.s.valueInfo, end);
      const wire = this.wire;
      if (field === V.name) name = r.atom(end);
      else if (field === V.type) type = this.type(r.length(end), 0);
      else if (field === V.doc_string) docString = r.string(end);
      else r.skip(wire, end);
    }
    return docString ? { name, type, docString } : { name, type };
  }

  private type(end: number, depth: number): ValueType {
    const r = this.r;
    if (depth > MAX_TYPE_DEPTH) r.fail(msg('Types are nested deeper than {0} levels at byte {1}.', MAX_TYPE_DEPTH, r.pos));
    const T = this.s.type.id;
    let result: ValueType = { kind: 'unknown' };
    let denotation: string | undefined;
    while (r.pos < end) {
      const field = this.tag(this.s.type, end);
      const wire = this.wire;
      switch (field) {
        case T.tensor_type: result = { kind: 'tensor', ...this.tensorType(this.s.typeTensor, r.length(end)) }; break;
        case T.sparse_tensor_type: result = { kind: 'sparse_tensor', ...this.tensorType(this.s.typeSparse, r.length(end)) }; break;
        case T.sequence_type: result = { kind: 'sequence', elem: this.wrappedType(this.s.typeSequence, r.length(end), depth) }; break;
        case T.optional_type: result = { kind: 'optional', elem: this.wrappedType(this.s.typeOptional, r.length(end), depth) }; break;
        case T.map_type: result = this.mapType(r.length(end), depth); break;
        case T.opaque_type: result = this.opaqueType(r.length(end)); break;
        case T.denotation: denotation = r.string(end); break;
        default: r.skip(wire, end);
      }
    }
    return denotation ? { ...result, denotation } : result;
  }

  private tensorType(schema: OnnxSchema['typeTensor'] | OnnxSchema['typeSparse'], end: number): { elemType: ElementType; shape: Dim[] | null } {
    const r = this.r;
    let elemType: ElementType = 'undefined';
    let shape: Dim[] | null = null;
    while (r.pos < end) {
      const field = this.tag(schema, end);
      const wire = this.wire;
      if (field === schema.id.elem_type) elemType = elementTypeName(r.int32(end));
      else if (field === schema.id.shape) shape = this.shape(r.length(end));
      else r.skip(wire, end);
    }
    return { elemType, shape };
  }

  private shape(end: number): Dim[] {
    const r = this.r;
    let dims: Dim[] = [];
    while (r.pos < end) {
      const field = this.tag(this.s.shape, end);
      const wire = this.wire;
      if (field === this.s.shape.id.dim) dims = append(dims, this.dimension(r.length(end)));
      else r.skip(wire, end);
    }
    return dims;
  }

  private dimension(end: number): Dim {
    const r = this.r;
    const D = this.s.dimension.id;
    let dim: Dim = null;
    while (r.pos < end) {
      const field = this.tag(this.s.dimension, end);
      const wire = this.wire;
      if (field === D.dim_value) dim = r.int64AsNumber(end);
      else if (field === D.dim_param) dim = r.string(end);
      else r.skip(wire, end);
    }
    return dim;
  }

  private wrappedType(schema: OnnxSchema['typeSequence'] | OnnxSchema['typeOptional'], end: number, depth: number): ValueType | null {
    const r = this.r;
    let elem: ValueType | null = null;
    while (r.pos < end) {
      const field = this.tag(schema, end);
      const wire = this.wire;
      if (field === schema.id.elem_type) elem = this.type(r.length(end), depth + 1);
      else r.skip(wire, end);
    }
    return elem;
  }

  private mapType(end: number, depth: number): ValueType {
    const r = this.r;
    const P = this.s.typeMap.id;
    let keyType: ElementType = 'undefined';
    let value: ValueType | null = null;
    while (r.pos < end) {
      const field = this.tag(this.s.typeMap, end);
      const wire = this.wire;
      if (field === P.key_type) keyType = elementTypeName(r.int32(end));
      else if (field === P.value_type) value = this.type(r.length(end), depth + 1);
      else r.skip(wire, end);
    }
    return { kind: 'map', keyType, value };
  }

  private opaqueType(end: number): ValueType {
    const r = this.r;
    const Q = this.s.typeOpaque.id;
    let domain = '';
    let name = '';
    while (r.pos < end) {
      const field = this.tag(this.s.typeOpaque, end);
      const wire = this.wire;
      if (field === Q.domain) domain = r.string(end);
      else if (field === Q.name) name = r.string(end);
      else r.skip(wire, end);
    }
    return { kind: 'opaque', domain, name };
  }

  private tensor(end: number): Tensor {
    const r = this.r;
    const T = this.s.tensor.id;
    const fileOffset = r.pos;
    let dims: number[] = NO_DIMS;
    let dataType = 0;
    let name = '';
    let docString: string | undefined;
    let raw: { offset: number; length: number } | undefined;
    let typed: TypedField | undefined;
    let segments: TensorSegment[] | undefined;
    let external: MetadataEntry[] | undefined;
    let location = 0;
    while (r.pos < end) {
      const field = this.tag(this.s.tensor, end);
      const wire = this.wire;
      switch (field) {
        case T.dims:
          if (wire === WIRE_LENGTH) for (const stop = r.length(end); r.pos < stop;) dims = append(dims, r.int64AsNumber(stop));
          else dims = append(dims, r.int64AsNumber(end));
          break;
        case T.data_type: dataType = r.int32(end); break;
        case T.name: name = r.atom(end); break;
        case T.doc_string: docString = r.string(end); break;
        case T.raw_data: {
          const offset = r.skip(wire, end);
          raw = { offset, length: r.pos - offset };
          break;
        }
        case T.external_data: (external ??= []).push(this.entry(r.length(end))); break;
        case T.data_location: location = r.int32(end); break;
        default: {
          const typedField = this.typedFieldByNumber.get(field);
          if (typedField) {
            const offset = r.skip(wire, end);
            if (typed !== undefined && typed !== typedField) {
              r.fail(msg('Tensor "{0}" at byte {1} stores values in two different fields.', name, fileOffset), offset);
            }
            typed = typedField;
            (segments ??= []).push({ offset, length: r.pos - offset, packed: wire === WIRE_LENGTH && typedField !== 'string_data' });
          } else {
            r.skip(wire, end);
          }
        }
      }
    }
    const elemType = elementTypeName(dataType);
    let elementCount = 1;
    for (const d of dims) elementCount *= d;
    let data: TensorData;
    if (location === this.s.dataLocationExternal || external) {
      data = this.externalData(external ?? [], name, fileOffset, elementCount * elementSize(elemType));
    } else if (raw) {
      data = { kind: 'raw', offset: raw.offset, length: raw.length };
    } else if (typed && segments) {
      data = { kind: 'typed', field: typed, segments };
    } else {
      data = { kind: 'none' };
    }
    const byteLength = data.kind === 'raw' ? data.length
      : data.kind === 'external' ? (data.length ?? Math.max(0, elementCount * elementSize(elemType)))
      : data.kind === 'typed' ? data.segments.reduce((sum, segment) => sum + segment.length, 0) : 0;
    const tensor: Mutable<Tensor> = { name, elemType, dims, elementCount, byteLength, data, fileOffset };
    if (docString) tensor.docString = docString;
    return tensor;
  }

  /** `shapeBytes`: what the dims need, the bytes read when the model gives no length. */
  private externalData(entries: readonly MetadataEntry[], name: string, at: number, shapeBytes: number): TensorData {
    let location = '';
    let offset = 0;
    let length: number | null = null;
    for (const { key, value } of entries) {
      if (key === 'location') location = value;
      else if (key === 'offset') offset = parseNonNegative(value, this.r, name, key, at);
      else if (key === 'length') length = parseNonNegative(value, this.r, name, key, at);
    }
    const data: Mutable<Extract<TensorData, { kind: 'external' }>> = { kind: 'external', location, offset, length };
    const baseDir = this.options.baseDir;
    if (!baseDir) {
      data.problem = msg('External data of tensor "{0}" cannot be located: the model was not opened from a file.', name);
      return data;
    }
    let resolved = this.externalCache.get(location);
    if (!resolved) {
      resolved = resolveExternalLocation(baseDir, location);
      this.externalCache.set(location, resolved);
    }
    if (resolved.path) data.path = resolved.path;
    if (resolved.problem) data.problem = resolved.problem;
    else if (resolved.size !== undefined) {
      data.fileBytes = resolved.size;
      const need = length ?? Math.max(0, shapeBytes);
      if (offset + need > resolved.size) data.problem = externalBeyondEnd(name, location, offset, need, resolved.size);
    }
    return data;
  }

  private sparseTensor(end: number): SparseTensor {
    const r = this.r;
    const P = this.s.sparseTensor.id;
    let values: Tensor | null = null;
    let indices: Tensor | null = null;
    const dims: number[] = [];
    while (r.pos < end) {
      const field = this.tag(this.s.sparseTensor, end);
      const wire = this.wire;
      if (field === P.values) values = this.tensor(r.length(end));
      else if (field === P.indices) indices = this.tensor(r.length(end));
      else if (field === P.dims) {
        if (wire === WIRE_LENGTH) for (const stop = r.length(end); r.pos < stop;) dims.push(r.int64AsNumber(stop));
        else dims.push(r.int64AsNumber(end));
      } else r.skip(wire, end);
    }
    return { values, indices, dims };
  }

  private function(end: number): ModelFunction {
    const r = this.r;
    const F = this.s.function.id;
    let name = '';
    let domain = '';
    let docString: string | undefined;
    const inputs: string[] = [];
    const outputs: string[] = [];
    const attributes: string[] = [];
    const nodes: Node[] = [];
    const opsetImports: OpsetImport[] = [];
    while (r.pos < end) {
      const field = this.tag(this.s.function, end);
      const wire = this.wire;
      switch (field) {
        case F.name: name = r.string(end); break;
        case F.domain: domain = r.string(end); break;
        case F.doc_string: docString = r.string(end); break;
        case F.input: inputs.push(r.string(end)); break;
        case F.output: outputs.push(r.string(end)); break;
        case F.attribute: attributes.push(r.string(end)); break;
        case F.node: nodes.push(this.node(r.length(end), 1)); break;
        case F.opset_import: opsetImports.push(this.opset(r.length(end))); break;
        default: r.skip(wire, end);
      }
    }
    const body: Graph = {
      name, path: `function:${domain}::${name}`, nodes,
      inputs: inputs.map((n) => ({ name: n, type: null })), outputs: outputs.map((n) => ({ name: n, type: null })),
      valueInfo: [], initializers: [], sparseInitializers: [],
    };
    const fn: Mutable<ModelFunction> = { name, domain, inputs, outputs, attributes, opsetImports, body };
    if (docString) fn.docString = docString;
    return fn;
  }
}

function parseNonNegative(text: string, r: ProtoReader, name: string, key: string, at: number): number {
  if (!/^\d{1,16}$/.test(text.trim())) {
    r.fail(msg('External data of tensor "{0}" has an invalid {1}: "{2}".', name, key, text.slice(0, 40)), at);
  }
  return Number(text.trim());
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): { value: string; bytes: boolean } {
  try {
    return { value: strictUtf8.decode(bytes), bytes: false };
  } catch {
    return { value: Buffer.from(bytes).toString('latin1'), bytes: true };
  }
}

/** Names every graph by where it lives: `main`, `main/NODE.ATTR`, nested further for bodies in bodies. */
function assignGraphPaths(graph: Mutable<Graph>, graphPath: string): void {
  graph.path = graphPath;
  for (let index = 0; index < graph.nodes.length; index++) {
    const node = graph.nodes[index]!;
    for (const attribute of node.attributes) {
      if (attribute.type !== 'graph' && attribute.type !== 'graphs') continue;
      const label = `${graphPath}/${node.name || `${node.opType}#${index}`}.${attribute.name}`;
      if (attribute.type === 'graph') assignGraphPaths(attribute.value as Mutable<Graph>, label);
      else attribute.value.forEach((g, k) => assignGraphPaths(g as Mutable<Graph>, `${label}[${k}]`));
    }
  }
}

export { OnnxDecodeError };
