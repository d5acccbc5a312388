/**
 * A layered (Sugiyama-style) layout for one level of the graph: boxes of known size and directed
 * edges, drawn top-down. Every phase is linear or near-linear in nodes + edges (+ dummy nodes),
 * with a fixed number of sweeps, so the cost stays predictable on 20,000-node graphs:
 *
 *  1. cycle breaking: iterative DFS, back edges reversed (collapsed module boxes can form cycles);
 *  2. ranking: longest path from the sources, then nodes pulled down next to their consumers
 *     (shape chains and constants sit right above where they are used, not at the top);
 *  3. long edges split into dummy nodes, one per crossed rank;
 *  4. ordering: DFS initial order, then median/barycenter sweeps down and up with adjacent exchanges,
 *     keeping the order with the fewest crossings, within a work budget proportional to the edge
 *     count (ordering.ts);
 *  5. coordinates: the spine (the longest chain from top to bottom, through as many real nodes as
 *     possible, from the entry port to the exit port when the level has them: the network's main
 *     data flow) is one straight column; every other rank is placed as close as possible to the mean
 *     of its neighbours under the ordering and separation constraints, solved exactly per rank by
 *     isotonic regression (pool adjacent violators, linear), alternating downward and upward passes.
 *     Side inputs land beside their consumer and never push the spine over;
 *  6. edges routed through their dummy nodes.
 *
 * Pure TypeScript without DOM: it runs in the viewer's Web Worker and in Node (tests, bench).
 */

import { csr, type Csr } from './csr';
import { orderLayers } from './ordering';

export interface LayeredInput {
  /** Box sizes, one entry per node. */
  readonly widths: ArrayLike<number>;
  readonly heights: ArrayLike<number>;
  /** Edges as [from, to] node indexes; duplicates and self loops are ignored. */
  readonly edges: readonly (readonly [number, number])[];
  /** What each node counts for when the spine is chosen (default 1): 0 for shape arithmetic, so the spine follows the data. */
  readonly spineWeights?: ArrayLike<number>;
}

export interface LayeredOptions {
  readonly nodeGap?: number;
  readonly rankGap?: number;
  /** Crossing-reduction sweeps (one sweep = one direction); default: as the work budget affords (ordering.ts). */
  readonly sweeps?: number;
  /** A node kept on the top rank (a module's entry port: edges coming in from outside start there). */
  readonly pinTop?: number;
  /** A node kept alone below every other rank (a module's exit port). */
  readonly pinBottom?: number;
  /** Rounds of adjacent exchanges after each sweep; default: as the work budget affords. */
  readonly transposeRounds?: number;
  /** Coordinate-assignment passes. */
  readonly coordinatePasses?: number;
}

export interface LayeredResult {
  /** Centre of each node. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rank: Int32Array;
  readonly width: number;
  readonly height: number;
  /** One route per input edge (same index; empty for dropped self loops / duplicates): flat [x0, y0, x1, y1, ...] from source to target. */
  readonly routes: readonly (readonly number[])[];
  /** Crossings between adjacent ranks in the final order (including dummy segments). */
  readonly crossings: number;
  readonly dummies: number;
  /** The x of the spine's column (every spine node's centre), and the spine's nodes from top to bottom (real nodes only). */
  readonly spineX: number;
  readonly spine: Int32Array;
}

export function layeredLayout(input: LayeredInput, options: LayeredOptions = {}): LayeredResult {
  const nodeGap = options.nodeGap ?? 24;
  const rankGap = options.rankGap ?? 36;
  const coordinatePasses = options.coordinatePasses ?? 6;
  const n = input.widths.length;

  // ---- unique edges (u != v), adjacency in CSR form
  const seen = new Map<number, number>();
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const edgeOfInput = new Int32Array(input.edges.length).fill(-1);
  input.edges.forEach(([u, v], i) => {
    if (u === v || u < 0 || v < 0 || u >= n || v >= n) return;
    const key = u * n + v;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      edgeOfInput[i] = -2 - earlier;
      return;
    }
    seen.set(key, edgeFrom.length);
    edgeOfInput[i] = edgeFrom.length;
    edgeFrom.push(u);
    edgeTo.push(v);
  });
  const m = edgeFrom.length;
  const out = csr(n, edgeFrom);

  // ---- 1. cycle breaking (iterative DFS; edges to nodes on the stack are reversed)
  const reversed = new Uint8Array(m);
  {
    const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
    const stackNode = new Int32Array(n);
    const stackPos = new Int32Array(n);
    for (let root = 0; root < n; root++) {
      if (state[root]) continue;
      let sp = 0;
      stackNode[0] = root;
      stackPos[0] = out.start[root]!;
      state[root] = 1;
      while (sp >= 0) {
        const u = stackNode[sp]!;
        const p = stackPos[sp]!;
        if (p < out.start[u + 1]!) {
          stackPos[sp] = p + 1;
          const e = out.edge[p]!;
          const v = edgeTo[e]!;
          if (state[v] === 1) reversed[e] = 1;
          else if (state[v] === 0) {
            state[v] = 1;
            sp++;
            stackNode[sp] = v;
            stackPos[sp] = out.start[v]!;
          }
        } else {
          state[u] = 2;
          sp--;
        }
      }
    }
  }
  const dagFrom = new Int32Array(m);
  const dagTo = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    dagFrom[e] = reversed[e] ? edgeTo[e]! : edgeFrom[e]!;
    dagTo[e] = reversed[e] ? edgeFrom[e]! : edgeTo[e]!;
  }
  const succ = csr(n, dagFrom);

  // ---- 2. ranking: Kahn topological order, longest path, then pull down toward consumers
  const topo = new Int32Array(n);
  {
    const indeg = new Int32Array(n);
    for (let e = 0; e < m; e++) indeg[dagTo[e]!]!++;
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) if (indeg[v] === 0) topo[tail++] = v;
    while (head < tail) {
      const u = topo[head++]!;
      for (let p = succ.start[u]!; p < succ.start[u + 1]!; p++) {
        const v = dagTo[succ.edge[p]!]!;
        if (--indeg[v]! === 0) topo[tail++] = v;
      }
    }
  }
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = topo[i]!;
    for (let p = succ.start[u]!; p < succ.start[u + 1]!; p++) {
      const v = dagTo[succ.edge[p]!]!;
      if (rank[v]! < rank[u]! + 1) rank[v] = rank[u]! + 1;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const u = topo[i]!;
    if (succ.start[u + 1]! === succ.start[u]! || u === options.pinTop) continue;
    let lowest = Infinity;
    for (let p = succ.start[u]!; p < succ.start[u + 1]!; p++) lowest = Math.min(lowest, rank[dagTo[succ.edge[p]!]!]!);
    if (lowest - 1 > rank[u]!) rank[u] = lowest - 1;
  }
  let maxRank = 0;
  for (let v = 0; v < n; v++) if (v !== options.pinBottom && rank[v]! > maxRank) maxRank = rank[v]!;
  const pinBottom = options.pinBottom;
  if (pinBottom !== undefined && pinBottom >= 0 && pinBottom < n) rank[pinBottom] = ++maxRank;

  // ---- 3. dummy nodes. Long edges leaving the same node share one chain of dummies (one per rank,
  // down to the farthest target) and branch off where each target sits: a tensor consumed by every
  // layer (attention mask, rotary tables) costs one chain, not one per consumer.
  const reach = new Int32Array(n).fill(-1);
  for (let e = 0; e < m; e++) {
    const a = dagFrom[e]!;
    if (rank[dagTo[e]!]! - 1 > reach[a]!) reach[a] = rank[dagTo[e]!]! - 1;
  }
  const chainAt = new Int32Array(n + 1); // dummies of node a: chainAt[a] + (r - rank[a] - 1), r in (rank[a], reach[a]]
  let dummyCount = 0;
  for (let a = 0; a < n; a++) {
    chainAt[a] = n + dummyCount;
    dummyCount += Math.max(0, reach[a]! - rank[a]!);
  }
  const total = n + dummyCount;
  const lrank = new Int32Array(total);
  lrank.set(rank);
  const segFrom: number[] = [];
  const segTo: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let r = rank[a]! + 1; r <= reach[a]!; r++) {
      const d = chainAt[a]! + (r - rank[a]! - 1);
      lrank[d] = r;
      segFrom.push(r === rank[a]! + 1 ? a : d - 1);
      segTo.push(d);
    }
  }
  const lastHop = (e: number) => {
    const a = dagFrom[e]!;
    const span = rank[dagTo[e]!]! - rank[a]!;
    return span > 1 ? chainAt[a]! + span - 2 : a;
  };
  for (let e = 0; e < m; e++) {
    segFrom.push(lastHop(e));
    segTo.push(dagTo[e]!);
  }
  const down = csr(total, segFrom);
  const up = csr(total, segTo);
  const downNeighbour = (p: number) => segTo[down.edge[p]!]!;
  const upNeighbour = (p: number) => segFrom[up.edge[p]!]!;

  // ---- 4. ordering
  const layers: Int32Array[] = [];
  {
    const size = new Int32Array(maxRank + 1);
    for (let v = 0; v < total; v++) size[lrank[v]!]!++;
    for (let r = 0; r <= maxRank; r++) layers.push(new Int32Array(size[r]!));
    // initial order: DFS from the sources in topological order, so connected nodes start close together
    const fill = new Int32Array(maxRank + 1);
    const visited = new Uint8Array(total);
    const stack: number[] = [];
    const visitFrom = (root: number) => {
      stack.push(root);
      while (stack.length) {
        const u = stack.pop()!;
        if (visited[u]) continue;
        visited[u] = 1;
        layers[lrank[u]!]![fill[lrank[u]!]!++] = u;
        for (let p = down.start[u + 1]! - 1; p >= down.start[u]!; p--) {
          const v = downNeighbour(p);
          if (!visited[v]) stack.push(v);
        }
      }
    };
    for (let i = 0; i < n; i++) if (!visited[topo[i]!] && up.start[topo[i]! + 1]! === up.start[topo[i]!]!) visitFrom(topo[i]!);
    for (let v = 0; v < total; v++) if (!visited[v]) visitFrom(v);
  }
  const neighbours = (adj: Csr, other: readonly number[]) => Int32Array.from(adj.edge, (e) => other[e]!);
  const crossings = orderLayers({ layers, down, downNeighbour: neighbours(down, segTo), up, upNeighbour: neighbours(up, segFrom) }, {
    ...(options.sweeps !== undefined ? { sweeps: options.sweeps } : {}),
    ...(options.transposeRounds !== undefined ? { transposeRounds: options.transposeRounds } : {}),
  });
  const maxLayer = layers.reduce((a, l) => Math.max(a, l.length), 0);

  // ---- 5. coordinates
  const w = new Float64Array(total);
  for (let v = 0; v < n; v++) w[v] = input.widths[v]!;
  const dummyWidth = 2;
  for (let v = n; v < total; v++) w[v] = dummyWidth;
  const gapBetween = (a: number, b: number) => (a >= n && b >= n ? nodeGap / 3 : a >= n || b >= n ? nodeGap / 2 : nodeGap);
  const x = new Float64Array(total);
  for (const layer of layers) {
    let cursor = 0;
    for (let i = 0; i < layer.length; i++) {
      const v = layer[i]!;
      if (i > 0) cursor += gapBetween(layer[i - 1]!, v);
      x[v] = cursor + w[v]! / 2;
      cursor += w[v]!;
    }
  }
  // the spine: per node the best chain ending there, by ranks spanned, then real nodes on it (dummies
  // count nothing: a skip connection loses to the path through the block it skips), entry port first
  const onSpine = new Uint8Array(total);
  const spineNodes: number[] = [];
  {
    const score = new Float64Array(total);
    const from = new Int32Array(total).fill(-1);
    const RANK = 1e7;
    const gain = (v: number) => (v === options.pinTop ? 1e5 : v < n ? input.spineWeights?.[v] ?? 1 : 0);
    let end = -1;
    for (let r = 0; r <= maxRank; r++) {
      const layer = layers[r]!;
      for (let i = 0; i < layer.length; i++) {
        const v = layer[i]!;
        let best = -1;
        let bestScore = 0;
        for (let p = up.start[v]!; p < up.start[v + 1]!; p++) {
          const u = upNeighbour(p);
          if (best < 0 || score[u]! > bestScore) {
            best = u;
            bestScore = score[u]!;
          }
        }
        from[v] = best;
        score[v] = (best >= 0 ? bestScore + RANK : 0) + gain(v);
        if (end < 0 || score[v]! > score[end]!) end = v;
      }
    }
    if (pinBottom !== undefined && pinBottom >= 0 && pinBottom < n && from[pinBottom]! >= 0) end = pinBottom;
    for (let v = end; v >= 0; v = from[v]!) onSpine[v] = 1;
    for (let v = end; v >= 0; v = from[v]!) if (v < n) spineNodes.push(v);
    spineNodes.reverse();
  }
  const SPINE_WEIGHT = 1e6;
  const desired = new Float64Array(maxLayer);
  const weight = new Float64Array(maxLayer);
  // A neighbour's pull is divided by its fan on that side: a node feeding twenty consumers (or a
  // shared dummy chain) does not drag them all under itself, while 1:1 chains line up straight.
  type Side = readonly [Csr, (p: number) => number, Csr];
  const placeLayer = (layer: Int32Array, sides: readonly Side[]) => {
    for (let i = 0; i < layer.length; i++) {
      const v = layer[i]!;
      let s = 0;
      let k = 0;
      for (const [adj, neighbour, back] of sides) {
        for (let p = adj.start[v]!; p < adj.start[v + 1]!; p++) {
          const u = neighbour(p);
          // a branch between a dummy chain and a real node pulls weakly both ways: the chain and the
          // main path each stay straight instead of dragging each other into a staircase
          const c = ((u >= n) !== (v >= n) ? 0.1 : 1) / Math.max(1, back.start[u + 1]! - back.start[u]!);
          s += c * x[u]!;
          k += c;
        }
      }
      // dummies pull harder so long edges run straight; isolated nodes keep their place; the spine stays in its column
      const straight = v >= n ? 4 : 1;
      desired[i] = onSpine[v] ? 0 : k ? s / k : x[v]!;
      weight[i] = onSpine[v] ? SPINE_WEIGHT : k ? straight * k : 0.01;
    }
    isotonicPlace(layer, w, gapBetween, desired, weight, x);
  };
  for (let pass = 0; pass < coordinatePasses; pass++) {
    const above: Side = [up, upNeighbour, down];
    const below: Side = [down, downNeighbour, up];
    if (pass % 2 === 0) for (let r = pass === 0 ? 0 : 1; r <= maxRank; r++) placeLayer(layers[r]!, pass === 0 ? [above] : [above, below]);
    else for (let r = maxRank - 1; r >= 0; r--) placeLayer(layers[r]!, [below, above]);
  }
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < total; v++) {
    minX = Math.min(minX, x[v]! - w[v]! / 2);
    maxX = Math.max(maxX, x[v]! + w[v]! / 2);
  }
  if (total === 0) minX = maxX = 0;
  for (let v = 0; v < total; v++) x[v] = x[v]! - minX;

  // rank heights and y centres
  const rankHeight = new Float64Array(maxRank + 1);
  for (let v = 0; v < n; v++) rankHeight[rank[v]!] = Math.max(rankHeight[rank[v]!]!, input.heights[v]!);
  const rankTop = new Float64Array(maxRank + 2);
  for (let r = 0; r <= maxRank; r++) rankTop[r + 1] = rankTop[r]! + rankHeight[r]! + rankGap;
  const yOf = (v: number) => rankTop[lrank[v]!]! + rankHeight[lrank[v]!]! / 2;

  // ---- 6. routes: source bottom → dummies → target top
  const routes: number[][] = [];
  const routeOfEdge: number[][] = [];
  for (let e = 0; e < m; e++) {
    const a = dagFrom[e]!;
    const b = dagTo[e]!;
    const pts = [x[a]!, yOf(a) + input.heights[a]! / 2];
    const last = lastHop(e);
    if (last !== a) for (let d = chainAt[a]!; d <= last; d++) pts.push(x[d]!, yOf(d));
    pts.push(x[b]!, yOf(b) - input.heights[b]! / 2);
    routeOfEdge.push(reversed[e] ? reversePoints(pts) : pts);
  }
  for (let i = 0; i < input.edges.length; i++) {
    const e = edgeOfInput[i]!;
    routes.push(e >= 0 ? routeOfEdge[e]! : e <= -2 ? routeOfEdge[-2 - e]! : []);
  }

  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    xs[v] = x[v]!;
    ys[v] = yOf(v);
  }
  return {
    x: xs, y: ys, rank, routes,
    width: total ? maxX - minX : 0,
    height: total ? rankTop[maxRank + 1]! - rankGap : 0,
    crossings,
    dummies: dummyCount,
    spineX: spineNodes.length ? xs[spineNodes[0]!]! : total ? (maxX - minX) / 2 : 0,
    spine: Int32Array.from(spineNodes),
  };
}

/**
 * Places one rank: minimises Σ weight·(x − desired)² subject to the rank's order and separations.
 * With offsets o_i (cumulative separation), y_i = x_i − o_i must be non-decreasing: an isotonic
 * regression, solved exactly in linear time by pooling adjacent violators.
 */
function isotonicPlace(layer: Int32Array, w: Float64Array, gap: (a: number, b: number) => number, desired: Float64Array, weight: Float64Array, x: Float64Array): void {
  const k = layer.length;
  if (k === 0) return;
  const offset = new Float64Array(k);
  for (let i = 1; i < k; i++) offset[i] = offset[i - 1]! + w[layer[i - 1]!]! / 2 + gap(layer[i - 1]!, layer[i]!) + w[layer[i]!]! / 2;
  const blockValue = new Float64Array(k);
  const blockWeight = new Float64Array(k);
  const blockEnd = new Int32Array(k);
  let blocks = 0;
  for (let i = 0; i < k; i++) {
    blockValue[blocks] = desired[i]! - offset[i]!;
    blockWeight[blocks] = weight[i]!;
    blockEnd[blocks] = i;
    blocks++;
    while (blocks > 1 && blockValue[blocks - 2]! > blockValue[blocks - 1]!) {
      const wa = blockWeight[blocks - 2]!;
      const wb = blockWeight[blocks - 1]!;
      blockValue[blocks - 2] = (blockValue[blocks - 2]! * wa + blockValue[blocks - 1]! * wb) / (wa + wb);
      blockWeight[blocks - 2] = wa + wb;
      blockEnd[blocks - 2] = blockEnd[blocks - 1]!;
      blocks--;
    }
  }
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    for (; i <= blockEnd[b]!; i++) x[layer[i]!] = blockValue[b]! + offset[i]!;
  }
}

function reversePoints(pts: number[]): number[] {
  const r: number[] = [];
  for (let i = pts.length - 2; i >= 0; i -= 2) r.push(pts[i]!, pts[i + 1]!);
  return r;
}
