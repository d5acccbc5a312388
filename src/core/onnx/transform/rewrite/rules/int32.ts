/**
 * int64 → int32 for constants whose values fit and whose every reader accepts int32 at that input on its
 * own (ONNX type constraints: Gather/GatherElements/ScatterElements indices, OneHot indices, CumSum axis;
 * Slice's starts/ends/axes/steps together). Shape inputs of Reshape, Expand, Tile, ConstantOfShape,
 * Unsqueeze/Squeeze axes and the like must stay int64 by the ONNX spec, and elementwise ops need both
 * operands of one type: those are reported, not changed.
 */
import { msg, type Message } from '../../../../l10n';
import { isDefaultDomain, type Tensor } from '../../../model';
import { GraphEditor, makeNode } from '../../editor';
import { makeTensor } from '../../payload';
import type { RewriteRule } from '../context';

/** Input positions that take int32 as well as int64, independently of the node's other inputs. */
const INDEPENDENT: Readonly<Record<string, readonly number[]>> = {
  Gather: [1], GatherElements: [1], ScatterElements: [1], OneHot: [0], CumSum: [1],
};
/** Slice: starts, ends, axes, steps share one type (Tind): converted together or not at all. */
const SLICE_GROUP = [1, 2, 3, 4];
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

export const int64ToInt32: RewriteRule = {
  id: 'int64-to-int32',
  summary: msg('int64 constants → int32 where the values fit and every reader accepts int32'),
  removes: [],
  exact: true,
  async apply(ctx) {
    const graph = ctx.graph;
    const notes: Message[] = [];
    const converted = new Map<string, Tensor>();
    const blocked = new Map<string, string>();
    const candidates = new Set<string>();
    for (const [i, node] of graph.nodes.entries()) {
      for (const [k, name] of node.inputs.entries()) {
        if (!name) continue;
        const tensor = ctx.constantTensor(name);
        if (!tensor || tensor.elemType !== 'int64') continue;
        candidates.add(name);
        const allowed = isDefaultDomain(node.domain) && (INDEPENDENT[node.opType]?.includes(k) || (node.opType === 'Slice' && SLICE_GROUP.includes(k) && ctx.opset >= 10));
        if (!allowed) blocked.set(name, `${node.opType}[${k}]`);
        if (node.opType === 'Slice' && allowed) {
          // Every bound of this Slice must be a convertible constant too.
          const others = SLICE_GROUP.map((j) => node.inputs[j]).filter((n): n is string => !!n);
          if (others.some((n) => ctx.constantTensor(n)?.elemType !== 'int64')) blocked.set(name, `Slice[${k}]`);
        }
      }
      void i;
    }
    // A Slice is converted only when all its bounds are: propagate blocks within each Slice.
    for (let changed = true; changed;) {
      changed = false;
      for (const node of graph.nodes) {
        if (node.opType !== 'Slice') continue;
        const bounds = SLICE_GROUP.map((j) => node.inputs[j]).filter((n): n is string => !!n);
        if (bounds.some((n) => blocked.has(n)) && bounds.some((n) => !blocked.has(n))) {
          for (const n of bounds) if (!blocked.has(n)) { blocked.set(n, 'Slice'); changed = true; }
        }
      }
    }
    const editor = new GraphEditor(graph);
    let tooLarge = 0;
    for (const name of candidates) {
      if (blocked.has(name) || ctx.index.outputs.has(name)) continue;
      const tensor = ctx.constantTensor(name)!;
      const values = (await ctx.payloads.values(tensor)) as BigInt64Array;
      const slice = (ctx.index.consumers.get(name) ?? []).some((r) => graph.nodes[r]!.opType === 'Slice');
      // Slice clamps its bounds to the dimension, so INT64_MAX ("to the end") may become INT32_MAX.
      const fits = values.every((v) => v >= INT32_MIN && v <= INT32_MAX);
      if (!fits && !slice) { tooLarge++; continue; }
      const narrowed = Int32Array.from(values, (v) => Number(v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v));
      converted.set(name, makeTensor(name, 'int32', tensor.dims, narrowed));
    }
    if (converted.size === 0) {
      if (blocked.size) notes.push(msg('{0} int64 constant(s) kept: their readers need int64 ({1}).', blocked.size, summarize(blocked)));
      return { graph, changed: 0, notes };
    }
    for (const [name, tensor] of converted) {
      const producer = ctx.index.producer.get(name);
      if (producer !== undefined) {
        // A Constant node: replace it by one holding the int32 tensor.
        const node = graph.nodes[producer]!;
        editor.replace(producer, [makeNode('Constant', [], node.outputs, node.name, [{ name: 'value', type: 'tensor', value: tensor }])]);
      }
    }
    const initializerNames = new Set([...converted.keys()].filter((n) => ctx.index.initializers.has(n)));
    const built = editor.build();
    const graphOut = {
      ...built,
      initializers: built.initializers.map((t) => (initializerNames.has(t.name) ? converted.get(t.name)! : t)),
    };
    if (blocked.size) notes.push(msg('{0} int64 constant(s) kept: their readers need int64 ({1}).', blocked.size, summarize(blocked)));
    if (tooLarge) notes.push(msg('{0} int64 constant(s) kept: their values do not fit in int32.', tooLarge));
    return { graph: graphOut, changed: converted.size, notes };
  },
};

function summarize(blocked: ReadonlyMap<string, string>): string {
  const counts = new Map<string, number>();
  for (const where of blocked.values()) {
    const op = where.replace(/\[\d+\]$/, '');
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([op, n]) => `${op} ${n}`).join(', ');
}
