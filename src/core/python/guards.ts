import type { Node } from 'web-tree-sitter';
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
  for (let child: Node = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'conditional_expression') {
      // a if cond else b: the first arm runs only when cond holds
      const [then, cond] = parent.namedChildren;
      if (then?.id === child.id && isCudaCondition(cond ?? null)) return true;
      continue;
    }
    if (child.type !== 'block') continue;
    if (parent.type === 'if_statement' && parent.childForFieldName('consequence')?.id === child.id) {
      if (!isCudaCondition(parent.childForFieldName('condition'))) continue;
      if (parent.childrenForFieldName('alternative').some((c) => c !== null)) return true;
      continue;
    }
    if (parent.type === 'elif_clause' && parent.childForFieldName('consequence')?.id === child.id) {
      // the if before an elif is always another path
      if (isCudaCondition(parent.childForFieldName('condition'))) return true;
    }
  }
  return false;
}

/** True when `node` is inside the body of a CUDA-only if / elif (with or without another path). */
export function insideCudaBranch(node: Node): boolean {
  for (let child: Node = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (child.type !== 'block') continue;
    if ((parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('consequence')?.id === child.id && isCudaCondition(parent.childForFieldName('condition'))) return true;
  }
  return false;
}

/** `cond` is (part of) the condition of an if / elif whose chain has an NPU branch. */
export function npuAlternativeOfGuard(cond: Node): boolean {
  let current = cond;
  let parent = cond.parent;
  while (parent && (parent.type === 'boolean_operator' || parent.type === 'parenthesized_expression' || parent.type === 'not_operator')) {
    current = parent;
    parent = parent.parent;
  }
  if (!parent || (parent.type !== 'if_statement' && parent.type !== 'elif_clause') || parent.childForFieldName('condition')?.id !== current.id) return false;
  const chain = parent.type === 'elif_clause' ? parent.parent : parent;
  if (!chain) return false;
  const branches = [chain.childForFieldName('condition'), ...chain.childrenForFieldName('alternative')].filter((c): c is Node => c !== null && c.id !== parent.id && c.id !== current.id);
  return branches.some((b) => NPU_WORD.test(b.type === 'else_clause' ? b.text : (b.childForFieldName('condition') ?? b).text));
}
