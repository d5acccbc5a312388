/**
 * The one message protocol between the ONNX viewer's extension side and its webview.
 *
 * Two directions, each a discriminated union on `type`. Requests and their responses use the envelope
 * both webviews share (src/shared/webviewMessages.ts). Everything the webview sends is untrusted: the
 * host accepts it only through `parseWebviewMessage`, which checks every field and returns undefined
 * otherwise.
 */
import type { GraphDiff } from './diff';
import type { CompactDim, CompactGraph, CompactTensor, NodeVerdict, TargetOption, TensorValues } from './graph';
import { isColumn, parseDims, type PackedGraph } from './packedGraph';
import { isObject, isRequestId, type ResponseMessage } from './webviewMessages';

export type { ResponseMessage } from './webviewMessages';

/** What the webview persists with `vscode.setState` (survives hide/show, reload and split without retainContextWhenHidden). */
export interface ViewerState {
  readonly panX: number;
  readonly panY: number;
  readonly zoom: number;
  readonly selected?: string;
  readonly target?: string;
  /** Module paths the user expanded (the rest stay collapsed). */
  readonly expanded: readonly string[];
  /** The side panel as the user left it; absent: collapsed only when the editor is narrow. */
  readonly panelCollapsed?: boolean;
  /** Weights and constants drawn as nodes (default: folded into their consumers). */
  readonly showConstants?: boolean;
}

// ---------------------------------------------------------------- host → webview

export interface InitMessage {
  readonly type: 'init';
  /** @vscode/l10n bundle contents for the display language (undefined: English). */
  readonly l10n?: Record<string, string>;
  readonly fileName: string;
}
export interface LoadingMessage { readonly type: 'loading'; readonly fileName: string }
export interface GraphMessage {
  readonly type: 'graph';
  /** Columns and a string table (src/shared/packedGraph.ts): crosses every hop as binary buffers. */
  readonly graph: PackedGraph;
  readonly targets: readonly TargetOption[];
  readonly target: string;
  readonly verdicts: readonly NodeVerdict[];
  /** Notes such as "external data file missing" shown above the graph. */
  readonly warnings: readonly string[];
  /**
   * Host-side milestones for the timing benchmarks: how long the host still waited for the decode once
   * the webview was ready, the conversion to the packed graph, and when the host got `ready` and posted
   * the graph (Date.now(); host and webview run on one machine).
   */
  readonly timing?: { readonly decodeWaitMs: number; readonly packMs: number; readonly readyAt: number; readonly postedAt: number };
  /** Which load of the panel this graph is (grows with every reload); a `shapes` message names the load it belongs to. */
  readonly load: number;
}
/**
 * Types of the values the model does not declare, inferred on the host (src/core/onnx/shapes.ts) after the
 * graph message was posted, so the first frame never waits for the inference. Addressed by tensor index of
 * the graph message with the same `load`: one for an older load (the file changed) is dropped. Columns as
 * in the packed graph (binary buffers across every hop); the few distinct dtypes and shapes as one table.
 */
export interface ShapesMessage {
  readonly type: 'shapes';
  readonly load: number;
  /** Tensor indexes of the graph's tensor table. */
  readonly tensors: Uint32Array;
  /** Per tensor: its element type (index into `texts`) and its shape (index into `texts` of its dims' JSON; -1: rank unknown). */
  readonly dtypes: Uint32Array;
  readonly shapes: Int32Array;
  /** The distinct dtype names and shape texts. */
  readonly texts: readonly string[];
}
export interface VerdictsMessage { readonly type: 'verdicts'; readonly target: string; readonly verdicts: readonly NodeVerdict[] }
/** The model cannot be shown; `notAModel`: the file is not an ONNX model (text, empty, cut short), so the page offers Open as Text. */
export interface DecodeErrorMessage { readonly type: 'decodeError'; readonly message: string; readonly offset?: number; readonly notAModel?: boolean }
export interface RevealMessage { readonly type: 'reveal'; readonly node: string }
/** Compare mode: the shown graph against a base model (after the graph message). */
export interface DiffMessage { readonly type: 'diff'; readonly baseName: string; readonly diff: GraphDiff }
export type HostToWebview = InitMessage | LoadingMessage | GraphMessage | ShapesMessage | VerdictsMessage | DecodeErrorMessage | RevealMessage | DiffMessage | ResponseMessage;

// ---------------------------------------------------------------- webview → host

export interface ReadyMessage { readonly type: 'ready' }
/** The first frame of the graph is drawn (ends the host's progress notification). */
export interface InteractiveMessage { readonly type: 'interactive' }
export interface SetTargetMessage { readonly type: 'setTarget'; readonly target: string }
export interface SelectionMessage { readonly type: 'selection'; readonly node?: string }
export interface CopyTextMessage { readonly type: 'copyText'; readonly text: string }
export interface TensorValuesRequest { readonly type: 'tensorValues'; readonly requestId: number; readonly tensor: string; readonly count: number }
export interface ExportRequest {
  readonly type: 'export';
  readonly requestId: number;
  readonly format: 'svg' | 'png';
  /** SVG text, or a PNG as base64 (no data: prefix). */
  readonly data: string;
}
export interface OpenAsTextMessage { readonly type: 'openAsText' }
/** Asks the host to pick a tool report (ATC check_result.json, msit result.csv) and overlay its verdicts. */
export interface LoadReportMessage { readonly type: 'loadReport' }
/** Asks the host to compile the open model on the active remote host (the npu-port convert task). */
export interface CompileMessage { readonly type: 'compile' }
/**
 * Asks the host to save a module box (by module path) or one node (by name) as a standalone model;
 * neither: nothing is selected (the host says what to select).
 */
export type ExtractMessage = { readonly type: 'extract'; readonly module?: string; readonly node?: string };
/** Asks which rewrite rules apply to a node (answered with `RewriteOffer[]`). */
export interface RewriteOffersRequest { readonly type: 'rewriteOffers'; readonly requestId: number; readonly node: string }
/**
 * Runs one rewrite rule offered for a node: verified, then saved as a new model (answered with `RewriteOutcome`).
 * `scope`: this node only (rules that rewrite one node at a time) or every node of the model the rule matches.
 */
export interface RewriteRequest { readonly type: 'rewrite'; readonly requestId: number; readonly node: string; readonly rule: string; readonly scope: RewriteScope }
export type RewriteScope = 'node' | 'model';
/** Opens the PyTorch source a node (by name) or a module box (by module path) comes from. */
export type GoToSourceMessage = { readonly type: 'goToSource'; readonly node: string } | { readonly type: 'goToSource'; readonly module: string };
/** Asks for a nested graph (If/Loop/Scan body) by its path, to show it as a graph of its own (answered with a PackedGraph). */
export interface SubgraphRequest { readonly type: 'subgraph'; readonly requestId: number; readonly path: string }
export type WebviewToHost = ReadyMessage | InteractiveMessage | SetTargetMessage | SelectionMessage | CopyTextMessage | TensorValuesRequest | ExportRequest | OpenAsTextMessage | LoadReportMessage | CompileMessage | ExtractMessage
  | RewriteOffersRequest | RewriteRequest | GoToSourceMessage | SubgraphRequest;

/** A rewrite rule that applies to the node asked about (the label is localized by the host). */
export interface RewriteOffer {
  readonly rule: string;
  readonly label: string;
  /** False: changes numerics; the measured error is shown before the result is kept. */
  readonly exact: boolean;
  /** Nodes of the model the rule rewrites in a whole-model run. */
  readonly matching: number;
  /** The rule can run on this node alone (scope 'node'); false: it always runs over the whole model. */
  readonly perNode: boolean;
  /** The input shapes are fixed first (sizes asked for). */
  readonly needsStaticShapes: boolean;
}

/** What became of a rewrite: applied (saved as `file`), refused by verification, nothing to do, or cancelled. */
export interface RewriteOutcome {
  readonly status: 'applied' | 'refused' | 'unchanged' | 'cancelled';
  /** Saved model, base name. */
  readonly file?: string;
  /** Verification figures and notes, localized. */
  readonly lines: readonly string[];
}

/** Typed results of the requests (what `response.result` holds when ok). */
export interface RequestResults {
  tensorValues: TensorValues;
  export: { saved: boolean };
  rewriteOffers: readonly RewriteOffer[];
  rewrite: RewriteOutcome;
  subgraph: PackedGraph;
}

// ---------------------------------------------------------------- validation

/** Largest export the host accepts (a PNG of a big view is a few MB; keep a hard ceiling). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const MAX_NAME = 4096;
const MAX_VALUES = 1000;

const isShortString = (v: unknown, max = MAX_NAME): v is string => typeof v === 'string' && v.length <= max;
const hasOnly = (o: Record<string, unknown>, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));
const isNodeName = (v: unknown): v is string => isShortString(v) && v.length > 0;
/** Rule ids are kebab case (`gather-to-slice`). */
const isRuleId = (v: unknown): v is string => typeof v === 'string' && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v) && v.length <= 64;

/** Returns the message when it is exactly one of the WebviewToHost shapes, otherwise undefined. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  const m = raw;
  switch (m.type) {
    case 'ready':
    case 'interactive':
    case 'openAsText':
    case 'loadReport':
    case 'compile':
      return hasOnly(m, ['type']) ? { type: m.type } : undefined;
    case 'setTarget':
      return hasOnly(m, ['type', 'target']) && isShortString(m.target, 256) && m.target.length > 0 ? { type: 'setTarget', target: m.target } : undefined;
    case 'selection':
      if (!hasOnly(m, ['type', 'node'])) return undefined;
      if (m.node === undefined) return { type: 'selection' };
      return isShortString(m.node) ? { type: 'selection', node: m.node } : undefined;
    case 'extract':
      if (hasOnly(m, ['type', 'module']) && isShortString(m.module) && m.module.length > 0) return { type: 'extract', module: m.module };
      if (hasOnly(m, ['type', 'node']) && isShortString(m.node) && m.node.length > 0) return { type: 'extract', node: m.node };
      return hasOnly(m, ['type']) ? { type: 'extract' } : undefined;
    case 'rewriteOffers':
      return hasOnly(m, ['type', 'requestId', 'node']) && isRequestId(m.requestId) && isNodeName(m.node) ? { type: 'rewriteOffers', requestId: m.requestId, node: m.node } : undefined;
    case 'rewrite':
      return hasOnly(m, ['type', 'requestId', 'node', 'rule', 'scope']) && isRequestId(m.requestId) && isNodeName(m.node) && isRuleId(m.rule)
        && (m.scope === 'node' || m.scope === 'model')
        ? { type: 'rewrite', requestId: m.requestId, node: m.node, rule: m.rule, scope: m.scope }
        : undefined;
    case 'subgraph':
      return hasOnly(m, ['type', 'requestId', 'path']) && isRequestId(m.requestId) && isNodeName(m.path) ? { type: 'subgraph', requestId: m.requestId, path: m.path } : undefined;
    case 'goToSource':
      if (hasOnly(m, ['type', 'node']) && isNodeName(m.node)) return { type: 'goToSource', node: m.node };
      if (hasOnly(m, ['type', 'module']) && isNodeName(m.module)) return { type: 'goToSource', module: m.module };
      return undefined;
    case 'copyText':
      return hasOnly(m, ['type', 'text']) && isShortString(m.text, 65536) ? { type: 'copyText', text: m.text } : undefined;
    case 'tensorValues':
      return hasOnly(m, ['type', 'requestId', 'tensor', 'count']) && isRequestId(m.requestId) && isShortString(m.tensor) &&
        typeof m.count === 'number' && Number.isInteger(m.count) && m.count >= 0 && m.count <= MAX_VALUES
        ? { type: 'tensorValues', requestId: m.requestId, tensor: m.tensor, count: m.count }
        : undefined;
    case 'export':
      if (!hasOnly(m, ['type', 'requestId', 'format', 'data']) || !isRequestId(m.requestId)) return undefined;
      if (m.format !== 'svg' && m.format !== 'png') return undefined;
      if (!isShortString(m.data, MAX_EXPORT_CHARS)) return undefined;
      if (m.format === 'png' && !/^[A-Za-z0-9+/]*={0,2}$/.test(m.data)) return undefined;
      return { type: 'export', requestId: m.requestId, format: m.format, data: m.data };
    default:
      return undefined;
  }
}

/** A checked `shapes` message: the load it belongs to and each tensor's new type. */
export interface InferredShapes {
  readonly load: number;
  readonly tensors: readonly { readonly index: number; readonly dtype: string; readonly shape?: readonly CompactDim[] }[];
}

/**
 * Checks a `shapes` message against the graph shown (the graph message's `load`, its tensor count): a
 * message of another load (stale: the file changed and its graph was posted again), the column types and
 * lengths, every tensor index and table index in range, every shape text a list of dims. Undefined when
 * anything is wrong (the graph keeps the types it has).
 */
export function parseShapesMessage(raw: unknown, shown: { readonly load: number; readonly tensors: number }): InferredShapes | undefined {
  if (!isObject(raw) || raw.type !== 'shapes' || !hasOnly(raw, ['type', 'load', 'tensors', 'dtypes', 'shapes', 'texts'])) return undefined;
  const { load, tensors, dtypes, shapes, texts } = raw;
  const tensorCount = shown.tensors;
  if (!isRequestId(load) || load !== shown.load || !isColumn(tensors, 'Uint32Array') || !isColumn(dtypes, 'Uint32Array') || !isColumn(shapes, 'Int32Array')) return undefined;
  if (dtypes.length !== tensors.length || shapes.length !== tensors.length || tensors.length > tensorCount) return undefined;
  if (!Array.isArray(texts) || !texts.every((t) => isShortString(t))) return undefined;
  const dims = new Map<number, readonly CompactDim[] | undefined>();
  const dimsOf = (id: number) => {
    if (!dims.has(id)) dims.set(id, parseDims(texts[id] as string));
    return dims.get(id);
  };
  const out: InferredShapes['tensors'][number][] = [];
  for (let i = 0; i < tensors.length; i++) {
    const index = tensors[i]!;
    const dtype = dtypes[i]!;
    const shape = shapes[i]!;
    if (index >= tensorCount || dtype >= texts.length || shape < -1 || shape >= texts.length) return undefined;
    if (shape === -1) {
      out.push({ index, dtype: texts[dtype] as string });
      continue;
    }
    const parsed = dimsOf(shape);
    if (!parsed) return undefined;
    out.push({ index, dtype: texts[dtype] as string, shape: parsed });
  }
  return { load, tensors: out };
}

/** Gives the graph's tensors the inferred types (in place: every view of the graph sees them); how many changed. */
export function applyInferredShapes(graph: CompactGraph, shapes: InferredShapes): number {
  const tensors = graph.tensors as CompactTensor[];
  let changed = 0;
  for (const { index, dtype, shape } of shapes.tensors) {
    const tensor: { -readonly [K in keyof CompactTensor]: CompactTensor[K] } = { ...tensors[index]!, dtype };
    if (shape) tensor.shape = shape;
    else delete tensor.shape;
    tensors[index] = tensor;
    changed++;
  }
  return changed;
}

/** Checks the shape of persisted webview state (it comes back from VS Code as unknown JSON). */
export function parseViewerState(raw: unknown): ViewerState | undefined {
  if (!isObject(raw)) return undefined;
  const { panX, panY, zoom, selected, target, expanded, panelCollapsed, showConstants } = raw;
  if (![panX, panY, zoom].every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  if ((zoom as number) <= 0) return undefined;
  if (selected !== undefined && !isShortString(selected)) return undefined;
  if (target !== undefined && !isShortString(target, 256)) return undefined;
  if (!Array.isArray(expanded) || !expanded.every((e) => isShortString(e))) return undefined;
  if (panelCollapsed !== undefined && typeof panelCollapsed !== 'boolean') return undefined;
  if (showConstants !== undefined && typeof showConstants !== 'boolean') return undefined;
  return {
    panX: panX as number, panY: panY as number, zoom: zoom as number, expanded: expanded as string[],
    ...(selected !== undefined ? { selected: selected as string } : {}),
    ...(target !== undefined ? { target: target as string } : {}),
    ...(panelCollapsed !== undefined ? { panelCollapsed } : {}),
    ...(showConstants !== undefined ? { showConstants } : {}),
  };
}
