/**
 * Arithmetic rules: ops NPU compilers lack, rebuilt from Relu, Mul, Add, Sub, Tanh and Cast (ops seen in
 * the passing parts of field report 003's decoder).
 */
import { msg, type Message } from '../../../../l10n';
import { isDefaultDomain, type ElementType } from '../../../model';
import { elementTypeCode } from '../../encode';
import { GraphEditor, intAttr, intAttribute, makeNode } from '../../editor';
import type { RewriteRule } from '../context';
import { floatToHalf, makeTensor } from '../../payload';
import { FLOAT_TYPES, floatScalar } from './constants';

export const absToRelu: RewriteRule = {
  id: 'abs-to-relu',
  summary: msg('Abs(x) → Relu(x) + Relu(-x) (exact)'),
  removes: ['Abs'],
  exact: true,
  async apply(ctx) {
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    for (const [i, node] of ctx.graph.nodes.entries()) {
      if (node.opType !== 'Abs' || !isDefaultDomain(node.domain) || !ctx.inScope(node)) continue;
      const type = await ctx.elemType(node.inputs[0]!);
      if (!type || !FLOAT_TYPES.has(type)) {
        notes.push(msg('Abs "{0}" kept: its input is {1}, not a floating-point type.', node.name, type ?? '?'));
        continue;
      }
      const base = node.name || 'Abs';
      const x = node.inputs[0]!;
      const minusOne = floatScalar(editor, `${base}/minus_one`, type, -1);
      const negated = editor.freshName(`${base}/Neg_output_0`);
      const positive = editor.freshName(`${base}/Relu_pos_output_0`);
      const negative = editor.freshName(`${base}/Relu_neg_output_0`);
      editor.replace(i, [
        makeNode('Relu', [x], [positive], editor.freshName(`${base}/Relu_pos`)),
        makeNode('Mul', [x, minusOne], [negated], editor.freshName(`${base}/Neg`)),
        makeNode('Relu', [negated], [negative], editor.freshName(`${base}/Relu_neg`)),
        makeNode('Add', [positive, negative], node.outputs, editor.freshName(`${base}/Add`)),
      ]);
    }
    return { graph: editor.build(), changed: editor.changed, notes };
  },
};

const INTEGER_TYPES: ReadonlySet<ElementType> = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

/**
 * Equal(a, k) → Cast(to float): relu(1 - (a - k)²) computes the same 0/1 in float when a and k are
 * integers below 2^24 in magnitude (a - k = 0 gives 1; |a - k| ≥ 1 gives ≤ 0, clipped to 0). Applied when
 * both operands are integer-typed and every reader of the Equal is a Cast to a float type.
 */
export const equalCastToFloat: RewriteRule = {
  id: 'equal-cast-to-float',
  summary: msg('Equal + Cast(bool → float) → float arithmetic relu(1 - (a - b)²) on integer operands'),
  removes: ['Equal'],
  exact: true,
  async apply(ctx) {
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    const floatCodes = new Map<number, ElementType>([...FLOAT_TYPES].map((t) => [elementTypeCode(t), t]));
    for (const [i, node] of ctx.graph.nodes.entries()) {
      if (node.opType !== 'Equal' || !isDefaultDomain(node.domain) || !ctx.inScope(node)) continue;
      const out = node.outputs[0]!;
      const readers = ctx.index.consumers.get(out) ?? [];
      const casts = readers.map((r) => ctx.graph.nodes[r]!);
      if (ctx.index.outputs.has(out) || casts.length === 0 || casts.some((c) => c.opType !== 'Cast' || !floatCodes.has(intAttr(c, 'to', 0)))) {
        notes.push(msg('Equal "{0}" kept: its result is used as a bool, not only cast to float.', node.name));
        continue;
      }
      const [a, b] = node.inputs as [string, string];
      const ta = await ctx.elemType(a);
      const tb = await ctx.elemType(b);
      if (!ta || !tb || !INTEGER_TYPES.has(ta) || !INTEGER_TYPES.has(tb)) {
        notes.push(msg('Equal "{0}" kept: it compares {1} values; the float form is exact only for integers.', node.name, ta ?? '?'));
        continue;
      }
      const base = node.name || 'Equal';
      const constantA = await ctx.constantValues(a);
      const constantB = await ctx.constantValues(b);
      for (const r of readers) {
        const cast = ctx.graph.nodes[r]!;
        const to = intAttr(cast, 'to', 1);
        const type = floatCodes.get(to)!;
        const af = editor.freshName(`${base}/Cast_a_output_0`);
        const bf = editor.freshName(`${base}/Cast_b_output_0`);
        const diff = editor.freshName(`${base}/Sub_output_0`);
        const square = editor.freshName(`${base}/Mul_output_0`);
        const rest = editor.freshName(`${base}/Sub_1_output_0`);
        const one = floatScalar(editor, `${base}/one`, type, 1);
        // A constant operand becomes a float constant; a computed one is cast (Cast to float, not to bool).
        const operand = (name: string, values: typeof constantA, out: string, label: string) => {
          if (values && !Array.isArray(values)) {
            const tensor = ctx.constantTensor(name)!;
            const converted = makeTensor(editor.freshName(`${base}/${label}`), type, tensor.dims,
              type === 'double' ? Float64Array.from(values as ArrayLike<number>, Number)
                : type === 'float16' ? Uint16Array.from(values as ArrayLike<number>, (v) => floatToHalf(Number(v)))
                : Float32Array.from(values as ArrayLike<number>, Number));
            editor.addInitializer(converted);
            return { name: converted.name, nodes: [] };
          }
          return { name: out, nodes: [makeNode('Cast', [name], [out], editor.freshName(`${base}/${label}`), [intAttribute('to', to)])] };
        };
        const left = operand(a, constantA, af, 'Cast_a');
        const right = operand(b, constantB, bf, 'Cast_b');
        editor.replace(r, [
          ...left.nodes,
          ...right.nodes,
          makeNode('Sub', [left.name, right.name], [diff], editor.freshName(`${base}/Sub`)),
          makeNode('Mul', [diff, diff], [square], editor.freshName(`${base}/Mul`)),
          makeNode('Sub', [one, square], [rest], editor.freshName(`${base}/Sub_1`)),
          makeNode('Relu', [rest], cast.outputs, editor.freshName(`${base}/Relu`)),
        ]);
      }
      editor.remove(i);
    }
    return { graph: editor.build(), changed: editor.changed, notes };
  },
};

/** 2/√π and 2/√π · 0.044715 · 2: erf(u) ≈ tanh(c1·u + c3·u³), the tanh GELU with x = √2·u. */
const ERF_C1 = 2 / Math.sqrt(Math.PI);
const ERF_C3 = (2 / Math.sqrt(Math.PI)) * 0.044715 * 2;

export const erfToTanh: RewriteRule = {
  id: 'erf-to-tanh',
  summary: msg('Erf → tanh approximation (exact GELU becomes tanh GELU; changes numerics, the measured error is reported)'),
  removes: ['Erf'],
  exact: false,
  async apply(ctx) {
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    for (const [i, node] of ctx.graph.nodes.entries()) {
      if (node.opType !== 'Erf' || !isDefaultDomain(node.domain) || !ctx.inScope(node)) continue;
      const type = await ctx.elemType(node.inputs[0]!);
      if (!type || !FLOAT_TYPES.has(type)) continue;
      const base = node.name || 'Erf';
      const u = node.inputs[0]!;
      const u2 = editor.freshName(`${base}/Mul_sq_output_0`);
      const scaled = editor.freshName(`${base}/Mul_c3_output_0`);
      const poly = editor.freshName(`${base}/Add_c1_output_0`);
      const inner = editor.freshName(`${base}/Mul_inner_output_0`);
      editor.replace(i, [
        makeNode('Mul', [u, u], [u2], editor.freshName(`${base}/Mul_sq`)),
        makeNode('Mul', [u2, floatScalar(editor, `${base}/c3`, type, ERF_C3)], [scaled], editor.freshName(`${base}/Mul_c3`)),
        makeNode('Add', [scaled, floatScalar(editor, `${base}/c1`, type, ERF_C1)], [poly], editor.freshName(`${base}/Add_c1`)),
        makeNode('Mul', [u, poly], [inner], editor.freshName(`${base}/Mul_inner`)),
        makeNode('Tanh', [inner], node.outputs, editor.freshName(`${base}/Tanh`)),
      ]);
    }
    return { graph: editor.build(), changed: editor.changed, notes };
  },
};
