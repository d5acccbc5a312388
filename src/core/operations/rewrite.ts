/**
 * The user action "rewrite ops the NPU lacks" (`npu-port onnx rewrite`, the viewer's rewrite offers):
 * the rules by id (`all`: every exact rule; fix-input-shapes joins when shapes or dimension sizes are
 * given), each verified against the original with onnxruntime and refused beyond tolerance, and the
 * encoded model when a rule changed it. Writing the file stays with the face.
 */
import { msg } from '../l10n';
import type { Model } from '../onnx/model';
import { STRICT_TOLERANCE, type Tolerance } from '../onnx/run/compare';
import type { RandomInputOptions } from '../onnx/run/inputs';
import type { ArrayValue } from '../onnx/run/values';
import { encodeModel } from '../onnx/transform/encode';
import { rewriteModel, type RewriteResult } from '../onnx/transform/rewrite/rewrite';
import { REWRITE_RULES, ruleById } from '../onnx/transform/rewrite/rules/index';
import { InvalidRequestError, type OperationRequest } from './types';

export interface RewriteRequest extends OperationRequest {
  readonly model: Model;
  /** Rule ids, or `all`. */
  readonly rules: readonly string[];
  /** Only these nodes, for the rules that rewrite one node at a time. */
  readonly nodes?: readonly string[];
  readonly inputShapes?: Readonly<Record<string, number[]>>;
  readonly dims?: Readonly<Record<string, number>>;
  /** Add fix-input-shapes when `inputShapes` or `dims` are given (default true); false: `dims` only size the verification inputs. */
  readonly fixInputShapes?: boolean;
  readonly inputs?: Readonly<Record<string, ArrayValue>>;
  readonly random?: RandomInputOptions;
  /** Tolerance of the exact rules (default strict). */
  readonly tolerance?: Partial<Pick<Tolerance, 'atol' | 'rtol'>>;
  /** Verify each rule (default true). */
  readonly verify?: boolean;
  readonly masks?: readonly string[];
  readonly maskThreshold?: number;
  /** Encode the rewritten model into `bytes` (default true; the editor encodes only once the user saves). */
  readonly encode?: boolean;
}

export interface RewriteOperationResult extends RewriteResult {
  /** The rewritten model, encoded, when some rule was applied. */
  readonly bytes?: Uint8Array;
}

/** The rules a request names, in the order they apply; InvalidRequestError for an unknown id or none. */
export function rewriteRules(request: Pick<RewriteRequest, 'rules' | 'inputShapes' | 'dims' | 'fixInputShapes'>): typeof REWRITE_RULES {
  if (request.rules.length === 0) throw new InvalidRequestError(msg('Give the rules with --apply RULE[,RULE] or --apply all (see --list).'));
  const ids = new Set<string>();
  for (const id of request.rules) {
    if (id === 'all') for (const r of REWRITE_RULES) { if (r.exact) ids.add(r.id); }
    else if (ruleById(id)) ids.add(id);
    else throw new InvalidRequestError(msg('Unknown rewrite rule "{0}"; see "npu-port onnx rewrite --list".', id));
  }
  if (request.fixInputShapes !== false && (Object.keys(request.inputShapes ?? {}).length || Object.keys(request.dims ?? {}).length)) ids.add('fix-input-shapes');
  return REWRITE_RULES.filter((r) => ids.has(r.id));
}

export async function rewrite(request: RewriteRequest): Promise<RewriteOperationResult> {
  const { model, signal } = request;
  const rules = rewriteRules(request);
  const missing = request.nodes?.find((name) => !model.graph.nodes.some((n) => n.name === name));
  if (missing !== undefined) throw new InvalidRequestError(msg('The model has no node named {0}.', `"${missing}"`));
  const threshold = request.maskThreshold;
  const result = await rewriteModel(model, rules, {
    ...(request.inputs ? { inputs: request.inputs } : {}),
    ...(request.random ? { random: request.random } : {}),
    ...(request.inputShapes ? { inputShapes: request.inputShapes } : {}),
    ...(request.dims ? { dims: request.dims } : {}),
    ...(request.nodes ? { nodes: request.nodes } : {}),
    tolerance: { ...STRICT_TOLERANCE, ...request.tolerance },
    verify: request.verify !== false,
    ...(request.masks ? { masks: request.masks } : {}),
    ...(threshold !== undefined && Number.isFinite(threshold) ? { maskThreshold: threshold } : {}),
    ...(signal ? { signal } : {}),
    onRule: (rule, k, total) => request.onProgress?.({ message: msg('[{0}/{1}] {2}', k + 1, total, rule.id), done: k, total }),
  });
  const applied = result.reports.some((r) => r.status === 'applied');
  return applied && request.encode !== false ? { ...result, bytes: await encodeModel(result.model, signal ? { signal } : {}) } : result;
}
