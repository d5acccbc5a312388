import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { csr } from '../../../src/shared/layout/csr';
import { orderLayers, type OrderingOptions } from '../../../src/shared/layout/ordering';
import { layeredLayout } from '../../../src/shared/layout/layered';
import { edgeSamDecoderGraph } from './synthetic';
import { flatLayoutInput } from '../../../src/shared/layout/flat';

/** Ranks given in their initial order and segments between adjacent ranks: ordered by orderLayers. */
function order(ranks: number[][], segments: [number, number][], options: OrderingOptions = {}): { layers: number[][]; crossings: number } {
  const total = ranks.reduce((a, r) => a + r.length, 0);
  const from = segments.map(([a]) => a);
  const to = segments.map(([, b]) => b);
  const down = csr(total, from);
  const up = csr(total, to);
  const layers = ranks.map((r) => Int32Array.from(r));
  const crossings = orderLayers({ layers, down, downNeighbour: Int32Array.from(down.edge, (e) => to[e]!), up, upNeighbour: Int32Array.from(up.edge, (e) => from[e]!) }, options);
  return { layers: layers.map((l) => Array.from(l)), crossings };
}

/** Crossings of a given order, counted pair by pair (independent of the accumulator tree). */
function bruteCrossings(layers: number[][], segments: [number, number][]): number {
  const pos = new Map<number, [number, number]>();
  layers.forEach((l, r) => l.forEach((v, i) => pos.set(v, [r, i])));
  let c = 0;
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const [a, b] = segments[i]!;
      const [p, q] = segments[j]!;
      if (pos.get(a)![0] !== pos.get(p)![0]) continue;
      const s = pos.get(a)![1] - pos.get(p)![1];
      const t = pos.get(b)![1] - pos.get(q)![1];
      if (s * t < 0) c++;
    }
  }
  return c;
}

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Exact minimum over every order of every rank (small graphs only). */
function minimumCrossings(ranks: number[][], segments: [number, number][]): number {
  let best = Infinity;
  const choose = (r: number, chosen: number[][]) => {
    if (r === ranks.length) {
      best = Math.min(best, bruteCrossings(chosen, segments));
      return;
    }
    for (const p of permutations(ranks[r]!)) choose(r + 1, [...chosen, p]);
  };
  choose(0, []);
  return best;
}

test('K2,2 keeps its one unavoidable crossing; K3,3 its nine', () => {
  const k22: [number, number][] = [[0, 2], [0, 3], [1, 2], [1, 3]];
  assert.equal(order([[0, 1], [2, 3]], k22).crossings, 1);
  const k33: [number, number][] = [];
  for (const a of [0, 1, 2]) for (const b of [3, 4, 5]) k33.push([a, b]);
  assert.equal(order([[0, 1, 2], [5, 3, 4]], k33).crossings, 9);
});

test('a reversed matching (10 crossings as given) is untangled to 0', () => {
  const segments: [number, number][] = [[0, 5], [1, 6], [2, 7], [3, 8], [4, 9]];
  const initial = [[0, 1, 2, 3, 4], [9, 8, 7, 6, 5]];
  assert.equal(bruteCrossings(initial, segments), 10);
  const result = order(initial, segments);
  assert.equal(result.crossings, 0);
  assert.equal(bruteCrossings(result.layers, segments), 0, 'the returned count is the count of the returned order');
});

test('two interleaved chains over four ranks, given twisted at every rank, reach their crossing-free order', () => {
  // chain A: 0→2→4→6, chain B: 1→3→5→7, plus 0→3 and 5→6 (both drawable without crossing)
  const segments: [number, number][] = [[0, 2], [2, 4], [4, 6], [1, 3], [3, 5], [5, 7], [0, 3], [5, 6]];
  const initial = [[0, 1], [3, 2], [4, 5], [7, 6]];
  assert.ok(bruteCrossings(initial, segments) > 0);
  assert.equal(minimumCrossings(initial, segments), 0);
  assert.equal(order(initial, segments).crossings, 0);
});

test('on 60 random three-rank graphs the ordering reaches the exact minimum (brute force over every order)', () => {
  // a heuristic (minimising crossings is NP-hard even on two ranks), but on graphs this small the
  // restarts and sifting find the optimum; the search from the given order alone missed 3 of these 60
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let optimal = 0;
  let cases = 0;
  const excess: string[] = [];
  for (let g = 0; g < 60; g++) {
    const sizes = [3 + Math.floor(random() * 2), 3 + Math.floor(random() * 2), 3 + Math.floor(random() * 2)];
    let next = 0;
    const ranks = sizes.map((k) => Array.from({ length: k }, () => next++));
    const segments: [number, number][] = [];
    for (let r = 0; r + 1 < ranks.length; r++) {
      for (const a of ranks[r]!) for (const b of ranks[r + 1]!) if (random() < 0.35) segments.push([a, b]);
    }
    const initial = ranks.map((rank) => [...rank].sort(() => random() - 0.5));
    const result = order(initial, segments);
    const minimum = minimumCrossings(ranks, segments);
    assert.equal(result.crossings, bruteCrossings(result.layers, segments), `graph ${g}: reported count`);
    assert.ok(result.crossings <= bruteCrossings(initial, segments), `graph ${g}: never worse than the order it was given`);
    assert.ok(result.crossings >= minimum);
    cases++;
    if (result.crossings === minimum) optimal++;
    else excess.push(`graph ${g}: ${result.crossings} for a minimum of ${minimum}`);
  }
  assert.equal(optimal, cases, `optimum reached on ${optimal} of ${cases}; ${excess.join(', ')}`);
});

test('layouts are deterministic: the same graph gives the same positions', () => {
  const flat = flatLayoutInput(edgeSamDecoderGraph());
  const a = layeredLayout(flat);
  const b = layeredLayout(flat);
  assert.deepEqual(Array.from(a.x), Array.from(b.x));
  assert.deepEqual(Array.from(a.y), Array.from(b.y));
  assert.equal(a.crossings, b.crossings);
});
