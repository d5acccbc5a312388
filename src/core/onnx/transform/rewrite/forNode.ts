/**
 * Which rewrite rules apply to one node, from the graph's structure alone (no onnxruntime run): what the
 * viewer offers as quick actions on a highlighted node. The rules that rewrite one node at a time can run
 * on this node alone (`nodes` of the rewrite settings) or on every node they match; folding constants and
 * int64 → int32 always run over the whole model. Each offer says how many nodes a whole-model run touches;
 * whether a candidate really changes and keeps the outputs is decided by the rewrite's own verification.
 */
import type { Message } from '../../../l10n';
import { isDefaultDomain, opsetVersion, type ElementType, type Model, type Node } from '../../model';
import { feedInputs } from '../../run/inputs';
import { constantValues, declaredTypes, indexGraph, isStaticTensorType, type GraphIndex } from '../graph';
import { intAttr } from '../editor';
import { elementTypeName } from '../../schema';
import { FLOAT_TYPES } from './rules/constants';
import { ruleById } from './rules/index';
import type { RewriteRule } from './context';

export interface NodeRewrite {
  readonly rule: string;
  readonly summary: Message;
  /** False: changes numerics (the measured error is shown before the result is kept). */
  readonly exact: boolean;
  /** Nodes of the model the rule rewrites in a whole-model run (this one included). */
  readonly matching: number;
  /** The rule can be limited to this node (run with `nodes: [name]`); false: it always runs over the whole model. */
  readonly perNode: boolean;
  /** The rule needs fixed input shapes and the model has symbolic ones: fix-input-shapes runs first. */
  readonly needsStaticShapes: boolean;
}

/** Rules that rewrite one node at a time, so a run can be limited to the highlighted node. */
const PER_NODE_RULES: ReadonlySet<string> = new Set(['gather-to-slice', 'squeeze-to-reshape', 'abs-to-relu', 'equal-cast-to-float', 'erf-to-tanh']);

/** Per model: the index and the constant values, computed once for every node asked about. */
export class RewriteFinder {
  private readonly index: GraphIndex;
  private readonly constants: ReturnType<typeof constantValues>;
  private readonly types: ReturnType<typeof declaredTypes>;
  private readonly staticInputs: boolean;
  private readonly opset: number;
  private readonly counts = new Map<string, number>();

  constructor(readonly model: Model) {
    this.index = indexGraph(model.graph);
    this.constants = constantValues(this.index);
    this.types = declaredTypes(model.graph);
    this.staticInputs = feedInputs(model.graph).every((v) => isStaticTensorType(v.type));
    this.opset = opsetVersion(model) ?? 1;
  }

  /** The rules that would rewrite the node named `name` (first node of that name), in the order they run. */
  forNode(name: string): NodeRewrite[] {
    const i = this.model.graph.nodes.findIndex((n) => n.name === name);
    return i < 0 ? [] : this.forIndex(i);
  }

  forIndex(i: number): NodeRewrite[] {
    const out: NodeRewrite[] = [];
    for (const [id, needsStaticShapes] of this.rulesFor(i)) {
      const rule = ruleById(id);
      if (!rule) continue;
      const perNode = PER_NODE_RULES.has(id) && this.model.graph.nodes[i]!.name !== '';
      out.push({ rule: id, summary: rule.summary, exact: rule.exact, matching: this.matching(id), perNode, needsStaticShapes });
    }
    return out;
  }

  private rulesFor(i: number): [string, boolean][] {
    const node = this.model.graph.nodes[i]!;
    if (!isDefaultDomain(node.domain)) return [];
    const out: [string, boolean][] = [];
    if (this.foldable(i)) out.push(['fold-constants', false]);
    else if ((node.opType === 'Shape' || node.opType === 'Size') && node.outputs.every((o) => !this.index.outputs.has(o))) out.push(['fold-constants', !this.staticInputs]);
    if (this.matches('gather-to-slice', node)) out.push(['gather-to-slice', this.gatherNeedsShapes(node)]);
    if (this.matches('squeeze-to-reshape', node)) out.push(['squeeze-to-reshape', !this.staticInputs]);
    for (const id of ['abs-to-relu', 'equal-cast-to-float', 'erf-to-tanh', 'int64-to-int32']) if (this.matches(id, node)) out.push([id, false]);
    return out;
  }

  /** Nodes the rule would touch in the model. */
  private matching(id: string): number {
    const known = this.counts.get(id);
    if (known !== undefined) return known;
    let n = 0;
    this.model.graph.nodes.forEach((node, i) => {
      if (!isDefaultDomain(node.domain)) return;
      if (id === 'fold-constants' ? this.foldable(i) || ((node.opType === 'Shape' || node.opType === 'Size') && this.staticInputs) : this.matches(id, node)) n++;
    });
    this.counts.set(id, n);
    return n;
  }

  private foldable(i: number): boolean {
    const node = this.model.graph.nodes[i]!;
    return node.opType !== 'Constant' && this.constants.nodes.has(i) && !node.outputs.some((o) => this.index.outputs.has(o));
  }

  private matches(id: string, node: Node): boolean {
    if (!isDefaultDomain(node.domain)) return false;
    switch (id) {
      case 'gather-to-slice': {
        if (node.opType !== 'Gather' || this.opset < 10) return false;
        const dims = this.constantDims(node.inputs[1]);
        return !!dims && dims.length <= 1 && dims.reduce((a, b) => a * b, 1) === 1;
      }
      case 'squeeze-to-reshape':
        return node.opType === 'Squeeze' || node.opType === 'Unsqueeze';
      case 'abs-to-relu':
        return node.opType === 'Abs' && this.maybe(node.inputs[0], (t) => FLOAT_TYPES.has(t));
      case 'erf-to-tanh':
        return node.opType === 'Erf' && this.maybe(node.inputs[0], (t) => FLOAT_TYPES.has(t));
      case 'equal-cast-to-float': {
        if (node.opType !== 'Equal') return false;
        const out = node.outputs[0];
        const readers = out ? this.index.consumers.get(out) ?? [] : [];
        if (!out || this.index.outputs.has(out) || readers.length === 0) return false;
        const castsToFloat = readers.every((r) => {
          const reader = this.model.graph.nodes[r]!;
          return reader.opType === 'Cast' && FLOAT_TYPES.has(elementTypeName(intAttr(reader, 'to', 0)));
        });
        return castsToFloat && node.inputs.every((x) => this.maybe(x, isInteger));
      }
      case 'int64-to-int32':
        return this.readsNarrowableInt64(node);
      default:
        return false;
    }
  }

  /** Scalar Gather indices need the output shape for the Reshape: known only with fixed input shapes. */
  private gatherNeedsShapes(node: Node): boolean {
    return (this.constantDims(node.inputs[1])?.length ?? 0) === 0 && !this.staticInputs;
  }

  private constantDims(name: string | undefined): readonly number[] | undefined {
    if (!name || !this.isConstant(name)) return undefined;
    const type = this.types.get(name);
    return isStaticTensorType(type) ? type.shape : undefined;
  }

  private isConstant(name: string): boolean {
    if (this.index.initializers.has(name)) return this.constants.values.has(name);
    const p = this.index.producer.get(name);
    return p !== undefined && this.model.graph.nodes[p]!.opType === 'Constant' && isDefaultDomain(this.model.graph.nodes[p]!.domain);
  }

  /** True unless the value's type is known and fails the test (unknown types: the rewrite decides). */
  private maybe(name: string | undefined, test: (t: ElementType) => boolean): boolean {
    if (!name) return false;
    const type = this.types.get(name);
    if (type?.kind !== 'tensor' || type.elemType === 'undefined') return true;
    return test(type.elemType);
  }

  /** Gather/GatherElements/ScatterElements/CumSum/OneHot index inputs, or every Slice bound, read int64 constants. */
  private readsNarrowableInt64(node: Node): boolean {
    const int64 = (k: number) => {
      const name = node.inputs[k];
      if (!name || !this.isConstant(name)) return false;
      const type = this.types.get(name);
      return type?.kind === 'tensor' && type.elemType === 'int64';
    };
    const positions: Readonly<Record<string, number>> = { Gather: 1, GatherElements: 1, ScatterElements: 1, CumSum: 1, OneHot: 0 };
    const k = positions[node.opType];
    if (k !== undefined) return int64(k);
    if (node.opType === 'Slice' && this.opset >= 10) {
      const bounds = [1, 2, 3, 4].filter((j) => node.inputs[j]);
      return bounds.length > 0 && bounds.every(int64);
    }
    return false;
  }
}

function isInteger(t: ElementType): boolean {
  return /^u?int/.test(t);
}

/** The rules one offer runs: fix-input-shapes first when the rule needs static shapes. */
export function rulesForOffer(offer: Pick<NodeRewrite, 'rule' | 'needsStaticShapes'>): RewriteRule[] {
  const rule = ruleById(offer.rule);
  if (!rule) return [];
  return offer.needsStaticShapes ? [ruleById('fix-input-shapes')!, rule] : [rule];
}
