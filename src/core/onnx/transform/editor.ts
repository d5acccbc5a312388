/**
 * Edits a graph for a rewrite: replace or remove nodes, add initializers, make fresh names; `build()`
 * returns a new Graph with the node order kept (replacements take the place of the node they replace),
 * nodes nobody reads any more removed, and initializers nobody reads dropped. The input graph is not changed.
 */
import type { Attribute, Graph, Int64, Node, Tensor, ValueInfo } from '../model';
import { isDeterministic, nodeReads } from './graph';

export class GraphEditor {
  private readonly replacements = new Map<number, readonly Node[]>();
  private readonly added: Tensor[] = [];
  private readonly names = new Set<string>();
  private inputs: ValueInfo[];
  private outputs: ValueInfo[];
  private valueInfo: ValueInfo[];

  constructor(readonly graph: Graph) {
    for (const node of graph.nodes) {
      if (node.name) this.names.add(node.name);
      for (const o of node.outputs) this.names.add(o);
    }
    for (const t of graph.initializers) this.names.add(t.name);
    for (const v of graph.inputs) this.names.add(v.name);
    this.inputs = [...graph.inputs];
    this.outputs = [...graph.outputs];
    this.valueInfo = [...graph.valueInfo];
  }

  /** A name not used in the graph yet, from `base` ("/m/Abs/relu_pos", then "/m/Abs/relu_pos_1" ...). */
  freshName(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  replace(index: number, nodes: readonly Node[]): void {
    this.replacements.set(index, nodes);
  }

  remove(index: number): void {
    this.replacements.set(index, []);
  }

  get changed(): number {
    return this.replacements.size;
  }

  addInitializer(tensor: Tensor): void {
    this.names.add(tensor.name);
    this.added.push(tensor);
  }

  setInputs(inputs: ValueInfo[]): void {
    this.inputs = inputs;
  }

  setOutputs(outputs: ValueInfo[]): void {
    this.outputs = outputs;
  }

  setValueInfo(valueInfo: ValueInfo[]): void {
    this.valueInfo = valueInfo;
  }

  build(options: { removeDead?: boolean } = {}): Graph {
    let nodes: Node[] = [];
    this.graph.nodes.forEach((node, i) => {
      const replacement = this.replacements.get(i);
      if (replacement) nodes.push(...replacement);
      else nodes.push(node);
    });
    const outputNames = new Set(this.outputs.map((v) => v.name));
    if (options.removeDead ?? true) nodes = liveNodes(nodes, outputNames);
    const read = new Set<string>(outputNames);
    for (const node of nodes) for (const name of nodeReads(node)) read.add(name);
    const inputNames = new Set(this.inputs.map((v) => v.name));
    const initializers = [...this.graph.initializers, ...this.added].filter((t) => read.has(t.name) || inputNames.has(t.name));
    const produced = new Set(nodes.flatMap((n) => n.outputs));
    return {
      ...this.graph,
      nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      valueInfo: this.valueInfo.filter((v) => produced.has(v.name)),
      initializers,
    };
  }
}

/** Nodes whose outputs reach a graph output (nodes outside the default domain or with random results stay). */
function liveNodes(nodes: readonly Node[], outputs: ReadonlySet<string>): Node[] {
  const needed = new Set(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const live = !isDeterministic(node) || node.outputs.length === 0 || node.outputs.some((o) => needed.has(o));
    if (!live) continue;
    keep[i] = true;
    for (const name of nodeReads(node)) needed.add(name);
  }
  return nodes.filter((_, i) => keep[i]);
}

/** A default-domain node. */
export function makeNode(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attributes: readonly Attribute[] = []): Node {
  return { name, opType, domain: '', inputs: [...inputs], outputs: [...outputs], attributes: [...attributes] };
}

export function intAttribute(name: string, value: Int64): Attribute {
  return { name, type: 'int', value };
}

export function intsAttribute(name: string, value: readonly Int64[]): Attribute {
  return { name, type: 'ints', value: [...value] };
}

export function attribute(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function intAttr(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a?.type === 'int' ? Number(a.value) : fallback;
}
