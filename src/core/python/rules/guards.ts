import type { Node } from 'web-tree-sitter';
import type { RuleContext } from '../context';
import type { Span } from '../syntax';
import type { Fix } from '../types';

/**
 * CUDA guards converted together with the code under them, or not at all.
 *
 * A fix turns `if torch.cuda.is_available():` into a guard that is true on an NPU host
 * (dm.is_accelerator_available(), torch.npu.is_available()). When the branch holds CUDA calls the fix
 * style cannot port (torch.cuda.get_device_capability(), torch.cuda.nvtx, ...), converting the guard
 * would run them on the NPU host, where they fail. Such a guard is left as it is, and so is every fix
 * inside its statement (a CUDA-only branch stays CUDA-only, consistently).
 *
 * Likewise a multi-backend dispatch (`if device == "cuda": ... elif device == "npu": ...`, or branches on
 * torch.backends.mps / torch.xpu availability) already has its other paths: its CUDA branch is left as it
 * is, rather than turned into a second NPU branch that takes the CUDA host's path away.
 */
export interface GuardCheck {
  /** The first torch.cuda use under the guard that the style cannot fix (its text), or undefined. */
  blocking(statement: Node): string | undefined;
}

/** Decides whether a torch.cuda use at `top` (an attribute chain, with its call) has a fix in this style. */
export type FixableCudaUse = (top: Node, call: Node | undefined, qualified: string) => boolean;

const memo = new WeakMap<RuleContext, Map<number, string | undefined>>();

/** The if / elif statement (or ternary) whose condition holds `guardCall`, if any. */
export function guardStatement(guardCall: Node): Node | undefined {
  let current = guardCall;
  for (let parent = current.parent; parent; current = parent, parent = parent.parent) {
    if (parent.type === 'not_operator' || parent.type === 'boolean_operator' || parent.type === 'parenthesized_expression') continue;
    if (parent.type === 'if_statement' && parent.childForFieldName('condition')?.id === current.id) return parent;
    if (parent.type === 'elif_clause' && parent.childForFieldName('condition')?.id === current.id) return parent.parent ?? undefined;
    if (parent.type === 'conditional_expression' && parent.namedChildren[1]?.id === current.id) return parent;
    return undefined;
  }
  return undefined;
}

/** The text of the first torch.cuda use in `statement` (outside CUDA availability checks) that has no fix in the style. */
export function blockingCudaUse(ctx: RuleContext, statement: Node, fixable: FixableCudaUse): string | undefined {
  let known = memo.get(ctx);
  if (!known) memo.set(ctx, (known = new Map()));
  if (known.has(statement.startIndex)) return known.get(statement.startIndex);
  let found: string | undefined;
  const end = statement.endIndex;
  for (let at = ctx.text.indexOf('cuda', statement.startIndex); at !== -1 && at < end && !found; at = ctx.text.indexOf('cuda', at + 4)) {
    const id = ctx.tree.rootNode.descendantForIndex(at, at + 4);
    if (id?.type !== 'identifier') continue;
    let top = id;
    while (top.parent?.type === 'attribute') top = top.parent;
    const qualified = ctx.imports.qualify(top);
    if (!qualified || !qualified.startsWith('torch.cuda.') || qualified === 'torch.cuda.is_available') continue;
    const call = top.parent?.type === 'call' && top.parent.childForFieldName('function')?.id === top.id ? top.parent : undefined;
    if (!fixable(top, call, qualified)) found = (call ?? top).text;
  }
  known.set(statement.startIndex, found);
  return found;
}

/**
 * The fixes of a finding at `node`, or none when it sits inside a CUDA guard that stays as it is
 * (blockingCudaUse). `isCudaGuard` tells whether a condition is a CUDA availability check.
 */
export function fixesUnderGuards(ctx: RuleContext, node: Span, fixes: readonly Fix[], isCudaGuard: (condition: Node) => boolean, fixable: FixableCudaUse): readonly Fix[] {
  if (fixes.length === 0 || (!ctx.text.includes('is_available') && !ctx.text.includes('elif'))) return fixes;
  const start = ctx.tree.rootNode.descendantForIndex(node.startIndex, node.endIndex);
  for (let n: Node | null = start; n; n = n.parent) {
    const statement = n.type === 'if_statement' || n.type === 'conditional_expression' ? n : undefined;
    if (!statement) continue;
    const conditions = statement.type === 'if_statement'
      ? [statement.childForFieldName('condition'), ...statement.namedChildren.filter((c) => c?.type === 'elif_clause').map((c) => c!.childForFieldName('condition'))]
      : [statement.namedChildren[1] ?? null];
    if (statement.type === 'if_statement' && isMultiBackendDispatch(conditions)) return [];
    // the guard's own finding decides for itself (names.ts)
    if (conditions.some((c) => c && c.startIndex <= node.startIndex && node.endIndex <= c.endIndex)) continue;
    if (conditions.some((c) => c && isCudaGuard(c)) && blockingCudaUse(ctx, statement, fixable)) return [];
  }
  return fixes;
}

const CUDA_CONDITION = /(["'])cuda(?::\d+)?\1|\bcuda\.is_available\b/;
const OTHER_BACKEND = /(["'])(?:npu|mps|xpu|hpu|mlu|musa|xla)(?::\d+)?\1|\b(?:npu|mps|xpu|hpu|mlu|musa)\b[\w.]*\.is_available\b|\bis_(?:npu|mps|xpu|hpu|mlu|musa)_available\b/;

/** if / elif conditions of which one selects CUDA and another one a different accelerator. */
export function isMultiBackendDispatch(conditions: readonly (Node | null)[]): boolean {
  const texts = conditions.flatMap((c) => (c ? [c.text] : []));
  return texts.length > 1 && texts.some((t) => CUDA_CONDITION.test(t)) && texts.some((t) => OTHER_BACKEND.test(t));
}
