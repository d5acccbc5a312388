/**
 * int64 → int32 for constants whose values fit, at the inputs that accept int32 on their own (ONNX type
 * constraints: Gather/GatherElements/ScatterElements indices, OneHot indices, CumSum axis; Slice's
 * starts/ends/axes/steps together). A constant read both there and by an input that must stay int64
 * (Reshape's shape, Expand, Tile, ConstantOfShape, Unsqueeze/Squeeze axes, one operand of an elementwise
 * op) gets an int32 copy for the readers that accept it. The int64-only readers are reported.
 */
import { msg, type Message } from '../../../../l10n';
import { isDefaultDomain, type Node, type Tensor } from '../../../model';
import { GraphEditor, makeNode } from '../../editor';
import { makeTensor } from '../../payload';
import type { RewriteContext, RewriteRule } from '../context';

/** Input positions that take int32 as well as int64, independently of the node's other inputs. */
const INDEPENDENT: Readonly<Record<string, readonly number[]>> = {
  Gather: [1], GatherElements: [1], ScatterElements: [1], OneHot: [0], CumSum: [1],
};
/** Slice: starts, ends, axes, steps share one type (Tind): converted together or not at all. */
const SLICE_BOUNDS = [1, 2, 3, 4];
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

interface Use { readonly node: number; readonly input: number; readonly allowed: boolean; readonly where: string }

function isInt64Constant(ctx: RewriteContext, name: string | undefined): boolean {
  return !!name && ctx.constantTensor(name)?.elemType === 'int64';
}

function accepts(ctx: RewriteContext, node: Node, k: number): boolean {
  if (!isDefaultDomain(node.domain)) return false;
  if (INDEPENDENT[node.opType]?.includes(k)) return true;
  if (node.opType === 'Slice' && ctx.opset >= 10 && SLICE_BOUNDS.includes(k)) {
    return SLICE_BOUNDS.every((j) => !node.inputs[j] || isInt64Constant(ctx, node.inputs[j]));
  }
  return false;
}

export const int64ToInt32: RewriteRule = {
  id: 'int64-to-int32',
  summary: msg('int64 constants → int32 where the values fit and the reading input accepts int32'),
  removes: [],
  exact: true,
  async apply(ctx) {
    const graph = ctx.graph;
    const uses = new Map<string, Use[]>();
    graph.nodes.forEach((node, i) => {
      node.inputs.forEach((name, k) => {
        if (!isInt64Constant(ctx, name)) return;
        let list = uses.get(name);
        if (!list) uses.set(name, (list = []));
        list.push({ node: i, input: k, allowed: accepts(ctx, node, k), where: node.opType });
      });
    });
    const editor = new GraphEditor(graph);
    const renamed = new Map<number, string[]>();
    const replacedInitializers = new Map<string, Tensor>();
    const blockedBy = new Map<string, number>();
    let tooLarge = 0;
    let changed = 0;
    const unfit = new Set<string>();
    for (const [name, list] of uses) {
      const values = (await ctx.constantValues(name)) as BigInt64Array;
      const fits = values.every((v) => v >= INT32_MIN && v <= INT32_MAX);
      // Slice clamps its bounds to the dimension, so INT64_MAX ("to the end") may become INT32_MAX.
      if (!fits && !list.every((u) => u.where === 'Slice')) { tooLarge++; unfit.add(name); }
    }
    // A Slice converts only when every bound of it can.
    const sliceOk = (i: number) => SLICE_BOUNDS.every((j) => {
      const n = graph.nodes[i]!.inputs[j];
      return !n || !unfit.has(n);
    });
    for (const [name, list] of uses) {
      if (unfit.has(name) || ctx.index.outputs.has(name)) continue;
      const allowed = list.filter((u) => u.allowed && (u.where !== 'Slice' || sliceOk(u.node)));
      for (const u of list) if (!allowed.includes(u)) blockedBy.set(u.where, (blockedBy.get(u.where) ?? 0) + 1);
      if (allowed.length === 0) continue;
      const tensor = ctx.constantTensor(name)!;
      const values = (await ctx.constantValues(name)) as BigInt64Array;
      const narrowed = Int32Array.from(values, (v) => Number(v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v));
      changed++;
      if (allowed.length === list.length && !ctx.index.feeds.has(name)) {
        const producer = ctx.index.producer.get(name);
        const int32 = makeTensor(name, 'int32', tensor.dims, narrowed);
        if (producer !== undefined) {
          const node = graph.nodes[producer]!;
          editor.replace(producer, [makeNode('Constant', [], node.outputs, node.name, [{ name: 'value', type: 'tensor', value: int32 }])]);
        } else replacedInitializers.set(name, int32);
        continue;
      }
      // Shared with int64-only readers: an int32 copy for the readers that accept it.
      const copy = makeTensor(editor.freshName(`${name}_int32`), 'int32', tensor.dims, narrowed);
      editor.addInitializer(copy);
      for (const u of allowed) {
        const inputs = renamed.get(u.node) ?? [...graph.nodes[u.node]!.inputs];
        inputs[u.input] = copy.name;
        renamed.set(u.node, inputs);
      }
    }
    for (const [i, inputs] of renamed) editor.replace(i, [{ ...graph.nodes[i]!, inputs }]);
    const notes: Message[] = [];
    if (blockedBy.size) {
      const total = [...blockedBy.values()].reduce((a, b) => a + b, 0);
      const list = [...blockedBy].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([op, n]) => `${op} ${n}`).join(', ');
      notes.push(msg('{0} int64 input(s) kept: ONNX requires int64 there ({1}).', total, list));
    }
    if (tooLarge) notes.push(msg('{0} int64 constant(s) kept: their values do not fit in int32.', tooLarge));
    if (changed === 0) return { graph, changed: 0, notes };
    const built = editor.build();
    return { graph: { ...built, initializers: built.initializers.map((t) => replacedInitializers.get(t.name) ?? t) }, changed, notes };
  },
};
