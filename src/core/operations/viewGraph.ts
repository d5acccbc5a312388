/**
 * The user action "view a model's graph" (the ONNX viewer; Reveal Node and Compare open it): the packed
 * graph the webview draws, of the main graph (made once per decoded model, shared by the panels of one
 * file) or of a subgraph by its path, and what the viewer warns about; then the main graph's inferred
 * types (`viewShapes`), sent after the graph so its first frame does not wait for the inference.
 */
import type { Model } from '../onnx/model';
import type { ShapeInference } from '../onnx/shapes';
import { packInferredShapes, packMainGraph, toPackedSubgraph, type SummaryLabels } from '../onnx/view/compactGraph';
import type { PackedGraph } from '../../shared/packedGraph';
import type { ShapesMessage } from '../../shared/protocol';
import type { OperationRequest } from './types';

export interface ViewGraphRequest extends OperationRequest {
  readonly model: Model;
  readonly labels: SummaryLabels;
  /** A subgraph (an If/Loop body) by its path; the main graph without it. */
  readonly path?: string;
}

export interface ViewGraphResult {
  /** Undefined when `path` names no subgraph. */
  readonly graph: PackedGraph | undefined;
  /** Initializers whose external data cannot be read (missing file, outside the model folder). */
  readonly unreadableExternal: number;
}

const packedGraphs = new WeakMap<Model, { graph: PackedGraph; tensorIndex: ReadonlyMap<string, number> }>();

function mainGraph(model: Model, labels: SummaryLabels): { graph: PackedGraph; tensorIndex: ReadonlyMap<string, number> } {
  let main = packedGraphs.get(model);
  if (!main) {
    main = packMainGraph(model, labels);
    packedGraphs.set(model, main);
  }
  return main;
}

export function viewGraph(request: ViewGraphRequest & { readonly path?: undefined }): ViewGraphResult & { readonly graph: PackedGraph };
export function viewGraph(request: ViewGraphRequest): ViewGraphResult;
export function viewGraph(request: ViewGraphRequest): ViewGraphResult {
  const { model, labels, path } = request;
  let graph: PackedGraph | undefined;
  if (path !== undefined) {
    graph = toPackedSubgraph(model, path, labels);
  } else {
    graph = mainGraph(model, labels).graph;
  }
  const unreadableExternal = model.graph.initializers.filter((x) => x.data.kind === 'external' && (!x.data.path || x.data.problem)).length;
  return { graph, unreadableExternal };
}

/** The main graph's inferred types (`shapes` of this model), addressed by tensor index of the graph `viewGraph` gives. */
export function viewShapes(request: ViewGraphRequest & { readonly shapes: ShapeInference }): Omit<ShapesMessage, 'type' | 'load'> {
  return packInferredShapes(request.shapes, mainGraph(request.model, request.labels).tensorIndex);
}
