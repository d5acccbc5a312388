/**
 * The compact graph description the extension sends to the viewer (browser-safe: no Node, no vscode).
 *
 * It carries what drawing, search and the properties panel need, and nothing heavy: tensors are
 * referenced by index, initializers carry dtype/dims/byte length only (values are fetched on demand
 * with a `tensorValues` request), and attribute values are pre-rendered as short display strings.
 * Everything is plain JSON so it can be posted to the webview and on to the layout worker as is.
 */

export const COMPACT_GRAPH_VERSION = 1;

/** A dimension: a number, a symbolic name (`batch`), or null when unknown. */
export type CompactDim = number | string | null;

export type TensorKind = 'input' | 'output' | 'initializer' | 'intermediate';

export interface CompactTensor {
  readonly name: string;
  readonly kind: TensorKind;
  /** Element type name as ONNX spells it (`float`, `int64`, ...), '' when not known. */
  readonly dtype: string;
  /** Undefined when the rank is unknown. */
  readonly shape?: readonly CompactDim[];
  /** Index of the node that produces it, -1 for graph inputs and initializers. */
  readonly producer: number;
  /** For initializers: size of the stored data. */
  readonly bytes?: number;
  /** True when the initializer's data lives in an external file. */
  readonly external?: boolean;
}

export interface CompactAttribute {
  readonly name: string;
  /** ONNX attribute type: FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, TENSORS, GRAPHS, SPARSE_TENSOR, TYPE_PROTO ... */
  readonly type: string;
  /** Short display form (long lists are elided by the converter). Always drawn as text. */
  readonly value: string;
}

export interface CompactNode {
  readonly name: string;
  readonly op: string;
  /** '' for the default ONNX domain. */
  readonly domain: string;
  /** Tensor indexes; -1 for an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly attributes: readonly CompactAttribute[];
  /** Names of subgraph attributes (If/Loop/Scan bodies): drawn as a badge, listed in the properties. */
  readonly subgraphs?: readonly string[];
}

export interface CompactGraph {
  readonly version: typeof COMPACT_GRAPH_VERSION;
  readonly name: string;
  readonly nodes: readonly CompactNode[];
  readonly tensors: readonly CompactTensor[];
  /** Tensor indexes of the graph's (non-initializer) inputs and of its outputs. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Facts for the header: IR version, opsets, producer ... (already display strings). */
  readonly summary: readonly { readonly label: string; readonly value: string }[];
  /** Node count including nested graphs (matches `npu-port onnx check`'s `nodes`). */
  readonly totalNodes: number;
}

export type VerdictStatus = 'unsupported' | 'unverified';

/** One node's non-supported verdict, already rendered in the display language by the extension. */
export interface NodeVerdict {
  /** Index into CompactGraph.nodes; -1 when the node lives in a nested graph (then `name` identifies it). */
  readonly node: number;
  readonly name: string;
  readonly status: VerdictStatus;
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
  readonly hint?: string;
  /** Where the verdict came from: a profile id, `check_result.json`, `result.csv`, a remote task ... */
  readonly source: string;
}

export interface TargetOption {
  readonly id: string;
  readonly label: string;
  /** The target the workspace setting names (a newly opened editor checks against it). */
  readonly setting?: boolean;
}

/** What the properties panel shows for an initializer's values (fetched on demand). */
export interface TensorValues {
  readonly tensor: string;
  readonly dtype: string;
  readonly count: number;
  readonly first: readonly (number | string)[];
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Display category of an op, for the node colour (as Netron does: layer, activation, shape, ...). */
export type OpCategory =
  | 'layer' | 'activation' | 'normalization' | 'pool' | 'shape' | 'tensor' | 'logic' | 'math' | 'quantization' | 'control' | 'custom' | 'other';

const CATEGORY_OPS: Record<Exclude<OpCategory, 'custom' | 'other'>, readonly string[]> = {
  layer: ['Conv', 'ConvTranspose', 'ConvInteger', 'Gemm', 'MatMul', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul', 'LSTM', 'GRU', 'RNN', 'Attention', 'MultiHeadAttention', 'Einsum'],
  activation: ['Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Elu', 'Selu', 'Celu', 'Gelu', 'Erf', 'Softmax', 'LogSoftmax', 'Softplus', 'Softsign', 'HardSwish', 'Mish', 'ThresholdedRelu'],
  normalization: ['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'LRN', 'SkipLayerNormalization', 'SimplifiedLayerNormalization', 'Dropout'],
  pool: ['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'MaxRoiPool', 'RoiAlign', 'MaxUnpool'],
  shape: ['Reshape', 'Shape', 'Size', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'DepthToSpace', 'SpaceToDepth'],
  tensor: ['Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Scatter', 'ScatterElements', 'ScatterND', 'Pad', 'Resize', 'Upsample', 'Cast', 'CastLike', 'Constant', 'ConstantOfShape', 'Identity', 'Range', 'Trilu', 'OneHot', 'NonZero', 'TopK'],
  logic: ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'Where', 'IsNaN', 'IsInf'],
  math: ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Abs', 'Neg', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Tan', 'Min', 'Max', 'Mean', 'Sum', 'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2', 'CumSum', 'Mod', 'Sign', 'ArgMax', 'ArgMin'],
  quantization: ['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear'],
  control: ['If', 'Loop', 'Scan'],
};
const CATEGORY_OF = new Map<string, OpCategory>();
for (const [category, ops] of Object.entries(CATEGORY_OPS)) for (const op of ops) CATEGORY_OF.set(op, category as OpCategory);

export function opCategory(op: string, domain: string): OpCategory {
  const known = CATEGORY_OF.get(op);
  if (known) return known;
  return domain && domain !== 'ai.onnx' && domain !== 'com.microsoft' ? 'custom' : 'other';
}

/** `[1, 3, 'h', ?]` style label for an edge. */
export function formatShape(shape: readonly CompactDim[] | undefined): string {
  if (!shape) return '';
  return shape.map((d) => (d === null ? '?' : String(d))).join('×');
}
