/**
 * The first frame of a large graph before its whole layout exists: the top of the network, its first
 * `limit` nodes in graph order (ONNX lists nodes in topological order, so they are the top), laid out
 * by the same engine with the same folding and the same modules expanded, and given back in the whole
 * graph's index space (node, tensor and module indexes of the whole graph). The viewer draws it, picks
 * in it and pans over it while the whole layout runs in the worker, then replaces it: a chain of
 * layers laid out alone is laid out as the top of the whole chain, so the picture stays in place.
 */
import type { CompactGraph } from '../graph';
import { foldConstants, noFolding, viewerModuleTree, type FoldMap } from './fold';
import { GraphLayoutEngine, type GraphLayout } from './graphLayout';
import type { ModuleTree } from './modules';

/** The first `limit` nodes as a graph of their own; values the rest of the graph produces have no producer in it. */
export function prefixGraph(graph: CompactGraph, limit: number): CompactGraph {
  const nodes = graph.nodes.slice(0, limit);
  // a node listed out of order can read a value produced further down: in the prefix it comes from nowhere
  const tensors = graph.tensors.map((t) => (t.producer >= nodes.length ? { ...t, producer: -1 } : t));
  const consumed = new Uint8Array(tensors.length);
  for (const node of nodes) for (const t of node.inputs) if (t >= 0 && t < consumed.length) consumed[t] = 1;
  return {
    ...graph,
    nodes,
    tensors,
    // the inputs the prefix reads, and the outputs it produces
    inputs: graph.inputs.filter((t) => consumed[t] === 1),
    outputs: graph.outputs.filter((t) => graph.tensors[t] !== undefined && graph.tensors[t]!.producer >= 0 && graph.tensors[t]!.producer < nodes.length),
  };
}

/**
 * Layout of the first `limit` nodes with the modules of `tree` (the whole graph's viewer tree) in
 * `expanded` open; undefined when the graph has no more than `limit` nodes (its whole layout is as quick).
 * `fold` is the whole graph's folding (foldConstants): a weight or constant whose consumer lies past the
 * prefix is not drawn (the whole layout draws it, or folds it, far below, never at the top).
 */
export function previewLayout(graph: CompactGraph, tree: ModuleTree, fold: FoldMap, expanded: Iterable<number>, limit: number, showConstants = false): GraphLayout | undefined {
  if (graph.nodes.length <= limit) return undefined;
  const prefix = prefixGraph(graph, limit);
  const prefixFold = foldConstants(prefix);
  const prefixTree = viewerModuleTree(prefix, prefixFold);
  const drawn = showConstants ? noFolding(prefix) : prefixFold.slice();
  // the engine has no "not drawn at all": such a node folds into a drawn one, and is taken out of itemOfNode below
  const hidden: number[] = [];
  for (let v = 0; v < limit; v++) if (fold[v]! >= limit) hidden.push(v);
  const hiddenSet = new Set(hidden);
  let anchor = -1;
  for (let v = 0; v < limit && anchor < 0; v++) if (drawn[v] === -1 && !hiddenSet.has(v)) anchor = v;
  if (anchor < 0) return undefined;
  for (const v of hidden) drawn[v] = anchor;
  // modules are matched by path: the prefix's tree numbers them in its own order
  const open: number[] = [];
  for (const m of expanded) {
    const at = prefixTree.byPath.get(tree.modules[m]?.path ?? '\u0000');
    if (at !== undefined) open.push(at);
  }
  const layout = new GraphLayoutEngine(prefix, prefixTree, { fold: drawn }).layout(open);
  const moduleOf = prefixTree.modules.map((m) => tree.byPath.get(m.path) ?? -1);
  const itemOfNode = new Int32Array(graph.nodes.length).fill(-1);
  itemOfNode.set(layout.itemOfNode);
  for (const v of hidden) itemOfNode[v] = -1;
  const itemOfModule = new Int32Array(tree.modules.length).fill(-1);
  layout.itemOfModule.forEach((item, m) => { if (item >= 0 && moduleOf[m]! >= 0) itemOfModule[moduleOf[m]!] = item; });
  return {
    ...layout,
    items: layout.items.map((item) => (item.kind === 'module' ? { ...item, index: Math.max(0, moduleOf[item.index]!) } : item)),
    itemOfNode,
    itemOfModule,
  };
}

/**
 * The whole layout's height for the minimap while only the `preview` of the first `limit` nodes exists: the
 * preview's height plus, for every box the whole layout will stack below it, the vertical pitch of the preview's
 * last rows. A box is a drawn node (`fold`: the whole graph's folding, a folded weight or constant is not drawn;
 * undefined: every node is drawn) or, for a node inside a collapsed module, the outermost collapsed module holding
 * it (`tree` and `expanded` as for previewLayout; the root is always open). An estimate of the outline's extent,
 * close for a network that repeats its blocks down one column (the large ones the preview is for); the whole
 * layout replaces it when it lands. Never less than the preview's own height.
 */
export function previewOutlineHeight(preview: GraphLayout, tree: ModuleTree, expanded: Iterable<number>, limit: number, fold?: FoldMap): number {
  const open = new Set(expanded);
  const boxOf = (v: number): number => {
    let box = -1 - v;
    for (let m = tree.moduleOf[v]!; m > 0; m = tree.modules[m]!.parent) if (!open.has(m)) box = m;
    return box;
  };
  const inPreview = new Set<number>();
  const inWhole = new Set<number>();
  for (let v = 0; v < tree.moduleOf.length; v++) {
    if (fold !== undefined && fold[v] !== -1) continue;
    const box = boxOf(v);
    inWhole.add(box);
    if (v < limit) inPreview.add(box);
  }
  // the pitch of the column at the preview's bottom: its last rows of drawn boxes (side-by-side boxes share a row)
  const rows = [...new Set(preview.items.filter((i) => !(i.kind === 'module' && i.expanded)).map((i) => i.y))].sort((a, b) => a - b);
  if (rows.length < 2) return preview.height;
  const back = Math.min(8, rows.length - 1);
  const pitch = (rows[rows.length - 1]! - rows[rows.length - 1 - back]!) / back;
  return preview.height + Math.max(0, inWhole.size - inPreview.size) * pitch;
}
