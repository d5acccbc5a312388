/**
 * Field numbers and enums of the official ONNX schema, taken at first use from protobufjs reflection over
 * proto/onnx-ml.json (generated from proto/onnx-ml.proto, the file ONNX ships). Nothing here is typed
 * by hand: every field the decoder uses is looked up by name and the lookup fails loudly if the schema
 * lacks it.
 */
import * as protobuf from 'protobufjs/light';
import schemaJson from './proto/onnx-ml.json';
import type { ElementType } from './model';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

/** One message type: field numbers by name, and the wire type each field number expects. */
export interface MessageSchema<K extends string> {
  readonly name: string;
  readonly id: Readonly<Record<K, number>>;
  /** Expected wire type per field number; repeated scalars also accept WIRE_LENGTH (packed). */
  readonly wire: ReadonlyMap<number, { wire: number; packable: boolean; name: string }>;
  /** The same, as an array indexed by field number, for the small field numbers (fast path). */
  readonly wireByField: readonly ({ wire: number; packable: boolean; name: string } | undefined)[];
}

let root: protobuf.Root | undefined;

/** The protobufjs Root of onnx-ml.proto (also used by benchmarks for a full protobufjs decode). */
export function onnxRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(schemaJson as protobuf.INamespace);
  return root;
}

const scalarWire: Record<string, number> = {
  double: WIRE_FIXED64, fixed64: WIRE_FIXED64, sfixed64: WIRE_FIXED64,
  float: WIRE_FIXED32, fixed32: WIRE_FIXED32, sfixed32: WIRE_FIXED32,
  int32: WIRE_VARINT, int64: WIRE_VARINT, uint32: WIRE_VARINT, uint64: WIRE_VARINT, sint32: WIRE_VARINT,
  sint64: WIRE_VARINT, bool: WIRE_VARINT, string: WIRE_LENGTH, bytes: WIRE_LENGTH,
};

function message<K extends string>(name: string, names: readonly K[]): MessageSchema<K> {
  const type = onnxRoot().lookupType(`onnx.${name}`);
  type.resolveAll();
  const id = {} as Record<K, number>;
  for (const fieldName of names) {
    const field = type.fields[fieldName];
    if (!field) throw new Error(`onnx-ml.proto has no field ${name}.${fieldName}`);
    id[fieldName] = field.id;
  }
  const wire = new Map<number, { wire: number; packable: boolean; name: string }>();
  for (const field of type.fieldsArray) {
    const scalar = scalarWire[field.type];
    const isEnum = field.resolvedType instanceof protobuf.Enum;
    const w = scalar ?? (isEnum ? WIRE_VARINT : WIRE_LENGTH);
    wire.set(field.id, { wire: w, packable: field.repeated && w !== WIRE_LENGTH, name: field.name });
  }
  const wireByField: ({ wire: number; packable: boolean; name: string } | undefined)[] = new Array(64).fill(undefined);
  for (const [number, entry] of wire) if (number < wireByField.length) wireByField[number] = entry;
  return { name, id, wire, wireByField };
}

function enumValues(name: string): Readonly<Record<string, number>> {
  return onnxRoot().lookupEnum(`onnx.${name}`).values;
}

/**
 * Element type codes ONNX added after the 1.12 schema committed here (TensorProto.DataType in
 * onnx/onnx.proto: FLOAT8E4M3FN = 17 ... FLOAT4E2M1 = 23, FLOAT8E8M0 = 24, UINT2 = 25, INT2 = 26). Only
 * names; the decoder reads their payload as bytes.
 */
export const LATER_ELEMENT_TYPES: Readonly<Record<number, ElementType>> = {
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
  24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

function buildSchema() {
  const dataType = enumValues('TensorProto.DataType');
  const elementTypes = new Map<number, ElementType>();
  for (const [name, code] of Object.entries(dataType)) elementTypes.set(code, name.toLowerCase() as ElementType);
  for (const [code, name] of Object.entries(LATER_ELEMENT_TYPES)) if (!elementTypes.has(Number(code))) elementTypes.set(Number(code), name);
  const attributeType = enumValues('AttributeProto.AttributeType');
  const attributeTypes = new Map<number, string>();
  for (const [name, code] of Object.entries(attributeType)) attributeTypes.set(code, name.toLowerCase());
  return {
    model: message('ModelProto', ['ir_version', 'opset_import', 'producer_name', 'producer_version', 'domain', 'model_version', 'doc_string', 'graph', 'metadata_props', 'training_info', 'functions'] as const),
    opset: message('OperatorSetIdProto', ['domain', 'version'] as const),
    entry: message('StringStringEntryProto', ['key', 'value'] as const),
    graph: message('GraphProto', ['node', 'name', 'initializer', 'sparse_initializer', 'doc_string', 'input', 'output', 'value_info', 'quantization_annotation'] as const),
    node: message('NodeProto', ['input', 'output', 'name', 'op_type', 'domain', 'attribute', 'doc_string'] as const),
    attribute: message('AttributeProto', ['name', 'ref_attr_name', 'doc_string', 'type', 'f', 'i', 's', 't', 'g', 'sparse_tensor', 'tp', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensors', 'type_protos'] as const),
    valueInfo: message('ValueInfoProto', ['name', 'type', 'doc_string'] as const),
    tensor: message('TensorProto', ['dims', 'data_type', 'segment', 'float_data', 'int32_data', 'string_data', 'int64_data', 'name', 'doc_string', 'raw_data', 'external_data', 'data_location', 'double_data', 'uint64_data'] as const),
    sparseTensor: message('SparseTensorProto', ['values', 'indices', 'dims'] as const),
    shape: message('TensorShapeProto', ['dim'] as const),
    dimension: message('TensorShapeProto.Dimension', ['dim_value', 'dim_param', 'denotation'] as const),
    type: message('TypeProto', ['tensor_type', 'sequence_type', 'map_type', 'optional_type', 'sparse_tensor_type', 'opaque_type', 'denotation'] as const),
    typeTensor: message('TypeProto.Tensor', ['elem_type', 'shape'] as const),
    typeSequence: message('TypeProto.Sequence', ['elem_type'] as const),
    typeMap: message('TypeProto.Map', ['key_type', 'value_type'] as const),
    typeOptional: message('TypeProto.Optional', ['elem_type'] as const),
    typeSparse: message('TypeProto.SparseTensor', ['elem_type', 'shape'] as const),
    typeOpaque: message('TypeProto.Opaque', ['domain', 'name'] as const),
    function: message('FunctionProto', ['name', 'input', 'output', 'attribute', 'node', 'doc_string', 'opset_import', 'domain'] as const),
    dataLocationExternal: enumValues('TensorProto.DataLocation')['EXTERNAL']!,
    dataType,
    elementTypes,
    attributeTypes,
  };
}

export type OnnxSchema = ReturnType<typeof buildSchema>;
let schema: OnnxSchema | undefined;

export function onnxSchema(): OnnxSchema {
  schema ??= buildSchema();
  return schema;
}

export function elementTypeName(code: number): ElementType {
  return onnxSchema().elementTypes.get(code) ?? (`type(${code})` as ElementType);
}

/** Bytes per element in raw_data (0 for string and for sub-byte / unknown types). */
export function elementSize(type: ElementType): number {
  switch (type) {
    case 'float': case 'int32': case 'uint32': return 4;
    case 'double': case 'int64': case 'uint64': case 'complex64': return 8;
    case 'complex128': return 16;
    case 'float16': case 'bfloat16': case 'int16': case 'uint16': return 2;
    case 'int8': case 'uint8': case 'bool':
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0': return 1;
    default: return 0;
  }
}
