/**
 * Output comparison, as the field reports check a port: max and mean absolute error, cosine similarity of
 * the flattened values, and for masks the IoU of the two binary masks after thresholding. One output passes
 * when its max abs error is within `atol + rtol * max|reference|`, its cosine similarity is at least
 * `minCosine`, and (masks) its IoU at least `minIou`.
 */
import { msg, type Message } from '../../l10n';
import { asFloat64, formatDims, type ArrayValue } from './values';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  readonly minCosine: number;
  readonly minIou: number;
}

/** For semantics-preserving rewrites: float32 rounding differences only. */
export const STRICT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4, minCosine: 0.9999, minIou: 0.99 };

export interface CompareOptions {
  readonly tolerance?: Tolerance;
  /** Output names compared as masks (IoU); default: names whose last path segment contains "mask". */
  readonly masks?: readonly string[];
  /** Mask threshold (logits above it are foreground). Default 0, as SAM thresholds mask logits. */
  readonly maskThreshold?: number;
}

export interface OutputComparison {
  readonly name: string;
  readonly referenceDims: readonly number[];
  readonly candidateDims: readonly number[];
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /** max |reference|: the scale the relative tolerance applies to. */
  readonly referenceMaxAbs: number;
  readonly cosine: number;
  /** IoU of the thresholded masks, for mask outputs. */
  readonly iou?: number;
  readonly pass: boolean;
  /** Why it failed (shape, missing output, error beyond tolerance), when it did. */
  readonly problem?: Message;
}

export function isMaskOutput(name: string, options: CompareOptions): boolean {
  // "masks", "low_res_masks", "pred_mask"; not "/mask_decoder/.../Add_output_0" (a module path).
  return options.masks ? options.masks.includes(name) : /mask/i.test(name.split('/').pop() ?? name);
}

export function compareValues(name: string, reference: ArrayValue | undefined, candidate: ArrayValue | undefined, options: CompareOptions = {}): OutputComparison {
  const tolerance = options.tolerance ?? STRICT_TOLERANCE;
  const empty = { name, maxAbsError: Infinity, meanAbsError: Infinity, referenceMaxAbs: 0, cosine: 0, pass: false };
  if (!reference || !candidate) {
    return {
      ...empty, referenceDims: reference?.dims ?? [], candidateDims: candidate?.dims ?? [],
      problem: !reference ? msg('Output "{0}" is missing from the reference.', name) : msg('Output "{0}" is missing from the candidate.', name),
    };
  }
  const base = { name, referenceDims: reference.dims, candidateDims: candidate.dims };
  if (reference.dims.join(',') !== candidate.dims.join(',')) {
    return { ...empty, ...base, problem: msg('Output "{0}" has shape {1}, the reference {2}.', name, formatDims(candidate.dims), formatDims(reference.dims)) };
  }
  const a = asFloat64(reference);
  const b = asFloat64(candidate);
  let maxAbs = 0;
  let sumAbs = 0;
  let refMax = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let nanMismatch = false;
  const mask = isMaskOutput(name, options);
  const threshold = options.maskThreshold ?? 0;
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) nanMismatch = true;
      continue;
    }
    const d = x === y ? 0 : Math.abs(x - y);
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
    const ax = Math.abs(x);
    if (ax > refMax) refMax = ax;
    dot += x * y;
    na += x * x;
    nb += y * y;
    if (mask) {
      const fx = x > threshold;
      const fy = y > threshold;
      if (fx && fy) intersection++;
      if (fx || fy) union++;
    }
  }
  if (nanMismatch) maxAbs = Infinity;
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  const iou = mask ? (union === 0 ? 1 : intersection / union) : undefined;
  const allowed = tolerance.atol + tolerance.rtol * refMax;
  const pass = maxAbs <= allowed && cosine >= tolerance.minCosine && (iou === undefined || iou >= tolerance.minIou);
  const result: OutputComparison = {
    ...base, maxAbsError: maxAbs, meanAbsError: a.length ? sumAbs / a.length : 0, referenceMaxAbs: refMax, cosine, pass,
    ...(iou !== undefined ? { iou } : {}),
  };
  if (pass) return result;
  const problem = maxAbs > allowed
    ? msg('Output "{0}" differs by up to {1} (allowed {2}).', name, maxAbs.toPrecision(3), allowed.toPrecision(3))
    : cosine < tolerance.minCosine
      ? msg('Output "{0}" has cosine similarity {1} (at least {2} needed).', name, cosine.toFixed(6), tolerance.minCosine)
      : msg('Mask "{0}" has IoU {1} after thresholding (at least {2} needed).', name, (iou ?? 0).toFixed(4), tolerance.minIou);
  return { ...result, problem };
}

/** Compares every output of the reference (and reports candidate outputs the reference lacks). */
export function compareOutputs(
  reference: Readonly<Record<string, ArrayValue>>, candidate: Readonly<Record<string, ArrayValue>>, options: CompareOptions = {},
): OutputComparison[] {
  const names = [...Object.keys(reference), ...Object.keys(candidate).filter((n) => !(n in reference))];
  return names.map((name) => compareValues(name, reference[name], candidate[name], options));
}
