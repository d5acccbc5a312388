/**
 * Subgraph extraction: a standalone model computing some of a model's tensors, for compiling parts of a
 * model one at a time (field report 003's divide and conquer). A part is chosen by tensors (from → to, like
 * onnx.utils.extract_model) or by module path prefix (torch.onnx names nodes by module). The result keeps
 * the opsets, IR version and model-local functions, holds only the initializers its nodes read, pulls in
 * the constant-only nodes its nodes need (Constant, Identity of a weight), and types every input and
 * output: from the model's declarations when it has them, else from one onnxruntime run of the original.
 */
import { msg } from '../../l10n';
import type { Graph, Model, Node, ValueInfo, ValueType } from '../model';
import type { ArrayValue } from '../run/values';
import { TransformError } from './errors';
import {
  constantValues, declaredTypes, indexGraph, inModule, isStaticTensorType, parseModulePrefix, type GraphIndex,
} from './graph';
import { probeValues, type ProbeOptions } from './probe';

export interface Selection {
  /** Indexes into model.graph.nodes, in any order. */
  readonly nodes: ReadonlySet<number>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface ExtractedModel {
  readonly model: Model;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Graph inputs of the original the `from` tensors did not cut off (they became inputs too). */
  readonly extraInputs: readonly string[];
  /** Values whose types came from running the original (the model declared none). */
  readonly probedTypes: readonly string[];
}

export interface ExtractOptions extends ProbeOptions {
  /** Name of the extracted graph; default: the original's. */
  readonly graphName?: string;
  /** Values already probed (types of boundary tensors); only the others are probed. */
  readonly knownValues?: Readonly<Record<string, ArrayValue>>;
}

/** The nodes computing `outputs` from `inputs` (and from graph inputs the cut does not reach, reported). */
export function selectByTensors(index: GraphIndex, inputs: readonly string[], outputs: readonly string[]): Selection & { extraInputs: string[] } {
  const known = (name: string) => index.producer.has(name) || index.initializers.has(name) || index.feeds.has(name);
  const unknown = [...inputs, ...outputs].filter((n) => !known(n));
  if (unknown.length) throw new TransformError(msg('The model has no tensor named {0}.', unknown.map((n) => `"${n}"`).join(', ')), { names: unknown });
  const stop = new Set(inputs);
  const nodes = new Set<number>();
  const extraInputs: string[] = [];
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (stop.has(name) || index.initializers.has(name)) continue;
    const producer = index.producer.get(name);
    if (producer === undefined) {
      if (index.feeds.has(name)) extraInputs.push(name);
      continue;
    }
    if (nodes.has(producer)) continue;
    nodes.add(producer);
    stack.push(...index.reads[producer]!);
  }
  const unused = inputs.filter((n) => !seen.has(n));
  if (unused.length) {
    throw new TransformError(msg('The outputs do not depend on {0}: nothing between them reads it.', unused.map((n) => `"${n}"`).join(', ')), { names: unused });
  }
  return { nodes, inputs: [...inputs, ...extraInputs.filter((n) => !stop.has(n))], outputs: [...outputs], extraInputs };
}

/** The nodes of a module (name prefix), its inputs (values from outside) and outputs (values used outside). */
export function selectByModule(index: GraphIndex, prefix: string): Selection {
  const path = parseModulePrefix(prefix);
  const nodes = new Set<number>();
  index.graph.nodes.forEach((node, i) => { if (inModule(node.name, path)) nodes.add(i); });
  if (nodes.size === 0) throw new TransformError(msg('No node belongs to module "{0}".', prefix), { names: [prefix] });
  return selectNodes(index, nodes);
}

/**
 * Boundaries of a set of nodes: values read from outside become inputs, unless they are constant (then the
 * constant-only nodes computing them come along); values read outside or graph outputs become outputs.
 */
export function selectNodes(index: GraphIndex, chosen: ReadonlySet<number>, options: { exact?: boolean } = {}): Selection {
  // exact: the chosen nodes only (bisection compiles exactly them); constants computed outside become inputs.
  const constants = options.exact ? { values: new Set<string>(), nodes: new Set<number>() } : constantValues(index);
  const nodes = new Set(chosen);
  const pullConstant = (name: string) => {
    const stack = [name];
    while (stack.length) {
      const value = stack.pop()!;
      const producer = index.producer.get(value);
      if (producer === undefined || nodes.has(producer)) continue;
      nodes.add(producer);
      stack.push(...index.reads[producer]!);
    }
  };
  for (const i of chosen) for (const name of index.reads[i]!) if (constants.values.has(name) && !index.initializers.has(name)) pullConstant(name);
  const produced = new Set<string>();
  for (const i of nodes) for (const o of index.graph.nodes[i]!.outputs) if (o) produced.add(o);
  const inputs: string[] = [];
  const outputs: string[] = [];
  const ordered = [...nodes].sort((a, b) => a - b);
  for (const i of ordered) {
    for (const name of index.reads[i]!) {
      if (!produced.has(name) && !index.initializers.has(name) && !inputs.includes(name)) inputs.push(name);
    }
  }
  for (const i of ordered) {
    if (!chosen.has(i)) continue;
    for (const o of index.graph.nodes[i]!.outputs) {
      if (!o) continue;
      const readers = index.consumers.get(o) ?? [];
      // Constants read outside stay outside: each reader pulls in its own copy of the constant-only nodes.
      if (index.outputs.has(o) || (!constants.values.has(o) && readers.some((r) => !nodes.has(r)))) outputs.push(o);
    }
  }
  return { nodes, inputs, outputs };
}

/** Boundary values of a selection whose static type the model does not declare. */
export function untypedBoundaries(model: Model, selection: Selection): string[] {
  const types = declaredTypes(model.graph);
  return [...selection.inputs, ...selection.outputs].filter((n) => !isStaticTensorType(types.get(n)));
}

/** A standalone model of a selection, with typed inputs and outputs. */
export async function extractSelection(model: Model, selection: Selection, options: ExtractOptions = {}): Promise<ExtractedModel> {
  const graph = model.graph;
  if (selection.outputs.length === 0) throw new TransformError(msg('The selection has no outputs: nothing outside it reads its values.'));
  const types = declaredTypes(graph);
  const needTypes = untypedBoundaries(model, selection);
  const toProbe = needTypes.filter((n) => !options.knownValues?.[n]);
  const probed: Record<string, ArrayValue> = { ...options.knownValues, ...(toProbe.length ? await probeValues(model, toProbe, options) : {}) };
  const typeOf = (name: string): ValueType | null => {
    const value = probed[name];
    if (value) return { kind: 'tensor', elemType: value.elemType, shape: [...value.dims] };
    return types.get(name) ?? null;
  };
  const nodes: Node[] = [...selection.nodes].sort((a, b) => a - b).map((i) => graph.nodes[i]!);
  const read = new Set<string>();
  for (const node of nodes) for (const name of node.inputs) read.add(name);
  const index = indexGraph(graph);
  for (const i of selection.nodes) for (const name of index.reads[i]!) read.add(name);
  const inputSet = new Set(selection.inputs);
  const initializers = graph.initializers.filter((t) => read.has(t.name) && !inputSet.has(t.name));
  const produced = new Set<string>(nodes.flatMap((n) => n.outputs));
  const boundary = new Set([...selection.inputs, ...selection.outputs]);
  const valueInfo = graph.valueInfo.filter((v) => produced.has(v.name) && !boundary.has(v.name));
  const info = (name: string): ValueInfo => ({ name, type: typeOf(name) });
  const sub: Graph = {
    name: options.graphName ?? graph.name,
    path: 'main',
    nodes,
    // IR versions before 4 require every initializer to be listed as a graph input too.
    inputs: [...selection.inputs.map(info), ...(model.irVersion < 4 ? initializers.map((t) => ({ name: t.name, type: { kind: 'tensor' as const, elemType: t.elemType, shape: [...t.dims] } })) : [])],
    outputs: selection.outputs.map(info),
    valueInfo,
    initializers,
    sparseInitializers: graph.sparseInitializers.filter((s) => s.values && read.has(s.values.name)),
  };
  const untyped = [...sub.inputs, ...sub.outputs].filter((v) => !v.type).map((v) => v.name);
  if (untyped.length) throw new TransformError(msg('The types of {0} are unknown and could not be found by running the model.', untyped.join(', ')), { names: untyped });
  return {
    model: { ...model, graph: sub, source: model.source },
    inputs: selection.inputs,
    outputs: selection.outputs,
    extraInputs: 'extraInputs' in selection ? (selection as { extraInputs: string[] }).extraInputs : [],
    probedTypes: Object.keys(probed).filter((n) => needTypes.includes(n)),
  };
}

export async function extractByTensors(model: Model, inputs: readonly string[], outputs: readonly string[], options: ExtractOptions = {}): Promise<ExtractedModel> {
  return extractSelection(model, selectByTensors(indexGraph(model.graph), inputs, outputs), options);
}

export async function extractModule(model: Model, prefix: string, options: ExtractOptions = {}): Promise<ExtractedModel> {
  return extractSelection(model, selectByModule(indexGraph(model.graph), prefix), { graphName: prefix.replace(/^\/+|\/+$/g, ''), ...options });
}

/** The viewer's "Extract as Model": nodes chosen by name (main graph), with the constants they need. */
export async function extractNodes(model: Model, nodeNames: readonly string[], options: ExtractOptions = {}): Promise<ExtractedModel> {
  const wanted = new Set(nodeNames);
  const chosen = new Set<number>();
  model.graph.nodes.forEach((node, i) => { if (wanted.has(node.name)) chosen.add(i); });
  const found = new Set([...chosen].map((i) => model.graph.nodes[i]!.name));
  const missing = nodeNames.filter((n) => !found.has(n));
  if (missing.length) throw new TransformError(msg('The model has no node named {0}.', missing.map((n) => `"${n}"`).join(', ')), { names: missing });
  return extractSelection(model, selectNodes(indexGraph(model.graph), chosen), options);
}
