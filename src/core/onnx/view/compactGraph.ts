/**
 * Model (ONNX core) → the graph the viewer draws, written straight into its packed wire form
 * (src/shared/packedGraph.ts); `toCompactGraph` gives the object form. No vscode import: unit-tested
 * in Node. The main graph is drawn; nodes of nested graphs (If/Loop/Scan bodies) are counted, their
 * subgraph attributes are listed on the owning node, and each body is sent as a graph of its own when
 * the viewer opens it (`toPackedSubgraph`).
 */
import type { Attribute, Graph, Model, Tensor, ValueType } from '../model';
import type { ShapeInference } from '../shapes';
import { int64ToJson, subgraphsOf, walkGraphs } from '../model';
import type { CompactDim, CompactGraph, TensorKind } from '../../../shared/graph';
import { PackedGraphBuilder, unpackGraph, type PackedGraph } from '../../../shared/packedGraph';
import type { ShapesMessage } from '../../../shared/protocol';

/** Labels of the summary facts, in the display language (the caller translates). */
export interface SummaryLabels {
  readonly format: string;
  readonly producer: string;
  readonly opsets: string;
  readonly graph: string;
  readonly nodes: string;
}

const MAX_LIST = 16;
const MAX_STRING = 200;

/** The object form (compare mode, tests): the packed graph, unpacked. */
export function toCompactGraph(model: Model, labels: SummaryLabels): CompactGraph {
  return unpackGraph(toPackedGraph(model, labels));
}

/** The main graph with the types the model declares (graph inputs/outputs, value_info, initializers). */
export function toPackedGraph(model: Model, labels: SummaryLabels): PackedGraph {
  return packMainGraph(model, labels).graph;
}

/**
 * The main graph packed, and each tensor's index by name: the inferred types (./shapes.ts) are sent after
 * the graph, addressed by these indexes (`packInferredShapes`), so its first frame never waits for them.
 */
export function packMainGraph(model: Model, labels: SummaryLabels): { graph: PackedGraph; tensorIndex: ReadonlyMap<string, number> } {
  const graph = model.graph;
  const totalNodes = countNodes(graph);
  const opsets = model.opsetImports.map((o) => `${o.domain || 'ai.onnx'} v${o.version}`).join(', ');
  const summary = [
    { label: labels.format, value: `ONNX IR v${model.irVersion}` },
    { label: labels.producer, value: [model.producerName, model.producerVersion].filter(Boolean).join(' ') },
    { label: labels.opsets, value: opsets },
    { label: labels.graph, value: graph.name },
    { label: labels.nodes, value: String(totalNodes) },
  ].filter((f) => f.value !== '');
  const { packed, indexOf } = packOnnxGraph(graph, summary, totalNodes);
  return { graph: packed, tensorIndex: indexOf };
}

/**
 * The types the inference found for values the model does not declare (or declares without a rank), as
 * the viewer's `shapes` message carries them: per tensor index of the packed graph (`tensorIndex`), its
 * dtype and shape as indexes into one table of the distinct texts.
 */
export function packInferredShapes(shapes: ShapeInference, tensorIndex: ReadonlyMap<string, number>): Omit<ShapesMessage, 'type' | 'load'> {
  const texts: string[] = [];
  const textId = new Map<string, number>();
  const intern = (text: string) => {
    let id = textId.get(text);
    if (id === undefined) {
      id = texts.push(text) - 1;
      textId.set(text, id);
    }
    return id;
  };
  const tensors: number[] = [];
  const dtypes: number[] = [];
  const dims: number[] = [];
  for (const name of shapes.inferred) {
    const index = tensorIndex.get(name);
    const type = shapes.types.get(name);
    if (index === undefined || !type) continue;
    tensors.push(index);
    dtypes.push(intern(type.elemType === 'undefined' ? '' : type.elemType));
    dims.push(type.shape ? intern(JSON.stringify(type.shape)) : -1);
  }
  return { tensors: new Uint32Array(tensors), dtypes: new Uint32Array(dtypes), shapes: new Int32Array(dims), texts };
}

/**
 * A nested graph (an If/Loop/Scan body, any graph attribute) by its path (`main/If_3.then_branch`, as
 * `Graph.path` and `CompactNode.subgraphs` name it), drawn as a graph of its own; undefined when no
 * graph of the model has that path. Values it reads from enclosing graphs show as its inputs.
 */
export function toPackedSubgraph(model: Model, path: string, labels: SummaryLabels): PackedGraph | undefined {
  for (const graph of walkGraphs(model.graph)) {
    if (graph.path !== path || graph === model.graph) continue;
    const totalNodes = countNodes(graph);
    const summary = [
      { label: labels.graph, value: graph.name ? `${graph.name} (${path})` : path },
      { label: labels.nodes, value: String(totalNodes) },
    ];
    return packOnnxGraph(graph, summary, totalNodes).packed;
  }
  return undefined;
}

/** Nodes of a graph and of every graph nested in it (a loop, not walkNodes' generator: this runs cold, once per open). */
function countNodes(graph: Graph): number {
  let count = graph.nodes.length;
  for (const node of graph.nodes) {
    if (node.attributes.length === 0) continue;
    for (const sub of subgraphsOf(node)) count += countNodes(sub);
  }
  return count;
}

function packOnnxGraph(graph: Graph, summary: readonly { label: string; value: string }[], totalNodes: number): { packed: PackedGraph; indexOf: Map<string, number> } {
  const b = new PackedGraphBuilder();
  const indexOf = new Map<string, number>();
  const typeOf = new Map<string, ValueType | null>();
  for (const info of graph.inputs) typeOf.set(info.name, info.type);
  for (const info of graph.valueInfo) typeOf.set(info.name, info.type);
  for (const info of graph.outputs) typeOf.set(info.name, info.type);

  const addTyped = (name: string, kind: TensorKind, producer: number): number => {
    const type = typeOf.get(name);
    const index = type && (type.kind === 'tensor' || type.kind === 'sparse_tensor')
      ? b.addTensor(name, kind, type.elemType === 'undefined' ? '' : type.elemType, type.shape as readonly CompactDim[] | null, producer)
      : b.addTensor(name, kind, type ? type.kind : '', undefined, producer);
    indexOf.set(name, index);
    return index;
  };
  const initializerNames = new Set<string>();
  for (const init of graph.initializers) {
    initializerNames.add(init.name);
    indexOf.set(init.name, b.addTensor(init.name, 'initializer', init.elemType, init.dims, -1, init.byteLength, init.data.kind === 'external'));
  }
  const inputs: number[] = [];
  for (const input of graph.inputs) {
    if (initializerNames.has(input.name)) continue; // IR < 4 lists initializers as inputs too
    inputs.push(addTyped(input.name, 'input', -1));
  }
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const nodes = graph.nodes;
  const outputsOf: number[][] = new Array<number[]>(nodes.length);
  for (let index = 0; index < nodes.length; index++) {
    const names = nodes[index]!.outputs;
    const outs: number[] = new Array<number>(names.length);
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const existing = name === '' ? -1 : indexOf.get(name);
      // malformed models can produce a name twice: keep the first producer
      outs[k] = existing ?? addTyped(name, outputNames.has(name) ? 'output' : 'intermediate', index);
    }
    outputsOf[index] = outs;
  }
  // inputs after all outputs exist (nodes can be listed out of topological order)
  const ins: number[] = [];
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    ins.length = 0;
    for (const name of node.inputs) {
      // a value from an enclosing scope or from nowhere: shown as an input without a producer
      ins.push(name === '' ? -1 : indexOf.get(name) ?? addTyped(name, 'input', -1));
    }
    b.addNode(node.name, node.opType, node.domain, ins, outputsOf[index]!);
    for (const a of node.attributes) {
      b.addAttribute(a.name, a.type.toUpperCase(), attributeText(a));
      if (a.type === 'graph') b.addSubgraph(a.value.path);
      if (a.type === 'graphs') for (const g of a.value) b.addSubgraph(g.path);
    }
  }
  const outputs = graph.outputs.map((o) => indexOf.get(o.name) ?? addTyped(o.name, 'output', -1));
  return { packed: b.finish({ name: graph.name, inputs, outputs, summary, totalNodes }), indexOf };
}

const list = (values: readonly unknown[], show: (v: never) => string) =>
  `[${values.slice(0, MAX_LIST).map((v) => show(v as never)).join(', ')}${values.length > MAX_LIST ? `, … (${values.length})` : ''}]`;
const shortString = (s: string) => JSON.stringify(s.length > MAX_STRING ? s.slice(0, MAX_STRING) + '…' : s);
const tensorText = (t: Tensor) => `${t.elemType}[${t.dims.join(',')}]${t.name ? ` ${t.name}` : ''}`;
const graphText = (g: Graph) => `${g.name || g.path} (${g.nodes.length})`;

export function typeText(type: ValueType | null): string {
  if (!type) return '?';
  switch (type.kind) {
    case 'tensor':
    case 'sparse_tensor':
      return `${type.kind === 'sparse_tensor' ? 'sparse ' : ''}${type.elemType}${type.shape ? `[${type.shape.map((d) => (d === null ? '?' : d)).join(',')}]` : ''}`;
    case 'sequence':
      return `seq(${typeText(type.elem)})`;
    case 'map':
      return `map(${type.keyType}, ${typeText(type.value)})`;
    case 'optional':
      return `optional(${typeText(type.elem)})`;
    case 'opaque':
      return `opaque(${type.domain}.${type.name})`;
    default:
      return '?';
  }
}

function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'float': return String(a.value);
    case 'int': return String(int64ToJson(a.value));
    case 'string': return shortString(a.value);
    case 'tensor': return tensorText(a.value);
    case 'graph': return graphText(a.value);
    case 'sparse_tensor': return `sparse[${a.value.dims.join(',')}]`;
    case 'type_proto': return typeText(a.value);
    case 'floats': return list(a.value, (v: number) => String(v));
    case 'ints': return list(a.value, (v: number | bigint) => String(int64ToJson(v)));
    case 'strings': return list(a.value, shortString);
    case 'tensors': return list(a.value, tensorText);
    case 'graphs': return list(a.value, graphText);
    case 'sparse_tensors': return list(a.value, (v: { dims: readonly number[] }) => `sparse[${v.dims.join(',')}]`);
    case 'type_protos': return list(a.value, typeText);
    default: return '';
  }
}
