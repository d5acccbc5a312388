/**
 * The user action "compare two runs' outputs" (`npu-port compare`: CPU against NPU, before against
 * after a rewrite): tensor by tensor, max and mean absolute error, cosine similarity, and IoU for masks,
 * each against a tolerance. Two single tensors compare with each other whatever their names.
 */
import { compareOutputs, STRICT_TOLERANCE, type CompareOptions, type OutputComparison, type Tolerance } from '../onnx/run/compare';
import type { ArrayValue } from '../onnx/run/values';
import type { OperationRequest } from './types';

/** Cosine and IoU a compared tensor needs unless the request says otherwise. */
export const DEFAULT_MIN_COSINE = 0.999;
export const DEFAULT_MIN_IOU = 0.95;

export interface CompareRequest extends OperationRequest, Pick<CompareOptions, 'masks' | 'maskThreshold'> {
  readonly reference: Readonly<Record<string, ArrayValue>>;
  readonly candidate: Readonly<Record<string, ArrayValue>>;
  /** Both sides are one file each: their one tensor compares whatever its name. */
  readonly singleFiles?: boolean;
  readonly tolerance?: Partial<Tolerance>;
}

export interface CompareResult {
  readonly tolerance: Tolerance;
  readonly comparisons: readonly OutputComparison[];
  readonly failed: readonly OutputComparison[];
}

export function compare(request: CompareRequest): CompareResult {
  const tolerance: Tolerance = {
    atol: request.tolerance?.atol ?? STRICT_TOLERANCE.atol,
    rtol: request.tolerance?.rtol ?? STRICT_TOLERANCE.rtol,
    minCosine: request.tolerance?.minCosine ?? DEFAULT_MIN_COSINE,
    minIou: request.tolerance?.minIou ?? DEFAULT_MIN_IOU,
  };
  let candidate = request.candidate;
  const names = Object.keys(request.reference);
  if (request.singleFiles && names.length === 1 && Object.keys(candidate).length === 1) candidate = { [names[0]!]: Object.values(candidate)[0]! };
  const comparisons = compareOutputs(request.reference, candidate, {
    tolerance,
    ...(request.masks ? { masks: request.masks } : {}),
    ...(request.maskThreshold !== undefined ? { maskThreshold: request.maskThreshold } : {}),
  });
  return { tolerance, comparisons, failed: comparisons.filter((c) => !c.pass) };
}
