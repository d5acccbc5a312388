/**
 * Constant folding: every node whose inputs are all constants (Sin/Cos of a fixed positional encoding,
 * shape arithmetic, Identity of a weight) is computed once with onnxruntime and replaced by an initializer.
 * With fixed input shapes, Shape and Size of a value become constants too, so `b, c, h, w = x.shape`
 * chains (Shape + Gather + Unsqueeze + Concat) fold away. Seed 003 moved Sin/Cos out of the model
 * for the same reason: values computable ahead of time need no NPU op.
 */
import { msg, type Message } from '../../../../l10n';
import { isDefaultDomain, type Graph, type Model, type Node, type Tensor } from '../../../model';
import { InferenceSession } from '../../../run/ort';
import { elementCount, type ArrayValue } from '../../../run/values';
import { encodeModel } from '../../encode';
import { GraphEditor, intAttr } from '../../editor';
import { isDeterministic } from '../../graph';
import { makeTensor, type NumericArray } from '../../payload';
import type { RewriteContext, RewriteRule } from '../context';

const DEFAULT_MAX_ELEMENTS = 1 << 20;

export const foldConstants: RewriteRule = {
  id: 'fold-constants',
  summary: msg('Fold every all-constant subgraph (Sin/Cos of constants, shape arithmetic with fixed input shapes) into initializers'),
  removes: ['Sin', 'Cos', 'Shape', 'ConstantOfShape', 'Range'],
  exact: true,
  async apply(ctx) {
    const graph = ctx.graph;
    const index = ctx.index;
    const notes: Message[] = [];
    const constant = new Set<string>();
    for (const t of graph.initializers) if (ctx.constantTensor(t.name)) constant.add(t.name);
    const computed = new Set<number>();
    const shapeValues = new Map<number, Tensor>();
    for (const [i, node] of graph.nodes.entries()) {
      if (!isDeterministic(node)) continue;
      if ((node.opType === 'Shape' || node.opType === 'Size') && ctx.staticInputs && !constant.has(node.inputs[0]!)) {
        const dims = await ctx.staticDims(node.inputs[0]!);
        if (dims) {
          shapeValues.set(i, shapeTensor(node, dims));
          constant.add(node.outputs[0]!);
          continue;
        }
      }
      if (index.reads[i]!.every((n) => constant.has(n))) {
        computed.add(i);
        for (const o of node.outputs) if (o) constant.add(o);
      }
    }
    // Constant nodes stay as they are (they are already constants); the rest is computed.
    const candidates = new Set([...computed].filter((i) => graph.nodes[i]!.opType !== 'Constant' && !graph.nodes[i]!.outputs.some((o) => index.outputs.has(o))));
    for (const i of shapeValues.keys()) if (graph.nodes[i]!.outputs.some((o) => index.outputs.has(o))) shapeValues.delete(i);
    if (candidates.size === 0 && shapeValues.size === 0) return { graph, changed: 0, notes };
    const max = ctx.settings.maxFoldElements ?? DEFAULT_MAX_ELEMENTS;
    let values: Record<string, ArrayValue> = {};
    let boundary: string[] = [];
    for (;;) {
      ctx.signal?.throwIfAborted();
      const folded = new Set([...candidates, ...shapeValues.keys()]);
      boundary = boundaryValues(graph, index.consumers, folded);
      values = await evaluate(ctx, candidates, shapeValues, boundary.filter((n) => candidates.has(index.producer.get(n)!)));
      const tooBig = boundary.filter((n) => values[n] && elementCount(values[n]!.dims) > max);
      if (tooBig.length === 0) break;
      for (const name of tooBig) {
        candidates.delete(index.producer.get(name)!);
        notes.push(msg('"{0}" kept computed: folding it would store {1} elements.', name, elementCount(values[name]!.dims)));
      }
    }
    const editor = new GraphEditor(graph);
    for (const i of [...candidates, ...shapeValues.keys()]) editor.remove(i);
    for (const name of boundary) {
      const producer = index.producer.get(name)!;
      const shape = shapeValues.get(producer);
      if (shape) editor.addInitializer(shape);
      else {
        const value = values[name]!;
        editor.addInitializer(makeTensor(name, value.elemType, value.dims, value.data as NumericArray | readonly string[]));
      }
    }
    return { graph: editor.build(), changed: candidates.size + shapeValues.size, notes };
  },
};

function shapeTensor(node: Node, dims: readonly number[]): Tensor {
  if (node.opType === 'Size') return makeTensor(node.outputs[0]!, 'int64', [], BigInt64Array.of(BigInt(dims.reduce((a, b) => a * b, 1))));
  const rank = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(intAttr(node, 'start', 0));
  const end = clamp(intAttr(node, 'end', rank));
  const slice = dims.slice(start, Math.max(start, end));
  return makeTensor(node.outputs[0]!, 'int64', [slice.length], BigInt64Array.from(slice, (d) => BigInt(d)));
}

/** Values produced by folded nodes and read by nodes that stay. */
function boundaryValues(graph: Graph, consumers: ReadonlyMap<string, readonly number[]>, folded: ReadonlySet<number>): string[] {
  const out: string[] = [];
  for (const i of [...folded].sort((a, b) => a - b)) {
    for (const o of graph.nodes[i]!.outputs) {
      if (o && (consumers.get(o) ?? []).some((r) => !folded.has(r))) out.push(o);
    }
  }
  return out;
}

/** Runs the folded nodes alone (no inputs) and returns the wanted values. */
async function evaluate(ctx: RewriteContext, candidates: ReadonlySet<number>, shapes: ReadonlyMap<number, Tensor>, wanted: readonly string[]): Promise<Record<string, ArrayValue>> {
  if (wanted.length === 0) return {};
  const graph = ctx.graph;
  const nodes: Node[] = [];
  const read = new Set<string>();
  for (const [i, node] of graph.nodes.entries()) {
    if (!candidates.has(i)) continue;
    nodes.push(node);
    for (const n of ctx.index.reads[i]!) read.add(n);
  }
  // Constant nodes the folded nodes read come along.
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const constants: Node[] = [];
  for (const name of read) {
    const p = ctx.index.producer.get(name);
    if (p !== undefined && !produced.has(name) && !shapes.has(p) && graph.nodes[p]!.opType === 'Constant' && isDefaultDomain(graph.nodes[p]!.domain)) constants.push(graph.nodes[p]!);
  }
  const shapeTensors = [...shapes.values()].filter((t) => read.has(t.name));
  const sub: Model = {
    ...ctx.model,
    graph: {
      ...graph,
      nodes: [...constants, ...nodes],
      inputs: [],
      outputs: wanted.map((name) => ({ name, type: null })),
      valueInfo: [],
      initializers: [...graph.initializers.filter((t) => read.has(t.name)), ...shapeTensors],
    },
  };
  const bytes = await encodeModel(sub, { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.modelBytesForEncode ? { modelBytes: ctx.modelBytesForEncode } : {}) });
  const session = await InferenceSession.create(bytes, { optimization: 'disabled' });
  try {
    return await session.run({});
  } finally {
    await session.release();
  }
}
