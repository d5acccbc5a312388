/**
 * The main data flow of a drawn layout, found from the drawing alone (items and edges, no layout
 * internals): the items every longest source-to-sink path of the drawn graph passes through, top to
 * bottom. Parallel branches (q/k/v projections, a residual's skip) are on no such list: only what the
 * whole flow runs through. Used by the unit tests and by the e2e test on what the webview reports.
 */
export interface DrawnItem {
  readonly x: number;
  readonly w: number;
}

export interface DrawnEdge {
  readonly from: number;
  readonly to: number;
}

/** Items on every longest path, in flow order (edges that close a cycle are ignored). */
export function mainFlow(itemCount: number, edges: readonly DrawnEdge[], skip?: (item: number) => boolean): number[] {
  const out: number[][] = Array.from({ length: itemCount }, () => []);
  const indegree = new Int32Array(itemCount);
  for (const e of edges) {
    if (e.from === e.to || e.from < 0 || e.to < 0 || e.from >= itemCount || e.to >= itemCount) continue;
    if (skip && (skip(e.from) || skip(e.to))) continue;
    out[e.from]!.push(e.to);
    indegree[e.to]!++;
  }
  const order: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < itemCount; i++) if (indegree[i] === 0) ready.push(i);
  while (ready.length) {
    const u = ready.pop()!;
    order.push(u);
    for (const v of out[u]!) if (--indegree[v]! === 0) ready.push(v);
  }
  const inOrder = new Uint8Array(itemCount);
  for (const u of order) inOrder[u] = 1;
  const fromTop = new Int32Array(itemCount).fill(1);
  const toBottom = new Int32Array(itemCount).fill(1);
  for (const u of order) for (const v of out[u]!) if (inOrder[v]) fromTop[v] = Math.max(fromTop[v]!, fromTop[u]! + 1);
  for (let i = order.length - 1; i >= 0; i--) {
    const u = order[i]!;
    for (const v of out[u]!) if (inOrder[v]) toBottom[u] = Math.max(toBottom[u]!, toBottom[v]! + 1);
  }
  let longest = 0;
  for (const u of order) longest = Math.max(longest, fromTop[u]!);
  const atDepth = new Map<number, number[]>();
  for (const u of order) {
    if (fromTop[u]! + toBottom[u]! - 1 !== longest) continue;
    const list = atDepth.get(fromTop[u]!);
    if (list) list.push(u);
    else atDepth.set(fromTop[u]!, [u]);
  }
  return [...atDepth.entries()].sort((a, b) => a[0] - b[0]).filter(([, list]) => list.length === 1).map(([, list]) => list[0]!);
}

/** Spread of the main flow's centre x: max − min; `skip`: items that are no data flow (shape arithmetic). */
export function mainFlowSpread(items: readonly DrawnItem[], edges: readonly DrawnEdge[], skip?: (item: number) => boolean): { spread: number; length: number } {
  const flow = mainFlow(items.length, edges, skip);
  let min = Infinity;
  let max = -Infinity;
  for (const i of flow) {
    const c = items[i]!.x + items[i]!.w / 2;
    min = Math.min(min, c);
    max = Math.max(max, c);
  }
  return { spread: flow.length ? max - min : 0, length: flow.length };
}
