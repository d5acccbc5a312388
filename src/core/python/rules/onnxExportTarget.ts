import type { Support, TargetProfile } from '../../onnx/targets/profile';

/**
 * What the ONNX export rules need of a target profile, as plain data: it travels to the scan workers
 * and into the scan cache key (a TargetProfile holds a Map and its evidence, which neither needs).
 */
export interface ExportTarget {
  readonly id: string;
  readonly name: string;
  /** Default-domain opsets the converter accepts; `certain` false: the range is derived, not documented. */
  readonly opsets?: { readonly min?: number; readonly max?: number; readonly certain: boolean };
  readonly staticShapes: 'required' | 'unverified' | 'not-required';
  /** Verdicts for the ops the export rules look for, and for the ops their fixes export to. */
  readonly ops: Readonly<Record<string, Support>>;
}

/** Ops that the flagged constructs export to, and ops that their source rewrites export to. */
export const EXPORT_RULE_OPS = [
  'Gather', 'Shape', 'Abs', 'Sin', 'Cos', 'Erf', 'Squeeze', 'Equal', 'Cast',
  'Slice', 'Reshape', 'Relu', 'Neg', 'Add', 'Mul', 'Sub', 'Tanh',
] as const;
export type ExportRuleOp = (typeof EXPORT_RULE_OPS)[number];

/** The target the `npuPort.onnx.target` setting and `npu-port scan --target` default to. */
export const DEFAULT_EXPORT_TARGET_ID = 'ascend310p';

export function exportTargetOf(profile: TargetProfile): ExportTarget {
  const ops: Record<string, Support> = {};
  for (const op of EXPORT_RULE_OPS) ops[op] = profile.ops.get(op)?.support ?? profile.unlisted;
  return {
    id: profile.id,
    name: profile.name,
    ...(profile.modelOpsets ? { opsets: { ...profile.modelOpsets } } : {}),
    staticShapes: profile.staticShapes,
    ops,
  };
}

/** The verdict for a group of ops: the worst one (unsupported > unverified > supported). */
export function opsVerdict(target: ExportTarget, ops: readonly ExportRuleOp[]): Support {
  let verdict: Support = 'supported';
  for (const op of ops) {
    const v = target.ops[op] ?? 'unverified';
    if (v === 'unsupported') return 'unsupported';
    if (v === 'unverified') verdict = 'unverified';
  }
  return verdict;
}

/** The ops of `ops` the target does not support for certain, else those it cannot vouch for. */
export function missingOps(target: ExportTarget, ops: readonly ExportRuleOp[]): ExportRuleOp[] {
  const unsupported = ops.filter((op) => target.ops[op] === 'unsupported');
  return unsupported.length ? unsupported : ops.filter((op) => target.ops[op] !== 'supported');
}

/** True when a rewrite that exports to `ops` compiles for the target as far as its data tells. */
export function rewriteFits(target: ExportTarget, ops: readonly ExportRuleOp[]): boolean {
  return ops.every((op) => target.ops[op] !== 'unsupported');
}

/** True when some construct of onnx-export-op can be a finding for this target (else forward bodies need no look). */
export function targetLacksExportOps(target: ExportTarget): boolean {
  return (['Gather', 'Shape', 'Abs', 'Sin', 'Cos', 'Erf', 'Squeeze', 'Equal', 'Cast'] as const).some((op) => target.ops[op] !== 'supported');
}
