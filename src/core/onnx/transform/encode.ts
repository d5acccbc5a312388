/**
 * `Model` → ONNX bytes, with protobufjs over the same official schema the decoder reads
 * (../schema.ts, proto/onnx-ml.json). Tensor payloads are read when their tensor is written (PayloadReader):
 * from the source model's file, its bytes, or memory for tensors a transform created. Everything the
 * decoder keeps is written back; the decoder drops training_info and quantization annotations, and so does
 * this encoder (inference tools do not need them). External data is written inline (raw_data).
 */
import * as protobuf from 'protobufjs/light';
import { msg } from '../../l10n';
import type {
  Attribute, ElementType, Graph, Int64, Model, ModelFunction, Node, SparseTensor, Tensor, ValueInfo, ValueType,
} from '../model';
import { LATER_ELEMENT_TYPES, onnxRoot, onnxSchema } from '../schema';
import { TransformError } from './errors';
import { PayloadReader } from './payload';

export interface EncodeOptions {
  /** The bytes `model` was decoded from, when it was decoded with `decodeModel` (no file). */
  readonly modelBytes?: Uint8Array;
  readonly signal?: AbortSignal;
}

/** ONNX's protobuf limit: a ModelProto over 2 GiB cannot be parsed by onnx or onnxruntime. */
const MAX_PROTO_BYTES = 2 ** 31 - 1;

/** Encodes a model; payloads come from the model's source (file or `modelBytes`) or from memory. */
export async function encodeModel(model: Model, options: EncodeOptions = {}): Promise<Uint8Array> {
  const reader = new PayloadReader(model, options.modelBytes);
  try {
    const encoder = new ModelEncoder(reader, options.signal);
    const message = await encoder.model(model);
    if (encoder.payloadBytes > MAX_PROTO_BYTES) {
      throw new TransformError(msg('The model would hold {0} bytes of weights, over the 2 GiB limit of an ONNX file without external data.', encoder.payloadBytes));
    }
    const type = onnxRoot().lookupType('onnx.ModelProto');
    return type.encode(message).finish();
  } finally {
    reader.close();
  }
}

/** Later element types the 1.12 schema does not name (see ../schema.ts). */
const LATER_TYPE_CODES: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(LATER_ELEMENT_TYPES).map(([code, name]) => [name, Number(code)]));

export function elementTypeCode(type: ElementType): number {
  const named = onnxSchema().dataType[type.toUpperCase()];
  if (named !== undefined) return named;
  const later = LATER_TYPE_CODES[type];
  if (later !== undefined) return later;
  const match = /^type\((\d+)\)$/.exec(type);
  return match ? Number(match[1]) : 0;
}

let attributeCodes: Map<string, number> | undefined;
function attributeTypeCode(type: string): number {
  if (!attributeCodes) {
    attributeCodes = new Map();
    for (const [code, name] of onnxSchema().attributeTypes) attributeCodes.set(name, code);
  }
  return attributeCodes.get(type) ?? 0;
}

/** int64 for protobufjs: numbers as they are, bigints as {low, high}. */
function int64(value: Int64): number | protobuf.Long | { low: number; high: number; unsigned: boolean } {
  if (typeof value === 'number') return value;
  const v = BigInt.asUintN(64, value);
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: false };
}

type Obj = Record<string, unknown>;

/** Optional scalar fields are written only when set (not "" or 0), as onnx writes them. */
function present(key: string, value: string | number): Obj {
  return value === '' || value === 0 ? {} : { [key]: value };
}

class ModelEncoder {
  payloadBytes = 0;
  private readonly textEncoder = new TextEncoder();

  constructor(private readonly reader: PayloadReader, private readonly signal?: AbortSignal) {}

  async model(model: Model): Promise<Obj> {
    const out: Obj = {
      ...present('ir_version', model.irVersion),
      opset_import: model.opsetImports.map((o) => ({ ...present('domain', o.domain), version: o.version })),
      ...present('producer_name', model.producerName),
      ...present('producer_version', model.producerVersion),
      ...present('domain', model.domain),
      ...present('model_version', model.modelVersion),
      ...present('doc_string', model.docString),
      graph: await this.graph(model.graph),
      metadata_props: model.metadata.map((e) => ({ key: e.key, value: e.value })),
    };
    if (model.functions.length) {
      const functions = [];
      for (const fn of model.functions) functions.push(await this.function(fn));
      out['functions'] = functions;
    }
    return out;
  }

  private async function(fn: ModelFunction): Promise<Obj> {
    const nodes = [];
    for (const node of fn.body.nodes) nodes.push(await this.node(node));
    return {
      name: fn.name, ...present('domain', fn.domain), input: [...fn.inputs], output: [...fn.outputs], attribute: [...fn.attributes],
      node: nodes, opset_import: fn.opsetImports.map((o) => ({ ...present('domain', o.domain), version: o.version })),
      ...(fn.docString ? { doc_string: fn.docString } : {}),
    };
  }

  async graph(graph: Graph): Promise<Obj> {
    const nodes: Obj[] = [];
    for (let i = 0; i < graph.nodes.length; i++) {
      nodes.push(await this.node(graph.nodes[i]!));
      if ((i & 1023) === 1023) this.signal?.throwIfAborted();
    }
    const initializers: Obj[] = [];
    for (const t of graph.initializers) initializers.push(await this.tensor(t));
    const sparse: Obj[] = [];
    for (const s of graph.sparseInitializers) sparse.push(await this.sparseTensor(s));
    return {
      ...present('name', graph.name),
      node: nodes,
      initializer: initializers,
      sparse_initializer: sparse,
      input: graph.inputs.map((v) => this.valueInfo(v)),
      output: graph.outputs.map((v) => this.valueInfo(v)),
      value_info: graph.valueInfo.map((v) => this.valueInfo(v)),
      ...(graph.docString ? { doc_string: graph.docString } : {}),
    };
  }

  private async node(node: Node): Promise<Obj> {
    const attributes: Obj[] = [];
    for (const a of node.attributes) attributes.push(await this.attribute(a));
    return {
      input: [...node.inputs], output: [...node.outputs], ...present('name', node.name), op_type: node.opType, ...present('domain', node.domain),
      attribute: attributes, ...(node.docString ? { doc_string: node.docString } : {}),
    };
  }

  private async attribute(a: Attribute): Promise<Obj> {
    const out: Obj = { name: a.name, type: attributeTypeCode(a.type) };
    if (a.refAttrName) out['ref_attr_name'] = a.refAttrName;
    if (a.docString) out['doc_string'] = a.docString;
    // A reference to the calling node's attribute carries no value of its own.
    if (a.refAttrName) return out;
    switch (a.type) {
      case 'float': out['f'] = a.value; break;
      case 'int': out['i'] = int64(a.value); break;
      case 'string': out['s'] = a.bytes ? Buffer.from(a.value, 'latin1') : this.textEncoder.encode(a.value); break;
      case 'tensor': out['t'] = await this.tensor(a.value); break;
      case 'graph': out['g'] = await this.graph(a.value); break;
      case 'sparse_tensor': out['sparse_tensor'] = await this.sparseTensor(a.value); break;
      case 'type_proto': out['tp'] = this.type(a.value); break;
      case 'floats': out['floats'] = [...a.value]; break;
      case 'ints': out['ints'] = a.value.map(int64); break;
      case 'strings': out['strings'] = a.value.map((s) => this.textEncoder.encode(s)); break;
      case 'tensors': { const ts = []; for (const t of a.value) ts.push(await this.tensor(t)); out['tensors'] = ts; break; }
      case 'graphs': { const gs = []; for (const g of a.value) gs.push(await this.graph(g)); out['graphs'] = gs; break; }
      case 'sparse_tensors': { const ss = []; for (const s of a.value) ss.push(await this.sparseTensor(s)); out['sparse_tensors'] = ss; break; }
      case 'type_protos': out['type_protos'] = a.value.map((t) => this.type(t)); break;
      default: out['type'] = 0;
    }
    return out;
  }

  async tensor(t: Tensor): Promise<Obj> {
    const out: Obj = { dims: [...t.dims], data_type: elementTypeCode(t.elemType), ...present('name', t.name) };
    if (t.docString) out['doc_string'] = t.docString;
    if (t.elemType === 'string') {
      out['string_data'] = (await this.reader.strings(t)).map((s) => this.textEncoder.encode(s));
      return out;
    }
    const bytes = await this.reader.bytes(t, this.signal);
    this.payloadBytes += bytes.byteLength;
    out['raw_data'] = bytes;
    return out;
  }

  private async sparseTensor(s: SparseTensor): Promise<Obj> {
    return {
      dims: [...s.dims],
      ...(s.values ? { values: await this.tensor(s.values) } : {}),
      ...(s.indices ? { indices: await this.tensor(s.indices) } : {}),
    };
  }

  private valueInfo(v: ValueInfo): Obj {
    return { name: v.name, ...(v.type ? { type: this.type(v.type) } : {}), ...(v.docString ? { doc_string: v.docString } : {}) };
  }

  private type(t: ValueType): Obj {
    const out: Obj = {};
    if (t.denotation) out['denotation'] = t.denotation;
    switch (t.kind) {
      case 'tensor': out['tensor_type'] = this.tensorType(t.elemType, t.shape); break;
      case 'sparse_tensor': out['sparse_tensor_type'] = this.tensorType(t.elemType, t.shape); break;
      case 'sequence': out['sequence_type'] = t.elem ? { elem_type: this.type(t.elem) } : {}; break;
      case 'optional': out['optional_type'] = t.elem ? { elem_type: this.type(t.elem) } : {}; break;
      case 'map': out['map_type'] = { key_type: elementTypeCode(t.keyType), ...(t.value ? { value_type: this.type(t.value) } : {}) }; break;
      case 'opaque': out['opaque_type'] = { domain: t.domain, name: t.name }; break;
      default: break;
    }
    return out;
  }

  private tensorType(elemType: ElementType, shape: readonly (number | string | null)[] | null): Obj {
    const out: Obj = { elem_type: elementTypeCode(elemType) };
    if (shape) out['shape'] = { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})) };
    return out;
  }
}
