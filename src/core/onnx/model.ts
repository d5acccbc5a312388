/**
 * The decoded ONNX model: plain data, stable, shared by the checker, the CLI, the text printer and the
 * viewer (src/extension/onnx/, webview/). Produced by `openModel` (file) or `decodeModel` (bytes) in
 * ./decode.ts.
 *
 * Rules that hold for every value here:
 * - Names follow onnx.proto in camelCase (`opType`, `irVersion`, `opsetImports`).
 * - Tensor payloads are never held: a `Tensor` records where its bytes are (`TensorData`); values are
 *   read on demand with `readTensor` (./tensor.ts).
 * - int64 scalars are `number` when exactly representable, else `bigint` (`Int64`): JSON.stringify
 *   throws on bigint, so faces that serialize use `int64ToJson`.
 * - Every object is JSON-friendly apart from `Int64` bigints; nothing holds file handles or buffers.
 */
import type { Message } from '../l10n';

/** An int64 from the model: a number when |v| <= Number.MAX_SAFE_INTEGER, else a bigint (exact). */
export type Int64 = number | bigint;

/**
 * Element type name: the TensorProto.DataType enum name in lower case (`float`, `float16`, `bfloat16`,
 * `int64`, `bool`, `string`, ...), or `undefined`, or `type(N)` for a code this schema does not name.
 */
export type ElementType =
  | 'undefined' | 'float' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'int64' | 'string' | 'bool'
  | 'float16' | 'double' | 'uint32' | 'uint64' | 'complex64' | 'complex128' | 'bfloat16'
  | 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'uint4' | 'int4' | 'float4e2m1'
  | 'float8e8m0' | 'uint2' | 'int2'
  | `type(${number})`;

/**
 * One dimension of a shape: a number (`dim_value`, normally >= 0), a string (symbolic `dim_param`, e.g.
 * "batch"), or null (neither set: unknown).
 */
export type Dim = number | string | null;

/** A value's type (TypeProto). `shape` null means the rank itself is unknown. */
export type ValueType =
  | { readonly kind: 'tensor'; readonly elemType: ElementType; readonly shape: readonly Dim[] | null; readonly denotation?: string }
  | { readonly kind: 'sparse_tensor'; readonly elemType: ElementType; readonly shape: readonly Dim[] | null; readonly denotation?: string }
  | { readonly kind: 'sequence'; readonly elem: ValueType | null; readonly denotation?: string }
  | { readonly kind: 'map'; readonly keyType: ElementType; readonly value: ValueType | null; readonly denotation?: string }
  | { readonly kind: 'optional'; readonly elem: ValueType | null; readonly denotation?: string }
  | { readonly kind: 'opaque'; readonly domain: string; readonly name: string; readonly denotation?: string }
  /** TypeProto with no value set (allowed for graph inputs of functions and unknown outputs). */
  | { readonly kind: 'unknown'; readonly denotation?: string };

/** A named value with its (optional) type: graph inputs, outputs and value_info entries. */
export interface ValueInfo {
  readonly name: string;
  readonly type: ValueType | null;
  readonly docString?: string;
}

/**
 * Where a tensor's values are.
 * - `raw`: raw_data bytes at [offset, offset + length) of the model file (little-endian, dense).
 * - `typed`: the typed repeated fields (float_data, int32_data, int64_data, double_data, uint64_data,
 *   string_data): `segments` are byte ranges in the model file, packed (wire type 2) or single elements.
 * - `external`: another file. `location` is as written in the model; `path` is the resolved file path
 *   (absent when refused); `problem` says why it is refused (escapes the model folder, absolute path).
 * - `none`: no values stored (an empty tensor, or a declaration with data only in dims).
 */
export type TensorData =
  | { readonly kind: 'raw'; readonly offset: number; readonly length: number }
  | { readonly kind: 'typed'; readonly field: TypedField; readonly segments: readonly TensorSegment[] }
  | {
      readonly kind: 'external';
      readonly location: string;
      readonly offset: number;
      /** Bytes to read; null when the model leaves it to the file size. */
      readonly length: number | null;
      readonly path?: string;
      /** Size of the resolved file, when it was found. */
      readonly fileBytes?: number;
      readonly problem?: Message;
    }
  | { readonly kind: 'none' };

export type TypedField = 'float_data' | 'int32_data' | 'string_data' | 'int64_data' | 'double_data' | 'uint64_data';

/** A byte range in the model file holding a typed field: `packed` ranges hold many elements, others one. */
export interface TensorSegment {
  readonly offset: number;
  readonly length: number;
  readonly packed: boolean;
}

/** A TensorProto (initializer, Constant value, tensor attribute). */
export interface Tensor {
  readonly name: string;
  readonly elemType: ElementType;
  readonly dims: readonly number[];
  /** Product of dims (1 for a scalar). */
  readonly elementCount: number;
  /** Bytes of the stored payload (raw/external length, or the sum of typed segments); for external data
   * without a length, the bytes its dims need. */
  readonly byteLength: number;
  readonly data: TensorData;
  readonly docString?: string;
  /** Byte offset of the TensorProto message in the model file (for error messages and the viewer). */
  readonly fileOffset: number;
}

/** A SparseTensorProto: `values` (1-D) at `indices` ([NNZ] linear or [NNZ, rank]) of a tensor of `dims`. */
export interface SparseTensor {
  readonly values: Tensor | null;
  readonly indices: Tensor | null;
  readonly dims: readonly number[];
}

export type AttributeType =
  | 'float' | 'int' | 'string' | 'tensor' | 'graph' | 'sparse_tensor' | 'type_proto'
  | 'floats' | 'ints' | 'strings' | 'tensors' | 'graphs' | 'sparse_tensors' | 'type_protos' | 'undefined';

/** An attribute value, discriminated by `type` (AttributeProto.type; inferred from the set field when missing). */
export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: Int64 }
  /** Strings are UTF-8 decoded; `bytes` is false when the bytes were not valid UTF-8 (then `value` is latin1). */
  | { readonly type: 'string'; readonly value: string; readonly bytes?: boolean }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'sparse_tensor'; readonly value: SparseTensor }
  | { readonly type: 'type_proto'; readonly value: ValueType }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly Int64[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly Tensor[] }
  | { readonly type: 'graphs'; readonly value: readonly Graph[] }
  | { readonly type: 'sparse_tensors'; readonly value: readonly SparseTensor[] }
  | { readonly type: 'type_protos'; readonly value: readonly ValueType[] }
  | { readonly type: 'undefined'; readonly value: null };

export type Attribute = AttributeValue & {
  readonly name: string;
  /** Set in function bodies: the attribute takes the value of the calling node's attribute of this name. */
  readonly refAttrName?: string;
  readonly docString?: string;
};

export interface Node {
  /** NodeProto.name; may be empty. torch.onnx.export writes module paths: `/encoder/layers.0/attn/MatMul`. */
  readonly name: string;
  readonly opType: string;
  /** "" and "ai.onnx" both mean the default ONNX domain. */
  readonly domain: string;
  /** Input value names; "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly Attribute[];
  readonly docString?: string;
}

export interface Graph {
  readonly name: string;
  /**
   * Where the graph lives: "main" for the model's graph; a subgraph appends `/NODE.ATTR` to its parent
   * (NODE is the node's name, or `OpType#index` when unnamed), e.g. `main/If_3.then_branch`; a `graphs`
   * attribute appends `[k]` per graph; function bodies are `function:DOMAIN::NAME`. Paths are unique
   * when node names are, and are what `NodeVerdict.graph` and the CLI JSON `graph` field carry.
   */
  readonly path: string;
  readonly nodes: readonly Node[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
  readonly initializers: readonly Tensor[];
  readonly sparseInitializers: readonly SparseTensor[];
  readonly docString?: string;
}

export interface OpsetImport {
  /** "" (or "ai.onnx") is the default domain. */
  readonly domain: string;
  readonly version: number;
}

/** A model-local function (FunctionProto): called by nodes with op_type = name and domain = domain. */
export interface ModelFunction {
  readonly name: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attribute names the function accepts. */
  readonly attributes: readonly string[];
  readonly opsetImports: readonly OpsetImport[];
  /** The body as a graph (inputs/outputs carry names only), path `function:DOMAIN::NAME`. */
  readonly body: Graph;
  readonly docString?: string;
}

export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

export interface Model {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly metadata: readonly MetadataEntry[];
  readonly graph: Graph;
  readonly functions: readonly ModelFunction[];
  /** Number of TrainingInfoProto entries (skipped: inference tools do not need them). */
  readonly trainingInfoCount: number;
  /** The file the model came from; `path` is absent for a model decoded from bytes. */
  readonly source: ModelSource;
}

export interface ModelSource {
  /** Absolute path of the .onnx file, when decoded from a file. */
  readonly path?: string;
  /** Folder external data is resolved against (the model's folder); absent: external data unreadable. */
  readonly baseDir?: string;
  readonly byteLength: number;
  /** Bytes the decoder actually read (less than byteLength when tensor payloads were skipped). */
  readonly bytesRead: number;
}

/** Default ONNX domain test: "" and "ai.onnx" are the same domain. */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The opset version the model imports for a domain ("" and "ai.onnx" alike), or undefined. */
export function opsetVersion(model: Pick<Model, 'opsetImports'>, domain = ''): number | undefined {
  const wanted = isDefaultDomain(domain) ? '' : domain;
  for (const entry of model.opsetImports) if ((isDefaultDomain(entry.domain) ? '' : entry.domain) === wanted) return entry.version;
  return undefined;
}

/** JSON-safe form of an Int64: bigints become decimal strings. */
export function int64ToJson(value: Int64): number | string {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A node with where it lives: the graph, its index there, and the nesting depth (0 = main graph). */
export interface NodeVisit {
  readonly node: Node;
  readonly graph: Graph;
  readonly index: number;
  readonly depth: number;
}

/** Every node of a graph, depth first, subgraphs (If/Loop/Scan bodies, any graph attribute) after their node. */
export function* walkNodes(graph: Graph, depth = 0): Generator<NodeVisit> {
  for (let index = 0; index < graph.nodes.length; index++) {
    const node = graph.nodes[index]!;
    yield { node, graph, index, depth };
    for (const sub of subgraphsOf(node)) yield* walkNodes(sub, depth + 1);
  }
}

/** The graphs held by a node's attributes (then_branch, else_branch, body, ...), in attribute order. */
export function subgraphsOf(node: Node): Graph[] {
  const found: Graph[] = [];
  for (const attribute of node.attributes) {
    if (attribute.type === 'graph') found.push(attribute.value);
    else if (attribute.type === 'graphs') found.push(...attribute.value);
  }
  return found;
}

/** Every graph of the model: main first, then subgraphs depth first. Function bodies are not included. */
export function* walkGraphs(graph: Graph): Generator<Graph> {
  yield graph;
  for (const node of graph.nodes) for (const sub of subgraphsOf(node)) yield* walkGraphs(sub);
}
