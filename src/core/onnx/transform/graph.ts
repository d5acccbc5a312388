/**
 * What transforms need to know about a graph: who produces and who consumes each value, which values are
 * constants (computable without any graph input), the declared type of a value, and module paths from
 * node names. Works on the decoded `Graph` (../model.ts) without changing it.
 */
import { modulePathOf } from '../../../shared/layout/modules';
import {
  isDefaultDomain, subgraphsOf, type Dim, type ElementType, type Graph, type Model, type Node, type Tensor, type ValueInfo, type ValueType,
} from '../model';

export interface GraphIndex {
  readonly graph: Graph;
  /** Value name → index of the node producing it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Value name → indexes of the nodes reading it (explicitly or from inside a subgraph). */
  readonly consumers: ReadonlyMap<string, readonly number[]>;
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** Graph inputs that are not initializers (the values a caller feeds). */
  readonly feeds: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
  /** Every value the node reads: its inputs and the outer-scope names its subgraphs use. */
  readonly reads: readonly (readonly string[])[];
}

export function indexGraph(graph: Graph): GraphIndex {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const reads: string[][] = [];
  graph.nodes.forEach((node, index) => {
    for (const output of node.outputs) if (output) producer.set(output, index);
    const names = nodeReads(node);
    reads.push(names);
    for (const name of names) {
      let list = consumers.get(name);
      if (!list) consumers.set(name, (list = []));
      if (list[list.length - 1] !== index) list.push(index);
    }
  });
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const feeds = new Set(graph.inputs.map((v) => v.name).filter((n) => !initializers.has(n)));
  return { graph, producer, consumers, initializers, feeds, outputs: new Set(graph.outputs.map((v) => v.name)), reads };
}

/** A node's inputs (without omitted "" ones) and the outer-scope values its subgraphs read. */
export function nodeReads(node: Node): string[] {
  const names = node.inputs.filter((n) => n !== '');
  for (const sub of subgraphsOf(node)) for (const name of outerReferences(sub)) if (!names.includes(name)) names.push(name);
  return names;
}

/** Names a subgraph reads from enclosing scopes (used inside, declared nowhere inside). */
export function outerReferences(graph: Graph): Set<string> {
  const declared = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.map((t) => t.name)]);
  for (const node of graph.nodes) for (const o of node.outputs) declared.add(o);
  const outer = new Set<string>();
  for (const node of graph.nodes) for (const name of nodeReads(node)) if (!declared.has(name)) outer.add(name);
  for (const v of graph.outputs) if (!declared.has(v.name)) outer.add(v.name);
  return outer;
}

const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);

/** Ops whose result depends only on their inputs' values: folding them is safe. */
export function isDeterministic(node: Node): boolean {
  return isDefaultDomain(node.domain) && !NONDETERMINISTIC.has(node.opType) && subgraphsOf(node).length === 0;
}

/**
 * Values computable from initializers and Constant nodes alone (forward over the node order), with the
 * nodes computing them. Graph inputs are never constant, even when an initializer gives them a default.
 */
export function constantValues(index: GraphIndex): { values: Set<string>; nodes: Set<number> } {
  const values = new Set<string>();
  for (const name of index.initializers.keys()) if (!index.feeds.has(name) && !index.graph.inputs.some((v) => v.name === name)) values.add(name);
  const nodes = new Set<number>();
  index.graph.nodes.forEach((node, i) => {
    if (!isDeterministic(node)) return;
    if (index.reads[i]!.every((n) => values.has(n))) {
      nodes.add(i);
      for (const o of node.outputs) if (o) values.add(o);
    }
  });
  return { values, nodes };
}

/** The declared type of a value: graph input/output, value_info, initializer, or Constant attribute. */
export function declaredTypes(graph: Graph): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const t of graph.initializers) types.set(t.name, { kind: 'tensor', elemType: t.elemType, shape: [...t.dims] });
  for (const node of graph.nodes) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain)) continue;
    const value = node.attributes.find((a) => a.name === 'value');
    if (value?.type === 'tensor' && node.outputs[0]) types.set(node.outputs[0], { kind: 'tensor', elemType: value.value.elemType, shape: [...value.value.dims] });
  }
  for (const v of [...graph.valueInfo, ...graph.inputs, ...graph.outputs]) if (v.type && v.type.kind !== 'unknown') types.set(v.name, v.type);
  return types;
}

/** True when a tensor type has a known rank and every dimension is a number. */
export function isStaticTensorType(type: ValueType | null | undefined): type is Extract<ValueType, { kind: 'tensor' }> & { shape: readonly number[] } {
  return !!type && type.kind === 'tensor' && type.elemType !== 'undefined' && !!type.shape && type.shape.every((d: Dim) => typeof d === 'number' && d >= 0);
}

export function tensorValueInfo(name: string, elemType: ElementType, dims: readonly Dim[]): ValueInfo {
  return { name, type: { kind: 'tensor', elemType, shape: [...dims] } };
}

/** "mask_decoder/transformer", "/mask_decoder/transformer/" → ["mask_decoder", "transformer"]. */
export function parseModulePrefix(prefix: string): string[] {
  return prefix.split('/').filter((p) => p.length > 0);
}

export function inModule(nodeName: string, prefix: readonly string[]): boolean {
  const path = modulePathOf(nodeName);
  if (path.length < prefix.length || prefix.length === 0) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** The same model with another main graph. */
export function withGraph(model: Model, graph: Graph): Model {
  return { ...model, graph };
}

/** Counts nodes per op type in the main graph. */
export function opCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of graph.nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return counts;
}
