/**
 * The compact graph as it travels from the extension to the webview and on to the layout worker:
 * columns of typed arrays and one string table instead of an array of objects (browser-safe).
 *
 * Why: a 22,000-node model is ~5 MB as objects; VS Code serializes a webview message as JSON and
 * copies it twice more between iframes, and the webview copies it again to its layout worker. Typed
 * arrays cross every one of those hops as binary buffers (VS Code transfers ArrayBuffers out of the
 * JSON), so the message costs a few memory copies instead of building and parsing 100,000 objects.
 *
 * Strings: every string of the graph is one entry of a table held as UTF-8 bytes; entry k is
 * `text.slice(stringEnds[k - 1] ?? 0, stringEnds[k])` of the decoded text (ends in UTF-16 units).
 * Op types, domains, dtypes, attribute names and types, shapes and short attribute values are interned
 * (one entry, many uses). A shape is the JSON text of its dims, or -1 when the rank is unknown.
 *
 * The receiver trusts nothing: `unpackGraph` checks every column's type and length, every string id
 * and tensor index against its table, and that list ends only grow, before it builds one object.
 */
import type { CompactAttribute, CompactDim, CompactGraph, CompactNode, CompactTensor, TensorKind } from './graph';

export const PACKED_GRAPH_VERSION = 2;

export interface PackedGraph {
  readonly version: typeof PACKED_GRAPH_VERSION;
  readonly strings: Uint8Array;
  readonly stringEnds: Uint32Array;
  /** String id of the graph name. */
  readonly name: number;
  readonly totalNodes: number;
  /** Per node: string ids of name, op type and domain; end (exclusive) of its run in each flat list below. */
  readonly nodeName: Uint32Array;
  readonly nodeOp: Uint32Array;
  readonly nodeDomain: Uint32Array;
  readonly nodeInputEnd: Uint32Array;
  readonly nodeOutputEnd: Uint32Array;
  readonly nodeAttributeEnd: Uint32Array;
  readonly nodeSubgraphEnd: Uint32Array;
  /** Tensor indexes; -1 for an omitted optional input or output. */
  readonly nodeInputs: Int32Array;
  readonly nodeOutputs: Int32Array;
  /** Per attribute: string ids of name, type (FLOAT, INTS, ...) and display value. */
  readonly attributeName: Uint32Array;
  readonly attributeType: Uint32Array;
  readonly attributeValue: Uint32Array;
  /** String ids of subgraph paths (If/Loop/Scan bodies). */
  readonly subgraphs: Uint32Array;
  /** Per tensor: name and dtype string ids, kind (TENSOR_KINDS index), shape string id or -1, producer node or -1, bytes or -1, external flag. */
  readonly tensorName: Uint32Array;
  readonly tensorKind: Uint8Array;
  readonly tensorDtype: Uint32Array;
  readonly tensorShape: Int32Array;
  readonly tensorProducer: Int32Array;
  readonly tensorBytes: Float64Array;
  readonly tensorExternal: Uint8Array;
  /** Tensor indexes of the graph's inputs and outputs. */
  readonly inputs: Int32Array;
  readonly outputs: Int32Array;
  /** Header facts as [label, value] string id pairs. */
  readonly summary: Uint32Array;
}

export const TENSOR_KINDS: readonly TensorKind[] = ['input', 'output', 'initializer', 'intermediate'];
const KIND_CODE = new Map<TensorKind, number>(TENSOR_KINDS.map((k, i) => [k, i]));

/** Values longer than this are stored once per use instead of interned (interning long text costs more than it saves). */
const INTERN_LIMIT = 64;

/** Writes a PackedGraph column by column: tensors and nodes in index order. */
export class PackedGraphBuilder {
  private readonly texts: string[] = [];
  private readonly ends: number[] = [];
  private textLength = 0;
  private readonly interned = new Map<string, number>();
  private readonly nodeName: number[] = [];
  private readonly nodeOp: number[] = [];
  private readonly nodeDomain: number[] = [];
  private readonly nodeInputEnd: number[] = [];
  private readonly nodeOutputEnd: number[] = [];
  private readonly nodeAttributeEnd: number[] = [];
  private readonly nodeSubgraphEnd: number[] = [];
  private readonly nodeInputs: number[] = [];
  private readonly nodeOutputs: number[] = [];
  private readonly attributeName: number[] = [];
  private readonly attributeType: number[] = [];
  private readonly attributeValue: number[] = [];
  private readonly subgraphs: number[] = [];
  private readonly tensorName: number[] = [];
  private readonly tensorKind: number[] = [];
  private readonly tensorDtype: number[] = [];
  private readonly tensorShape: number[] = [];
  private readonly tensorProducer: number[] = [];
  private readonly tensorBytes: number[] = [];
  private readonly tensorExternal: number[] = [];

  get tensorCount(): number {
    return this.tensorName.length;
  }

  get nodeCount(): number {
    return this.nodeName.length;
  }

  /** A new string entry (for names, which are mostly unique). */
  string(text: string): number {
    this.texts.push(text);
    this.textLength += text.length;
    this.ends.push(this.textLength);
    return this.ends.length - 1;
  }

  /** The entry of a string that repeats (op types, dtypes, shapes): one entry per distinct text. */
  intern(text: string): number {
    let id = this.interned.get(text);
    if (id === undefined) {
      id = this.string(text);
      this.interned.set(text, id);
    }
    return id;
  }

  addTensor(name: string, kind: TensorKind, dtype: string, shape: readonly CompactDim[] | undefined | null, producer: number, bytes?: number, external?: boolean): number {
    this.tensorName.push(this.string(name));
    this.tensorKind.push(KIND_CODE.get(kind)!);
    this.tensorDtype.push(this.intern(dtype));
    this.tensorShape.push(shape ? this.intern(JSON.stringify(shape)) : -1);
    this.tensorProducer.push(producer);
    this.tensorBytes.push(bytes ?? -1);
    this.tensorExternal.push(external ? 1 : 0);
    return this.tensorName.length - 1;
  }

  /** Starts the next node; its attributes and subgraphs follow with addAttribute / addSubgraph. */
  addNode(name: string, op: string, domain: string, inputs: readonly number[], outputs: readonly number[]): number {
    this.nodeName.push(this.string(name));
    this.nodeOp.push(this.intern(op));
    this.nodeDomain.push(this.intern(domain));
    for (const t of inputs) this.nodeInputs.push(t);
    for (const t of outputs) this.nodeOutputs.push(t);
    this.nodeInputEnd.push(this.nodeInputs.length);
    this.nodeOutputEnd.push(this.nodeOutputs.length);
    this.nodeAttributeEnd.push(this.attributeName.length);
    this.nodeSubgraphEnd.push(this.subgraphs.length);
    return this.nodeName.length - 1;
  }

  /** An attribute of the node added last. */
  addAttribute(name: string, type: string, value: string): void {
    this.attributeName.push(this.intern(name));
    this.attributeType.push(this.intern(type));
    this.attributeValue.push(value.length <= INTERN_LIMIT ? this.intern(value) : this.string(value));
    this.nodeAttributeEnd[this.nodeAttributeEnd.length - 1] = this.attributeName.length;
  }

  /** A subgraph path of the node added last. */
  addSubgraph(path: string): void {
    this.subgraphs.push(this.string(path));
    this.nodeSubgraphEnd[this.nodeSubgraphEnd.length - 1] = this.subgraphs.length;
  }

  finish(header: { name: string; inputs: readonly number[]; outputs: readonly number[]; summary: readonly { label: string; value: string }[]; totalNodes: number }): PackedGraph {
    const name = this.string(header.name);
    const summary = header.summary.flatMap((f) => [this.intern(f.label), this.string(f.value)]);
    return {
      version: PACKED_GRAPH_VERSION,
      strings: new TextEncoder().encode(this.texts.join('')),
      stringEnds: new Uint32Array(this.ends),
      name,
      totalNodes: header.totalNodes,
      nodeName: new Uint32Array(this.nodeName),
      nodeOp: new Uint32Array(this.nodeOp),
      nodeDomain: new Uint32Array(this.nodeDomain),
      nodeInputEnd: new Uint32Array(this.nodeInputEnd),
      nodeOutputEnd: new Uint32Array(this.nodeOutputEnd),
      nodeAttributeEnd: new Uint32Array(this.nodeAttributeEnd),
      nodeSubgraphEnd: new Uint32Array(this.nodeSubgraphEnd),
      nodeInputs: new Int32Array(this.nodeInputs),
      nodeOutputs: new Int32Array(this.nodeOutputs),
      attributeName: new Uint32Array(this.attributeName),
      attributeType: new Uint32Array(this.attributeType),
      attributeValue: new Uint32Array(this.attributeValue),
      subgraphs: new Uint32Array(this.subgraphs),
      tensorName: new Uint32Array(this.tensorName),
      tensorKind: new Uint8Array(this.tensorKind),
      tensorDtype: new Uint32Array(this.tensorDtype),
      tensorShape: new Int32Array(this.tensorShape),
      tensorProducer: new Int32Array(this.tensorProducer),
      tensorBytes: new Float64Array(this.tensorBytes),
      tensorExternal: new Uint8Array(this.tensorExternal),
      inputs: new Int32Array(header.inputs),
      outputs: new Int32Array(header.outputs),
      summary: new Uint32Array(summary),
    };
  }
}

/** The packed form of a graph held as objects (tests, the frame benchmark). */
export function packGraph(graph: CompactGraph): PackedGraph {
  const b = new PackedGraphBuilder();
  for (const t of graph.tensors) b.addTensor(t.name, t.kind, t.dtype, t.shape, t.producer, t.bytes, t.external);
  for (const node of graph.nodes) {
    b.addNode(node.name, node.op, node.domain, node.inputs, node.outputs);
    for (const a of node.attributes) b.addAttribute(a.name, a.type, a.value);
    for (const s of node.subgraphs ?? []) b.addSubgraph(s);
  }
  return b.finish(graph);
}

type ColumnType = 'Uint8Array' | 'Uint32Array' | 'Int32Array' | 'Float64Array';
const COLUMNS: Record<Exclude<keyof PackedGraph, 'version' | 'name' | 'totalNodes'>, ColumnType> = {
  strings: 'Uint8Array', stringEnds: 'Uint32Array',
  nodeName: 'Uint32Array', nodeOp: 'Uint32Array', nodeDomain: 'Uint32Array',
  nodeInputEnd: 'Uint32Array', nodeOutputEnd: 'Uint32Array', nodeAttributeEnd: 'Uint32Array', nodeSubgraphEnd: 'Uint32Array',
  nodeInputs: 'Int32Array', nodeOutputs: 'Int32Array',
  attributeName: 'Uint32Array', attributeType: 'Uint32Array', attributeValue: 'Uint32Array', subgraphs: 'Uint32Array',
  tensorName: 'Uint32Array', tensorKind: 'Uint8Array', tensorDtype: 'Uint32Array', tensorShape: 'Int32Array',
  tensorProducer: 'Int32Array', tensorBytes: 'Float64Array', tensorExternal: 'Uint8Array',
  inputs: 'Int32Array', outputs: 'Int32Array', summary: 'Uint32Array',
};
export const PACKED_GRAPH_COLUMNS = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];

/** A PackedGraph that is not one: says which column or index is wrong. */
export class PackedGraphError extends Error {}

const tagOf = (v: unknown) => Object.prototype.toString.call(v).slice(8, -1);
/** A typed array of that type (by its tag: arrays that crossed a postMessage come from another realm). */
export const isColumn = <T extends ColumnType>(v: unknown, type: T): v is InstanceType<typeof globalThis[T]> => tagOf(v) === type;

/**
 * Checks a received packed graph and builds the object form the viewer works with. Throws
 * PackedGraphError on anything malformed: wrong column types or lengths, string ids or tensor and
 * node indexes out of range, list ends that shrink or overrun, shapes that are not lists of dims.
 */
export function unpackGraph(raw: unknown): CompactGraph {
  const fail = (what: string): never => {
    throw new PackedGraphError(`invalid packed graph: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not an object');
  const p = raw as Record<string, unknown>;
  if (p.version !== PACKED_GRAPH_VERSION) fail(`version ${String(p.version)}`);
  for (const key of PACKED_GRAPH_COLUMNS) if (!isColumn(p[key], COLUMNS[key])) fail(`${key} is not a ${COLUMNS[key]}`);
  const g = raw as PackedGraph;
  const stringCount = g.stringEnds.length;
  const text = new TextDecoder().decode(g.strings);
  let previous = 0;
  for (let k = 0; k < stringCount; k++) {
    const end = g.stringEnds[k]!;
    if (end < previous) fail(`string ${k} ends before it starts`);
    previous = end;
  }
  if (previous !== text.length) fail(`string table holds ${text.length} characters, its ends say ${previous}`);
  const strings: string[] = new Array<string>(stringCount);
  const str = (id: number, what: string): string => {
    if (!(id < stringCount)) fail(`${what}: string id ${id} of ${stringCount}`);
    return (strings[id] ??= text.slice(id === 0 ? 0 : g.stringEnds[id - 1]!, g.stringEnds[id]!));
  };
  const isIndex = (v: unknown, count: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < count;
  if (!isIndex(g.totalNodes, 2 ** 31)) fail('totalNodes');
  const nodeCount = g.nodeName.length;
  const tensorCount = g.tensorName.length;
  for (const key of ['nodeOp', 'nodeDomain', 'nodeInputEnd', 'nodeOutputEnd', 'nodeAttributeEnd', 'nodeSubgraphEnd'] as const) {
    if (g[key].length !== nodeCount) fail(`${key} has ${g[key].length} entries for ${nodeCount} nodes`);
  }
  for (const key of ['tensorKind', 'tensorDtype', 'tensorShape', 'tensorProducer', 'tensorBytes', 'tensorExternal'] as const) {
    if (g[key].length !== tensorCount) fail(`${key} has ${g[key].length} entries for ${tensorCount} tensors`);
  }
  const attributeCount = g.attributeName.length;
  if (g.attributeType.length !== attributeCount || g.attributeValue.length !== attributeCount) fail('attribute columns differ in length');
  const checkEnds = (ends: Uint32Array, total: number, what: string) => {
    let last = 0;
    for (let i = 0; i < ends.length; i++) {
      if (ends[i]! < last) fail(`${what} of node ${i} shrink`);
      last = ends[i]!;
    }
    if (last !== total) fail(`${what} end at ${last}, the list holds ${total}`);
  };
  checkEnds(g.nodeInputEnd, g.nodeInputs.length, 'inputs');
  checkEnds(g.nodeOutputEnd, g.nodeOutputs.length, 'outputs');
  checkEnds(g.nodeAttributeEnd, attributeCount, 'attributes');
  checkEnds(g.nodeSubgraphEnd, g.subgraphs.length, 'subgraphs');
  const tensorRef = (list: Int32Array, what: string, optional: boolean) => {
    for (const t of list) if (!(t < tensorCount && (t >= 0 || (optional && t === -1)))) fail(`${what}: tensor ${t} of ${tensorCount}`);
  };
  tensorRef(g.nodeInputs, 'node input', true);
  tensorRef(g.nodeOutputs, 'node output', true);
  tensorRef(g.inputs, 'graph input', false);
  tensorRef(g.outputs, 'graph output', false);
  if (g.summary.length % 2 !== 0) fail('summary is not label/value pairs');

  const shapes = new Map<number, readonly CompactDim[]>();
  const shapeOf = (id: number): readonly CompactDim[] | undefined => {
    if (id === -1) return undefined;
    let shape = shapes.get(id);
    if (!shape) {
      shape = parseDims(str(id, 'shape')) ?? fail(`shape ${id} is not a list of dims`);
      shapes.set(id, shape);
    }
    return shape;
  };

  const tensors: CompactTensor[] = new Array<CompactTensor>(tensorCount);
  for (let t = 0; t < tensorCount; t++) {
    const kind = TENSOR_KINDS[g.tensorKind[t]!] ?? fail(`tensor ${t} kind ${g.tensorKind[t]}`);
    const producer = g.tensorProducer[t]!;
    if (!(producer >= -1 && producer < nodeCount)) fail(`tensor ${t} producer ${producer} of ${nodeCount}`);
    const shapeId = g.tensorShape[t]!;
    if (shapeId < -1) fail(`tensor ${t} shape id ${shapeId}`);
    const shape = shapeOf(shapeId);
    const bytes = g.tensorBytes[t]!;
    if (!(bytes === -1 || (Number.isFinite(bytes) && bytes >= 0))) fail(`tensor ${t} bytes ${bytes}`);
    const tensor: { -readonly [K in keyof CompactTensor]: CompactTensor[K] } = { name: str(g.tensorName[t]!, 'tensor name'), kind, dtype: str(g.tensorDtype[t]!, 'dtype'), producer };
    if (shape) tensor.shape = shape;
    if (bytes >= 0) tensor.bytes = bytes;
    if (g.tensorExternal[t]) tensor.external = true;
    tensors[t] = tensor;
  }

  const nodes: CompactNode[] = new Array<CompactNode>(nodeCount);
  let input = 0;
  let output = 0;
  let attribute = 0;
  let subgraph = 0;
  for (let n = 0; n < nodeCount; n++) {
    const inputs: number[] = [];
    for (const end = g.nodeInputEnd[n]!; input < end; input++) inputs.push(g.nodeInputs[input]!);
    const outputs: number[] = [];
    for (const end = g.nodeOutputEnd[n]!; output < end; output++) outputs.push(g.nodeOutputs[output]!);
    const attributes: CompactAttribute[] = [];
    for (const end = g.nodeAttributeEnd[n]!; attribute < end; attribute++) {
      attributes.push({ name: str(g.attributeName[attribute]!, 'attribute name'), type: str(g.attributeType[attribute]!, 'attribute type'), value: str(g.attributeValue[attribute]!, 'attribute value') });
    }
    const node: { -readonly [K in keyof CompactNode]: CompactNode[K] } = {
      name: str(g.nodeName[n]!, 'node name'), op: str(g.nodeOp[n]!, 'op type'), domain: str(g.nodeDomain[n]!, 'domain'),
      inputs, outputs, attributes: attributes.length ? attributes : NO_ATTRIBUTES,
    };
    const subgraphEnd = g.nodeSubgraphEnd[n]!;
    if (subgraph < subgraphEnd) {
      const paths: string[] = [];
      for (; subgraph < subgraphEnd; subgraph++) paths.push(str(g.subgraphs[subgraph]!, 'subgraph'));
      node.subgraphs = paths;
    }
    nodes[n] = node;
  }

  const summary: { label: string; value: string }[] = [];
  for (let i = 0; i < g.summary.length; i += 2) summary.push({ label: str(g.summary[i]!, 'summary'), value: str(g.summary[i + 1]!, 'summary') });
  return {
    version: 1, name: str(g.name, 'graph name'), nodes, tensors, inputs: [...g.inputs], outputs: [...g.outputs], summary,
    totalNodes: g.totalNodes,
  };
}

const NO_ATTRIBUTES: readonly CompactAttribute[] = Object.freeze([]);

/** A shape's wire text (the JSON of its dims) as dims, or undefined when it is not a list of dims. */
export function parseDims(text: string): readonly CompactDim[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && parsed.every((d) => d === null || typeof d === 'string' || (typeof d === 'number' && Number.isFinite(d))) ? parsed as CompactDim[] : undefined;
}

/** A copy whose buffers can be transferred (to the layout worker) while the original stays usable. */
export function copyPackedGraph(g: PackedGraph): { graph: PackedGraph; transfer: ArrayBuffer[] } {
  const copy: Record<string, unknown> = { version: g.version, name: g.name, totalNodes: g.totalNodes };
  const transfer: ArrayBuffer[] = [];
  for (const key of PACKED_GRAPH_COLUMNS) {
    const column = g[key].slice();
    copy[key] = column;
    transfer.push(column.buffer as ArrayBuffer);
  }
  return { graph: copy as unknown as PackedGraph, transfer };
}
