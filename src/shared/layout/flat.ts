/**
 * The graph as one flat level (no module boxes): the same items and edges the hierarchical layout
 * uses, for comparing engines on identical input (bench) and for graphs without module names.
 */
import type { CompactGraph } from '../graph';
import { foldConstants, type FoldMap } from './fold';
import { NODE_HEIGHT, PORT_HEIGHT, nodeWidth, portWidth } from './graphLayout';

export interface FlatGraph {
  readonly widths: Float64Array;
  readonly heights: Float64Array;
  /** Unique [from, to] item pairs. Items: nodes, then graph inputs, then graph outputs. */
  readonly edges: [number, number][];
  readonly labels: string[];
}

/** Folded nodes (fold.ts) are left out, as the viewer draws them: items are the drawn nodes in node order, then inputs and outputs. */
export function flatLayoutInput(graph: CompactGraph, fold: FoldMap = foldConstants(graph)): FlatGraph {
  const labels: string[] = [];
  const widths: number[] = [];
  const heights: number[] = [];
  const itemOf = new Int32Array(graph.nodes.length).fill(-1);
  graph.nodes.forEach((node, i) => {
    if (fold[i]! >= 0) return;
    itemOf[i] = labels.length;
    labels.push(node.op);
    widths.push(nodeWidth(node.op));
    heights.push(NODE_HEIGHT);
  });
  const inputItem = new Map<number, number>();
  for (const t of graph.inputs) {
    inputItem.set(t, labels.length);
    const name = graph.tensors[t]?.name ?? '';
    labels.push(name);
    widths.push(portWidth(name));
    heights.push(PORT_HEIGHT);
  }
  const edges: [number, number][] = [];
  const seen = new Set<string>();
  const add = (a: number, b: number) => {
    const key = `${a},${b}`;
    if (a === b || seen.has(key)) return;
    seen.add(key);
    edges.push([a, b]);
  };
  graph.nodes.forEach((node, consumer) => {
    for (const t of node.inputs) {
      const tensor = t >= 0 ? graph.tensors[t] : undefined;
      if (!tensor || tensor.kind === 'initializer' || fold[consumer]! >= 0 || (tensor.producer >= 0 && fold[tensor.producer]! >= 0)) continue;
      const from = tensor.producer >= 0 ? itemOf[tensor.producer] : inputItem.get(t);
      if (from !== undefined) add(from, itemOf[consumer]!);
    }
  });
  for (const t of graph.outputs) {
    const name = graph.tensors[t]?.name ?? '';
    const item = labels.length;
    labels.push(name);
    widths.push(portWidth(name));
    heights.push(PORT_HEIGHT);
    const producer = graph.tensors[t]?.producer ?? -1;
    if (producer >= 0 && itemOf[producer]! >= 0) add(itemOf[producer]!, item);
  }
  return { widths: Float64Array.from(widths), heights: Float64Array.from(heights), edges, labels };
}
