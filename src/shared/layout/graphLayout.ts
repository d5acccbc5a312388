/**
 * Layout of a whole ONNX graph with its module hierarchy. Every expanded module (and the root) is
 * laid out on its own, one level at a time, with its child modules as boxes: a collapsed box has a
 * fixed size, an expanded one the size of its own layout. Levels are cached, so expanding or
 * collapsing a module re-lays out only that module and its ancestors ("collapsed first, expanded on
 * demand"); a 24-layer transformer costs a few small layouts, never one 20,000-node layout.
 *
 * Edges that cross a module's border are routed inside that module through its ports: an entry port
 * pinned to the top rank and an exit port below every rank, laid out with the module's own nodes (with
 * dummy nodes and crossing reduction like any edge). A drawn edge is the concatenation of its routes
 * from level to level: out of each open module through its exit, across the common ancestor, and in
 * through each entry; it never cuts across a box's content.
 *
 * Initializers are folded into their consumers (no node, no edge), as Netron does, and so are
 * Constant nodes and Identity nodes of weights unless the caller draws them (fold.ts); graph inputs
 * and outputs are small items at the root level.
 */
import type { CompactGraph } from '../graph';
import { foldConstants, shapeComputations, viewerModuleTree, type FoldMap } from './fold';
import { csr as csrOf } from './csr';
import { layeredLayout, type LayeredResult } from './layered';
import type { ModuleTree } from './modules';

export type ItemKind = 'node' | 'input' | 'output';

export interface VisibleItem {
  readonly kind: ItemKind | 'module';
  /** Node index, tensor index (input/output) or module index. */
  readonly index: number;
  /** Top-left corner and size in layout coordinates. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** For modules: drawn as an open frame behind its children. */
  readonly expanded: boolean;
  readonly depth: number;
}

export interface VisibleEdge {
  readonly from: number;
  readonly to: number;
  /** First tensor carried (for the shape label) and how many tensors this drawn edge stands for. */
  readonly tensor: number;
  readonly count: number;
  /** Flat polyline [x0, y0, x1, y1, ...]. */
  readonly points: readonly number[];
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  /** x of the main flow's column at the top level (module boxes are centred on it below). */
  readonly spineX: number;
  readonly items: readonly VisibleItem[];
  readonly edges: readonly VisibleEdge[];
  /** Visible item that shows each node (the node itself or its collapsed module box). */
  readonly itemOfNode: Int32Array;
  /** Visible item of each module (-1 when hidden inside a collapsed ancestor). */
  readonly itemOfModule: Int32Array;
  /** Levels laid out by this call (the rest came from the cache). */
  readonly levelsComputed: number;
}

export const NODE_HEIGHT = 26;
export const PORT_HEIGHT = 22;
export const BOX_HEIGHT = 44;
export const MODULE_PADDING = 12;
export const MODULE_HEADER = 22;
const CHAR = 7;

export const nodeWidth = (label: string) => Math.min(220, Math.max(56, label.length * CHAR + 24));
export const portWidth = (label: string) => Math.min(200, Math.max(48, label.length * CHAR + 20));
export const boxWidth = (label: string) => Math.min(260, Math.max(110, label.length * CHAR + 40));

/** Entry codes at a level: item ids (>= 0), modules as -(m + 1), and the level's two ports. */
const ENTRY_PORT = Number.MIN_SAFE_INTEGER;
const EXIT_PORT = Number.MIN_SAFE_INTEGER + 1;
const PORT_SIZE = 2;
/** Entry codes as small non-negative numbers, so a pair of entries is one number key: ports 0 and 1, items even, modules odd. */
const entryCode = (entry: number) => (entry === ENTRY_PORT ? 0 : entry === EXIT_PORT ? 1 : entry >= 0 ? 2 + 2 * entry : 1 + 2 * -entry);
const PAIR_STRIDE = 2 ** 26;
/** Spine weight of a level entry on the graph's main flow (any other counts 1 at most). */
const MAIN_FLOW_WEIGHT = 1000;

interface Level {
  /** Entries (see ENTRY_PORT): children first, then the ports this level uses. */
  readonly entries: readonly number[];
  readonly result: LayeredResult;
  /** Level edge index by "fromEntry,toEntry". */
  readonly edgeIndex: ReadonlyMap<string, number>;
  readonly width: number;
  readonly height: number;
}

export class GraphLayoutEngine {
  readonly tree: ModuleTree;
  /** Items: nodes [0, N), then graph inputs, then graph outputs. */
  private readonly itemKind: ItemKind[] = [];
  private readonly itemIndex: number[] = [];
  private readonly itemModule: number[] = [];
  private readonly itemW: number[] = [];
  private readonly itemH: number[] = [];
  /** Per node: 1 when it computes a shape (no spine material); per module: 1 when all it holds does. */
  private readonly shapeNode: Uint8Array;
  private readonly shapeModule: Uint8Array;
  /** The whole graph's main flow (its longest data path, shape arithmetic aside): per item, and per module holding part of it. */
  private readonly mainItem: Uint8Array;
  private readonly mainModule: Uint8Array;
  private readonly edgeA: number[] = [];
  private readonly edgeB: number[] = [];
  private readonly edgeTensor: number[] = [];
  private readonly edgeLca: Int32Array;
  private readonly edgeEntryA: Int32Array;
  private readonly edgeEntryB: Int32Array;
  /** Entries per module: its direct items and child modules (and ports), fixed for the graph. */
  private readonly moduleItems: number[][];
  /** Unique [from, to] entry pairs per module level: internal edges and edges to and from its ports. */
  private readonly levelPairs: [number, number][][];
  private readonly cache = new Map<number, Level>();
  private lastExpanded = new Set<number>();

  /** Per node: the drawn node it is folded into, or -1 when drawn itself. */
  readonly fold: FoldMap;

  /**
   * @param options.fold which nodes fold into which (fold.ts); default: weights and constants folded.
   * A tree given must be the viewer's (viewerModuleTree), the same for every folding.
   */
  constructor(readonly graph: CompactGraph, tree?: ModuleTree, options: { fold?: FoldMap } = {}) {
    let folding: FoldMap | undefined;
    const defaultFold = () => (folding ??= foldConstants(graph));
    this.fold = options.fold ?? defaultFold();
    this.tree = tree ?? viewerModuleTree(graph, defaultFold());
    const { nodes, tensors } = graph;
    const fold = this.fold;
    this.shapeNode = shapeComputations(graph, fold);
    this.shapeModule = new Uint8Array(this.tree.modules.length).fill(1);
    nodes.forEach((_, i) => {
      if (this.shapeNode[i] || fold[i]! >= 0) return;
      for (let m = this.tree.moduleOf[i]!; m >= 0 && this.shapeModule[m]; m = this.tree.modules[m]!.parent) this.shapeModule[m] = 0;
    });
    nodes.forEach((node, i) => this.addItem('node', i, this.tree.moduleOf[i]!, nodeWidth(node.op), NODE_HEIGHT));
    const inputItem = new Map<number, number>();
    for (const t of graph.inputs) inputItem.set(t, this.addItem('input', t, 0, portWidth(tensors[t]?.name ?? ''), PORT_HEIGHT));
    const outputItems: [number, number][] = graph.outputs.map((t) => [t, this.addItem('output', t, 0, portWidth(tensors[t]?.name ?? ''), PORT_HEIGHT)]);
    // edges: producer (or input item) → each consuming node; initializers are folded
    nodes.forEach((node, consumer) => {
      for (const t of node.inputs) {
        if (t < 0) continue;
        const tensor = tensors[t];
        if (!tensor || tensor.kind === 'initializer' || fold[consumer]! >= 0 || (tensor.producer >= 0 && fold[tensor.producer]! >= 0)) continue;
        const from = tensor.producer >= 0 ? tensor.producer : inputItem.get(t);
        if (from !== undefined) this.addEdge(from, consumer, t);
      }
    });
    for (const [t, item] of outputItems) {
      const producer = tensors[t]?.producer ?? -1;
      if (producer >= 0) this.addEdge(producer, item, t);
    }
    // static per-edge facts: the module where the edge is internal (lowest common ancestor), the
    // entries (child item or child module) on both sides at that level, and the port segments on the
    // way out of and into the modules below it; all fixed for the graph
    const m = this.edgeA.length;
    this.edgeLca = new Int32Array(m);
    this.edgeEntryA = new Int32Array(m);
    this.edgeEntryB = new Int32Array(m);
    const modules = this.tree.modules;
    this.moduleItems = modules.map((info) => info.children.map((c) => -(c + 1)));
    this.itemModule.forEach((mod, item) => {
      if (!(item < nodes.length && fold[item]! >= 0)) this.moduleItems[mod]!.push(item);
    });
    const pairSets = modules.map(() => new Set<number>());
    this.levelPairs = modules.map(() => []);
    const usesPort = modules.map(() => [false, false]);
    const addPair = (mod: number, from: number, to: number) => {
      const key = entryCode(from) * PAIR_STRIDE + entryCode(to);
      if (pairSets[mod]!.has(key)) return;
      pairSets[mod]!.add(key);
      this.levelPairs[mod]!.push([from, to]);
      if (from === ENTRY_PORT) usesPort[mod]![0] = true;
      if (to === EXIT_PORT) usesPort[mod]![1] = true;
    };
    for (let e = 0; e < m; e++) {
      let ma = this.itemModule[this.edgeA[e]!]!;
      let mb = this.itemModule[this.edgeB[e]!]!;
      let entryA = this.edgeA[e]!;
      let entryB = this.edgeB[e]!;
      // climb out of the deeper side's modules until both sides meet in their common ancestor
      while (ma !== mb) {
        const depthA = modules[ma]!.depth;
        const depthB = modules[mb]!.depth;
        if (depthA >= depthB) {
          addPair(ma, entryA, EXIT_PORT);
          entryA = -(ma + 1);
          ma = modules[ma]!.parent;
        }
        if (depthB >= depthA) {
          addPair(mb, ENTRY_PORT, entryB);
          entryB = -(mb + 1);
          mb = modules[mb]!.parent;
        }
      }
      this.edgeLca[e] = ma;
      this.edgeEntryA[e] = entryA;
      this.edgeEntryB[e] = entryB;
      if (entryA !== entryB) addPair(ma, entryA, entryB);
    }
    // the main flow: the longest path over all items, data nodes counting 1 and shape arithmetic 0. Every
    // level's spine follows it where it passes, so the column runs on through boxes whichever input of a
    // box the local picture would favour (a mask built from several nodes vs. the one embedding lookup)
    const items = this.itemKind.length;
    this.mainItem = new Uint8Array(items);
    this.mainModule = new Uint8Array(modules.length);
    {
      const weightOf = (item: number) => (item < nodes.length && this.shapeNode[item] ? 0 : 1);
      const out = csrOf(items, this.edgeA);
      const indegree = new Int32Array(items);
      for (let e = 0; e < m; e++) indegree[this.edgeB[e]!]!++;
      const order: number[] = [];
      for (let i = 0; i < items; i++) if (indegree[i] === 0 && !(i < nodes.length && fold[i]! >= 0)) order.push(i);
      const score = new Float64Array(items);
      const from = new Int32Array(items).fill(-1);
      for (let k = 0; k < order.length; k++) {
        const u = order[k]!;
        score[u]! += weightOf(u);
        for (let p = out.start[u]!; p < out.start[u + 1]!; p++) {
          const e = out.edge[p]!;
          const v = this.edgeB[e]!;
          if (from[v]! < 0 || score[u]! > score[v]!) {
            score[v] = score[u]!;
            from[v] = u;
          }
          if (--indegree[v]! === 0) order.push(v);
        }
      }
      let end = -1;
      for (const u of order) if (end < 0 || score[u]! > score[end]!) end = u;
      for (let v = end; v >= 0; v = from[v]!) {
        this.mainItem[v] = 1;
        for (let mod = this.itemModule[v]!; mod >= 0 && !this.mainModule[mod]; mod = modules[mod]!.parent) this.mainModule[mod] = 1;
      }
    }
    usesPort.forEach(([entry, exit], mod) => {
      if (entry) this.moduleItems[mod]!.push(ENTRY_PORT);
      if (exit) this.moduleItems[mod]!.push(EXIT_PORT);
    });
  }

  get itemCount(): number {
    return this.itemKind.length;
  }

  /** Size of a level entry: an item, a module box (collapsed, or as big as its own layout), or a port. */
  private entrySize(entry: number, open: Uint8Array, levelOf: (mod: number) => Level): [number, number] {
    if (entry === ENTRY_PORT || entry === EXIT_PORT) return [PORT_SIZE, 0];
    if (entry >= 0) return [this.itemW[entry]!, this.itemH[entry]!];
    const child = -entry - 1;
    const name = this.tree.modules[child]!.name;
    if (!open[child]) return [boxWidth(name), BOX_HEIGHT];
    const inner = levelOf(child);
    // the box is centred on its content's spine, so the spine runs on through the box in one column
    const half = Math.max(inner.result.spineX, inner.width - inner.result.spineX);
    return [Math.max(2 * half + 2 * MODULE_PADDING, boxWidth(name)), inner.height + MODULE_HEADER + 2 * MODULE_PADDING];
  }

  private addItem(kind: ItemKind, index: number, module: number, w: number, h: number): number {
    this.itemKind.push(kind);
    this.itemIndex.push(index);
    this.itemModule.push(module);
    this.itemW.push(w);
    this.itemH.push(h);
    return this.itemKind.length - 1;
  }

  private addEdge(a: number, b: number, tensor: number): void {
    this.edgeA.push(a);
    this.edgeB.push(b);
    this.edgeTensor.push(tensor);
  }

  /** Lays out the graph with the given modules expanded (the root always is). */
  layout(expandedModules: Iterable<number>): GraphLayout {
    const modules = this.tree.modules;
    const expanded = new Set(expandedModules);
    expanded.add(0);
    // invalidate the levels whose content changed: a module toggled changes its parent's level and all above
    const changed = new Set<number>();
    for (const mod of expanded) if (!this.lastExpanded.has(mod)) changed.add(mod);
    for (const mod of this.lastExpanded) if (!expanded.has(mod)) changed.add(mod);
    for (const mod of changed) for (let p = mod; p >= 0; p = modules[p]!.parent) this.cache.delete(p);
    this.lastExpanded = expanded;

    // visibility: open = expanded with every ancestor expanded; box = first closed module on the way down
    const open = new Uint8Array(modules.length);
    const visibleBox = new Int32Array(modules.length).fill(-1);
    for (let i = 0; i < modules.length; i++) {
      const parent = modules[i]!.parent;
      const parentOpen = parent < 0 || open[parent] === 1;
      if (parentOpen && expanded.has(i)) open[i] = 1;
      else visibleBox[i] = parentOpen ? i : visibleBox[parent]!;
    }

    let computed = 0;
    const levelOf = (mod: number): Level => {
      const cached = this.cache.get(mod);
      if (cached) return cached;
      const entries = this.moduleItems[mod]!;
      const widths = new Float64Array(entries.length);
      const heights = new Float64Array(entries.length);
      const position = new Map<number, number>();
      entries.forEach((entry, i) => {
        position.set(entry, i);
        const [w, h] = this.entrySize(entry, open, levelOf);
        widths[i] = w;
        heights[i] = h;
      });
      const pairs = this.levelPairs[mod]!;
      const edges = pairs.map(([from, to]) => [position.get(from)!, position.get(to)!] as [number, number]);
      const edgeIndex = new Map<string, number>(pairs.map(([from, to], i) => [`${from},${to}`, i]));
      const spineWeights = entries.map((entry) => {
        if (entry === ENTRY_PORT || entry === EXIT_PORT) return 1;
        if (entry >= 0) return this.mainItem[entry] ? MAIN_FLOW_WEIGHT : entry < this.graph.nodes.length && this.shapeNode[entry] ? 0 : 1;
        return this.mainModule[-entry - 1] ? MAIN_FLOW_WEIGHT : this.shapeModule[-entry - 1] ? 0 : 1;
      });
      const result = layeredLayout({ widths, heights, edges, spineWeights }, {
        ...(position.has(ENTRY_PORT) ? { pinTop: position.get(ENTRY_PORT)! } : {}),
        ...(position.has(EXIT_PORT) ? { pinBottom: position.get(EXIT_PORT)! } : {}),
      });
      computed++;
      const level: Level = { entries, result, edgeIndex, width: result.width, height: result.height };
      this.cache.set(mod, level);
      return level;
    };

    // place levels top-down in absolute coordinates
    const items: VisibleItem[] = [];
    const itemOfEntry = new Map<number, number>(); // item id or module code → visible item
    const originOfLevel = new Map<number, [number, number]>();
    const itemOfModule = new Int32Array(modules.length).fill(-1);
    const place = (mod: number, ox: number, oy: number) => {
      const level = levelOf(mod);
      originOfLevel.set(mod, [ox, oy]);
      const { result } = level;
      level.entries.forEach((entry, i) => {
        if (entry === ENTRY_PORT || entry === EXIT_PORT) return;
        const [w, h] = this.entrySize(entry, open, levelOf);
        const x = ox + result.x[i]! - w / 2;
        const y = oy + result.y[i]! - h / 2;
        if (entry >= 0) {
          itemOfEntry.set(entry, items.length);
          items.push({ kind: this.itemKind[entry]!, index: this.itemIndex[entry]!, x, y, w, h, expanded: false, depth: modules[mod]!.depth });
        } else {
          const child = -entry - 1;
          itemOfModule[child] = items.length;
          itemOfEntry.set(entry, items.length);
          items.push({ kind: 'module', index: child, x, y, w, h, expanded: open[child] === 1, depth: modules[child]!.depth });
          if (open[child]) {
            const inner = levelOf(child);
            place(child, x + w / 2 - inner.result.spineX, y + MODULE_HEADER + MODULE_PADDING);
          }
        }
      });
    };
    place(0, 0, 0);
    const root = levelOf(0);
    /** The route of one level edge in absolute coordinates. */
    const levelRoute = (mod: number, from: number, to: number): readonly number[] => {
      const level = levelOf(mod);
      const index = level.edgeIndex.get(`${from},${to}`);
      if (index === undefined) return [];
      const [ox, oy] = originOfLevel.get(mod)!;
      const route = level.result.routes[index]!;
      const out: number[] = [];
      for (let i = 0; i < route.length; i += 2) out.push(ox + route[i]!, oy + route[i + 1]!);
      return out;
    };

    // representative visible item of every item
    const repOf = (item: number): number => {
      const box = visibleBox[this.itemModule[item]!]!;
      return box >= 0 ? itemOfModule[box]! : itemOfEntry.get(item)!;
    };
    const itemOfNode = new Int32Array(this.graph.nodes.length);
    for (let node = 0; node < itemOfNode.length; node++) itemOfNode[node] = repOf(this.fold[node]! >= 0 ? this.fold[node]! : node);

    // visible edges: one per pair of visible items; the route climbs out of the modules around the
    // source through their exit ports, crosses the common ancestor's level, and enters the modules
    // around the target through their entry ports
    const edges: VisibleEdge[] = [];
    const edgeByPair = new Map<string, number>();
    /** Where a visible representative sits: its entry code and the module whose level holds it. */
    const seat = (item: number): [number, number] => {
      const box = visibleBox[this.itemModule[item]!]!;
      return box >= 0 ? [-(box + 1), modules[box]!.parent] : [item, this.itemModule[item]!];
    };
    for (let e = 0; e < this.edgeA.length; e++) {
      const lca = this.edgeLca[e]!;
      if (!open[lca] || this.edgeEntryA[e] === this.edgeEntryB[e]) continue;
      const from = repOf(this.edgeA[e]!);
      const to = repOf(this.edgeB[e]!);
      const pair = `${from},${to}`;
      const existing = edgeByPair.get(pair);
      if (existing !== undefined) {
        const old = edges[existing]!;
        edges[existing] = { ...old, count: old.count + 1 };
        continue;
      }
      const points: number[] = [];
      const push = (route: readonly number[]) => {
        for (let i = 0; i < route.length; i += 2) {
          const n = points.length;
          if (n >= 2 && Math.abs(points[n - 2]! - route[i]!) < 1e-9 && Math.abs(points[n - 1]! - route[i + 1]!) < 1e-9) continue;
          points.push(route[i]!, route[i + 1]!);
        }
      };
      let [codeA, modA] = seat(this.edgeA[e]!);
      while (modA !== lca) {
        push(levelRoute(modA, codeA, EXIT_PORT));
        codeA = -(modA + 1);
        modA = modules[modA]!.parent;
      }
      let [codeB, modB] = seat(this.edgeB[e]!);
      const descent: [number, number][] = [];
      while (modB !== lca) {
        descent.push([modB, codeB]);
        codeB = -(modB + 1);
        modB = modules[modB]!.parent;
      }
      push(levelRoute(lca, codeA, codeB));
      for (let i = descent.length - 1; i >= 0; i--) push(levelRoute(descent[i]![0], ENTRY_PORT, descent[i]![1]));
      edgeByPair.set(pair, edges.length);
      edges.push({ from, to, tensor: this.edgeTensor[e]!, count: 1, points });
    }
    return { width: root.width, height: root.height, spineX: root.result.spineX, items, edges, itemOfNode, itemOfModule, levelsComputed: computed };
  }
}
