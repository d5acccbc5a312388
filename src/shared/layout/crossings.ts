/**
 * Edge crossings of a drawn layout, counted geometrically: proper intersections between segments
 * of different edge polylines. Engine-neutral (dagre, elkjs and ours are counted the same way from
 * their output coordinates); segments are bucketed in a uniform grid so the count stays fast on
 * large drawings. Segments of edges that share an end node are not counted against each other
 * (they meet at that node by construction). Identical segments (edges from one source bundled
 * along a shared route) are one stroke on screen and are counted once.
 */
export interface DrawnEdge {
  readonly from: number;
  readonly to: number;
  /** Flat [x0, y0, x1, y1, ...]. */
  readonly points: ArrayLike<number>;
}

export function countCrossings(edges: readonly DrawnEdge[], cell = 200): number {
  const sx0: number[] = [];
  const sy0: number[] = [];
  const sx1: number[] = [];
  const sy1: number[] = [];
  const owner: number[] = [];
  const strokes = new Set<string>();
  edges.forEach((edge, e) => {
    const p = edge.points;
    for (let i = 0; i + 3 < p.length; i += 2) {
      if (p[i] === p[i + 2] && p[i + 1] === p[i + 3]) continue;
      const stroke = `${p[i]},${p[i + 1]},${p[i + 2]},${p[i + 3]}`;
      if (strokes.has(stroke)) continue;
      strokes.add(stroke);
      sx0.push(p[i]!); sy0.push(p[i + 1]!); sx1.push(p[i + 2]!); sy1.push(p[i + 3]!);
      owner.push(e);
    }
  });
  const grid = new Map<string, number[]>();
  for (let s = 0; s < owner.length; s++) {
    const cx0 = Math.floor(Math.min(sx0[s]!, sx1[s]!) / cell);
    const cx1 = Math.floor(Math.max(sx0[s]!, sx1[s]!) / cell);
    const cy0 = Math.floor(Math.min(sy0[s]!, sy1[s]!) / cell);
    const cy1 = Math.floor(Math.max(sy0[s]!, sy1[s]!) / cell);
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const key = `${cx},${cy}`;
        let list = grid.get(key);
        if (!list) grid.set(key, (list = []));
        list.push(s);
      }
    }
  }
  let crossings = 0;
  for (const [key, list] of grid) {
    const [cx, cy] = key.split(',').map(Number) as [number, number];
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j]!;
        const ea = edges[owner[a]!]!;
        const eb = edges[owner[b]!]!;
        if (owner[a] === owner[b] || ea.from === eb.from || ea.to === eb.to || ea.from === eb.to || ea.to === eb.from) continue;
        const hit = intersection(sx0[a]!, sy0[a]!, sx1[a]!, sy1[a]!, sx0[b]!, sy0[b]!, sx1[b]!, sy1[b]!);
        if (!hit) continue;
        // count each intersection once: in the cell that contains the point
        if (Math.floor(hit[0] / cell) !== cx || Math.floor(hit[1] / cell) !== cy) continue;
        crossings++;
      }
    }
  }
  return crossings;
}

/** Proper intersection point of two segments (touching at end points does not count). */
function intersection(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] | undefined {
  const rX = bx - ax;
  const rY = by - ay;
  const sX = dx - cx;
  const sY = dy - cy;
  const denom = rX * sY - rY * sX;
  if (Math.abs(denom) < 1e-12) return undefined; // parallel or collinear
  const t = ((cx - ax) * sY - (cy - ay) * sX) / denom;
  const u = ((cx - ax) * rY - (cy - ay) * rX) / denom;
  const eps = 1e-9;
  if (t <= eps || t >= 1 - eps || u <= eps || u >= 1 - eps) return undefined;
  return [ax + t * rX, ay + t * rY];
}
