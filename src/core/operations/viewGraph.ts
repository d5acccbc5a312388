/**
 * The user action "view a model's graph" (the ONNX viewer; Reveal Node and Compare open it): the packed
 * graph the webview draws, of the main graph (made once per decoded model, shared by the panels of one
 * file) or of a subgraph by its path, and what the viewer warns about.
 */
import type { Model } from '../onnx/model';
import type { ShapeInference } from '../onnx/shapes';
import { toPackedGraph, toPackedSubgraph, type SummaryLabels } from '../onnx/view/compactGraph';
import type { PackedGraph } from '../../shared/packedGraph';
import type { OperationRequest } from './types';

export interface ViewGraphRequest extends OperationRequest {
  readonly model: Model;
  readonly labels: SummaryLabels;
  /** A subgraph (an If/Loop body) by its path; the main graph without it. */
  readonly path?: string;
  /** Inferred shapes of the main graph's tensors (drawn on its edges). */
  readonly shapes?: ShapeInference;
}

export interface ViewGraphResult {
  /** Undefined when `path` names no subgraph. */
  readonly graph: PackedGraph | undefined;
  /** Initializers whose external data cannot be read (missing file, outside the model folder). */
  readonly unreadableExternal: number;
}

const packedGraphs = new WeakMap<Model, PackedGraph>();

export function viewGraph(request: ViewGraphRequest & { readonly path?: undefined }): ViewGraphResult & { readonly graph: PackedGraph };
export function viewGraph(request: ViewGraphRequest): ViewGraphResult;
export function viewGraph(request: ViewGraphRequest): ViewGraphResult {
  const { model, labels, path } = request;
  let graph: PackedGraph | undefined;
  if (path !== undefined) {
    graph = toPackedSubgraph(model, path, labels);
  } else {
    graph = packedGraphs.get(model);
    if (!graph) {
      graph = toPackedGraph(model, labels, request.shapes);
      packedGraphs.set(model, graph);
    }
  }
  const unreadableExternal = model.graph.initializers.filter((x) => x.data.kind === 'external' && (!x.data.path || x.data.problem)).length;
  return { graph, unreadableExternal };
}
