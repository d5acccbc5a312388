import type { ExportTarget } from './onnxExportTarget';

/**
 * What the Python rules know of each built-in Ascend target (setting npuPort.onnx.target, scan --target),
 * with the product series CANN documents name them by:
 *  ascend310  Atlas 200/300/500 inference products
 *  ascend310p Atlas inference series (Atlas 300I Pro / Duo)
 *  ascend910  Atlas training series
 *  ascend910b Atlas A2 training / inference series
 * (the SoC ↔ series table of cann/asc-devkit PR 6574, and MindCluster 7.0.RC1's resource names).
 * Sources of each fact are in the rule catalog (catalog.ts) and the rule documentation.
 */
export type AscendChip = 'ascend310' | 'ascend310p' | 'ascend910' | 'ascend910b';

const CHIPS = new Set<string>(['ascend310', 'ascend310p', 'ascend910', 'ascend910b']);

/** The Ascend chip of a built-in target; undefined for QNN, whitelist profiles and no target. */
export function chipOf(target: ExportTarget | undefined): AscendChip | undefined {
  return target && CHIPS.has(target.id) ? (target.id as AscendChip) : undefined;
}

/** Display names used in messages. */
export const CHIP_NAMES: Readonly<Record<AscendChip, string>> = {
  ascend310: 'Ascend 310 (Atlas 200/300/500 inference)',
  ascend310p: 'Ascend 310P (Atlas inference series)',
  ascend910: 'Ascend 910 (Atlas training series)',
  ascend910b: 'Ascend 910B (Atlas A2)',
};

/**
 * bfloat16: CANN 8.5.0's Cast operator lists BFLOAT16 for Atlas A2 / A3 only, and aclnnCat's documentation
 * says the Atlas inference and training series (310P, 910) do not support it.
 */
export function hasBf16(chip: AscendChip): boolean {
  return chip === 'ascend910b';
}

/** The display names of the chips without bfloat16 (for a message when no target was chosen). */
export function chipsWithoutBf16(): string {
  return (Object.keys(CHIP_NAMES) as AscendChip[]).filter((c) => !hasBf16(c)).map((c) => CHIP_NAMES[c]).join(', ');
}

/** Triton kernels: triton-ascend 3.2.0 lists Atlas A2 and A3 products only. */
export function runsTriton(chip: AscendChip): boolean {
  return chip === 'ascend910b';
}
