/**
 * Split by module: one standalone model per module at a depth of the torch module tree (depth 1: the
 * model's top-level modules, e.g. prompt_encoder / mask_decoder; depth 2: mask_decoder/transformer,
 * mask_decoder/output_upscaling, ...). Nodes above that depth stay with their deepest enclosing module,
 * nodes outside every module form the part "(root)". Constant-only nodes (weights through Identity,
 * Constant) are not parts of their own: each part takes the ones it reads.
 */
import { msg } from '../../l10n';
import type { Model } from '../model';
import { TransformError } from './errors';
import { extractSelection, selectNodes, untypedBoundaries, type ExtractedModel, type ExtractOptions } from './extract';
import { probeValues } from './probe';
import { modulePathOf } from '../../../shared/layout/modules';
import { constantValues, indexGraph } from './graph';

export const ROOT_PART = '(root)';

export interface SplitPart {
  /** Module path at the split depth ("mask_decoder/transformer"), or ROOT_PART. */
  readonly module: string;
  readonly nodeCount: number;
  readonly extracted: ExtractedModel;
}

export interface SplitPlanEntry {
  readonly module: string;
  readonly nodes: ReadonlySet<number>;
}

/** Groups the main graph's non-constant nodes by module path at `depth`, in order of first appearance. */
export function planSplit(model: Model, depth = 1): SplitPlanEntry[] {
  if (!Number.isInteger(depth) || depth < 1) throw new TransformError(msg('The split depth must be a whole number from 1 up; got {0}.', String(depth)));
  const index = indexGraph(model.graph);
  const constants = constantValues(index);
  const groups = new Map<string, Set<number>>();
  model.graph.nodes.forEach((node, i) => {
    if (constants.nodes.has(i)) return;
    const path = modulePathOf(node.name).slice(0, depth);
    const key = path.length ? path.join('/') : ROOT_PART;
    let set = groups.get(key);
    if (!set) groups.set(key, (set = new Set()));
    set.add(i);
  });
  return [...groups].map(([module, nodes]) => ({ module, nodes }));
}

/** One extracted model per module of the plan; probes the original once for all boundary types. */
export async function splitByModule(model: Model, depth = 1, options: ExtractOptions = {}): Promise<SplitPart[]> {
  const index = indexGraph(model.graph);
  const plan = planSplit(model, depth);
  const selections = plan.map((entry) => ({ entry, selection: selectNodes(index, entry.nodes) })).filter((s) => s.selection.outputs.length > 0);
  const untyped = new Set(selections.flatMap((s) => untypedBoundaries(model, s.selection)));
  const knownValues = untyped.size ? await probeValues(model, [...untyped], options) : {};
  const parts: SplitPart[] = [];
  for (const { entry, selection } of selections) {
    options.signal?.throwIfAborted();
    const extracted = await extractSelection(model, selection, { ...options, knownValues, graphName: entry.module });
    parts.push({ module: entry.module, nodeCount: extracted.model.graph.nodes.length, extracted });
  }
  return parts;
}
