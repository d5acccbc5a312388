/** Adjacency in compressed sparse row form: the edges of node v are edge[start[v] .. start[v + 1]). */
export interface Csr {
  readonly start: Int32Array;
  readonly edge: Int32Array;
}

/** Groups edge indexes by their `from` node (n nodes). */
export function csr(n: number, from: ArrayLike<number>): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const edge = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) edge[fill[from[e]!]!++] = e;
  return { start, edge };
}
