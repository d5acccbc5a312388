import type { Node, Tree } from 'web-tree-sitter';
import { parentOf } from './parents';
import { stringLiteral } from './syntax';

/**
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

const withAlternative = new WeakMap<Tree, Map<number, boolean>>();
const anyBranch = new WeakMap<Tree, Map<number, boolean>>();

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
