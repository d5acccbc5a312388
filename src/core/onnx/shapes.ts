/**
 * Shapes and element types of the values a model does not declare (no value_info), for the viewer's
 * edges and properties. A small forward inference over the main graph: elementwise ops with
 * broadcasting, MatMul/Gemm, Conv, Reshape with a constant shape, Transpose, Concat, Slice/Gather with
 * constants, Unsqueeze/Squeeze (axes as attribute before opset 13, as input from 13), Cast, Shape and
 * the small int vectors torch.onnx.export builds shapes from (Shape → Gather → Unsqueeze → Concat).
 *
 * Rules: declared types (graph inputs/outputs, value_info, initializers, Constant values) win; a
 * dimension that cannot be derived is null and a rank that cannot be derived leaves the shape null:
 * unknown stays unknown, nothing is guessed. Symbolic dims (`batch`) stay symbolic where they pass
 * through unchanged. Element types reuse the checker's tables (./check.ts).
 */
import { elementName, INT64_OUTPUT, SAME_TYPE_AS_INPUT } from './check';
import type { Attribute, Dim, ElementType, Graph, Model, Node, Tensor, ValueType } from './model';
import { isDefaultDomain, opsetVersion } from './model';
import { readFileRange, readTensor } from './tensor';

/** A tensor's element type and shape (null: rank unknown). */
export interface TensorShape {
  readonly elemType: ElementType;
  readonly shape: readonly Dim[] | null;
}

export interface ShapeInference {
  /** Every value of the main graph with a tensor type, declared or inferred. */
  readonly types: ReadonlyMap<string, TensorShape>;
  /** The names whose type was inferred here (not declared by the model). */
  readonly inferred: ReadonlySet<string>;
}

/** Int vectors (shapes, axes, indices) up to this many elements are read to feed Reshape, Slice, ... */
const MAX_VALUE_ELEMENTS = 64;
const INT_TYPES: ReadonlySet<ElementType> = new Set<ElementType>(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);
const COMPARISONS: ReadonlySet<string> = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BROADCASTING: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Min', 'Max', 'Sum', 'Mean', 'PRelu', 'BitShift', ...COMPARISONS]);
/** Output 0 has the shape of input 0. */
const SAME_SHAPE: ReadonlySet<string> = new Set([
  'Identity', 'Neg', 'Abs', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Erf',
  'Floor', 'Ceil', 'Round', 'Sign', 'Reciprocal', 'Softmax', 'LogSoftmax', 'Softplus', 'Softsign', 'Gelu', 'Mish', 'Clip', 'Not', 'IsNaN', 'IsInf',
  'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'CumSum', 'Dropout', 'LayerNormalization', 'BatchNormalization', 'InstanceNormalization',
  'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'LRN', 'ThresholdedRelu', 'Hardmax', 'Cast', 'CastLike', 'Trilu',
]);
const BOOL_OUTPUT: ReadonlySet<string> = new Set([...COMPARISONS, 'Not', 'IsNaN', 'IsInf']);

/** A small int vector with what is known of each entry: a number, a symbolic dim, or null. */
type Values = readonly Dim[];

/**
 * Shapes of the main graph's values. Reads the small int tensors (≤ 64 elements) of initializers and
 * Constant nodes that feed shape computations; everything else is metadata only.
 */
export async function inferShapes(model: Model, options: { modelBytes?: Uint8Array; signal?: AbortSignal } = {}): Promise<ShapeInference> {
  const graph = model.graph;
  const constants = new Map<string, Values>();
  const prepared = prepare(graph);
  const wanted = prepared.needed;
  const tensors: [string, Tensor][] = [];
  for (const init of graph.initializers) if (wanted.has(init.name)) tensors.push([init.name, init]);
  for (const node of graph.nodes) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain) || !node.outputs[0] || !wanted.has(node.outputs[0])) continue;
    const value = node.attributes.find((a) => a.name === 'value');
    if (value?.type === 'tensor') tensors.push([node.outputs[0], value.value]);
    const ints = node.attributes.find((a) => a.name === 'value_ints' || a.name === 'value_int');
    if (ints?.type === 'ints') constants.set(node.outputs[0], ints.value.map(Number));
    if (ints?.type === 'int') constants.set(node.outputs[0], [Number(ints.value)]);
  }
  const small = tensors.filter(([, t]) => INT_TYPES.has(t.elemType) && t.elementCount <= MAX_VALUE_ELEMENTS && t.dims.length <= 1);
  const chunks = await readChunks(model, small.map(([, t]) => t), options);
  for (const [name, tensor] of small) {
    const start = tensor.data.kind === 'raw' ? tensor.data.offset : tensor.data.kind === 'typed' ? tensor.data.segments[0]?.offset ?? 0 : -1;
    const chunk = options.modelBytes ? { modelBytes: options.modelBytes } : chunks.find((c) => start >= c.modelBytesOffset && start < c.modelBytesOffset + c.modelBytes.length);
    if (start >= 0 && !chunk) continue;
    try {
      const { values } = await readTensor(model, tensor, { ...chunk, ...(options.signal ? { signal: options.signal } : {}) });
      constants.set(name, Array.from(values as ArrayLike<number | bigint>, (v) => Number(v)));
    } catch {
      // unreadable (missing external data, a changed file): the value stays unknown
    }
  }
  return propagate(graph, opsetVersion(model) ?? 13, constants, prepared);
}

/**
 * The model bytes that hold `tensors`, read in a few ranges (tensors closer than 1 MiB share one), so
 * thousands of small constants cost a few reads, not one file open each. External data is read per tensor.
 */
async function readChunks(model: Model, tensors: readonly Tensor[], options: { modelBytes?: Uint8Array; signal?: AbortSignal }): Promise<{ modelBytes: Uint8Array; modelBytesOffset: number }[]> {
  if (options.modelBytes) return [];
  const ranges: [number, number][] = [];
  for (const t of tensors) {
    if (t.data.kind === 'raw') ranges.push([t.data.offset, t.data.offset + t.data.length]);
    else if (t.data.kind === 'typed') for (const s of t.data.segments) ranges.push([s.offset, s.offset + s.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] - last[1] <= 1 << 20) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const chunks: { modelBytes: Uint8Array; modelBytesOffset: number }[] = [];
  if (!model.source.path) return chunks;
  for (const [from, to] of merged) {
    try {
      chunks.push({ modelBytes: await readFileRange(model.source.path, from, to - from, options.signal), modelBytesOffset: from });
    } catch {
      // a short or changed file: those values stay unknown
    }
  }
  return chunks;
}

/** Inputs whose values give shapes, sizes or axes: [op, first such input]. */
const VALUE_INPUTS: ReadonlyMap<string, number> = new Map([
  ['Reshape', 1], ['Slice', 1], ['Unsqueeze', 1], ['Squeeze', 1], ['Expand', 1], ['Split', 1], ['ConstantOfShape', 0], ['Gather', 1],
  ['ReduceMean', 1], ['ReduceSum', 1], ['ReduceMax', 1], ['ReduceMin', 1], ['ReduceProd', 1], ['ReduceL2', 1],
]);
/** Ops that carry int vector values from their inputs to their output. */
const VALUE_CARRIERS: ReadonlySet<string> = new Set(['Concat', 'Gather', 'Unsqueeze', 'Squeeze', 'Cast', 'Identity', 'Slice', 'Add', 'Sub', 'Mul', 'Div', 'Reshape']);

/** A declared type the inference leaves as it is (./inferGraphShapes): element type and rank known. */
const complete = (t: TensorShape | undefined): boolean => t !== undefined && t.shape !== null && t.elemType !== 'undefined';

/**
 * The declared types (graph inputs, value_info, outputs, initializers), and the values whose contents the
 * inference can use: read only those (a backward pass from the consumers). With value_info, a node whose
 * outputs are all declared needs no values (a model with every value declared reads none).
 */
function prepare(graph: Graph): { types: Map<string, TensorShape>; needed: Set<string>; declaredOnly: boolean } {
  const types = new Map<string, TensorShape>();
  const declare = (name: string, type: ValueType | null) => {
    if (type && (type.kind === 'tensor' || type.kind === 'sparse_tensor')) types.set(name, { elemType: type.elemType, shape: type.shape });
  };
  for (const list of [graph.inputs, graph.valueInfo, graph.outputs]) for (const v of list) declare(v.name, v.type);
  for (const t of graph.initializers) if (!types.has(t.name)) types.set(t.name, { elemType: t.elemType, shape: [...t.dims] });
  // without value_info, hardly any node output is declared: not worth a look per node
  const declaredOnly = graph.valueInfo.length > 0;
  const needed = new Set<string>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    const from = VALUE_INPUTS.get(node.opType);
    if (from !== undefined && !(declaredOnly && allDeclared(node, types))) for (let k = from; k < node.inputs.length; k++) if (node.inputs[k]) needed.add(node.inputs[k]!);
    if (VALUE_CARRIERS.has(node.opType) && node.outputs.some((o) => needed.has(o))) for (const input of node.inputs) if (input) needed.add(input);
  }
  return { types, needed, declaredOnly };
}

/** The values whose contents the inference reads and carries (initializers, Constants, shape arithmetic). */
export function valuesNeeded(graph: Graph): Set<string> {
  return prepare(graph).needed;
}

function allDeclared(node: Node, types: ReadonlyMap<string, TensorShape>): boolean {
  for (const o of node.outputs) if (o && !complete(types.get(o))) return false;
  return true;
}

/** The propagation itself (synchronous): `constants` holds the int vectors already read. */
export function inferGraphShapes(graph: Graph, opset: number, constants: ReadonlyMap<string, Values> = new Map()): ShapeInference {
  return propagate(graph, opset, constants, prepare(graph));
}

function propagate(graph: Graph, opset: number, constants: ReadonlyMap<string, Values>, prepared: ReturnType<typeof prepare>): ShapeInference {
  const { types, needed, declaredOnly } = prepared;
  const inferred = new Set<string>();
  const values = new Map<string, Values>(constants);
  for (const node of graph.nodes) {
    if (!isDefaultDomain(node.domain)) continue;
    // outputs all declared and no value of theirs needed further on: nothing to infer here
    if (declaredOnly && allDeclared(node, types) && !node.outputs.some((o) => needed.has(o))) continue;
    const outs = inferNode(node, opset, (name) => (name ? types.get(name) : undefined), (name) => (name ? values.get(name) : undefined));
    outs.forEach((out, k) => {
      const name = node.outputs[k];
      if (!name || !out) return;
      if (out.value && !values.has(name)) values.set(name, out.value);
      const declared = types.get(name);
      if (complete(declared)) return;
      // a declared type with an unknown rank or element type is completed, never contradicted
      const elemType = declared && declared.elemType !== 'undefined' ? declared.elemType : out.elemType;
      const shape = declared?.shape ?? out.shape;
      if (elemType === 'undefined' && !shape) return;
      types.set(name, { elemType, shape });
      inferred.add(name);
    });
  }
  return { types, inferred };
}

interface Inferred extends TensorShape {
  readonly value?: Values;
}

type TypeOf = (name: string | undefined) => TensorShape | undefined;
type ValueOf = (name: string | undefined) => Values | undefined;

function attr(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}
function intAttr(node: Node, name: string): number | undefined {
  const a = attr(node, name);
  return a?.type === 'int' ? Number(a.value) : undefined;
}
function intsAttr(node: Node, name: string): number[] | undefined {
  const a = attr(node, name);
  return a?.type === 'ints' ? a.value.map(Number) : undefined;
}
/** An int vector that is fully known (every entry a number). */
function numbers(v: Values | undefined): number[] | undefined {
  return v && v.every((d): d is number => typeof d === 'number') ? (v as number[]) : undefined;
}
function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** The element type of output 0 from the checker's tables (`undefined` when they cannot tell). */
function outputElemType(node: Node, typeOf: TypeOf): ElementType {
  if (node.opType === 'Cast') {
    const to = intAttr(node, 'to');
    return to !== undefined ? elementName(to) : 'undefined';
  }
  if (node.opType === 'CastLike') return typeOf(node.inputs[1])?.elemType ?? 'undefined';
  if (BOOL_OUTPUT.has(node.opType)) return 'bool';
  if (INT64_OUTPUT.has(node.opType)) return 'int64';
  if (node.opType === 'ConstantOfShape') {
    const value = attr(node, 'value');
    return value?.type === 'tensor' ? value.value.elemType : 'float';
  }
  const from = SAME_TYPE_AS_INPUT.get(node.opType) ?? (SAME_SHAPE.has(node.opType) ? 0 : undefined);
  return from !== undefined ? typeOf(node.inputs[from])?.elemType ?? 'undefined' : 'undefined';
}

/** Numpy broadcasting of shapes; null when a rank is unknown. */
export function broadcastShapes(shapes: readonly (readonly Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    let unknown = false;
    for (const s of shapes) {
      const d = s![s!.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1) {
        // a null dim is 1 or the other size: unknown unless another input fixes the size
        if (d === null) unknown = true;
        else dim = d;
      } else if (d !== null && d !== dim) {
        if (typeof d === 'number' && typeof dim === 'number') return null; // not broadcastable: leave it unknown
        if (typeof d === 'number') dim = d; // a symbol broadcast against n > 1 is n
      }
    }
    out.push(unknown && dim === 1 ? null : dim);
  }
  return out;
}

function product(dims: readonly Dim[]): { n: number; symbols: string[]; unknown: boolean } {
  let n = 1;
  const symbols: string[] = [];
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else if (typeof d === 'string') symbols.push(d);
    else unknown = true;
  }
  return { n, symbols, unknown };
}

function reshape(input: readonly Dim[] | null, target: Values, allowZero: boolean): Dim[] | null {
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (input ? input[i] ?? null : null) : d));
  const minus = out.indexOf(-1);
  if (minus < 0) return out;
  if (out.indexOf(-1, minus + 1) >= 0) return null;
  out[minus] = null;
  if (!input) return out;
  const whole = product(input);
  const rest = product(out.filter((_, i) => i !== minus));
  if (whole.unknown || rest.unknown || rest.n === 0) return out;
  const symbols = [...whole.symbols];
  for (const s of rest.symbols) {
    const k = symbols.indexOf(s);
    if (k < 0) return out;
    symbols.splice(k, 1);
  }
  if (whole.n % rest.n !== 0) return out;
  const n = whole.n / rest.n;
  if (symbols.length === 0) out[minus] = n;
  else if (symbols.length === 1 && n === 1) out[minus] = symbols[0]!;
  return out;
}

function sliceDim(dim: Dim, start: number, end: number, step: number): Dim {
  if (typeof dim !== 'number') return typeof dim === 'string' && start === 0 && step === 1 && end >= 2 ** 31 - 1 ? dim : null;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, dim - 1);
  e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

function inferNode(node: Node, opset: number, typeOf: TypeOf, valueOf: ValueOf): (Inferred | undefined)[] {
  const op = node.opType;
  const elemType = outputElemType(node, typeOf);
  const in0 = typeOf(node.inputs[0]);
  const shape0 = in0?.shape ?? null;
  const one = (shape: readonly Dim[] | null, value?: Values): (Inferred | undefined)[] => [{ elemType, shape, ...(value ? { value } : {}) }];
  if (SAME_SHAPE.has(op)) {
    const v = op === 'Identity' || op === 'Cast' ? valueOf(node.inputs[0]) : undefined;
    return one(shape0, v);
  }
  if (BROADCASTING.has(op) || op === 'Where') {
    const shapes = node.inputs.map((n) => typeOf(n)?.shape ?? null);
    const type = op === 'Where' ? typeOf(node.inputs[1])?.elemType ?? 'undefined' : elemType;
    const out: Inferred = { elemType: type, shape: broadcastShapes(shapes) };
    const a = numbers(valueOf(node.inputs[0]));
    const b = numbers(valueOf(node.inputs[1]));
    // arithmetic on known int vectors (shape computations): elementwise, scalars broadcast
    if (a && b && (a.length === b.length || a.length === 1 || b.length === 1) && ['Add', 'Sub', 'Mul', 'Div'].includes(op)) {
      const n = Math.max(a.length, b.length);
      const f = (x: number, y: number) => (op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : y === 0 ? NaN : Math.trunc(x / y));
      const value = Array.from({ length: n }, (_, i) => f(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!));
      if (value.every(Number.isFinite)) return [{ ...out, value }];
    }
    return [out];
  }
  switch (op) {
    case 'Constant': {
      const value = attr(node, 'value');
      if (value?.type === 'tensor') return one([...value.value.dims]);
      return [];
    }
    case 'Shape': {
      if (!shape0) return one(null);
      const rank = shape0.length;
      let start = intAttr(node, 'start') ?? 0;
      let end = intAttr(node, 'end') ?? rank;
      start = Math.min(rank, Math.max(0, start < 0 ? start + rank : start));
      end = Math.min(rank, Math.max(0, end < 0 ? end + rank : end));
      const value = shape0.slice(start, Math.max(start, end));
      return one([value.length], value);
    }
    case 'Size':
      return one([]);
    case 'MatMul': {
      const a = shape0;
      const b = typeOf(node.inputs[1])?.shape ?? null;
      if (!a || !b || !a.length || !b.length) return one(null);
      const a2 = a.length === 1 ? [1, a[0]!] : a;
      const b2 = b.length === 1 ? [b[0]!, 1] : b;
      const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
      if (!batch) return one(null);
      const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
      if (a.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.splice(out.length - 1, 1);
      return one(out);
    }
    case 'Gemm': {
      const a = shape0;
      const b = typeOf(node.inputs[1])?.shape ?? null;
      if (!a || !b || a.length !== 2 || b.length !== 2) return one(null);
      const m = intAttr(node, 'transA') ? a[1]! : a[0]!;
      const n = intAttr(node, 'transB') ? b[0]! : b[1]!;
      return one([m, n]);
    }
    case 'Conv': {
      const w = typeOf(node.inputs[1])?.shape ?? null;
      if (!shape0 || !w || shape0.length < 3 || w.length !== shape0.length) return one(null);
      const spatial = shape0.length - 2;
      const kernel = intsAttr(node, 'kernel_shape') ?? w.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
      const strides = intsAttr(node, 'strides') ?? new Array<number>(spatial).fill(1);
      const dilations = intsAttr(node, 'dilations') ?? new Array<number>(spatial).fill(1);
      const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
      const autoPad = (() => { const a = attr(node, 'auto_pad'); return a?.type === 'string' ? a.value : 'NOTSET'; })();
      const out: Dim[] = [shape0[0]!, w[0]!];
      for (let i = 0; i < spatial; i++) {
        const x = shape0[i + 2];
        const k = kernel[i]!;
        if (typeof x !== 'number' || !Number.isFinite(k)) { out.push(null); continue; }
        const s = strides[i] ?? 1;
        const d = dilations[i] ?? 1;
        if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(Math.ceil(x / s));
        else if (autoPad === 'VALID') out.push(Math.floor((x - d * (k - 1) - 1) / s) + 1);
        else out.push(Math.floor((x + (pads[i] ?? 0) + (pads[i + spatial] ?? 0) - d * (k - 1) - 1) / s) + 1);
      }
      return one(out);
    }
    case 'Reshape': {
      const target = valueOf(node.inputs[1]);
      if (!target) {
        // the rank is the length of the shape input, when that is known
        const len = typeOf(node.inputs[1])?.shape?.[0];
        return one(typeof len === 'number' ? new Array<Dim>(len).fill(null) : null);
      }
      const value = valueOf(node.inputs[0]);
      return one(reshape(shape0, target, intAttr(node, 'allowzero') === 1), value && target.length === 1 ? value : undefined);
    }
    case 'Flatten': {
      if (!shape0) return one(null);
      const axis = normAxis(intAttr(node, 'axis') ?? 1, shape0.length + 1);
      if (axis === undefined) return one(null);
      const part = (dims: readonly Dim[]) => { const p = product(dims); return p.unknown || p.symbols.length > (p.n === 1 ? 1 : 0) ? null : p.symbols[0] ?? p.n; };
      return one([part(shape0.slice(0, axis)), part(shape0.slice(axis))]);
    }
    case 'Transpose': {
      if (!shape0) return one(null);
      const perm = intsAttr(node, 'perm') ?? shape0.map((_, i) => shape0.length - 1 - i);
      if (perm.length !== shape0.length) return one(null);
      return one(perm.map((p) => shape0[p] ?? null));
    }
    case 'Concat': {
      const shapes = node.inputs.map((n) => typeOf(n)?.shape ?? null);
      const known = shapes.find((s) => s !== null);
      const vals = node.inputs.map((n) => valueOf(n));
      const value = vals.every((v) => v !== undefined) ? vals.flatMap((v) => [...v!]) : undefined;
      if (!known) return one(null, value);
      const axis = normAxis(intAttr(node, 'axis') ?? 0, known.length);
      if (axis === undefined) return one(null, value);
      const out: Dim[] = known.map((_, i) => {
        if (i === axis) {
          let sum = 0;
          for (const s of shapes) {
            const d = s?.[i];
            if (typeof d !== 'number') return null;
            sum += d;
          }
          return sum;
        }
        for (const s of shapes) if (s && typeof s[i] === 'number') return s[i]!;
        return known[i]!;
      });
      return one(out, value);
    }
    case 'Gather': {
      const indices = typeOf(node.inputs[1])?.shape ?? null;
      if (!shape0 || !indices) return one(null);
      const axis = normAxis(intAttr(node, 'axis') ?? 0, shape0.length);
      if (axis === undefined) return one(null);
      const data = valueOf(node.inputs[0]);
      const index = numbers(valueOf(node.inputs[1]));
      let value: Values | undefined;
      if (data && index && axis === 0 && shape0.length === 1) {
        const picked = index.map((i) => data[i < 0 ? i + data.length : i]);
        if (picked.every((d) => d !== undefined)) value = picked as Dim[];
      }
      return one([...shape0.slice(0, axis), ...indices, ...shape0.slice(axis + 1)], value);
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const axes = opset >= 13 ? (node.inputs[1] ? numbers(valueOf(node.inputs[1])) : []) : intsAttr(node, 'axes') ?? [];
      const value = valueOf(node.inputs[0]);
      if (!shape0 || !axes) return one(null, value);
      if (op === 'Unsqueeze') {
        const rank = shape0.length + axes.length;
        const at = new Set(axes.map((a) => normAxis(a, rank)));
        if (at.has(undefined) || at.size !== axes.length) return one(null, value);
        const out: Dim[] = [];
        let k = 0;
        for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : shape0[k++]!);
        return one(out, value);
      }
      if (!axes.length) {
        // no axes: every dim of size 1 goes, which needs every dim known
        if (shape0.some((d) => typeof d !== 'number')) return one(null, value);
        return one(shape0.filter((d) => d !== 1), value);
      }
      const at = new Set(axes.map((a) => normAxis(a, shape0.length)));
      if (at.has(undefined)) return one(null, value);
      return one(shape0.filter((_, i) => !at.has(i)), value);
    }
    case 'Slice': {
      if (!shape0) return one(null);
      let starts: number[] | undefined, ends: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
      if (opset >= 10) {
        starts = numbers(valueOf(node.inputs[1]));
        ends = numbers(valueOf(node.inputs[2]));
        axes = node.inputs[3] ? numbers(valueOf(node.inputs[3])) : undefined;
        steps = node.inputs[4] ? numbers(valueOf(node.inputs[4])) : undefined;
        if ((node.inputs[3] && !axes) || (node.inputs[4] && !steps)) return one(shape0.map(() => null));
      } else {
        starts = intsAttr(node, 'starts');
        ends = intsAttr(node, 'ends');
        axes = intsAttr(node, 'axes');
      }
      // the rank is kept whatever the bounds; the sizes need constant bounds
      if (!starts || !ends || starts.length !== ends.length) return one(shape0.map(() => null));
      const out: Dim[] = [...shape0];
      const axisList = axes ?? starts.map((_, i) => i);
      for (let i = 0; i < starts.length; i++) {
        const a = normAxis(axisList[i]!, shape0.length);
        if (a === undefined) return one(null);
        out[a] = sliceDim(shape0[a]!, starts[i]!, ends[i]!, steps?.[i] ?? 1);
      }
      const value = valueOf(node.inputs[0]);
      const sliced = value && shape0.length === 1 && typeof out[0] === 'number' && (steps?.[0] ?? 1) === 1
        ? value.slice(...[starts[0]!, ends[0]!].map((v) => (v < 0 ? v + value.length : Math.min(v, value.length))) as [number, number])
        : undefined;
      return one(out, sliced && sliced.length === out[0] ? sliced : undefined);
    }
    case 'Split': {
      if (!shape0) return node.outputs.map(() => ({ elemType, shape: null }));
      const axis = normAxis(intAttr(node, 'axis') ?? 0, shape0.length);
      if (axis === undefined) return [];
      const sizes = opset >= 13 ? (node.inputs[1] ? numbers(valueOf(node.inputs[1])) : undefined) : intsAttr(node, 'split');
      const dim = shape0[axis];
      const parts = node.outputs.length;
      return node.outputs.map((_, k) => {
        let size: Dim = null;
        if (sizes && sizes.length === parts) size = sizes[k]!;
        else if (!sizes && typeof dim === 'number') {
          // equal parts; the last one smaller when the size does not divide (opset 18 num_outputs)
          const each = Math.ceil(dim / parts);
          size = k < parts - 1 ? each : dim - each * (parts - 1);
        }
        const out = [...shape0];
        out[axis] = size;
        return { elemType, shape: out };
      });
    }
    case 'Expand': {
      const target = valueOf(node.inputs[1]);
      if (!target) return one(null);
      return one(broadcastShapes([shape0, target.map((d) => d)]));
    }
    case 'ConstantOfShape': {
      const target = valueOf(node.inputs[0]);
      return one(target ? [...target] : null);
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd': case 'ReduceL2': case 'ArgMax': case 'ArgMin': {
      if (!shape0) return one(null);
      const keep = (intAttr(node, 'keepdims') ?? 1) === 1;
      const axesFromInput = op === 'ReduceSum' ? opset >= 13 : !op.startsWith('Arg') && opset >= 18;
      const single = op.startsWith('Arg') ? [intAttr(node, 'axis') ?? 0] : undefined;
      const axes = single ?? (axesFromInput ? (node.inputs[1] ? numbers(valueOf(node.inputs[1])) : []) : intsAttr(node, 'axes') ?? []);
      if (!axes) return one(keep ? shape0.map(() => null) : null);
      const all = axes.length === 0;
      if (all && (intAttr(node, 'noop_with_empty_axes') ?? 0) === 1) return one(shape0);
      const at = new Set(axes.map((a) => normAxis(a, shape0.length)));
      if (at.has(undefined)) return one(null);
      const out: Dim[] = [];
      shape0.forEach((d, i) => {
        if (all || at.has(i)) { if (keep) out.push(1); } else out.push(d);
      });
      return one(out);
    }
    default:
      return [];
  }
}
