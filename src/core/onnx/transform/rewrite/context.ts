/**
 * What a rewrite rule gets: the model as it is now, its index, constant values on demand, element types
 * (declared, else observed), and static shapes: only when every graph input has a fixed shape (then one
 * onnxruntime run of the current model tells each value's shape, and those shapes hold for every input).
 */
import type { Message } from '../../../l10n';
import { isDefaultDomain, opsetVersion, type ElementType, type Graph, type Model, type Node, type Tensor } from '../../model';
import { feedInputs } from '../../run/inputs';
import type { ArrayValue } from '../../run/values';
import type { TensorValueArray } from '../../tensor';
import { declaredTypes, indexGraph, isStaticTensorType, type GraphIndex } from '../graph';
import { makeTensor, type PayloadReader } from '../payload';
import { elementTypeName } from '../../schema';
import { probeValues } from '../probe';
import { attribute } from '../editor';

/** Ops whose (first) output has the element type of input N. */
const SAME_AS_INPUT: Readonly<Record<string, number>> = Object.fromEntries([
  ...['Abs', 'Neg', 'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Floor', 'Ceil', 'Round', 'Sign',
    'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Softmax', 'LogSoftmax',
    'LayerNormalization', 'BatchNormalization', 'InstanceNormalization', 'Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze',
    'Transpose', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Expand', 'Tile', 'Concat', 'Split', 'Pad', 'Resize', 'Clip',
    'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
    'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Gelu', 'CumSum', 'ScatterND', 'ScatterElements', 'DepthToSpace', 'SpaceToDepth'].map((op) => [op, 0]),
  ['Where', 1],
]);
const BOOL_RESULT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

export interface RuleOutcome {
  readonly graph: Graph;
  /** Nodes replaced or removed, values changed. 0: the rule found nothing to do. */
  readonly changed: number;
  /** Why candidates were left alone (shape unknown, consumer needs int64, ...). */
  readonly notes: readonly Message[];
}

export interface RewriteRule {
  readonly id: string;
  readonly summary: Message;
  /** Op types the rule removes (counted before and after, for the report). */
  readonly removes: readonly string[];
  /** False for rules that change numerics (Erf → tanh GELU): verified with the approximate tolerance. */
  readonly exact: boolean;
  apply(ctx: RewriteContext): Promise<RuleOutcome>;
}

export interface RewriteSettings {
  /** Input shapes for `fix-input-shapes` (by input name) and sizes of symbolic dims (by dim name). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly dims?: Readonly<Record<string, number>>;
  /** Folded constants above this many elements stay computed (default 1,048,576). */
  readonly maxFoldElements?: number;
  /**
   * Only the nodes of these names, for the rules that rewrite one node at a time (Squeeze/Unsqueeze, Gather,
   * Abs, Equal + Cast, Erf). Constant folding, int64 → int32 and fixing input shapes always look at the whole graph.
   */
  readonly nodes?: readonly string[];
}

export class RewriteContext {
  readonly index: GraphIndex;
  readonly opset: number;
  readonly staticInputs: boolean;
  private readonly declared: ReadonlyMap<string, import('../../model').ValueType>;
  private observed: Promise<Record<string, ArrayValue>> | undefined;
  private readonly scope: ReadonlySet<string> | undefined;

  constructor(
    readonly model: Model,
    readonly payloads: PayloadReader,
    readonly feeds: Readonly<Record<string, ArrayValue>>,
    readonly settings: RewriteSettings,
    readonly modelBytesForEncode: Uint8Array | undefined,
    readonly signal: AbortSignal | undefined,
  ) {
    this.index = indexGraph(model.graph);
    this.opset = opsetVersion(model) ?? 1;
    this.declared = declaredTypes(model.graph);
    this.staticInputs = feedInputs(model.graph).every((v) => isStaticTensorType(v.type));
    this.scope = settings.nodes ? new Set(settings.nodes) : undefined;
  }

  /** Whether a one-node-at-a-time rule may rewrite this node (settings.nodes). */
  inScope(node: Node): boolean {
    return !this.scope || this.scope.has(node.name);
  }

  get graph(): Graph {
    return this.model.graph;
  }

  /** The tensor behind a constant value: an initializer (not a graph input) or a Constant node's value. */
  constantTensor(name: string): Tensor | undefined {
    const init = this.index.initializers.get(name);
    if (init) return this.index.feeds.has(name) || this.graph.inputs.some((v) => v.name === name) ? undefined : init;
    const producer = this.index.producer.get(name);
    if (producer === undefined) return undefined;
    const node = this.graph.nodes[producer]!;
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain)) return undefined;
    const value = attribute(node, 'value');
    if (value?.type === 'tensor') return value.value;
    const int = attribute(node, 'value_int');
    if (int?.type === 'int') return makeTensor(name, 'int64', [], BigInt64Array.of(BigInt(int.value)));
    const ints = attribute(node, 'value_ints');
    if (ints?.type === 'ints') return makeTensor(name, 'int64', [ints.value.length], BigInt64Array.from(ints.value, (v) => BigInt(v)));
    const float = attribute(node, 'value_float');
    if (float?.type === 'float') return makeTensor(name, 'float', [], Float32Array.of(float.value));
    const floats = attribute(node, 'value_floats');
    if (floats?.type === 'floats') return makeTensor(name, 'float', [floats.value.length], Float32Array.from(floats.value));
    return undefined;
  }

  async constantValues(name: string): Promise<TensorValueArray | undefined> {
    const tensor = this.constantTensor(name);
    return tensor ? this.payloads.values(tensor) : undefined;
  }

  /** Element type of a value: declared, else followed through ops whose output type is fixed by their inputs, else observed in a run. */
  async elemType(name: string): Promise<ElementType | undefined> {
    return this.localElemType(name) ?? (await this.observe())[name]?.elemType;
  }

  private readonly typeMemo = new Map<string, ElementType | undefined>();

  /** Follows a value back through ops whose output type is their input's, iteratively (residual chains are long). */
  private localElemType(name: string): ElementType | undefined {
    const path: string[] = [];
    let current: string | undefined = name;
    let found: ElementType | undefined;
    while (current !== undefined) {
      if (this.typeMemo.has(current)) { found = this.typeMemo.get(current); break; }
      path.push(current);
      const direct = this.directElemType(current);
      if (direct.done) { found = direct.type; break; }
      current = direct.next;
    }
    for (const value of path) this.typeMemo.set(value, found);
    return found;
  }

  private directElemType(name: string): { done: true; type: ElementType | undefined } | { done: false; next: string } {
    const type = this.declared.get(name);
    if (type && type.kind === 'tensor' && type.elemType !== 'undefined') return { done: true, type: type.elemType };
    const producer = this.index.producer.get(name);
    if (producer === undefined) return { done: true, type: undefined };
    const node = this.graph.nodes[producer]!;
    if (!isDefaultDomain(node.domain)) return { done: true, type: undefined };
    if (node.opType === 'Cast') {
      const to = attribute(node, 'to');
      return { done: true, type: to?.type === 'int' ? elementTypeName(Number(to.value)) : undefined };
    }
    if (BOOL_RESULT.has(node.opType)) return { done: true, type: 'bool' };
    if (node.opType === 'Shape' || node.opType === 'Size') return { done: true, type: 'int64' };
    if (node.opType === 'Constant') return { done: true, type: this.constantTensor(name)?.elemType };
    const from = SAME_AS_INPUT[node.opType];
    return from !== undefined && node.inputs[from] ? { done: false, next: node.inputs[from]! } : { done: true, type: undefined };
  }

  /** Static dims of a value, when every graph input is fixed; else undefined. */
  async staticDims(name: string): Promise<readonly number[] | undefined> {
    if (!this.staticInputs) return undefined;
    const type = this.declared.get(name);
    if (isStaticTensorType(type)) return type.shape;
    return (await this.observe())[name]?.dims;
  }

  private observe(): Promise<Record<string, ArrayValue>> {
    this.observed ??= probeValues(this.model, this.graph.nodes.flatMap((n) => n.outputs.filter((o) => o)), {
      inputs: this.feeds, ...(this.modelBytesForEncode ? { modelBytes: this.modelBytesForEncode } : {}), ...(this.signal ? { signal: this.signal } : {}),
    });
    return this.observed;
  }
}
