import type { RewriteRule } from '../context';
import { absToRelu, equalCastToFloat, erfToTanh } from './arithmetic';
import { foldConstants } from './fold';
import { int64ToInt32 } from './int32';
import { fixInputShapes, gatherToSlice, squeezeToReshape } from './shapes';

/**
 * Every rule, in the order they are applied: shapes are fixed first (static shapes let folding remove
 * Shape chains), then constants are folded (no rule then rewrites a constant subgraph), then the op
 * replacements; int64 narrowing last, on the constants the other rules left or made.
 */
export const REWRITE_RULES: readonly RewriteRule[] = [
  fixInputShapes, foldConstants, gatherToSlice, squeezeToReshape, absToRelu, equalCastToFloat, erfToTanh, int64ToInt32,
];

export function ruleById(id: string): RewriteRule | undefined {
  return REWRITE_RULES.find((r) => r.id === id);
}
