/**
 * Layout of a whole ONNX graph with its module hierarchy. Every expanded module (and the root) is
 * laid out on its own, one level at a time, with its child modules as boxes: a collapsed box has a
 * fixed size, an expanded one the size of its own layout. Levels are cached, so expanding or
 * collapsing a module re-lays out only that module and its ancestors ("collapsed first, expanded on
 * demand"); a 24-layer transformer costs a few small layouts, never one 20,000-node layout.
 *
 * Initializers are folded into their consumers (no node, no edge), as Netron does; graph inputs and
 * outputs are small items at the root level.
 */
import type { CompactGraph } from '../graph';
import { layeredLayout, type LayeredResult } from './layered';
import { buildModuleTree, type ModuleTree } from './modules';

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

interface Level {
  /** Entries: item ids (>= 0) or modules encoded as -(m + 1). */
  readonly entries: readonly number[];
  readonly result: LayeredResult;
  /** Level edge index by "entryA,entryB". */
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
  private readonly edgeA: number[] = [];
  private readonly edgeB: number[] = [];
  private readonly edgeTensor: number[] = [];
  private readonly edgeLca: Int32Array;
  private readonly edgeEntryA: Int32Array;
  private readonly edgeEntryB: Int32Array;
  /** Entries per module: its direct items and child modules, fixed for the graph. */
  private readonly moduleItems: number[][];
  private readonly levelEdges: number[][];
  private readonly cache = new Map<number, Level>();
  private lastExpanded = new Set<number>();

  constructor(readonly graph: CompactGraph, tree?: ModuleTree) {
    this.tree = tree ?? buildModuleTree(graph.nodes.map((n) => n.name));
    const { nodes, tensors } = graph;
    nodes.forEach((node, i) => this.addItem('node', i, this.tree.moduleOf[i]!, nodeWidth(node.op), NODE_HEIGHT));
    const inputItem = new Map<number, number>();
    for (const t of graph.inputs) inputItem.set(t, this.addItem('input', t, 0, portWidth(tensors[t]?.name ?? ''), PORT_HEIGHT));
    const outputItems: [number, number][] = graph.outputs.map((t) => [t, this.addItem('output', t, 0, portWidth(tensors[t]?.name ?? ''), PORT_HEIGHT)]);
    // edges: producer (or input item) → each consuming node; initializers are folded
    nodes.forEach((node, consumer) => {
      for (const t of node.inputs) {
        if (t < 0) continue;
        const tensor = tensors[t];
        if (!tensor || tensor.kind === 'initializer') continue;
        const from = tensor.producer >= 0 ? tensor.producer : inputItem.get(t);
        if (from !== undefined) this.addEdge(from, consumer, t);
      }
    });
    for (const [t, item] of outputItems) {
      const producer = tensors[t]?.producer ?? -1;
      if (producer >= 0) this.addEdge(producer, item, t);
    }
    // static per-edge facts: the module where the edge is internal (lowest common ancestor) and
    // the entries (child item or child module) on both sides at that level
    const m = this.edgeA.length;
    this.edgeLca = new Int32Array(m);
    this.edgeEntryA = new Int32Array(m);
    this.edgeEntryB = new Int32Array(m);
    const modules = this.tree.modules;
    this.moduleItems = modules.map((info) => info.children.map((c) => -(c + 1)));
    this.itemModule.forEach((mod, item) => this.moduleItems[mod]!.push(item));
    this.levelEdges = modules.map(() => []);
    for (let e = 0; e < m; e++) {
      let ma = this.itemModule[this.edgeA[e]!]!;
      let mb = this.itemModule[this.edgeB[e]!]!;
      let entryA = this.edgeA[e]!;
      let entryB = this.edgeB[e]!;
      while (modules[ma]!.depth > modules[mb]!.depth) { entryA = -(ma + 1); ma = modules[ma]!.parent; }
      while (modules[mb]!.depth > modules[ma]!.depth) { entryB = -(mb + 1); mb = modules[mb]!.parent; }
      while (ma !== mb) {
        entryA = -(ma + 1); ma = modules[ma]!.parent;
        entryB = -(mb + 1); mb = modules[mb]!.parent;
      }
      this.edgeLca[e] = ma;
      this.edgeEntryA[e] = entryA;
      this.edgeEntryB[e] = entryB;
      if (entryA !== entryB) this.levelEdges[ma]!.push(e);
    }
  }

  get itemCount(): number {
    return this.itemKind.length;
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
        if (entry >= 0) {
          widths[i] = this.itemW[entry]!;
          heights[i] = this.itemH[entry]!;
        } else {
          const child = -entry - 1;
          if (open[child]) {
            const inner = levelOf(child);
            widths[i] = Math.max(inner.width + 2 * MODULE_PADDING, boxWidth(modules[child]!.name));
            heights[i] = inner.height + MODULE_HEADER + 2 * MODULE_PADDING;
          } else {
            widths[i] = boxWidth(modules[child]!.name);
            heights[i] = BOX_HEIGHT;
          }
        }
      });
      const edges: [number, number][] = [];
      const edgeIndex = new Map<string, number>();
      for (const e of this.levelEdges[mod]!) {
        const key = `${this.edgeEntryA[e]},${this.edgeEntryB[e]}`;
        if (edgeIndex.has(key)) continue;
        edgeIndex.set(key, edges.length);
        edges.push([position.get(this.edgeEntryA[e]!)!, position.get(this.edgeEntryB[e]!)!]);
      }
      const result = layeredLayout({ widths, heights, edges });
      computed++;
      const level: Level = { entries, result, edgeIndex, width: result.width, height: result.height };
      this.cache.set(mod, level);
      return level;
    };

    // place levels top-down in absolute coordinates
    const items: VisibleItem[] = [];
    const itemOfEntry = new Map<number, number>(); // entry id → visible item
    const boxOfEntry = new Map<number, { x: number; y: number; w: number; h: number }>();
    const originOfLevel = new Map<number, [number, number]>();
    const itemOfModule = new Int32Array(modules.length).fill(-1);
    const place = (mod: number, ox: number, oy: number) => {
      const level = levelOf(mod);
      originOfLevel.set(mod, [ox, oy]);
      const { result } = level;
      level.entries.forEach((entry, i) => {
        let w: number;
        let h: number;
        if (entry >= 0) {
          w = this.itemW[entry]!;
          h = this.itemH[entry]!;
        } else {
          const child = -entry - 1;
          if (open[child]) {
            const inner = levelOf(child);
            w = Math.max(inner.width + 2 * MODULE_PADDING, boxWidth(modules[child]!.name));
            h = inner.height + MODULE_HEADER + 2 * MODULE_PADDING;
          } else {
            w = boxWidth(modules[child]!.name);
            h = BOX_HEIGHT;
          }
        }
        const x = ox + result.x[i]! - w / 2;
        const y = oy + result.y[i]! - h / 2;
        boxOfEntry.set(entry, { x, y, w, h });
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
            place(child, x + (w - inner.width) / 2, y + MODULE_HEADER + MODULE_PADDING);
          }
        }
      });
    };
    place(0, 0, 0);
    const root = levelOf(0);

    // representative visible item of every item
    const repOf = (item: number): number => {
      const box = visibleBox[this.itemModule[item]!]!;
      return box >= 0 ? itemOfModule[box]! : itemOfEntry.get(item)!;
    };
    const itemOfNode = new Int32Array(this.graph.nodes.length);
    for (let node = 0; node < itemOfNode.length; node++) itemOfNode[node] = repOf(node);

    // visible edges: one per pair of visible items, routed through the level where the edge is internal
    const edges: VisibleEdge[] = [];
    const edgeByPair = new Map<string, number>();
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
      const level = levelOf(lca);
      const [ox, oy] = originOfLevel.get(lca)!;
      const route = level.result.routes[level.edgeIndex.get(`${this.edgeEntryA[e]},${this.edgeEntryB[e]}`)!]!;
      const points: number[] = [];
      const a = items[from]!;
      const b = items[to]!;
      const boxA = boxOfEntry.get(this.edgeEntryA[e]!)!;
      const boxB = boxOfEntry.get(this.edgeEntryB[e]!)!;
      const ax = a.x + a.w / 2;
      const bx = b.x + b.w / 2;
      if (a !== items[itemOfEntry.get(this.edgeEntryA[e]!)!]) points.push(ax, a.y + a.h, ax, boxA.y + boxA.h);
      for (let i = 0; i < route.length; i += 2) points.push(ox + route[i]!, oy + route[i + 1]!);
      if (b !== items[itemOfEntry.get(this.edgeEntryB[e]!)!]) points.push(bx, boxB.y, bx, b.y);
      edgeByPair.set(pair, edges.length);
      edges.push({ from, to, tensor: this.edgeTensor[e]!, count: 1, points });
    }
    return { width: root.width, height: root.height, items, edges, itemOfNode, itemOfModule, levelsComputed: computed };
  }
}
