/**
 * Applies rewrite rules and proves each one: the original model and the rewritten one run with
 * onnxruntime on the same inputs (seeded random, or the user's), and every output is compared (max abs
 * error, cosine similarity, IoU for masks). A rule whose result differs beyond tolerance is refused (the
 * model stays as it was before the rule) and the report says by how much. Exact rules use the strict
 * tolerance; approximate ones (Erf → tanh) their own, and their measured error is always reported.
 */
import { msg, type Message } from '../../../l10n';
import type { Model } from '../../model';
import { compareOutputs, STRICT_TOLERANCE, type CompareOptions, type OutputComparison, type Tolerance } from '../../run/compare';
import type { RandomInputOptions } from '../../run/inputs';
import { RunError } from '../../run/errors';
import { InferenceSession } from '../../run/ort';
import type { ArrayValue } from '../../run/values';
import { encodeModel } from '../encode';
import { opCounts } from '../graph';
import { PayloadReader } from '../payload';
import { feedsFor } from '../probe';
import { RewriteContext, type RewriteRule, type RewriteSettings } from './context';

/** For rules that change numerics: tanh GELU differs from exact GELU by up to about 5e-4 per activation. */
export const APPROXIMATE_TOLERANCE: Tolerance = { atol: 1e-2, rtol: 1e-2, minCosine: 0.999, minIou: 0.95 };

export interface RewriteOptions extends RewriteSettings, Pick<CompareOptions, 'masks' | 'maskThreshold'> {
  readonly modelBytes?: Uint8Array;
  /** Input values (e.g. from .npy files); missing ones are seeded random. */
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  readonly tolerance?: Tolerance;
  readonly approximateTolerance?: Tolerance;
  /** Default true. Without verification every rule that changed something is applied. */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
  readonly onRule?: (rule: RewriteRule, index: number, total: number) => void;
}

export type RuleStatus = 'applied' | 'refused' | 'unchanged';

export interface RuleReport {
  readonly rule: string;
  readonly exact: boolean;
  readonly status: RuleStatus;
  readonly changed: number;
  /** Count of each op the rule targets, before and after it. */
  readonly ops: Readonly<Record<string, { before: number; after: number }>>;
  readonly notes: readonly Message[];
  /** Outputs against the original model's (empty when not verified or unchanged). */
  readonly comparisons: readonly OutputComparison[];
  readonly tolerance: Tolerance;
}

export interface RewriteResult {
  readonly model: Model;
  readonly reports: readonly RuleReport[];
  /** The inputs verification used. */
  readonly feeds: Readonly<Record<string, ArrayValue>>;
}

async function runOnce(model: Model, feeds: Readonly<Record<string, ArrayValue>>, modelBytes: Uint8Array | undefined, signal?: AbortSignal): Promise<Record<string, ArrayValue>> {
  const bytes = await encodeModel(model, { ...(modelBytes ? { modelBytes } : {}), ...(signal ? { signal } : {}) });
  // No graph optimizations: what runs is the graph as written (and sessions of big models load twice as fast).
  const session = await InferenceSession.create(bytes, { optimization: 'disabled' });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export async function rewriteModel(original: Model, rules: readonly RewriteRule[], options: RewriteOptions = {}): Promise<RewriteResult> {
  const verify = options.verify ?? true;
  const random: RandomInputOptions = {
    ...options.random,
    dims: { ...options.random?.dims, ...options.dims },
    shapes: { ...options.random?.shapes, ...options.inputShapes },
  };
  const feeds = feedsFor(original, { ...(options.inputs ? { inputs: options.inputs } : {}), random });
  const payloads = new PayloadReader(original, options.modelBytes);
  const reports: RuleReport[] = [];
  try {
    const reference = verify ? await runOnce(original, feeds, options.modelBytes, options.signal) : {};
    let current = original;
    for (const [k, rule] of rules.entries()) {
      options.signal?.throwIfAborted();
      options.onRule?.(rule, k, rules.length);
      const tolerance = rule.exact ? options.tolerance ?? STRICT_TOLERANCE : options.approximateTolerance ?? APPROXIMATE_TOLERANCE;
      const before = opCounts(current.graph);
      const ctx = new RewriteContext(current, payloads, feeds, options, options.modelBytes, options.signal);
      const outcome = await rule.apply(ctx);
      const candidate: Model = { ...current, graph: outcome.graph };
      const after = opCounts(candidate.graph);
      const ops: Record<string, { before: number; after: number }> = {};
      for (const op of rule.removes) if (before.get(op)) ops[op] = { before: before.get(op) ?? 0, after: after.get(op) ?? 0 };
      const base = { rule: rule.id, exact: rule.exact, changed: outcome.changed, ops, notes: outcome.notes, tolerance };
      if (outcome.changed === 0) {
        reports.push({ ...base, status: 'unchanged', comparisons: [] });
        continue;
      }
      let comparisons: OutputComparison[] = [];
      if (verify) {
        let outputs: Record<string, ArrayValue>;
        try {
          outputs = await runOnce(candidate, feeds, options.modelBytes, options.signal);
        } catch (error) {
          // A rewritten model onnxruntime cannot load or run is refused like a wrong one.
          if (!(error instanceof RunError)) throw error;
          reports.push({ ...base, status: 'refused', notes: [...outcome.notes, error.detail], comparisons: [] });
          continue;
        }
        comparisons = compareOutputs(reference, outputs, {
          tolerance, ...(options.masks ? { masks: options.masks } : {}), ...(options.maskThreshold !== undefined ? { maskThreshold: options.maskThreshold } : {}),
        });
      }
      const refused = comparisons.some((c) => !c.pass);
      reports.push({ ...base, status: refused ? 'refused' : 'applied', comparisons });
      if (!refused) current = candidate;
    }
    return { model: current, reports, feeds };
  } finally {
    payloads.close();
  }
}

/** One line per refused output, for messages: 'Output "masks" differs by up to 0.8 (allowed 1e-4).' */
export function refusalReasons(report: RuleReport): Message[] {
  if (report.status === 'refused' && report.comparisons.length === 0) return [msg('The rewritten model does not run in onnxruntime.')];
  return report.comparisons.filter((c) => !c.pass).map((c) => c.problem ?? msg('Output "{0}" differs.', c.name));
}
