/**
 * Structural diff of two compact graphs (the "before" and "after" of a model): nodes added, removed,
 * and changed (operator, attributes, input/output types and shapes). Nodes are matched by name first;
 * the rest by module path, operator and rank among the unmatched nodes of that operator in that module
 * (torch.onnx.export renumbers `/encoder/Gather_12` when anything before it changes, so names alone
 * would report every later node as removed and added).
 */
import { formatShape, type CompactGraph, type CompactNode, type CompactTensor } from './graph';
import { modulePathOf } from './layout/modules';

export type NodeChangeKind = 'op' | 'attribute-added' | 'attribute-removed' | 'attribute' | 'input' | 'output' | 'arity';

export interface NodeChange {
  readonly kind: NodeChangeKind;
  /** Attribute name, or the input/output position. */
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

export interface ChangedNode {
  /** Index in the base graph and in the compared graph. */
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

function compareNodes(a: CompactGraph, na: CompactNode, b: CompactGraph, nb: CompactNode): NodeChange[] {
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
    }
  }
  return changes;
}

export function diffGraphs(base: CompactGraph, compared: CompactGraph): GraphDiff {
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
    const changes = compareNodes(base, base.nodes[j]!, compared, n);
    if (changes.length) changed.push({ base: j, node: i, changes });
  });
  const removed = base.nodes.flatMap((n, j) => (taken[j] ? [] : [{ name: n.name || `${n.op}#${j}`, op: n.op }]));
  return { added, removed, changed };
}
