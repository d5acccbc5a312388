import type { Node, Tree } from 'web-tree-sitter';
import type { RuleContext } from './context';
import { NodeLocator, parentOf } from './parents';
import { comparisonOperators, stringLiteral, unparenthesizedParent, type Span } from './syntax';
import { startsWithNpuPresent } from './fixes/kit';
import type { ImportTable } from './symbols';
import type { Fix } from './types';
import { LIBRARY_MODULES } from './rules/libraries';

/**
 * CUDA guards, in one place: the severity of findings under them (redundantBranch and cudaGuardOf, used by analyze.ts)
 * and whether fixes under them are applied (fixesUnderGuards, used by the rules' fixes).
 *
 * CUDA-only branches: the body of `if torch.cuda.is_available():`, `if device.type == "cuda":`,
 * `elif args.device == "cuda":`, `x.cuda() if use_cuda else x`. A finding inside such a branch is
 * code that never runs on an NPU host; when the code already has another path (an else / elif branch,
 * the other arm of a conditional expression, code after a branch that returns, an NPU branch of the same
 * dispatch), it is information (redundantBranch). Without another path the branch is one porting point, the
 * guard's: analyze.ts (foldIntoGuards) makes its findings information pointing at the guard (cudaGuardOf) and
 * raises the guard to a warning that names what an NPU host skips. Optional CUDA-only libraries (an import
 * under try / except ImportError with a fallback, a branch behind the library's switch) are information too.
 */

const CUDA_FLAG = /^(use_cuda|cuda|is_cuda|on_cuda|with_cuda|has_cuda|cuda_available|is_cuda_available|cuda_is_available)$/i;
/** A flag bound to an NCCL test (mmengine's `is_nccl_backend`): true only where NCCL, hence CUDA, runs. */
const NCCL_FLAG = /^(is_)?nccl(_backend)?$/i;

/** A call that asks the host for CUDA: torch.cuda.is_available(), cuda.is_available(), is_cuda_available(). */
const CUDA_AVAILABLE_CALL = /(^|\.)cuda\.is_available$|(^|\.)is_(torch_)?cuda_available$/;
/** torch.cuda.device_count(), compared with a count. */
const CUDA_DEVICE_COUNT = /(^|\.)cuda\.device_count\s*\(\s*\)$/;

/** The expression inside any parentheses. */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren[0]) n = n.namedChildren[0];
  return n;
}

function isCudaString(node: Node, prefix = false): boolean {
  const lit = stringLiteral(node);
  return lit !== undefined && lit.interpolations.length === 0 && (prefix ? /^cuda(:\d*)?$/ : /^cuda(:\d+)?$/).test(lit.content);
}

/** `"nccl"`, `Backend.NCCL`, `torch.distributed.Backend.NCCL`. */
function isNcclBackend(node: Node): boolean {
  const lit = stringLiteral(node);
  if (lit) return lit.interpolations.length === 0 && lit.content === 'nccl';
  return /(^|\.)Backend\.NCCL$/.test(node.text);
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
      if (CUDA_AVAILABLE_CALL.test(fn.text)) return true;
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'startswith') {
        const arg = node.childForFieldName('arguments')?.namedChildren[0];
        return arg ? isCudaString(arg, true) : false;
      }
      return false;
    }
    case 'comparison_operator': {
      const ops = comparisonOperators(node);
      if (ops.length !== 1) return false;
      const [left, right] = node.namedChildren;
      if (!left || !right) return false;
      // device.type == "cuda", "cuda" == device, "cuda" in str(device)
      if (ops[0] === '==' || ops[0] === 'is') return isCudaString(unwrap(left)) || isCudaString(unwrap(right)) || isNcclBackend(unwrap(left)) || isNcclBackend(unwrap(right));
      if (ops[0] === 'in') return isCudaString(unwrap(left));
      // torch.cuda.device_count() > 0
      if (ops[0] === '>' || ops[0] === '>=') return CUDA_DEVICE_COUNT.test(left.text);
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
      return CUDA_FLAG.test(node.text) || NCCL_FLAG.test(node.text);
    case 'attribute': {
      const name = node.childForFieldName('attribute')?.text ?? '';
      return CUDA_FLAG.test(name) || NCCL_FLAG.test(name);
    }
    default:
      return false;
  }
}

/**
 * The condition asks only the host whether CUDA is there (`torch.cuda.is_available()`, `torch.cuda.device_count() > 0`,
 * negated or not), not a value of the program (`"cuda" in device`, `device.type == "cuda"`, `args.cuda`,
 * `torch.cuda.is_available() and not args.cpu`). Only then is `"cuda" if <cond> else "cpu"` the same choice as the
 * device helper's.
 */
export function asksHostForCuda(cond: Node | null): boolean {
  if (!cond) return false;
  const node = unwrap(cond);
  if (node.type === 'not_operator') return asksHostForCuda(node.childForFieldName('argument'));
  if (node.type === 'call') return CUDA_AVAILABLE_CALL.test(node.childForFieldName('function')?.text ?? '');
  return node.type === 'comparison_operator' && isCudaCondition(node) && CUDA_DEVICE_COUNT.test(node.namedChildren[0]?.text ?? '');
}

/**
 * True when `cond` holds only where CUDA is not (`not torch.cuda.is_available()`, `device.type != "cuda"`): the
 * branches after it in its if / elif chain (and its else) run only on CUDA.
 */
export function isNegatedCudaCondition(cond: Node | null): boolean {
  if (!cond) return false;
  const node = unwrap(cond);
  switch (node.type) {
    case 'not_operator':
      return isCudaCondition(node.childForFieldName('argument'));
    case 'comparison_operator': {
      const ops = comparisonOperators(node);
      const [left, right] = node.namedChildren;
      if (ops.length !== 1 || !left || !right) return false;
      if (ops[0] === '!=' || ops[0] === 'is not') return isCudaString(unwrap(left)) || isCudaString(unwrap(right));
      return ops[0] === 'not in' && isCudaString(unwrap(left));
    }
    case 'boolean_operator': {
      // not (a and b) = not a or not b
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op === 'or') return isNegatedCudaCondition(left) || isNegatedCudaCondition(right);
      return isNegatedCudaCondition(left) && isNegatedCudaCondition(right);
    }
    default:
      return false;
  }
}

const NPU_WORD = /\bnpu\b|is_npu|torch_npu|npu_available|"npu|'npu|\bhccl\b|is_hccl|"hccl|'hccl|MULTI_NPU/i;

/**
 * Why a finding inside a branch is information, not a warning or an error (undefined: it is not):
 * - `alternative`: the branch runs only on CUDA and the code has another path (else / elif, the other arm of a
 *   conditional expression, code after a branch that returns or raises, the branch of a negated test before an
 *   else, or the try of a `getattr(torch, name)` lookup before its `except AttributeError` fallback);
 * - `npu-path`: the branch belongs to an if / elif chain that has an NPU (or HCCL) branch, or the finding is a CUDA test
 *   (or a term after it in the same `and`) whose value goes only where an NPU term is beside it (cudaTermBesideNpu);
 * - `library`: the branch runs only behind a switch or check of a CUDA-only library (has_apex, use_flash_attn,
 *   is_xformers_available(), bitsandbytes' Int8Params / Linear8bitLt ...), so the code has a path without it;
 *   The body of a function decorated by a same-file decorator that calls it only on CUDA and returns something
 *   else without CUDA (decoratedCudaOnly) is `alternative` too.
 * - `cuda-method`: the body of a `def cuda(...)` override, which runs where the program's callers ask for
 *   `.cuda()` (those calls are reported).
 * The guard's own condition is not inside its branch, except an `and` that also tests a CUDA-only library.
 */
export type RedundantReason = 'alternative' | 'npu-path' | 'library' | 'cuda-method';

export function redundantBranch(node: Node): RedundantReason | undefined {
  return decideUpwards(node, redundant, (child, parent): RedundantReason | null | undefined => {
    if (cudaTermBesideNpu(child, parent)) return 'npu-path';
    if (parent.type === 'conditional_expression') {
      // a if cond else b: the first arm runs only when cond holds, the second only when it does not
      const [then, cond, other] = parent.namedChildren;
      if (!cond) return undefined;
      if (other?.id === child.id) return isNegatedCudaCondition(cond) ? 'alternative' : undefined;
      if (then?.id !== child.id) return undefined;
      return isCudaCondition(cond) ? 'alternative' : isLibraryCondition(cond) ? 'library' : undefined;
    }
    if ((parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('condition')?.id === child.id) {
      // `if param.device.type != "cuda" and param_cls.__name__ in ["Int8Params", "FP4Params"]:`
      return unwrap(child).type === 'boolean_operator' && isLibraryCondition(child) ? 'library' : undefined;
    }
    if (parent.type === 'block' && afterCudaTestSkip(child, parent)) return 'alternative';
    if (child.type !== 'block') return undefined;
    if (parent.type === 'class_definition') return parent.childForFieldName('body')?.id === child.id && isLibraryClass(parent) ? 'library' : undefined;
    if (parent.type === 'function_definition') {
      if (parent.childForFieldName('body')?.id !== child.id) return undefined;
      if (parent.childForFieldName('name')?.text === 'cuda') return 'cuda-method';
      return skippedWithoutCuda(parent) || decoratedCudaOnly(parent) ? 'alternative' : requiresLibraryOnEntry(parent) ? 'library' : undefined;
    }
    if (parent.type === 'else_clause') {
      const chain = parentOf(parent);
      if (chain?.type !== 'if_statement') return undefined;
      if (chainHasNpuBranch(chain, parent, true)) return 'npu-path';
      // `if not torch.cuda.is_available(): <CPU / NPU path> else: <CUDA>`: the else runs only on CUDA
      return afterNegatedCudaBranch(chain, parent) ? 'alternative' : undefined;
    }
    // `try: return getattr(torch, device_name) except AttributeError: return torch.cuda`: the try is the other path
    if (parent.type === 'except_clause') return isDeviceModuleFallback(parent) ? 'alternative' : undefined;
    if ((parent.type !== 'if_statement' && parent.type !== 'elif_clause') || parent.childForFieldName('consequence')?.id !== child.id) return undefined;
    const chain = parent.type === 'elif_clause' ? parentOf(parent) : parent;
    if (parent.type === 'elif_clause' && chain && afterNegatedCudaBranch(chain, parent)) return 'alternative';
    const cond = parent.childForFieldName('condition');
    if (isCudaCondition(cond)) {
      // an NPU host passes a CUDA-only branch by and takes the NPU branch; the if before an elif is always another path
      if (chain && chainHasNpuBranch(chain, parent, false)) return 'npu-path';
      if (parent.type === 'elif_clause' || hasOtherPath(parent)) return 'alternative';
      return undefined;
    }
    // a branch after the NPU branch: an NPU host took that one (a branch before it may run on an NPU host: DeepSpeed's)
    if (chain && chainHasNpuBranch(chain, parent, true)) return 'npu-path';
    return cond && (isLibraryCondition(cond) || switchSelectsLibrary(parent, cond)) ? 'library' : undefined;
  }) ?? undefined;
}

/** pytest's and unittest's conditional skips: `@pytest.mark.skipif(cond, ...)`, `@unittest.skipIf(cond, ...)`, `@unittest.skipUnless(cond, ...)`. */
const SKIP_IF = /(^|\.)(skipif|skipIf)$/;
const SKIP_UNLESS = /(^|\.)skipUnless$/;

/** The condition of a conditional-skip decorator, and whether it is skipUnless's (the test runs where it holds). */
function skipCondition(decorator: Node): { cond: Node; unless: boolean } | undefined {
  const call = decorator.namedChildren[0];
  if (call?.type !== 'call') return undefined;
  const fn = call.childForFieldName('function')?.text ?? '';
  const unless = SKIP_UNLESS.test(fn);
  if (!unless && !SKIP_IF.test(fn)) return undefined;
  const cond = call.childForFieldName('arguments')?.namedChildren[0];
  return cond && cond.type !== 'keyword_argument' ? { cond, unless } : undefined;
}

/**
 * A test marked to be skipped where CUDA is not (`@pytest.mark.skipif(not torch.cuda.is_available(), ...)`,
 * `@pytest.mark.skipif(not cuda_available, ...)`, `@unittest.skipUnless(torch.cuda.is_available(), ...)`): its body
 * runs only on CUDA, and the skip is the test suite's other path.
 */
function skippedWithoutCuda(fn: Node): boolean {
  const decorated = parentOf(fn);
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((d) => {
    const skip = d?.type === 'decorator' ? skipCondition(d) : undefined;
    return skip !== undefined && (skip.unless ? isCudaCondition(skip.cond) : isNegatedCudaCondition(skip.cond));
  });
}

/** A test function or a test helper (`test_softmax`, `_test_softmax`): returning early from it skips the test. */
const TEST_FUNCTION = /^_*test/i;

/**
 * `def _test_softmax(self): if not torch.cuda.is_available(): return` then CUDA code (mmcv's tests): in a test, the
 * early return where CUDA is not is the test's skip, so the statements after it run only on CUDA and the skip is the
 * other path. (In program code the same early return makes an NPU host skip the work: that folds into the guard.)
 */
function afterCudaTestSkip(statement: Node, block: Node): boolean {
  const fn = parentOf(block);
  if (fn?.type !== 'function_definition' || !TEST_FUNCTION.test(fn.childForFieldName('name')?.text ?? '')) return false;
  for (let prev = statement.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
    if (prev.type !== 'if_statement' || prev.childrenForFieldName('alternative').length > 0) continue;
    const body = prev.childForFieldName('consequence')?.namedChildren.filter((c) => c !== null && c.type !== 'comment') ?? [];
    if (body.length === 1 && body[0]!.type === 'return_statement' && isNegatedCudaCondition(prev.childForFieldName('condition'))) return true;
  }
  return false;
}

/** True when `node` is in the condition of a conditional-skip decorator (`@unittest.skipUnless(torch.cuda.is_available(), ...)`): it decides which tests are skipped, correct on every host. */
export function inSkipCondition(node: Node): boolean {
  let decorator: Node | null = node;
  while (decorator && decorator.type !== 'decorator' && decorator.type !== 'block' && decorator.type !== 'module') decorator = parentOf(decorator);
  const skip = decorator?.type === 'decorator' ? skipCondition(decorator) : undefined;
  return skip !== undefined && skip.cond.startIndex <= node.startIndex && node.endIndex <= skip.cond.endIndex;
}

/** Per tree: whether the file has a conditional skip at all (looked for once, not once per finding). */
const skipDecorators = new WeakMap<Tree, boolean>();

/**
 * `cuda_available = torch.cuda.is_available()` (a module or class attribute of a test file) whose name is read only in
 * the conditions of skip decorators (`@pytest.mark.skipif(not cuda_available, ...)`): it decides which tests are
 * skipped, correct on every host. `at` is (in) the assigned value.
 */
export function onlyDecidesSkips(tree: Tree, text: string, at: Node): boolean {
  let skips = skipDecorators.get(tree);
  if (skips === undefined) skipDecorators.set(tree, (skips = /\bskip(if|If|Unless)\b/.test(text)));
  if (!skips) return false;
  let value: Node = at;
  for (let up = parentOf(value); up && up.type !== 'assignment'; up = parentOf(up)) {
    if (up.type !== 'call' && up.type !== 'attribute' && up.type !== 'argument_list') return false;
    value = up;
  }
  const assignment = parentOf(value);
  const target = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === value.id ? assignment.childForFieldName('left') : null;
  if (target?.type !== 'identifier') return false;
  const word = new RegExp(`\\b${target.text}\\b`, 'g');
  let reads = 0;
  for (let m = word.exec(text); m; m = word.exec(text)) {
    if (m.index === target.startIndex) continue;
    const id = tree.rootNode.descendantForIndex(m.index, m.index + m[0].length);
    if (!id || id.type !== 'identifier' || id.text !== target.text) continue; // strings, comments
    if (!inSkipCondition(id)) return false;
    reads++;
  }
  return reads > 0;
}

/** An import of a CUDA-only library (flash_attn, xformers, apex, bitsandbytes, triton, ...) as a line of a block. */
const LIBRARY_IMPORT = new RegExp(`^[ \\t]*(?:from|import)[ \\t]+(?:${LIBRARY_MODULES.join('|')})\\b`, 'm');

/**
 * `if use_kernel: from apex.normalization import FusedLayerNorm ... else: nn.LayerNorm(...)`: a plain switch (a name or
 * an attribute, no test of a device) whose branch imports a CUDA-only library and whose if has another path selects
 * that library (Open-Sora's use_kernel): the code runs without it where the switch is off.
 */
function switchSelectsLibrary(branch: Node, cond: Node): boolean {
  const test = unwrap(cond);
  if (test.type !== 'identifier' && test.type !== 'attribute') return false;
  if (branch.type !== 'elif_clause' && !hasOtherPath(branch)) return false;
  return importsLibrary(branch.childForFieldName('consequence'));
}

/** Per tree: names of the classes a dict selects under a CUDA-only library's key, when the module imports the library only optionally. */
const libraryClasses = new WeakMap<Tree, Set<string>>();

/**
 * A class that runs only with a CUDA-only library: the module maps the library's name to it (transformers' modeling
 * files: `MIXTRAL_ATTENTION_CLASSES = {"eager": ..., "flash_attention_2": MixtralFlashAttention2}`, looked up by
 * `config._attn_implementation`) and imports the library only optionally (under `if is_flash_attn_2_available():` or
 * with an ImportError fallback). Other keys of the table are the code's other paths; a module that imports the library
 * unconditionally does not load without it, and its import is the finding that matters.
 */
function isLibraryClass(cls: Node): boolean {
  const name = cls.childForFieldName('name')?.text;
  if (!name) return false;
  let names = libraryClasses.get(cls.tree);
  if (!names) {
    libraryClasses.set(cls.tree, new Set()); // an import inside a class asks again while the set is made
    libraryClasses.set(cls.tree, (names = selectedClasses(cls.tree)));
  }
  return names.has(name);
}

function selectedClasses(tree: Tree): Set<string> {
  const out = new Set<string>();
  const text = tree.rootNode.text;
  if (!LIBRARY_IMPORT.test(text) || !/flash_?att|xformers|apex|triton/i.test(text)) return out;
  // the module's library imports: every one optional (inside a library-switch branch or a try with a fallback)
  const imports = tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement']).filter((n): n is Node => n !== null && LIBRARY_IMPORT.test(n.text));
  if (imports.some((n) => !inOptionalImport(n) && redundantBranch(n) !== 'library')) return out;
  for (const pair of tree.rootNode.descendantsOfType('pair')) {
    const key = pair && stringLiteral(pair.childForFieldName('key') ?? pair);
    const value = pair?.childForFieldName('value');
    if (key && value?.type === 'identifier' && LIBRARY_WORD.test(key.content.replace(/attention/i, 'attn'))) out.add(value.text);
  }
  return out;
}

/**
 * A branch of an if / elif chain (an elif or the else) after a branch whose test holds only where CUDA is not and
 * which does something: the branch runs only on CUDA, and that earlier branch is the code's other path.
 */
function afterNegatedCudaBranch(chain: Node, branch: Node): boolean {
  for (const b of [chain, ...chain.childrenForFieldName('alternative')]) {
    if (!b || b.id === branch.id) return false;
    if (b.type !== 'else_clause' && isNegatedCudaCondition(b.childForFieldName('condition')) && !doesNothing(b.childForFieldName('consequence'))) return true;
  }
  return false;
}

const DEVICE_MODULE_LOOKUP = /\bgetattr\(\s*torch\s*,\s*(?!["'])[\w.]/;
const LOOKUP_ERRORS = /^\(?\s*(\w+\.)*(AttributeError|Exception)\b/;

/**
 * The handler of `try: ... getattr(torch, name) ... except AttributeError:` (a device module looked up by the
 * device's name, torchtune's and verl's `get_torch_device`): its CUDA code is the fallback of a lookup that
 * finds torch.npu on an NPU host.
 */
function isDeviceModuleFallback(handler: Node): boolean {
  const tryStatement = parentOf(handler);
  if (tryStatement?.type !== 'try_statement' || handler.type !== 'except_clause') return false;
  // the caught type (not the handler's text, which may be long: this runs on keystrokes too, outermostCudaIf)
  const caught = handler.namedChildren.find((c) => c !== null && c.type !== 'block' && c.type !== 'comment');
  if (caught && !LOOKUP_ERRORS.test(caught.text)) return false;
  return DEVICE_MODULE_LOOKUP.test(tryStatement.childForFieldName('body')?.text ?? '');
}

/** Statements that do nothing: `pass`, `...`, a docstring. */
function doesNothing(block: Node | null): boolean {
  return !block || block.namedChildren.every((s) => s === null || s.type === 'pass_statement' || s.type === 'comment' || (s.type === 'expression_statement' && (s.namedChildren[0]?.type === 'ellipsis' || s.namedChildren[0]?.type === 'string')));
}

/**
 * An if statement with another path: an elif, an else that does something, or, for a branch that ends in
 * return / raise, the statements after the if.
 */
function hasOtherPath(ifStatement: Node): boolean {
  const alternatives = ifStatement.childrenForFieldName('alternative').filter((c): c is Node => c !== null);
  if (alternatives.some((a) => a.type === 'elif_clause' || !doesNothing(a.childForFieldName('body')))) return true;
  if (alternatives.length) return false;
  const last = ifStatement.childForFieldName('consequence')?.lastNamedChild;
  if (last?.type !== 'return_statement' && last?.type !== 'raise_statement') return false;
  for (let next = ifStatement.nextNamedSibling; next; next = next.nextNamedSibling) if (next.type !== 'comment') return true;
  return false;
}

/** A condition of an if / elif chain, or its else, other than `branch`'s (only those before it: `before`), names the NPU (or HCCL). */
function chainHasNpuBranch(chain: Node, branch: Node, before: boolean): boolean {
  const all = [chain, ...chain.childrenForFieldName('alternative')].filter((c): c is Node => c !== null);
  const at = all.findIndex((c) => c.id === branch.id);
  const others = before ? all.slice(0, Math.max(0, at)) : all.filter((c) => c.id !== branch.id);
  return others.some((b) => NPU_WORD.test(b.type === 'else_clause' ? b.text : (b.childForFieldName('condition') ?? b).text));
}

/**
 * Words of a switch or check of a CUDA-only library: flash-attn, xFormers, Apex, bitsandbytes (and its Int8Params /
 * FP4Params / Params4bit / Linear8bitLt / Linear4bit types), Triton, SageMaker's data-parallel library (smddp,
 * NVIDIA GPU instances only), and Unsloth (its pyproject.toml at commit 00497907 classifies it "Environment :: GPU ::
 * NVIDIA CUDA", requires triton on Linux and installs CUDA builds of xformers; cited in the bitsandbytes rule).
 */
const LIBRARY_WORD = /(^|[^a-z])(flash_?attn|xformers|apex|bitsandbytes|bnb|triton|smddp|smdistributed|sagemaker_dp|unsloth)([^a-z]|$)|[48]bit|Int8Params|FP4Params|Params4bit|Linear8bitLt|Linear4bit/i;

/** A bit-width switch compared with 4 or 8 (`args.bits == 4`, `quant_bits == 8`): 4- / 8-bit quantization. */
const QUANT_BITS = /^[\w.]*bits\s*==\s*[48]$|^[48]\s*==\s*[\w.]*bits$/i;

/** True when `cond` holds only where a CUDA-only library is used: a positive test that names it (in an `and`: one operand). */
function isLibraryCondition(cond: Node): boolean {
  const node = unwrap(cond);
  switch (node.type) {
    case 'boolean_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return false;
      return node.childForFieldName('operator')?.type === 'and' ? isLibraryCondition(left) || isLibraryCondition(right) : isLibraryCondition(left) && isLibraryCondition(right);
    }
    case 'comparison_operator': {
      const ops = comparisonOperators(node);
      if (ops.length !== 1) return false;
      // `args.bits == 4`: a quantization bit width the user chose (xtuner's --bits 4 / 8 loads bitsandbytes)
      if (ops[0] === '==' && QUANT_BITS.test(node.text)) return true;
      // `args.use_bnb_linear is not None`: the switch was given
      if (ops[0] === 'is not') return node.namedChildren[1]?.type === 'none' && LIBRARY_WORD.test(node.namedChildren[0]?.text ?? '');
      // `use_bnb is None` holds where the switch was not given
      if (ops[0] === 'is' && node.namedChildren.some((c) => c?.type === 'none')) return false;
      return (ops[0] === '==' || ops[0] === 'in' || ops[0] === 'is') && LIBRARY_WORD.test(node.text);
    }
    case 'identifier':
    case 'attribute':
    case 'call':
      return LIBRARY_WORD.test(node.text);
    default:
      return false;
  }
}

const IMPORT_ERRORS = /^except\s*(:|\(?\s*(\w+\.)*(ImportError|ModuleNotFoundError|Exception|BaseException)\b)/;

/**
 * True when `node` is (in) an import in the body of `try: ... except ImportError:` (or ModuleNotFoundError,
 * Exception, a bare except) whose handler does more than raise: the code has a fallback without the module.
 */
export function inOptionalImport(node: Node): boolean {
  let statement: Node | null = node;
  while (statement && statement.type !== 'import_statement' && statement.type !== 'import_from_statement') statement = parentOf(statement);
  const block = statement && parentOf(statement);
  const tryStatement = block?.type === 'block' ? parentOf(block) : null;
  if (!tryStatement || tryStatement.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block!.id) return false;
  return tryStatement.namedChildren.some((c) => {
    if (c?.type !== 'except_clause' || !IMPORT_ERRORS.test(c.text)) return false;
    const handler = c.namedChildren.find((b) => b?.type === 'block');
    return handler !== undefined && handler !== null && handler.namedChildren.some((st) => st !== null && st.type !== 'raise_statement' && st.type !== 'comment');
  });
}

/** The guard of the innermost CUDA-only branch around `node`: the if / elif condition or the ternary's test. */
export function cudaGuardOf(node: Node): Node | undefined {
  return decideUpwards(node, guards, (child, parent) => {
    if (parent.type === 'conditional_expression') {
      const [then, cond] = parent.namedChildren;
      return then?.id === child.id && cond && isCudaCondition(cond) ? cond : undefined;
    }
    if (child.type !== 'block' || (parent.type !== 'if_statement' && parent.type !== 'elif_clause') || parent.childForFieldName('consequence')?.id !== child.id) return undefined;
    const cond = parent.childForFieldName('condition');
    return cond && isCudaCondition(cond) ? cond : undefined;
  }) ?? undefined;
}

/**
 * The CUDA-only if statement that holds `node` in a branch or its condition, outermost first (incremental
 * re-analysis grows an edit to it: the guard's finding depends on its branch, and the branch's findings on the guard);
 * also an if with a negated CUDA test (its else depends on its branch) and the try of a device-module lookup (its
 * handler depends on its body).
 */
export function outermostCudaIf(node: Node): Node | undefined {
  let found: Node | undefined;
  for (let n: Node | null = node; n; n = parentOf(n)) {
    if (n.type === 'try_statement') {
      if (n.namedChildren.some((c) => c?.type === 'except_clause' && isDeviceModuleFallback(c))) found = n;
      continue;
    }
    if (n.type !== 'if_statement') continue;
    const conditions = [n.childForFieldName('condition'), ...n.childrenForFieldName('alternative').map((a) => a?.childForFieldName('condition') ?? null)];
    if (conditions.some((c) => c && (isCudaCondition(c) || isNegatedCudaCondition(c)))) found = n;
  }
  return found;
}

/** The if / elif whose test holds `cond` (through parentheses, and, or), if any. */
function branchOfTest(cond: Node): Node | undefined {
  let current = cond;
  let parent = parentOf(cond);
  while (parent && (parent.type === 'boolean_operator' || parent.type === 'parenthesized_expression')) {
    current = parent;
    parent = parentOf(parent);
  }
  return parent && (parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('condition')?.id === current.id ? parent : undefined;
}

/** True when `cond` is a test of an if / elif whose chain has another path: an elif, or an else that does something. */
export function guardHasOtherPath(cond: Node): boolean {
  const branch = branchOfTest(cond);
  return branch !== undefined && (branch.type === 'elif_clause' || hasOtherPath(branch));
}

/** Logging and warnings (not print: a program's output may be its result). */
const CHECK_CALL = /(^|\.)(warn|warning|info|debug|error|log)$/;

/** CUDA library switches (torch.backends.cuda.* / torch.backends.cudnn.*): tuning that an NPU host runs without. */
const TUNING = /^torch\.backends\.(cuda|cudnn)\./;

/**
 * True when `cond` is a test of an if / elif whose branch only raises or logs (a check: `raise ValueError(...)`,
 * `logger.warning(...)`) or, given the file's imports, sets CUDA library switches (`torch.backends.cuda.matmul.allow_tf32
 * = True`): an NPU host skipping the branch runs with its defaults, and the switches' own findings name their NPU
 * counterparts.
 */
export function guardsOnlyChecks(cond: Node, imports?: ImportTable): boolean {
  const body = branchOfTest(cond)?.childForFieldName('consequence')?.namedChildren.filter((s): s is Node => s !== null && s.type !== 'comment') ?? [];
  return body.length > 0 && body.every((s) => {
    if (s.type === 'raise_statement') return true;
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (expr?.type === 'assignment' && imports) return TUNING.test(imports.qualify(expr.childForFieldName('left')) ?? '') || setsCudaOnlySetting(expr);
    return expr?.type === 'call' && CHECK_CALL.test(expr.childForFieldName('function')?.text ?? '');
  });
}

/** Statements of a check's branch: raise, return, logging / warnings, pass (comments aside). */
function onlyExitsOrLogs(block: Node | null | undefined): boolean {
  const body = block?.namedChildren.filter((s): s is Node => s !== null && s.type !== 'comment') ?? [];
  return body.length > 0 && body.every((s) => {
    if (s.type === 'raise_statement' || s.type === 'pass_statement') return true;
    // `return False`, `return`: not a value computed with CUDA
    if (s.type === 'return_statement') return !s.namedChildren.some((c) => c !== null && /cuda/i.test(c.text));
    const expr = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    return expr?.type === 'call' && CHECK_CALL.test(expr.childForFieldName('function')?.text ?? '');
  });
}

/**
 * `if enable_activation_offloading: if device.type != "cuda": raise RuntimeError(...)` (torchtune), FastChat's
 * `if cpu_offloading: ... if device != "cuda": warnings.warn(...); return False`: `cond` is the negated CUDA test of
 * an if without elif / else, inside the branch of a switch (an enclosing if whose test is no CUDA test), and its
 * branch only raises, warns, logs or returns. That is the check that a CUDA-only feature runs on CUDA: correct on
 * every host (an NPU host is told that the feature it asked for needs CUDA), and widening it to let an NPU device
 * through would send the NPU into the CUDA-only feature. Without an enclosing switch (`if args.device != "cuda":
 * raise ...` at the top of a program) the program itself refuses the NPU device: that stays a finding.
 */
export function checksCudaOnlyFeature(cond: Node): boolean {
  const branch = branchOfTest(cond);
  if (branch?.type !== 'if_statement' || branch.childrenForFieldName('alternative').length > 0) return false;
  if (!isNegatedCudaCondition(branch.childForFieldName('condition')) || !onlyExitsOrLogs(branch.childForFieldName('consequence'))) return false;
  for (let child: Node = branch, up = parentOf(branch); up; child = up, up = parentOf(up)) {
    if (up.type === 'function_definition' || up.type === 'class_definition' || up.type === 'lambda') return false;
    if (child.type === 'block' && (up.type === 'if_statement' || up.type === 'elif_clause') && up.childForFieldName('consequence')?.id === child.id) {
      const test = up.childForFieldName('condition');
      return !isCudaCondition(test) && !isNegatedCudaCondition(test);
    }
  }
  return false;
}

/**
 * `device == "cuda" and not torch.cuda.is_available()` (FunASR: `device = "cpu"` under it): the comparison is `and`-ed
 * with the host's answer that CUDA is missing, so the test holds only where CUDA was asked for and the host has none:
 * the code's fallback, correct on every host. Widening the comparison to the NPU device would send an NPU request to
 * that fallback on an NPU host (no torch.cuda there).
 */
export function fallsBackWithoutCuda(comparison: Node): boolean {
  const { node, parent } = unparenthesizedParent(comparison);
  if (parent?.type !== 'boolean_operator' || parent.childForFieldName('operator')?.type !== 'and') return false;
  const partner = parent.childForFieldName('left')?.id === node.id ? parent.childForFieldName('right') : parent.childForFieldName('left');
  const inner = partner ? unwrap(partner) : undefined;
  return inner?.type === 'not_operator' && asksHostForCuda(inner.childForFieldName('argument'));
}

/** An environment variable of NCCL or of the CUDA runtime (`NCCL_CUMEM_ENABLE`, `TORCH_NCCL_...`, `PYTORCH_CUDA_ALLOC_CONF`). */
const CUDA_ENV = /^(TORCH_|PYTORCH_)?(NCCL|CUDA)_\w+$/;
/** A name of the program's own that says it is a CUDA or NCCL setting (`self.use_cuda_ipc`, `nccl_timeout`). */
const CUDA_SETTING = /cuda|nccl/i;
const CONSTANTS = new Set(['true', 'false', 'none', 'integer', 'float', 'string']);

/**
 * `os.environ["NCCL_CUMEM_ENABLE"] = "0"`, `self.use_cuda_ipc = True` (OpenRLHF, under `if backend == "nccl":`): a constant
 * assigned to an NCCL / CUDA environment variable or to a setting whose name says CUDA or NCCL. An NPU host that skips
 * the branch keeps the setting's default, the path without the CUDA-only feature.
 */
function setsCudaOnlySetting(assignment: Node): boolean {
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (!left || !right || !CONSTANTS.has(right.type) || (right.type === 'string' && (stringLiteral(right)?.interpolations.length ?? 1) > 0)) return false;
  if (left.type === 'subscript') {
    const key = left.childForFieldName('subscript');
    const name = key ? stringLiteral(key) : undefined;
    return /(^|\.)environ$/.test(left.childForFieldName('value')?.text ?? '') && name !== undefined && CUDA_ENV.test(name.content);
  }
  const name = left.type === 'attribute' ? left.childForFieldName('attribute')?.text : left.type === 'identifier' ? left.text : undefined;
  return name !== undefined && CUDA_SETTING.test(name);
}

/** True when `node` is inside the body of a CUDA-only if / elif (with or without another path). */
export function insideCudaBranch(node: Node): boolean {
  return decideUpwards(node, anyBranch, (child, parent) =>
    child.type === 'block' && (parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('consequence')?.id === child.id && isCudaCondition(parent.childForFieldName('condition'))
      ? true
      : undefined) === true;
}

/**
 * True when `node` is in the CUDA arm that a torchNpu fix keeps beside its NPU form, `(NPU if hasattr(torch, "npu")
 * else ORIGINAL)` (fixes/kit.ts) or `(NPU available) or torch.cuda.is_available()` (rules/names.ts): the NPU path is
 * taken first where torch_npu is; reporting the original again would wrap it again on the next pass.
 */
const npuAskedFirst = (node: Node | null) => node !== null && startsWithNpuPresent(unwrap(node).text);

export function inNpuFallback(node: Node): boolean {
  return decideUpwards(node, npuFallback, (child, parent) =>
    (parent.type === 'conditional_expression' && parent.namedChildren[2]?.id === child.id && startsWithNpuPresent(parent.namedChildren[1]?.text ?? '')) ||
    // `(hasattr(torch, "npu") and torch.npu.is_available()) or torch.cuda.is_available()`: the NPU asked first
    (parent.type === 'boolean_operator' && parent.childForFieldName('operator')?.type === 'or' && parent.childForFieldName('right')?.id === child.id && npuAskedFirst(parent.childForFieldName('left')))
      ? true
      : undefined) === true;
}

/**
 * True when `node` is in a type annotation (`target: Union[torch.LongTensor, torch.cuda.LongTensor]`, a return type,
 * `x: torch.cuda.FloatTensor = ...`): nothing checks it at run time, and the torch.cuda tensor classes it names exist
 * on every torch build (only creating one needs CUDA).
 */
export function inAnnotation(node: Node): boolean {
  for (let n: Node | null = node; n; n = parentOf(n)) {
    if (n.type === 'type') return true;
    if (n.type === 'block' || n.type === 'module' || n.type === 'call' || n.type === 'lambda' || n.type.endsWith('_statement')) return false;
  }
  return false;
}

/** The node of a finding: itself when it is one (a search from the root costs the depth, per finding). */
export function nodeAt(tree: Tree, span: Span): Node | null {
  return 'tree' in span ? (span as Node) : tree.rootNode.descendantForIndex(span.startIndex, span.endIndex);
}

const redundant = new WeakMap<Tree, Map<number, RedundantReason | null>>();
const guards = new WeakMap<Tree, Map<number, Node | null>>();
const anyBranch = new WeakMap<Tree, Map<number, true | null>>();
const npuFallback = new WeakMap<Tree, Map<number, true | null>>();

/**
 * Walks from `node` up to the root until `step` decides on a (child, parent) pair: a value, or null for "no"
 * (null when nothing decides). The answer is remembered for every node on the way, so the findings of one long
 * expression share one walk: walking up from each was quadratic in the expression's depth.
 */
function decideUpwards<T>(node: Node, memo: WeakMap<Tree, Map<number, T | null>>, step: (child: Node, parent: Node) => T | null | undefined): T | null {
  let answers = memo.get(node.tree);
  if (!answers) memo.set(node.tree, (answers = new Map()));
  const path: number[] = [];
  let answer: T | null = null;
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
 * The first use, in the branch that `cond` (an if / elif test) guards, of a name of the program's own that says it
 * is CUDA code (`dtw_cuda(x)`, `from .triton_ops import median_filter_cuda`): no fix style ports it, so a test
 * such as `x.is_cuda` in front of it must not be rewritten to let NPU tensors in. Names `cuda` and `is_cuda`
 * themselves are the rules' own business; strings and comments do not count.
 */
export function cudaNamedUse(ctx: RuleContext, cond: Node): string | undefined {
  const body = branchOfTest(cond)?.childForFieldName('consequence');
  if (!body) return undefined;
  const word = /\w*cuda\w*/gi;
  word.lastIndex = body.startIndex;
  const locator = new NodeLocator(ctx.tree);
  try {
    for (let m = word.exec(ctx.text); m && m.index < body.endIndex; m = word.exec(ctx.text)) {
      if (/^(is_)?cuda$/i.test(m[0])) continue;
      const id = locator.at(m.index);
      if (id.type !== 'identifier' || id.text !== m[0]) continue;
      const parent = parentOf(id);
      const call = parent?.type === 'call' && parent.childForFieldName('function')?.id === id.id ? parent : undefined;
      return (call ?? id).text;
    }
  } finally {
    locator.delete();
  }
  return undefined;
}

const guardWords = new WeakMap<RuleContext, boolean>();

/**
 * Whether the file holds a word a CUDA guard or a dispatch needs ("is_available", "elif"): read once per
 * file, not once per finding (a 16,000-term line with a finding in each term searched its 340 KB 16,000 times).
 */
function mayHoldGuards(ctx: RuleContext): boolean {
  let holds = guardWords.get(ctx);
  if (holds === undefined) guardWords.set(ctx, (holds = ctx.text.includes('is_available') || ctx.text.includes('elif')));
  return holds;
}

/**
 * The fixes of a finding at `node`, or none when it sits inside a CUDA guard that stays as it is
 * (blockingCudaUse). `isCudaGuard` tells whether a condition is a CUDA availability check.
 */
export function fixesUnderGuards(ctx: RuleContext, node: Span, fixes: readonly Fix[], isCudaGuard: (condition: Node) => boolean, fixable: FixableCudaUse): readonly Fix[] {
  if (fixes.length === 0 || !mayHoldGuards(ctx)) return fixes;
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

/*
 * CUDA tests beside an NPU path (issue 14, item 4).
 *
 * `cuda_support = (torch.cuda.is_available() and torch.cuda.is_bf16_supported() and ...)` read only in `return
 * cuda_support or mps_support or npu_support` (torchtune), `(device == "cuda" and num_gpus == 1) or device in ("mps",
 * "npu")` (FastChat), `elif backend == Backend.NCCL:` after `if backend == "hccl":` and `is_nccl_backend = backend ==
 * Backend.NCCL` read only in `elif is_nccl_backend:` after `if is_hccl_backend:` and in `is_nccl_backend or
 * is_hccl_backend` (mmengine). Python's `and` short-circuits, so the terms after a CUDA test in a conjunction run only
 * where the test holds, on CUDA; the test itself is False on an NPU host, which is harmless where its value only
 * decides between it and an NPU term. So a CUDA test, or a term after the first CUDA test of its conjunction, is
 * information (`npu-path`) when the conjunction (a term alone is a conjunction of one)
 * - is a disjunct of an `or` that has a positive NPU disjunct (`npu_support`, `device in ("mps", "npu")`,
 *   `is_hccl_backend`; not `not is_npu`, `device != "npu"`), or
 * - is the test of an if / elif whose chain has an NPU (or HCCL) branch, or
 * - is assigned to a name, once in its function, whose every other occurrence in that function is read in one of the
 *   two places above (alone or in an `and`).
 * Terms before the first CUDA test run on every host and keep their severity (`torch.cuda.is_bf16_supported() and
 * torch.cuda.is_available()`), and so does an NPU term inside the same conjunction (`device == "cuda" and x != "npu"`:
 * no NPU path). Cost: a walk up the expression per finding (chain roots remembered per tree), and for a flag one text
 * search of its function.
 */

type BoolOp = 'and' | 'or';
const besideMemo = new WeakMap<Tree, Map<string, unknown>>();

/** The memo of `tree` for the criteria below. */
function besideMemoOf(tree: Tree): Map<string, unknown> {
  let memo = besideMemo.get(tree);
  if (!memo) besideMemo.set(tree, (memo = new Map()));
  return memo;
}

function besideCache<T>(node: Node, key: string, make: () => T): T {
  const memo = besideMemoOf(node.tree);
  if (memo.has(key)) return memo.get(key) as T;
  const value = make();
  memo.set(key, value);
  return value;
}

function boolOp(node: Node | null | undefined): BoolOp | undefined {
  if (node?.type !== 'boolean_operator') return undefined;
  const op = node.childForFieldName('operator')?.type;
  return op === 'and' || op === 'or' ? op : undefined;
}

/** `node` with the parentheses around it. */
function withParens(node: Node): Node {
  let n = node;
  for (let p = parentOf(n); p?.type === 'parenthesized_expression'; p = parentOf(p)) n = p;
  return n;
}

/** The outermost `op` chain that holds `node` as an operand (through parentheses); `node` itself when none does. */
function chainRoot(node: Node, op: BoolOp): Node {
  const memo = besideMemoOf(node.tree);
  const path: string[] = [];
  let n = node;
  for (;;) {
    const key = `${op}-root:${n.id}`;
    const known = memo.get(key) as Node | undefined;
    if (known) {
      n = known;
      break;
    }
    path.push(key);
    const up = parentOf(withParens(n));
    if (boolOp(up) !== op) break;
    n = up!;
  }
  for (const key of path) memo.set(key, n);
  return n;
}

/** The operands of an `op` chain, left to right (a parenthesized chain of the same operator is flattened). */
function chainOperands(root: Node, op: BoolOp): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (boolOp(unwrap(n)) === op) {
      const inner = unwrap(n);
      const left = inner.childForFieldName('left');
      const right = inner.childForFieldName('right');
      if (right) stack.push(right);
      if (left) stack.push(left);
    } else out.push(n);
  }
  return out;
}

/** A hccl / npu / ascend word or name part (`npu_support`, `is_hccl_backend`, `"npu"`), not inside another word ("input"). */
const NPU_TERM = /(?<![A-Za-z])(?:npu|hccl|ascend)/i;

/** A disjunct that holds on an NPU host: names the NPU and is no negation (`not is_npu`, `device != "npu"`). */
function positiveNpuTerm(term: Node): boolean {
  const node = unwrap(term);
  if (node.type === 'not_operator' || !NPU_TERM.test(node.text)) return false;
  if (node.type !== 'comparison_operator') return true;
  return !comparisonOperators(node).some((op) => op === '!=' || op === 'not in' || op === 'is not');
}

/** Where the value of `expr` (a conjunction, or one term) goes, an NPU term or branch is beside it (see above). */
function npuBeside(expr: Node, throughName: boolean): boolean {
  return besideCache(expr, `ctx${throughName ? 1 : 0}:${expr.id}`, () => {
    const outer = withParens(expr);
    const up = parentOf(outer);
    if (!up) return false;
    if (boolOp(up) === 'or') {
      const root = chainRoot(up, 'or');
      const npu = besideCache(root, `npu-disjuncts:${root.id}`, () => chainOperands(root, 'or').filter(positiveNpuTerm));
      if (npu.some((d) => d.endIndex <= outer.startIndex || d.startIndex >= outer.endIndex)) return true;
      return npuBeside(root, throughName);
    }
    if ((up.type === 'if_statement' || up.type === 'elif_clause') && up.childForFieldName('condition')?.id === outer.id) {
      const chain = up.type === 'elif_clause' ? parentOf(up) : up;
      return chain !== null && chainHasNpuBranch(chain, up, false);
    }
    if (throughName && up.type === 'assignment' && up.childForFieldName('right')?.id === outer.id) return flagFeedsNpu(up);
    return false;
  });
}

/**
 * `is_nccl_backend = backend == Backend.NCCL` in a function, the name assigned nowhere else there and every other
 * occurrence of it in the function read (alone or in an `and`) where an NPU term or branch is beside it.
 */
function flagFeedsNpu(assignment: Node): boolean {
  return besideCache(assignment, `flag:${assignment.id}`, () => {
    const target = assignment.childForFieldName('left');
    if (target?.type !== 'identifier') return false;
    let scope: Node | null = parentOf(assignment);
    while (scope && scope.type !== 'function_definition' && scope.type !== 'class_definition' && scope.type !== 'module') scope = parentOf(scope);
    if (scope?.type !== 'function_definition') return false;
    const name = target.text;
    const text = scope.text;
    const word = new RegExp(`\\b${name}\\b`, 'g');
    let reads = 0;
    for (let m = word.exec(text); m; m = word.exec(text)) {
      const at = scope.startIndex + m.index;
      if (at === target.startIndex) continue;
      const id = scope.descendantForIndex(at, at + name.length);
      if (!id || id.type !== 'identifier' || id.text !== name) continue; // strings, comments
      const holder = parentOf(id);
      if (holder?.type === 'attribute' && holder.childForFieldName('attribute')?.id === id.id) continue; // obj.name
      if (holder?.type === 'keyword_argument' && holder.childForFieldName('name')?.id === id.id) continue; // f(name=...)
      if (!npuBeside(chainRoot(id, 'and'), false)) return false;
      reads++;
    }
    return reads > 0;
  });
}

/** Where the first CUDA test of an `and` chain starts (undefined: it has none). */
function firstCudaTest(root: Node): number | undefined {
  return besideCache(root, `first-cuda:${root.id}`, () => chainOperands(root, 'and').find((t) => isCudaCondition(t))?.startIndex);
}

/**
 * A step of redundantBranch's walk: true when `child` is a term of a boolean expression, or a whole condition or
 * assigned value, that is a CUDA test (or a term after the first CUDA test of its conjunction) with an NPU term or
 * branch beside it. Terms are decided where they meet their operator; the walk passes the chains themselves by.
 */
function cudaTermBesideNpu(child: Node, parent: Node): boolean {
  const op = boolOp(parent);
  if (op) {
    if (boolOp(unwrap(child))) return false;
    if (op === 'or') return isCudaCondition(child) && npuBeside(child, true);
    const root = chainRoot(parent, 'and');
    const first = firstCudaTest(root);
    return first !== undefined && child.startIndex >= first && npuBeside(root, true);
  }
  if (boolOp(unwrap(child))) return false;
  const holds =
    ((parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('condition')?.id === child.id) ||
    (parent.type === 'assignment' && parent.childForFieldName('right')?.id === child.id);
  return holds && isCudaCondition(child) && npuBeside(child, true);
}

/*
 * Same-file decorators that run the function only on CUDA (axolotl's `@check_cuda_device(0.0)`).
 *
 * `def check_cuda_device(default): def deco(func): @functools.wraps(func) def wrapper(*args, **kwargs): if device is
 * None or not torch.cuda.is_available() ...: return default; return func(*args, **kwargs)`: the decorated body runs
 * only where the wrapper calls it, on CUDA, and without CUDA the program takes the wrapper's other path (the default
 * it returns). A decorator (a plain one, `@name`, or a factory, `@name(...)`, defined at the top of the same file,
 * with functools.wraps or not) counts when every call of the wrapped function in its wrapper runs only under a CUDA
 * test and the wrapper returns without it: the call comes after `if <not CUDA>: return ...`, or sits in the branch of
 * a CUDA test whose else (or, without one, the code after the if) does not only raise, or in the CUDA arm of a
 * conditional expression. A wrapper that raises without CUDA is a check, not a fallback: the program has no path
 * without CUDA there (its callers fail on an NPU host), so the body's CUDA calls are what the port must change and
 * keep their severity. Cost: the decorator is looked at once per file and name.
 */

/** The function named `name` at the top of the module (plain or decorated), when there is exactly one. */
function moduleFunction(tree: Tree, name: string): Node | undefined {
  const found = tree.rootNode.namedChildren.flatMap((c) => {
    const def = c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
    return def?.type === 'function_definition' && def.childForFieldName('name')?.text === name ? [def] : [];
  });
  return found.length === 1 ? found[0] : undefined;
}

/** The function defined in `fn`'s body that `fn` returns by name (`def deco(func): ... return deco`). */
function returnedInnerFunction(fn: Node): Node | undefined {
  const body = fn.childForFieldName('body')?.namedChildren.filter((s): s is Node => s !== null) ?? [];
  const returned = new Set(body.filter((s) => s.type === 'return_statement').map((s) => s.namedChildren[0]?.text));
  for (const s of body) {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def?.type === 'function_definition' && returned.has(def.childForFieldName('name')?.text)) return def;
  }
  return undefined;
}

/** `block`'s statements before `statement` hold `if <not CUDA>: ... return` (true) or `... raise` (false); undefined: neither. */
function earlyExitWithoutCuda(statement: Node): boolean | undefined {
  for (let prev = statement.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
    if (prev.type !== 'if_statement' || prev.childrenForFieldName('alternative').length > 0 || !isNegatedCudaCondition(prev.childForFieldName('condition'))) continue;
    const last = prev.childForFieldName('consequence')?.lastNamedChild;
    if (last?.type === 'return_statement') return true;
    if (last?.type === 'raise_statement') return false;
  }
  return undefined;
}

/** Statements that only raise (comments aside). */
function onlyRaises(statements: readonly (Node | null)[]): boolean {
  const body = statements.filter((s): s is Node => s !== null && s.type !== 'comment');
  return body.length > 0 && body.every((s) => s.type === 'raise_statement');
}

/** The call of the wrapped function runs only on CUDA inside `wrapper`, whose other path returns (see above). */
function calledOnlyOnCuda(call: Node, wrapper: Node): boolean {
  for (let child: Node = call, up = parentOf(call); up && up.id !== wrapper.id; child = up, up = parentOf(up)) {
    if (up.type === 'function_definition' || up.type === 'lambda' || up.type === 'class_definition') return false;
    if (up.type === 'conditional_expression' && up.namedChildren[0]?.id === child.id && isCudaCondition(up.namedChildren[1] ?? null)) return true;
    if (up.type === 'block') {
      const early = earlyExitWithoutCuda(child);
      if (early !== undefined) return early;
    }
    if ((up.type === 'if_statement' || up.type === 'elif_clause') && up.childForFieldName('consequence')?.id === child.id && isCudaCondition(up.childForFieldName('condition'))) {
      const chain = up.type === 'elif_clause' ? parentOf(up)! : up;
      const others = chain.childrenForFieldName('alternative').filter((a): a is Node => a !== null && a.id !== up.id);
      if (others.length) return others.some((a) => !onlyRaises(a.childForFieldName(a.type === 'else_clause' ? 'body' : 'consequence')?.namedChildren ?? []));
      const after: Node[] = [];
      for (let next = chain.nextNamedSibling; next; next = next.nextNamedSibling) after.push(next);
      return !onlyRaises(after) && after.some((s) => s.type !== 'comment');
    }
  }
  return false;
}

/** The decorator `name` (a factory when called: `@name(...)`) runs the function it wraps only on CUDA, else returns. */
function cudaOnlyDecorator(tree: Tree, name: string, factory: boolean): boolean {
  const key = `decorator:${factory ? 'f' : 'p'}:${name}`;
  const memo = besideMemoOf(tree);
  if (memo.has(key)) return memo.get(key) as boolean;
  memo.set(key, false); // a decorator that decorates itself asks again while it is looked at
  const decorator = moduleFunction(tree, name);
  const receiver = decorator && (factory ? returnedInnerFunction(decorator) : decorator);
  const param = receiver?.childForFieldName('parameters')?.namedChildren[0];
  const wrapper = receiver && returnedInnerFunction(receiver);
  let answer = false;
  if (wrapper && param?.type === 'identifier') {
    const calls = wrapper.descendantsOfType('call').filter((c): c is Node => c !== null && c.childForFieldName('function')?.type === 'identifier' && c.childForFieldName('function')?.text === param.text);
    answer = calls.length > 0 && calls.every((c) => calledOnlyOnCuda(c, wrapper));
  }
  memo.set(key, answer);
  return answer;
}

/** `fn` is decorated by a same-file decorator that runs it only on CUDA and returns something else without (see above). */
function decoratedCudaOnly(fn: Node): boolean {
  const decorated = parentOf(fn);
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((d) => {
    const expr = d?.type === 'decorator' ? d.namedChildren[0] : undefined;
    if (expr?.type === 'identifier') return cudaOnlyDecorator(fn.tree, expr.text, false);
    const callee = expr?.type === 'call' ? expr.childForFieldName('function') : undefined;
    return callee?.type === 'identifier' && cudaOnlyDecorator(fn.tree, callee.text, true);
  });
}

const CUDA_WORD = /cuda|nccl/i;
/** A line that assigns a name a value with CUDA or NCCL in it (on that line or, after an opening parenthesis, the next). */
const CUDA_FLAG_LINE = /^[ \t]*[A-Za-z_]\w*[ \t]*=(?!=)[ \t]*(?:\([ \t]*\n)?[^\n]*(?:cuda|nccl)/im;

/**
 * What incremental re-analysis grows an edit at `node` to, because the criteria above decide a finding from afar
 * (`text`: the file's; `removedWords`: the words the edit took away): the whole module when `node` is in a
 * module-level function that mentions CUDA, defines a function inside and is used as a decorator in the file (`@name`:
 * an edit in it changes the findings of the functions it decorates); else the outermost function around `node` that
 * assigns a name a value with CUDA in it and names the NPU now or before the edit (a flag read beside an NPU term
 * decides its assignment's finding, lines away).
 */
export function besideNpuScope(node: Node, text: string, removedWords: string): Node | undefined {
  let outer: Node | undefined;
  for (let n: Node | null = node; n; n = parentOf(n)) if (n.type === 'function_definition') outer = n;
  if (!outer) return undefined;
  const body = outer.text;
  if (!CUDA_WORD.test(body)) return undefined;
  const top = parentOf(outer)?.type === 'decorated_definition' ? parentOf(parentOf(outer)!) : parentOf(outer);
  const name = outer.childForFieldName('name')?.text;
  if (top?.type === 'module' && name && new RegExp(`^[ \\t]*@[ \\t]*${name}\\b`, 'm').test(text) && outer.childForFieldName('body')?.descendantsOfType('function_definition').length) return top;
  return CUDA_FLAG_LINE.test(body) && (NPU_TERM.test(body) || NPU_TERM.test(removedWords)) ? outer : undefined;
}

/**
 * Device selections without an NPU branch (issue 14, item 4). `if torch.cuda.is_available(): device = "cuda" else:
 * device = "cpu"`, `torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")`, `if IS_CUDA_AVAILABLE:
 * return 'cuda' elif IS_MLU_AVAILABLE: ... else: return 'cpu'`: a CUDA test (isCudaCondition, as for every guard here:
 * availability calls, comparisons with "cuda", CUDA flags such as `IS_CUDA_AVAILABLE` or `use_cuda`) chooses between
 * the CUDA device and another path, and no branch of the selection names the NPU. On an NPU host the selection takes the
 * other path (the CPU); the place a port edits is the selection, where it adds the NPU branch, not the CUDA device,
 * which stays right on a CUDA host. Returns the test (the if / elif condition or the conditional expression's) of the
 * innermost CUDA-only branch around `node` when that branch is such a selection: it has another path (an elif, an else
 * that does something, the other arm) and none of the chain's tests, nor the other arm, names the NPU.
 */
export function selectionWithoutNpuGuard(node: Node): Node | undefined {
  const guard = cudaGuardOf(node);
  const owner = guard ? parentOf(guard) : null;
  if (!guard || !owner) return undefined;
  if (owner.type === 'conditional_expression') {
    const other = owner.namedChildren[2];
    return other && !NPU_WORD.test(other.text) ? guard : undefined;
  }
  return guardHasOtherPath(guard) && !npuAlternativeOfGuard(guard) ? guard : undefined;
}

/**
 * An entry point of a CUDA-only library in another package, imported: transformers' and diffusers' BitsAndBytesConfig
 * (the bitsandbytes rule reports its calls, rules/names.ts) quantizes with bitsandbytes. Also in a parenthesized import.
 */
const LIBRARY_ENTRY_IMPORT = /^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([^)]*|[^\n]*)\bBitsAndBytesConfig\b/m;

/**
 * The block imports a CUDA-only library (flash_attn, apex, bitsandbytes, ...) or one of its entry points in another
 * package (`from transformers import BitsAndBytesConfig`): the block runs only with the library. FastChat's `if
 * cpu_offloading: from transformers import BitsAndBytesConfig ... elif load_8bit: ...` is a switch that selects
 * bitsandbytes (switchSelectsLibrary), as Open-Sora's `if use_kernel: from apex... import ...` selects Apex.
 */
function importsLibrary(block: Node | null): boolean {
  const text = block?.text ?? '';
  return LIBRARY_IMPORT.test(text) || LIBRARY_ENTRY_IMPORT.test(text);
}

/**
 * `def load_by_unsloth(args): assert is_unsloth_available(), "please install unsloth ..."` (ms-swift): a function
 * whose first statement (after its docstring) asserts a CUDA-only library's check (`assert is_unsloth_available()`,
 * `assert use_flash_attn`), or raises unless it holds (`if not is_xformers_available(): raise ImportError(...)`),
 * refuses to run without the library: its body runs only where the program chose the library, whose path without it
 * is the caller's (ms-swift calls it only under `use_unsloth`). Its findings are the library's ('library').
 */
function requiresLibraryOnEntry(fn: Node): boolean {
  const statements = fn.childForFieldName('body')?.namedChildren.filter((s): s is Node => s !== null && s.type !== 'comment') ?? [];
  const docstring = statements[0]?.type === 'expression_statement' && statements[0].namedChildren[0]?.type === 'string';
  const first = statements[docstring ? 1 : 0];
  if (first?.type === 'assert_statement') {
    const test = first.namedChildren[0];
    return test !== undefined && test !== null && isLibraryCondition(test);
  }
  if (first?.type !== 'if_statement' || first.childrenForFieldName('alternative').length > 0) return false;
  const test = unwrap(first.childForFieldName('condition') ?? first);
  const argument = test.type === 'not_operator' ? test.childForFieldName('argument') : null;
  const body = first.childForFieldName('consequence')?.namedChildren.filter((s) => s !== null && s.type !== 'comment') ?? [];
  return argument !== null && isLibraryCondition(argument) && body.length > 0 && body.every((s) => s!.type === 'raise_statement');
}
