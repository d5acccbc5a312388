/**
 * Model (ONNX core) → CompactGraph (what the viewer draws). No vscode import: unit-tested in Node.
 * Only the main graph is drawn; nodes of nested graphs (If/Loop/Scan bodies) are counted and their
 * subgraph attributes are listed on the owning node.
 */
import type { Attribute, Graph, Model, Tensor, ValueType } from '../../core/onnx/model';
import { int64ToJson, walkNodes } from '../../core/onnx/model';
import type { CompactAttribute, CompactDim, CompactGraph, CompactNode, CompactTensor } from '../../shared/graph';

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

export function toCompactGraph(model: Model, labels: SummaryLabels): CompactGraph {
  const graph = model.graph;
  const tensors: CompactTensor[] = [];
  const indexOf = new Map<string, number>();
  const typeOf = new Map<string, ValueType | null>();
  for (const info of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) typeOf.set(info.name, info.type);
  const initializers = new Map<string, Tensor>(graph.initializers.map((t) => [t.name, t]));

  const add = (t: CompactTensor) => {
    indexOf.set(t.name, tensors.length);
    tensors.push(t);
    return tensors.length - 1;
  };
  const typed = (name: string) => {
    const type = typeOf.get(name);
    if (type && (type.kind === 'tensor' || type.kind === 'sparse_tensor')) {
      return { dtype: type.elemType, ...(type.shape ? { shape: type.shape as readonly CompactDim[] } : {}) };
    }
    return { dtype: type ? type.kind : '' };
  };
  for (const init of graph.initializers) {
    add({ name: init.name, kind: 'initializer', dtype: init.elemType, shape: init.dims, producer: -1, bytes: init.byteLength, ...(init.data.kind === 'external' ? { external: true } : {}) });
  }
  const inputs: number[] = [];
  for (const input of graph.inputs) {
    if (initializers.has(input.name)) continue; // IR < 4 lists initializers as inputs too
    inputs.push(add({ name: input.name, kind: 'input', producer: -1, ...typed(input.name) }));
  }
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const outputsOf = graph.nodes.map((node, index) => {
    return node.outputs.map((name) => {
      if (name === '') return -1;
      const existing = indexOf.get(name);
      if (existing !== undefined) return existing; // malformed models can produce a name twice: keep the first producer
      return add({ name, kind: outputNames.has(name) ? 'output' : 'intermediate', producer: index, ...typed(name) });
    });
  });
  // inputs after all outputs exist (nodes can be listed out of topological order)
  const nodes: CompactNode[] = graph.nodes.map((node, index) => {
    const ins = node.inputs.map((name) => {
      if (name === '') return -1;
      const existing = indexOf.get(name);
      if (existing !== undefined) return existing;
      // a value from an enclosing scope or from nowhere: shown as an input without a producer
      return add({ name, kind: 'input', producer: -1, ...typed(name) });
    });
    const subgraphs: string[] = [];
    const attributes = node.attributes.map((a) => {
      if (a.type === 'graph') subgraphs.push(a.value.path);
      if (a.type === 'graphs') subgraphs.push(...a.value.map((g) => g.path));
      return compactAttribute(a);
    });
    return { name: node.name, op: node.opType, domain: node.domain, inputs: ins, outputs: outputsOf[index]!, attributes, ...(subgraphs.length ? { subgraphs } : {}) };
  });
  const outputs = graph.outputs.map((o) => indexOf.get(o.name) ?? add({ name: o.name, kind: 'output', producer: -1, ...typed(o.name) }));
  let totalNodes = 0;
  for (const _ of walkNodes(graph)) totalNodes++;
  const opsets = model.opsetImports.map((o) => `${o.domain || 'ai.onnx'} v${o.version}`).join(', ');
  const summary = [
    { label: labels.format, value: `ONNX IR v${model.irVersion}` },
    { label: labels.producer, value: [model.producerName, model.producerVersion].filter(Boolean).join(' ') },
    { label: labels.opsets, value: opsets },
    { label: labels.graph, value: graph.name },
    { label: labels.nodes, value: String(totalNodes) },
  ].filter((f) => f.value !== '');
  return { version: 1, name: graph.name, nodes, tensors, inputs, outputs, summary, totalNodes };
}

function compactAttribute(a: Attribute): CompactAttribute {
  return { name: a.name, type: a.type.toUpperCase(), value: attributeText(a) };
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
