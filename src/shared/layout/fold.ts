/**
 * Weights and constants folded into the node that uses them, as Netron draws a model: initializers
 * are never drawn as nodes (graphLayout.ts), and with folding on neither are `Constant` nodes nor an
 * `Identity` of an initializer or of such a constant (torch.onnx.export emits one per shared or
 * transposed weight). They are listed in their consumer's properties instead; a finding on a folded
 * node is shown on, and reached by, the consumer it is folded into.
 */
import type { CompactGraph } from '../graph';
import { buildModuleTree, type ModuleTree } from './modules';

/** Per node: -1 when drawn, else the drawn node it is folded into (its first consumer, through other folded nodes). */
export type FoldMap = Int32Array;

const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

/** Which nodes fold, and into which consumer. A constant no drawn node consumes (a graph output, a dangling one) stays drawn. */
export function foldConstants(graph: CompactGraph): FoldMap {
  const { nodes, tensors } = graph;
  const n = nodes.length;
  const graphOutput = new Uint8Array(tensors.length);
  for (const t of graph.outputs) if (t >= 0 && t < tensors.length) graphOutput[t] = 1;
  // first consumer of each tensor, in node order
  const firstConsumer = new Int32Array(tensors.length).fill(-1);
  nodes.forEach((node, i) => {
    for (const t of node.inputs) if (t >= 0 && t < tensors.length && firstConsumer[t] === -1) firstConsumer[t] = i;
  });
  // constant-like: a Constant, or an Identity whose input is an initializer or a constant-like node's output
  const state = new Int8Array(n); // 0 unknown, 1 constant-like, 2 not, 3 being decided (a cycle: not)
  const constantLike = (v: number): boolean => {
    if (state[v] === 1) return true;
    if (state[v] !== 0) return false;
    state[v] = 3;
    const node = nodes[v]!;
    let result = false;
    if (isDefaultDomain(node.domain) && node.outputs.length === 1 && node.outputs[0]! >= 0 && !graphOutput[node.outputs[0]!]) {
      if (node.op === 'Constant') result = node.inputs.every((t) => t < 0);
      else if (node.op === 'Identity' && node.inputs.length === 1 && node.inputs[0]! >= 0) {
        const source = tensors[node.inputs[0]!];
        result = source?.kind === 'initializer' || (source !== undefined && source.producer >= 0 && source.producer < n && constantLike(source.producer));
      }
    }
    state[v] = result ? 1 : 2;
    return result;
  };
  const into = new Int32Array(n).fill(-1);
  const resolve = (v: number): number => {
    // follow first consumers through folded nodes to a drawn one; -1 when there is none
    let at = v;
    for (let steps = 0; steps <= n; steps++) {
      const consumer = firstConsumer[nodes[at]!.outputs[0]!]!;
      if (consumer < 0) return -1;
      if (!constantLike(consumer)) return consumer;
      at = consumer;
    }
    return -1;
  };
  for (let v = 0; v < n; v++) if (constantLike(v)) into[v] = resolve(v);
  return into;
}

/** Nodes drawn when nothing folds. */
export function noFolding(graph: CompactGraph): FoldMap {
  return new Int32Array(graph.nodes.length).fill(-1);
}

/**
 * The module tree of the viewer, the same with folding on or off (module indexes stay valid across
 * the toggle): a folded node belongs to its consumer's module, so a module holding only weights is
 * no box and a drawn constant sits with the node that uses it.
 */
export function viewerModuleTree(graph: CompactGraph, fold: FoldMap = foldConstants(graph)): ModuleTree {
  return buildModuleTree(graph.nodes.map((node, i) => (fold[i]! >= 0 ? graph.nodes[fold[i]!]!.name : node.name)));
}

/** The folded nodes of each drawn node (its weights and constants), in node order. */
export function foldedInto(fold: FoldMap): Map<number, number[]> {
  const map = new Map<number, number[]>();
  fold.forEach((target, v) => {
    if (target < 0) return;
    const list = map.get(target);
    if (list) list.push(v);
    else map.set(target, [v]);
  });
  return map;
}

const SHAPE_SOURCES = new Set(['Shape', 'Size']);

/**
 * Nodes that compute shapes rather than data: a Shape or Size, and every node whose inputs (other
 * than weights and constants) all come from such nodes (Gather, Unsqueeze, Concat, Range, Cast on
 * the shape). The layout keeps them beside the data flow, never as its spine: `x.view(b, s, h, d)`
 * exports four nodes of shape arithmetic next to one Reshape on the data.
 */
export function shapeComputations(graph: CompactGraph, fold: FoldMap = foldConstants(graph)): Uint8Array {
  const { nodes, tensors } = graph;
  const n = nodes.length;
  const shape = new Uint8Array(n);
  const state = new Uint8Array(n); // 0 unknown, 1 deciding, 2 decided
  const decide = (root: number) => {
    // iterative post-order over producers
    const stack = [root];
    while (stack.length) {
      const v = stack[stack.length - 1]!;
      if (state[v] === 2) { stack.pop(); continue; }
      if (state[v] === 0) {
        state[v] = 1;
        for (const t of nodes[v]!.inputs) {
          const p = t >= 0 ? tensors[t]?.producer ?? -1 : -1;
          if (p >= 0 && p < n && state[p] === 0) stack.push(p);
        }
        continue;
      }
      stack.pop();
      state[v] = 2;
      const node = nodes[v]!;
      if (fold[v]! >= 0) continue;
      if (SHAPE_SOURCES.has(node.op)) { shape[v] = 1; continue; }
      let any = false;
      let all = true;
      for (const t of node.inputs) {
        const tensor = t >= 0 ? tensors[t] : undefined;
        if (!tensor || tensor.kind === 'initializer') continue;
        const p = tensor.producer;
        if (p >= 0 && p < n && fold[p]! >= 0) continue;
        if (p >= 0 && p < n && shape[p]) any = true;
        else all = false;
      }
      shape[v] = any && all ? 1 : 0;
    }
  };
  for (let v = 0; v < n; v++) decide(v);
  return shape;
}
