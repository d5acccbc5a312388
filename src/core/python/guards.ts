import type { Node, Tree } from 'web-tree-sitter';
import type { RuleContext } from './context';
import { NodeLocator, parentOf } from './parents';
import { stringLiteral, type Span } from './syntax';
import { NPU_PRESENT } from './fixes/kit';
import type { Fix } from './types';

/**
 * CUDA guards, in one place: the severity of findings under them (inCudaBranchWithAlternative, used by analyze.ts)
 * and whether fixes under them are applied (fixesUnderGuards, used by the rules' fixes).
 *
 * CUDA-only branches: the body of `if torch.cuda.is_available():`, `if device.type == "cuda":`,
 * `elif args.device == "cuda":`, `x.cuda() if use_cuda else x`. A finding inside such a branch is
 * code that never runs on an NPU host; when the code already has another path (an else / elif branch,
 * or the other arm of a conditional expression), porting is the guard's business, not each line's.
 */

const CUDA_FLAG = /^(use_cuda|cuda|is_cuda|on_cuda|with_cuda|has_cuda|cuda_available)$/i;

function unwrap(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren[0]) n = n.namedChildren[0];
  return n;
}

function isCudaString(node: Node): boolean {
  const lit = stringLiteral(node);
  return lit !== undefined && lit.interpolations.length === 0 && /^cuda(:\d+)?$/.test(lit.content);
}

/** True when `cond` holds only on a CUDA host (a CUDA availability test, a comparison with "cuda", a CUDA flag). */
export function isCudaCondition(cond: Node | null): boolean {
  if (!cond) return false;
  const node = unwrap(cond);
  switch (node.type) {
    case 'call': {
      const fn = node.childForFieldName('function');
      if (!fn) return false;
      // torch.cuda.is_available(), cuda.is_available(); str(device).startswith("cuda")
      if (/(^|\.)cuda\.is_available$/.test(fn.text) || /(^|\.)is_cuda_available$/.test(fn.text)) return true;
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'startswith') {
        const arg = node.childForFieldName('arguments')?.namedChildren[0];
        return arg ? isCudaString(arg) : false;
      }
      return false;
    }
    case 'comparison_operator': {
      const ops = node.children.filter((c): c is Node => c !== null && !c.isNamed).map((c) => c.type);
      if (ops.length !== 1) return false;
      const [left, right] = node.namedChildren;
      if (!left || !right) return false;
      // device.type == "cuda", "cuda" == device, "cuda" in str(device)
      if (ops[0] === '==' || ops[0] === 'is') return isCudaString(unwrap(left)) || isCudaString(unwrap(right));
      if (ops[0] === 'in') return isCudaString(unwrap(left));
      // torch.cuda.device_count() > 0
      if (ops[0] === '>' || ops[0] === '>=') return /(^|\.)cuda\.device_count\s*\(\s*\)$/.test(left.text);
      return false;
    }
    case 'boolean_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op === 'and') return isCudaCondition(left) || isCudaCondition(right);
      return isCudaCondition(left) && isCudaCondition(right);
    }
    case 'identifier':
      return CUDA_FLAG.test(node.text);
    case 'attribute': {
      const name = node.childForFieldName('attribute')?.text ?? '';
      return CUDA_FLAG.test(name);
    }
    default:
      return false;
  }
}

const NPU_WORD = /\bnpu\b|is_npu|torch_npu|npu_available|"npu|'npu/;

/**
 * True when `node` is inside a CUDA-only branch that has another path (else, elif, the other arm of a
 * conditional expression). The guard's own condition is not inside its branch.
 */
export function inCudaBranchWithAlternative(node: Node): boolean {
  return decideUpwards(node, withAlternative, (child, parent) => {
    if (parent.type === 'conditional_expression') {
      // a if cond else b: the first arm runs only when cond holds
      const [then, cond] = parent.namedChildren;
      return then?.id === child.id && isCudaCondition(cond ?? null) ? true : undefined;
    }
    if (child.type !== 'block') return undefined;
    if (parent.type === 'if_statement' && parent.childForFieldName('consequence')?.id === child.id) {
      return isCudaCondition(parent.childForFieldName('condition')) && parent.childrenForFieldName('alternative').some((c) => c !== null) ? true : undefined;
    }
    // the if before an elif is always another path
    if (parent.type === 'elif_clause' && parent.childForFieldName('consequence')?.id === child.id && isCudaCondition(parent.childForFieldName('condition'))) return true;
    return undefined;
  });
}

/** True when `node` is inside the body of a CUDA-only if / elif (with or without another path). */
export function insideCudaBranch(node: Node): boolean {
  return decideUpwards(node, anyBranch, (child, parent) =>
    child.type === 'block' && (parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('consequence')?.id === child.id && isCudaCondition(parent.childForFieldName('condition'))
      ? true
      : undefined);
}

/**
 * True when `node` is in the CUDA arm that a torchNpu fix keeps beside its NPU form, `(NPU if hasattr(torch, "npu")
 * else ORIGINAL)` (fixes/kit.ts): the NPU path is taken first where torch_npu is; reporting the original again
 * would wrap it again on the next pass.
 */
export function inNpuFallback(node: Node): boolean {
  return decideUpwards(node, npuFallback, (child, parent) =>
    parent.type === 'conditional_expression' && parent.namedChildren[2]?.id === child.id && parent.namedChildren[1]?.text.startsWith(NPU_PRESENT) ? true : undefined);
}

/** The node of a finding: itself when it is one (a search from the root costs the depth, per finding). */
export function nodeAt(tree: Tree, span: Span): Node | null {
  return 'tree' in span ? (span as Node) : tree.rootNode.descendantForIndex(span.startIndex, span.endIndex);
}

const withAlternative = new WeakMap<Tree, Map<number, boolean>>();
const anyBranch = new WeakMap<Tree, Map<number, boolean>>();
const npuFallback = new WeakMap<Tree, Map<number, boolean>>();

/**
 * Walks from `node` up to the root until `step` decides on a (child, parent) pair (false when nothing
 * does). The answer is remembered for every node on the way, so the findings of one long expression
 * share one walk: walking up from each was quadratic in the expression's depth.
 */
function decideUpwards(node: Node, memo: WeakMap<Tree, Map<number, boolean>>, step: (child: Node, parent: Node) => boolean | undefined): boolean {
  let answers = memo.get(node.tree);
  if (!answers) memo.set(node.tree, (answers = new Map()));
  const path: number[] = [];
  let answer = false;
  for (let child: Node = node, parent = parentOf(node); parent; child = parent, parent = parentOf(parent)) {
    const known = answers.get(child.id);
    if (known !== undefined) {
      answer = known;
      break;
    }
    path.push(child.id);
    const decided = step(child, parent);
    if (decided !== undefined) {
      answer = decided;
      break;
    }
  }
  for (const id of path) answers.set(id, answer);
  return answer;
}

/** `cond` is (part of) the condition of an if / elif whose chain has an NPU branch. */
export function npuAlternativeOfGuard(cond: Node): boolean {
  let current = cond;
  let parent = parentOf(cond);
  while (parent && (parent.type === 'boolean_operator' || parent.type === 'parenthesized_expression' || parent.type === 'not_operator')) {
    current = parent;
    parent = parentOf(parent);
  }
  if (!parent || (parent.type !== 'if_statement' && parent.type !== 'elif_clause') || parent.childForFieldName('condition')?.id !== current.id) return false;
  const chain = parent.type === 'elif_clause' ? parentOf(parent) : parent;
  if (!chain) return false;
  const branches = [chain.childForFieldName('condition'), ...chain.childrenForFieldName('alternative')].filter((c): c is Node => c !== null && c.id !== parent.id && c.id !== current.id);
  return branches.some((b) => NPU_WORD.test(b.type === 'else_clause' ? b.text : (b.childForFieldName('condition') ?? b).text));
}

/*
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
 * (fixesUnderGuards, with blockingCudaUse and isMultiBackendDispatch)
 */

/** Decides whether a torch.cuda use at `top` (an attribute chain, with its call) has a fix in this style. */
export type FixableCudaUse = (top: Node, call: Node | undefined, qualified: string) => boolean;

const memo = new WeakMap<RuleContext, Map<number, string | undefined>>();

/** The if / elif statement (or ternary) whose condition holds `guardCall`, if any. */
export function guardStatement(guardCall: Node): Node | undefined {
  let current = guardCall;
  for (let parent = parentOf(current); parent; current = parent, parent = parentOf(parent)) {
    if (parent.type === 'not_operator' || parent.type === 'boolean_operator' || parent.type === 'parenthesized_expression') continue;
    if (parent.type === 'if_statement' && parent.childForFieldName('condition')?.id === current.id) return parent;
    if (parent.type === 'elif_clause' && parent.childForFieldName('condition')?.id === current.id) return parentOf(parent) ?? undefined;
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
  // offsets in increasing order: one cursor moving right, not a search from the root per occurrence
  const locator = new NodeLocator(ctx.tree);
  try {
    for (let at = ctx.text.indexOf('cuda', statement.startIndex); at !== -1 && at < end && !found; at = ctx.text.indexOf('cuda', at + 4)) {
      const id = locator.at(at);
      if (id.type !== 'identifier') continue;
      let top = id;
      for (let up = parentOf(top); up?.type === 'attribute'; up = parentOf(up)) top = up;
      const qualified = ctx.imports.qualify(top);
      if (!qualified || !qualified.startsWith('torch.cuda.') || qualified === 'torch.cuda.is_available') continue;
      const parent = parentOf(top);
      const call = parent?.type === 'call' && parent.childForFieldName('function')?.id === top.id ? parent : undefined;
      if (!fixable(top, call, qualified)) found = (call ?? top).text;
    }
  } finally {
    locator.delete();
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
  for (let n: Node | null = nodeAt(ctx.tree, node); n; n = parentOf(n)) {
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
