/**
 * Structural diff of two compact graphs (the "before" and "after" of a model): nodes added, removed,
 * and changed (operator, attributes, input/output types and shapes). Nodes are matched by name first;
 * the rest by module path, operator and rank among the unmatched nodes of that operator in that module
 * (torch.onnx.export renumbers `/encoder/Gather_12` when anything before it changes, so names alone
 * would report every later node as removed and added).
 */
import { formatShape, type CompactGraph, type CompactNode, type CompactTensor } from './graph';
import { modulePathOf } from './layout/modules';

/**
 * `value`: the values of a weight or constant the node reads (an initializer input) or holds (a Constant's
 * output) differ, same type and shape; `constant` / `constant-added`: a weight or constant folded into this
 * node (drawn inside it) changed or is new (foldDiff).
 */
export type NodeChangeKind = 'op' | 'attribute-added' | 'attribute-removed' | 'attribute' | 'input' | 'output' | 'arity' | 'value' | 'constant' | 'constant-added';

export interface NodeChange {
  readonly kind: NodeChangeKind;
  /** Attribute name, or the input/output position. */
  readonly what: string;
  readonly before: string;
  readonly after: string;
  /** `constant`: the changes of the folded node. */
  readonly folded?: readonly NodeChange[];
}

export interface ChangedNode {
  /** Index in the base graph (-1: the node is marked for a folded constant only, see foldDiff) and in the compared graph. */
  readonly base: number;
  readonly node: number;
  readonly changes: readonly NodeChange[];
}

export interface GraphDiff {
  /** Node indexes in the compared graph that the base lacks. */
  readonly added: readonly number[];
  /** Node names (or `Op#k`) of the base that the compared graph lacks. */
  readonly removed: readonly { readonly name: string; readonly op: string }[];
  readonly changed: readonly ChangedNode[];
}

/** `/encoder/layers.0/Gather_12` → `encoder/layers.0`; names without a module path → ''. */
const moduleOf = (name: string): string => modulePathOf(name).join('/');

const tensorText = (t: CompactTensor | undefined) => (t ? `${t.dtype}${t.shape ? `[${formatShape(t.shape)}]` : ''}` : '');

/**
 * Digests of tensor values by tensor name, of each side (initializers and Constant values; the compact graph
 * carries no values). A tensor without a digest on either side is not compared by value.
 */
export interface ValueDigests {
  readonly base: ReadonlyMap<string, string>;
  readonly compared: ReadonlyMap<string, string>;
}

function compareNodes(a: CompactGraph, na: CompactNode, b: CompactGraph, nb: CompactNode, values?: ValueDigests): NodeChange[] {
  const changes: NodeChange[] = [];
  if (na.op !== nb.op || na.domain !== nb.domain) changes.push({ kind: 'op', what: '', before: `${na.domain ? na.domain + '.' : ''}${na.op}`, after: `${nb.domain ? nb.domain + '.' : ''}${nb.op}` });
  const attrsA = new Map(na.attributes.map((x) => [x.name, x.value]));
  const attrsB = new Map(nb.attributes.map((x) => [x.name, x.value]));
  for (const [name, value] of attrsA) {
    if (!attrsB.has(name)) changes.push({ kind: 'attribute-removed', what: name, before: value, after: '' });
    else if (attrsB.get(name) !== value) changes.push({ kind: 'attribute', what: name, before: value, after: attrsB.get(name)! });
  }
  for (const [name, value] of attrsB) if (!attrsA.has(name)) changes.push({ kind: 'attribute-added', what: name, before: '', after: value });
  if (na.inputs.length !== nb.inputs.length || na.outputs.length !== nb.outputs.length) {
    changes.push({ kind: 'arity', what: '', before: `${na.inputs.length} → ${na.outputs.length}`, after: `${nb.inputs.length} → ${nb.outputs.length}` });
  }
  const sides: ['input' | 'output', readonly number[], readonly number[]][] = [['input', na.inputs, nb.inputs], ['output', na.outputs, nb.outputs]];
  for (const [kind, ia, ib] of sides) {
    for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
      const ta = tensorText(a.tensors[ia[i]!]);
      const tb = tensorText(b.tensors[ib[i]!]);
      if (ta !== tb && ta !== '' && tb !== '') changes.push({ kind, what: String(i), before: ta, after: tb });
      else if (values && ta === tb) {
        // same type and shape: the values of a weight read here, or of a constant made here
        const tensorA = a.tensors[ia[i]!];
        const tensorB = b.tensors[ib[i]!];
        if (!tensorA || !tensorB || (kind === 'input' && tensorB.kind !== 'initializer')) continue;
        const da = values.base.get(tensorA.name);
        const db = values.compared.get(tensorB.name);
        if (da !== undefined && db !== undefined && da !== db) changes.push({ kind: 'value', what: tensorB.name, before: ta, after: tb });
      }
    }
  }
  return changes;
}

/** `values`: digests of the weights' and constants' values on both sides, to report changed values of the same type and shape. */
export function diffGraphs(base: CompactGraph, compared: CompactGraph, values?: ValueDigests): GraphDiff {
  const matchOf = new Int32Array(compared.nodes.length).fill(-1); // compared → base
  const taken = new Uint8Array(base.nodes.length);
  // 1. same name
  const byName = new Map<string, number>();
  base.nodes.forEach((n, i) => { if (n.name && !byName.has(n.name)) byName.set(n.name, i); });
  compared.nodes.forEach((n, i) => {
    const j = n.name ? byName.get(n.name) : undefined;
    if (j !== undefined && !taken[j]) { matchOf[i] = j; taken[j] = 1; }
  });
  // 2. same module and operator, in order of appearance
  const queues = new Map<string, number[]>();
  base.nodes.forEach((n, j) => {
    if (taken[j]) return;
    const key = `${moduleOf(n.name)}\u0000${n.domain}\u0000${n.op}`;
    const q = queues.get(key);
    if (q) q.push(j); else queues.set(key, [j]);
  });
  compared.nodes.forEach((n, i) => {
    if (matchOf[i] >= 0) return;
    const q = queues.get(`${moduleOf(n.name)}\u0000${n.domain}\u0000${n.op}`);
    const j = q?.shift();
    if (j !== undefined) { matchOf[i] = j; taken[j] = 1; }
  });
  const added: number[] = [];
  const changed: ChangedNode[] = [];
  compared.nodes.forEach((n, i) => {
    const j = matchOf[i]!;
    if (j < 0) {
      added.push(i);
      return;
    }
    const changes = compareNodes(base, base.nodes[j]!, compared, n, values);
    if (changes.length) changed.push({ base: j, node: i, changes });
  });
  const removed = base.nodes.flatMap((n, j) => (taken[j] ? [] : [{ name: n.name || `${n.op}#${j}`, op: n.op }]));
  return { added, removed, changed };
}

/**
 * The diff as drawn with weights and constants folded into their consumers (layout/fold.ts): a changed or
 * added folded node is not drawn, so the node it is folded into is marked changed with one `constant` /
 * `constant-added` change naming it (`what`: its name; `folded`: its own changes; `after`: an added one's
 * operator). The folded nodes' own entries go; a consumer changed only through them has no base index (-1).
 */
export function foldDiff(diff: GraphDiff, graph: CompactGraph, fold: ArrayLike<number>): GraphDiff {
  const name = (node: number) => graph.nodes[node]?.name || `${graph.nodes[node]?.op ?? ''}#${node}`;
  const extra = new Map<number, NodeChange[]>();
  const note = (into: number, change: NodeChange) => {
    const list = extra.get(into);
    if (list) list.push(change);
    else extra.set(into, [change]);
  };
  const folded = (node: number) => node < fold.length && fold[node]! >= 0;
  for (const c of diff.changed) {
    if (!folded(c.node)) continue;
    note(fold[c.node]!, { kind: 'constant', what: name(c.node), before: '', after: '', folded: c.changes });
  }
  for (const node of diff.added) if (folded(node)) note(fold[node]!, { kind: 'constant-added', what: name(node), before: '', after: graph.nodes[node]?.op ?? '' });
  if (!extra.size) return diff;
  const added = diff.added.filter((node) => !folded(node));
  const addedSet = new Set(added);
  const changed: ChangedNode[] = [];
  for (const c of diff.changed) {
    if (folded(c.node)) continue;
    const more = extra.get(c.node);
    extra.delete(c.node);
    changed.push(more ? { ...c, changes: [...c.changes, ...more] } : c);
  }
  // consumers that did not change themselves (an added consumer stays added, its constants with it)
  for (const [node, changes] of extra) if (!addedSet.has(node)) changed.push({ base: -1, node, changes });
  changed.sort((x, y) => x.node - y.node);
  return { added, removed: diff.removed, changed };
}
