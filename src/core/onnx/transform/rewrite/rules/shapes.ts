/**
 * Shape rules. Each needs static shapes (every graph input fixed): a Reshape with a literal target shape is
 * what NPU compilers accept where Squeeze/Unsqueeze/Gather are missing (field report 003: Reshape was in the
 * passing parts 29 times, Squeeze in none).
 */
import { msg, type Message } from '../../../../l10n';
import { isDefaultDomain, type Dim, type ValueInfo } from '../../../model';
import { GraphEditor, intAttr, makeNode } from '../../editor';
import type { RewriteContext, RewriteRule, RuleOutcome } from '../context';
import { probeValues } from '../../probe';
import { int64Initializer } from './constants';

const INT64_MAX = 9223372036854775807n;

function noStaticShapes(ctx: RewriteContext, op: string): RuleOutcome {
  const count = ctx.graph.nodes.filter((n) => n.opType === op && isDefaultDomain(n.domain)).length;
  return {
    graph: ctx.graph, changed: 0,
    notes: count ? [msg('{0} {1} node(s) left: the model has inputs without a fixed shape (fix them with fix-input-shapes).', count, op)] : [],
  };
}

export const squeezeToReshape: RewriteRule = {
  id: 'squeeze-to-reshape',
  summary: msg('Squeeze/Unsqueeze → Reshape with a literal shape (static shapes)'),
  removes: ['Squeeze', 'Unsqueeze'],
  exact: true,
  async apply(ctx) {
    if (!ctx.staticInputs) return ctx.graph.nodes.some((n) => n.opType === 'Unsqueeze') ? noStaticShapes(ctx, 'Unsqueeze') : noStaticShapes(ctx, 'Squeeze');
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    for (const [i, node] of ctx.graph.nodes.entries()) {
      if ((node.opType !== 'Squeeze' && node.opType !== 'Unsqueeze') || !isDefaultDomain(node.domain) || !ctx.inScope(node)) continue;
      const dims = await ctx.staticDims(node.outputs[0]!);
      if (!dims || dims.includes(0)) {
        notes.push(msg('{0} "{1}" kept: its output shape is not known statically.', node.opType, node.name));
        continue;
      }
      const shape = int64Initializer(editor, `${node.name || node.opType}/shape`, dims);
      editor.replace(i, [makeNode('Reshape', [node.inputs[0]!, shape], node.outputs, editor.freshName(`${node.name || node.opType}/Reshape`))]);
    }
    return { graph: editor.build(), changed: editor.changed, notes };
  },
};

export const gatherToSlice: RewriteRule = {
  id: 'gather-to-slice',
  summary: msg('Gather with a constant scalar index → Slice + Reshape (x[:, i, :] as x[:, i:i+1, :].reshape(...))'),
  removes: ['Gather'],
  exact: true,
  async apply(ctx) {
    if (ctx.opset < 10) return { graph: ctx.graph, changed: 0, notes: [msg('Slice takes its bounds as inputs from opset 10; this model has opset {0}.', ctx.opset)] };
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    let withoutShape = 0;
    for (const [i, node] of ctx.graph.nodes.entries()) {
      if (node.opType !== 'Gather' || !isDefaultDomain(node.domain) || !ctx.inScope(node)) continue;
      const indices = ctx.constantTensor(node.inputs[1] ?? '');
      if (!indices || indices.elementCount !== 1 || indices.dims.length > 1) continue;
      const values = await ctx.payloads.values(indices);
      const index = BigInt(values[0] as number | bigint);
      const axis = intAttr(node, 'axis', 0);
      const base = node.name || 'Gather';
      const starts = int64Initializer(editor, `${base}/starts`, [index]);
      const ends = int64Initializer(editor, `${base}/ends`, [index === -1n ? INT64_MAX : index + 1n]);
      const axes = int64Initializer(editor, `${base}/axes`, [axis]);
      if (indices.dims.length === 1) {
        // A one-element index list keeps the axis: Slice alone is the same.
        editor.replace(i, [makeNode('Slice', [node.inputs[0]!, starts, ends, axes], node.outputs, editor.freshName(`${base}/Slice`))]);
        continue;
      }
      const dims = await ctx.staticDims(node.outputs[0]!);
      if (!dims || dims.includes(0)) {
        withoutShape++;
        continue;
      }
      const sliced = editor.freshName(`${base}/Slice_output_0`);
      const shape = int64Initializer(editor, `${base}/shape`, dims);
      editor.replace(i, [
        makeNode('Slice', [node.inputs[0]!, starts, ends, axes], [sliced], editor.freshName(`${base}/Slice`)),
        makeNode('Reshape', [sliced, shape], node.outputs, editor.freshName(`${base}/Reshape`)),
      ]);
    }
    if (withoutShape) {
      notes.push(ctx.staticInputs
        ? msg('{0} Gather node(s) kept: their output shape is not known statically.', withoutShape)
        : msg('{0} Gather node(s) left: the model has inputs without a fixed shape (fix them with fix-input-shapes).', withoutShape));
    }
    return { graph: editor.build(), changed: editor.changed, notes };
  },
};

/** Parses "1,5,2" → [1, 5, 2]. */
export function parseShape(text: string): number[] | undefined {
  const parts = text.split(/[,x×]/).map((s) => s.trim());
  const dims = parts.map(Number);
  return dims.length && dims.every((d) => Number.isInteger(d) && d >= 0) ? dims : undefined;
}

export const fixInputShapes: RewriteRule = {
  id: 'fix-input-shapes',
  summary: msg('Symbolic input dimensions → the fixed sizes given (static shapes for the NPU compiler)'),
  removes: [],
  exact: true,
  async apply(ctx) {
    const { inputShapes = {}, dims = {} } = ctx.settings;
    const editor = new GraphEditor(ctx.graph);
    const notes: Message[] = [];
    let changed = 0;
    const initializerNames = new Set(ctx.graph.initializers.map((t) => t.name));
    const fix = (v: ValueInfo, explicit: readonly number[] | undefined): ValueInfo => {
      if (!v.type || v.type.kind !== 'tensor') return v;
      const old = v.type.shape;
      let shape: Dim[] | null = old ? [...old] : null;
      if (explicit) {
        if (old && old.length !== explicit.length) {
          notes.push(msg('Input "{0}" has rank {1}; the shape given has {2} dimensions. Kept as it is.', v.name, old.length, explicit.length));
          return v;
        }
        shape = [...explicit];
      } else if (shape) {
        shape = shape.map((d) => (typeof d === 'string' && dims[d] !== undefined ? dims[d]! : d));
      }
      if (!shape || (old && shape.every((d, k) => d === old[k]))) return v;
      changed++;
      return { ...v, type: { ...v.type, shape } };
    };
    editor.setInputs(ctx.graph.inputs.map((v) => (initializerNames.has(v.name) ? v : fix(v, inputShapes[v.name]))));
    for (const name of Object.keys(inputShapes)) {
      if (!ctx.graph.inputs.some((v) => v.name === name)) notes.push(msg('The model has no input "{0}".', name));
    }
    const unresolved = editor.build().inputs.filter((v) => !initializerNames.has(v.name) && v.type?.kind === 'tensor' && v.type.shape?.some((d) => typeof d !== 'number'));
    for (const v of unresolved) notes.push(msg('Input "{0}" still has symbolic dimensions.', v.name));
    // Outputs and value_info: symbolic dims named in `dims` are fixed too.
    editor.setOutputs(ctx.graph.outputs.map((v) => fix(v, undefined)));
    editor.setValueInfo(ctx.graph.valueInfo.map((v) => fix(v, undefined)));
    let graph = editor.build();
    if (unresolved.length === 0 && graph.outputs.some((v) => v.type?.kind === 'tensor' && v.type.shape?.some((d) => typeof d !== 'number'))) {
      // Every input is fixed now, so one run tells the outputs' static shapes (torch names derived dims
      // like "Reshapemasks_dim_1"; NPU compilers want numbers).
      const observed = await probeValues({ ...ctx.model, graph }, [], { inputs: ctx.feeds, ...(ctx.modelBytesForEncode ? { modelBytes: ctx.modelBytesForEncode } : {}) });
      graph = {
        ...graph,
        outputs: graph.outputs.map((v) => {
          const value = observed[v.name];
          if (!value || v.type?.kind !== 'tensor' || !v.type.shape?.some((d) => typeof d !== 'number')) return v;
          changed++;
          return { ...v, type: { ...v.type, shape: [...value.dims] } };
        }),
      };
    }
    return { graph, changed, notes };
  },
};
