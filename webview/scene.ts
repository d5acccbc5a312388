/**
 * What the renderer draws: the graph, its current layout, verdict status per node and per module,
 * and the selection. Built once per layout; drawing reads it without allocating.
 */
import { opCategory, type CompactGraph, type NodeVerdict, type OpCategory } from '../src/shared/graph';
import type { GraphLayout } from '../src/shared/layout/graphLayout';
import type { ModuleTree } from '../src/shared/layout/modules';

export const STATUS_NONE = 0;
export const STATUS_UNVERIFIED = 1;
export const STATUS_UNSUPPORTED = 2;
export const DIFF_ADDED = 1;
export const DIFF_CHANGED = 2;

export interface Scene {
  readonly graph: CompactGraph;
  readonly tree: ModuleTree;
  readonly layout: GraphLayout;
  /** Per node: STATUS_*. */
  readonly nodeStatus: Uint8Array;
  /** Per module: unsupported and unverified nodes inside it. */
  readonly moduleUnsupported: Int32Array;
  readonly moduleUnverified: Int32Array;
  readonly category: readonly OpCategory[];
  /** Per edge: bounding box [minX, minY, maxX, maxY] for culling. */
  readonly edgeBoxes: Float64Array;
  /** Per node in compare mode: DIFF_ADDED / DIFF_CHANGED (0 = same); undefined outside compare mode. */
  readonly diffStatus: Uint8Array | undefined;
  selected: number;
  /** Edge under the pointer (drawn highlighted), -1 when none. */
  hoveredEdge?: number;
}

export function nodeStatusOf(graph: CompactGraph, verdicts: readonly NodeVerdict[]): Uint8Array {
  const status = new Uint8Array(graph.nodes.length);
  for (const v of verdicts) {
    if (v.node < 0 || v.node >= status.length) continue;
    const s = v.status === 'unsupported' ? STATUS_UNSUPPORTED : STATUS_UNVERIFIED;
    if (s > status[v.node]!) status[v.node] = s;
  }
  return status;
}

export function buildScene(graph: CompactGraph, tree: ModuleTree, layout: GraphLayout, nodeStatus: Uint8Array, selected: number, diffStatus?: Uint8Array): Scene {
  const moduleUnsupported = new Int32Array(tree.modules.length);
  const moduleUnverified = new Int32Array(tree.modules.length);
  nodeStatus.forEach((s, node) => {
    if (!s) return;
    const counts = s === STATUS_UNSUPPORTED ? moduleUnsupported : moduleUnverified;
    for (let m = tree.moduleOf[node]!; m >= 0; m = tree.modules[m]!.parent) counts[m]!++;
  });
  const edgeBoxes = new Float64Array(layout.edges.length * 4);
  layout.edges.forEach((edge, e) => {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const p = edge.points;
    for (let i = 0; i < p.length; i += 2) {
      if (p[i]! < minX) minX = p[i]!;
      if (p[i]! > maxX) maxX = p[i]!;
      if (p[i + 1]! < minY) minY = p[i + 1]!;
      if (p[i + 1]! > maxY) maxY = p[i + 1]!;
    }
    edgeBoxes.set([minX, minY, maxX, maxY], e * 4);
  });
  return {
    graph, tree, layout, nodeStatus, moduleUnsupported, moduleUnverified,
    category: graph.nodes.map((n) => opCategory(n.op, n.domain)),
    edgeBoxes, selected, diffStatus,
  };
}
