import type { Node } from 'web-tree-sitter';
import { msg, type Message } from '../../l10n';
import type { RuleContext } from '../context';
import { callArguments, comparisonOperators, excerpt } from '../syntax';
import type { Fix, Requirement } from '../types';
import { TraceIndex, type FunctionInfo } from './onnxExportTrace';
import { missingOps, opsVerdict, rewriteFits, type ExportRuleOp, type ExportTarget } from './onnxExportTarget';

/**
 * onnx-export-op: constructs in the code torch.onnx.export traces (forward of nn.Module subclasses,
 * the methods and module-level functions forward calls) that export to ops the target lacks. The
 * mappings are those of field report 003 (EdgeSAM, docs/field-reports.md), checked with torch 1.13 at opset 11;
 * each fix is the report's source-level rewrite where it keeps the results (see the unit tests).
 */

/** Max |gelu(x) - gelu(x, approximate="tanh")| in float32 over [-20, 20] (torch 1.13), at x = ±2.68. */
export const GELU_TANH_MAX_ERROR = '4.7e-4';

const CAST_METHODS = new Set(['float', 'half', 'double', 'bfloat16', 'int', 'long', 'to', 'type', 'type_as']);
/** Parents where a replacement expression needs no parentheses. */
const OPEN_PARENTS = new Set(['argument_list', 'keyword_argument', 'assignment', 'return_statement', 'expression_statement', 'parenthesized_expression', 'expression_list', 'list', 'tuple', 'augmented_assignment']);

interface FunctionScope {
  readonly name: string;
  /** Parameters (without self) and local names computed from them. */
  readonly inputs: ReadonlySet<string>;
}

/** Where a construct of interest can start: subscripts, ==, shape reads, and the calls by name. */
const HIT = /\[|==|\.shape\b|\.size\s*\(|\b(?:abs|sin|cos|gelu|squeeze)\b/g;
/** Above this size a re-analysed range is handled like the whole file. */
const PARTIAL_LIMIT = 4000;

/** Reports each construct in the traced code touching [start, end] (all of it on a full analysis, the edited function on a keystroke). */
export function checkTracedFunctions(ctx: RuleContext, target: ExportTarget, start: number, end: number): void {
  const index = new TraceIndex(ctx);
  const traced = end - start > PARTIAL_LIMIT
    ? index.all().filter((fn) => fn.end >= start && fn.start <= end)
    : index.functions.filter((fn) => fn.end >= start && fn.start <= end && index.isTraced(fn));
  const scopes = new Map<FunctionInfo, FunctionScope>();
  const scopeFor = (node: Node): FunctionScope => {
    const fn = index.functionAt(node.startIndex)!;
    let scope = scopes.get(fn);
    if (!scope) scopes.set(fn, (scope = scopeOf(index.textOf(fn), fn.name)));
    return scope;
  };
  const visited = new Set<number>();
  for (const fn of traced) {
    const from = Math.max(fn.start, start);
    const to = Math.min(fn.end, end);
    // on the function's text: a search of the whole text from `from` would run on to the next hit, far beyond `to`
    for (const m of ctx.text.slice(from, to).matchAll(HIT)) {
      const at = from + (m[0].startsWith('.') ? m.index + 1 : m.index);
      const node = candidateAt(ctx.tree.rootNode.descendantForIndex(at), m[0]);
      if (!node || visited.has(node.id)) continue;
      visited.add(node.id);
      visit(ctx, target, scopeFor, node);
    }
  }
}

/** The node a text hit stands for: the subscript of a `[`, the comparison of `==`, the assignment unpacking `.shape`, the call of a name. */
function candidateAt(token: Node | null, hit: string): Node | undefined {
  if (!token) return undefined;
  if (hit === '[') return token.parent?.type === 'subscript' ? token.parent : undefined;
  if (hit === '==') return token.parent?.type === 'comparison_operator' ? token.parent : undefined;
  if (token.type !== 'identifier') return undefined;
  let top: Node = token;
  while (top.parent?.type === 'attribute') top = top.parent;
  if (hit.startsWith('.')) {
    const value = top.parent?.type === 'call' && top.parent.childForFieldName('function')?.id === top.id ? top.parent : top;
    return value.parent?.type === 'assignment' && value.parent.childForFieldName('right')?.id === value.id ? value.parent : undefined;
  }
  const call = top.parent;
  return call?.type === 'call' && call.childForFieldName('function')?.id === top.id ? call : undefined;
}

/** `nn.GELU()` anywhere in [start, end] (modules are built in __init__, outside the traced code). */
export function checkGeluModules(ctx: RuleContext, target: ExportTarget, start: number, end: number): void {
  const pattern = /\bGELU\s*\(/g;
  pattern.lastIndex = start;
  for (let m = pattern.exec(ctx.text); m && m.index <= end; m = pattern.exec(ctx.text)) {
    const id = ctx.tree.rootNode.descendantForIndex(m.index);
    if (!id) continue;
    let top: Node = id;
    while (top.parent?.type === 'attribute' && top.parent.childForFieldName('attribute')?.id === top.id) top = top.parent;
    const call = top.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== top.id) continue;
    const q = ctx.imports.qualify(top);
    if (q === 'torch.nn.GELU' || q === 'torch.nn.modules.activation.GELU') checkGelu(ctx, target, call, true);
  }
}

function visit(ctx: RuleContext, target: ExportTarget, scopeFor: (node: Node) => FunctionScope, node: Node): void {
  switch (node.type) {
    case 'subscript':
      return checkIntegerIndex(ctx, target, node);
    case 'assignment':
      return checkShapeUnpack(ctx, target, node);
    case 'comparison_operator':
      return checkEqualMask(ctx, target, node);
    case 'call': {
      const fn = node.childForFieldName('function');
      const q = ctx.imports.qualify(fn);
      // a method of a value (x.abs()), not a function of an imported module (np.squeeze(x))
      const method = fn?.type === 'attribute' && q === undefined ? fn.childForFieldName('attribute')?.text : undefined;
      const noArgs = callArguments(node).positional.length === 0 && callArguments(node).keywords.size === 0;
      if (q === 'torch.abs' || (method === 'abs' && noArgs)) return checkAbs(ctx, target, node, method !== undefined);
      if (q === 'torch.sin' || q === 'torch.cos' || ((method === 'sin' || method === 'cos') && noArgs)) return checkSinCos(ctx, target, scopeFor(node), node, method !== undefined);
      if (q === 'torch.nn.functional.gelu') return checkGelu(ctx, target, node, false);
      if (q === 'torch.squeeze' || method === 'squeeze') return checkSqueeze(ctx, target, node, method !== undefined);
      return;
    }
    default:
      return;
  }
}

/** Reports a construct that exports to `ops` when the target lacks one of them. */
function report(ctx: RuleContext, target: ExportTarget, node: Node, ops: readonly ExportRuleOp[], message: Message, fixes: Fix[], info = false): boolean {
  const verdict = opsVerdict(target, ops);
  if (verdict === 'supported') return false;
  const code = excerpt(node.text, 60);
  if (verdict === 'unverified') {
    ctx.report(node, 'onnx-export-op', msg('{0} exports to {1}; the {2} data cannot tell whether it converts', code, ops.join(' + '), target.name), fixes, 'info');
  } else ctx.report(node, 'onnx-export-op', message, fixes, info ? 'info' : undefined);
  return true;
}

function unsupportedMessage(node: Node, target: ExportTarget, ops: readonly ExportRuleOp[]): Message {
  return msg('{0} exports to {1}, which {2} does not support', excerpt(node.text, 60), missingOps(target, ops).join(' + '), target.name);
}

const fits = (target: ExportTarget, ops: readonly ExportRuleOp[]) => rewriteFits(target, ops);

// ---- x[:, i, :] → Gather -------------------------------------------------------------------------

function isSimple(node: Node): boolean {
  return node.type === 'identifier' || (node.type === 'attribute' && isSimple(node.childForFieldName('object')!));
}

function isScalarIndex(node: Node): boolean {
  switch (node.type) {
    case 'integer':
    case 'identifier':
      return true;
    case 'attribute':
      return isSimple(node);
    case 'unary_operator':
      return node.namedChildren[0]?.type === 'integer' || node.namedChildren[0]?.type === 'identifier';
    case 'binary_operator':
      return /^[\w\s.+\-*/%()]+$/.test(node.text) && !/[A-Za-z_]\w*\s*\(/.test(node.text);
    default:
      return false;
  }
}

const isFullSlice = (n: Node) => n.type === 'slice' && n.text.replace(/\s/g, '') === ':';

function checkIntegerIndex(ctx: RuleContext, target: ExportTarget, node: Node): void {
  const value = node.childForFieldName('value');
  const parts = node.childrenForFieldName('subscript').filter((c): c is Node => !!c && c.type !== 'comment');
  if (!value || parts.length < 2 || !parts.some((p) => p.type === 'slice' || p.type === 'ellipsis')) return;
  const scalars = parts.filter((p) => p.type !== 'slice' && p.type !== 'ellipsis' && p.type !== 'none');
  if (scalars.length === 0 || !scalars.every(isScalarIndex)) return;
  // x[:, 0] = v is an index_put (ScatterND), not a Gather
  const parent = node.parent;
  if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === node.id) return;
  const fixes: Fix[] = [];
  if (scalars.length === 1 && isSimple(value) && parts.every((p) => p === scalars[0] || isFullSlice(p) || p.type === 'ellipsis') && parts.filter((p) => p.type === 'ellipsis').length <= 1 && fits(target, ['Slice', 'Reshape'])) {
    const fix = integerIndexFix(ctx, node, value, parts, scalars[0]!);
    if (fix) fixes.push(fix);
  }
  report(ctx, target, node, ['Gather'], msg('{0} indexes a dimension with an integer: the export makes it a Gather, which {1} does not support', excerpt(node.text, 60), target.name), fixes);
}

/** x[:, i, :] → x[:, i:i + 1, :].reshape(x.shape[:1] + x.shape[2:]) (Slice + Reshape with static shapes). */
function integerIndexFix(ctx: RuleContext, node: Node, value: Node, parts: Node[], index: Node): Fix | undefined {
  const position = parts.indexOf(index);
  const ellipsis = parts.findIndex((p) => p.type === 'ellipsis');
  const base = value.text;
  // the axis of the index: from the start, or from the end when an ellipsis comes before it
  const fromEnd = ellipsis !== -1 && ellipsis < position ? parts.length - position : 0;
  const axis = fromEnd ? -fromEnd : position;
  const shape = fromEnd
    ? fromEnd === 1 ? `${base}.shape[:-1]` : `${base}.shape[:-${fromEnd}] + ${base}.shape[-${fromEnd - 1}:]`
    : axis === 0 ? `${base}.shape[1:]` : `${base}.shape[:${axis}] + ${base}.shape[${axis + 1}:]`;
  const literal = /^-?\s*\d+$/.test(index.text) ? Number(index.text.replace(/\s/g, '')) : undefined;
  let sliced: string;
  if (literal !== undefined) {
    const width1 = literal >= 0 ? `${literal}:${literal + 1}` : literal === -1 ? '-1:' : `${literal}:${literal + 1}`;
    sliced = `${base}[${parts.map((p) => (p === index ? width1 : p.text)).join(', ')}]`;
  } else if (isRangeLoopVariable(index)) {
    sliced = `${base}[${parts.map((p) => (p === index ? `${index.text}:${index.text} + 1` : p.text)).join(', ')}]`;
  } else {
    // narrow takes negative starts too, which a slice i:i + 1 would get wrong for i = -1
    sliced = `${base}.narrow(${axis}, ${index.text}, 1)`;
  }
  const text = `${sliced}.reshape(${shape})`;
  return ctx.kit.make(msg('Replace with {0} (Slice + Reshape)', text), [ctx.kit.replace(node, text)], [], text);
}

/** `i` in `for i in range(...)` around the index: never negative. */
function isRangeLoopVariable(index: Node): boolean {
  if (index.type !== 'identifier') return false;
  for (let n = index.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'for_statement') continue;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left?.text === index.text && right?.type === 'call' && right.childForFieldName('function')?.text === 'range') return true;
  }
  return false;
}

// ---- b, c, h, w = x.shape → Shape + Gather --------------------------------------------------------

function checkShapeUnpack(ctx: RuleContext, target: ExportTarget, node: Node): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right || !['pattern_list', 'tuple_pattern', 'list_pattern'].includes(left.type)) return;
  const isShape = (right.type === 'attribute' && right.childForFieldName('attribute')?.text === 'shape')
    || (right.type === 'call' && right.childForFieldName('function')?.type === 'attribute' && right.childForFieldName('function')!.childForFieldName('attribute')?.text === 'size' && callArguments(right).positional.length === 0);
  if (!isShape) return;
  report(ctx, target, node, ['Shape', 'Gather'],
    msg('{0} reads the shape at run time: with dynamic axes it exports to Shape + Gather, and {1} does not support {2} (fixed input shapes fold it away); use the sizes as Python int constants', excerpt(node.text, 60), target.name, missingOps(target, ['Shape', 'Gather']).join(' + ')),
    [], true);
}

// ---- torch.abs → Abs ---------------------------------------------------------------------------------

/** Side-effect-free, cheap expressions that may be written twice. */
function isPure(node: Node): boolean {
  switch (node.type) {
    case 'identifier':
    case 'integer':
    case 'float':
      return true;
    case 'attribute':
      return isSimple(node);
    case 'parenthesized_expression':
    case 'unary_operator':
    case 'binary_operator':
      return node.namedChildren.every((c) => !c || isPure(c));
    case 'subscript':
      return isPure(node.childForFieldName('value')!) && node.childrenForFieldName('subscript').every((c) => !c || c.type === 'slice' || isPure(c));
    default:
      return false;
  }
}

const ATOMS = new Set(['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression', 'integer', 'float']);
const atom = (n: Node) => (ATOMS.has(n.type) ? n.text : `(${n.text})`);

function torchName(ctx: RuleContext, fn: Node | null): { name: string; requires: Requirement[] } {
  if (fn?.type === 'attribute') {
    const object = fn.childForFieldName('object')!;
    if (ctx.imports.qualify(object) === 'torch') return { name: object.text, requires: [] };
  }
  return { name: 'torch', requires: [{ kind: 'import', module: 'torch' }] };
}

function wrap(node: Node, text: string): string {
  return node.parent && OPEN_PARENTS.has(node.parent.type) ? text : `(${text})`;
}

function checkAbs(ctx: RuleContext, target: ExportTarget, call: Node, isMethod: boolean): void {
  const fn = call.childForFieldName('function')!;
  const operand = isMethod ? fn.childForFieldName('object') : callArguments(call).positional[0];
  const fixes: Fix[] = [];
  if (operand && isPure(operand) && callArguments(call).positional.length <= (isMethod ? 0 : 1) && callArguments(call).keywords.size === 0) {
    const x = atom(operand);
    // relu(x) + relu(-x): exact (one term is 0), no overflow; with x * -1 where the target lacks Neg
    const negated = fits(target, ['Neg']) ? `-${x}` : `${x} * -1`;
    const ops: ExportRuleOp[] = fits(target, ['Neg']) ? ['Relu', 'Neg', 'Add'] : ['Relu', 'Mul', 'Add'];
    if (fits(target, ops)) {
      const t = torchName(ctx, isMethod ? null : fn);
      const body = isMethod ? `${x}.relu() + (${negated}).relu()` : `${t.name}.relu(${operand.text}) + ${t.name}.relu(${negated})`;
      const text = wrap(call, body);
      fixes.push(ctx.kit.make(msg('Replace with {0} (exact, exports to {1})', text, ops.join(' + ')), [ctx.kit.replace(call, text)], isMethod ? [] : t.requires, text));
    }
  }
  report(ctx, target, call, ['Abs'], unsupportedMessage(call, target, ['Abs']), fixes);
}

// ---- torch.sin / torch.cos → Sin / Cos ----------------------------------------------------------------

/** Parameters of a function (from its text) and the local names computed from them. */
function scopeOf(text: string, name: string): FunctionScope {
  const inputs = new Set<string>();
  const open = text.indexOf('(');
  let depth = 0;
  let close = open;
  for (let i = open; i < text.length && open !== -1; i++) {
    if (text[i] === '(' || text[i] === '[' || text[i] === '{') depth++;
    else if (text[i] === ')' || text[i] === ']' || text[i] === '}') depth--;
    if (depth === 0) {
      close = i;
      break;
    }
  }
  let part = '';
  depth = 0;
  for (const c of text.slice(open + 1, close) + ',') {
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      const param = /^\s*\**\s*([A-Za-z_]\w*)/.exec(part)?.[1];
      if (param && param !== 'self' && param !== 'cls') inputs.add(param);
      part = '';
    } else part += c;
  }
  const assignments: { targets: string[]; value: string }[] = [];
  for (const m of text.slice(close + 1).matchAll(/^[ \t]*([\w, ()[\]]+?)\s*(?:[-+*/@]?=)(?!=)\s*(.+)$/gm)) {
    assignments.push({ targets: m[1]!.split(/[,()[\]\s]+/).filter((t) => /^[A-Za-z_]\w*$/.test(t)), value: m[2]! });
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of assignments) {
      if (a.targets.every((t) => inputs.has(t))) continue;
      if (namesIn(a.value).some((n) => inputs.has(n))) {
        for (const t of a.targets) inputs.add(t);
        changed = true;
      }
    }
  }
  return { name, inputs };
}

/** Names an expression reads (the first name of each dotted path). */
function namesIn(text: string): string[] {
  return [...text.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '').matchAll(/(?<![\w.])([A-Za-z_]\w*)/g)].map((m) => m[1]!);
}

function checkSinCos(ctx: RuleContext, target: ExportTarget, scope: FunctionScope, call: Node, isMethod: boolean): void {
  const fn = call.childForFieldName('function')!;
  const op: ExportRuleOp = fn.childForFieldName('attribute')?.text === 'sin' ? 'Sin' : 'Cos';
  const operand = isMethod ? fn.childForFieldName('object') : callArguments(call).positional[0];
  if (!operand) return;
  const dependsOnInputs = namesIn(operand.text).some((n) => scope.inputs.has(n));
  const message = dependsOnInputs
    ? msg('{0} exports to {1}, which {2} does not support, and it depends on the inputs: compute it outside the model (on the CPU, before inference) and pass the result in', excerpt(call.text, 60), op, target.name)
    : msg('{0} exports to {1}, which {2} does not support; it does not depend on the inputs of {3}(): compute it once in __init__ and keep it as a buffer (register_buffer)', excerpt(call.text, 60), op, target.name, scope.name);
  report(ctx, target, call, [op], message, []);
}

// ---- F.gelu / nn.GELU → Erf ------------------------------------------------------------------------------

function checkGelu(ctx: RuleContext, target: ExportTarget, call: Node, isModule: boolean): void {
  const { positional, keywords, list } = callArguments(call);
  const approximate = keywords.get('approximate') ?? (isModule ? positional[0] : positional[1]);
  if (approximate && /^[rRuU]?(["'])tanh\1$/.test(approximate.text)) return;
  if (approximate && !/^[rRuU]?(["'])none\1$/.test(approximate.text)) return; // a variable: cannot tell
  const fixes: Fix[] = [];
  if (list && fits(target, ['Tanh', 'Mul', 'Add'])) {
    let edit;
    if (approximate) edit = ctx.kit.replace(approximate, '"tanh"');
    else {
      const args = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      const last = args[args.length - 1];
      const at = ctx.lines.positionAt(last ? last.endIndex : list.startIndex + 1);
      edit = ctx.kit.replace({ start: at, end: at }, last ? ', approximate="tanh"' : 'approximate="tanh"');
    }
    const fix = ctx.kit.make(msg('Use the tanh approximation (approximate="tanh"; changes results by up to {0})', GELU_TANH_MAX_ERROR), [edit], [], 'approximate="tanh"');
    fixes.push({ ...fix, explicitOnly: true });
  }
  report(ctx, target, call, ['Erf'], unsupportedMessage(call, target, ['Erf']), fixes);
}

// ---- .squeeze() → Squeeze -----------------------------------------------------------------------------------

/** `a:a + 1`, `2:3`, `-2:-1`, `-1:` (step 1): a slice one element wide. */
function isWidthOneSlice(node: Node): boolean {
  if (node.type !== 'slice') return false;
  const parts = node.text.replace(/\s/g, '').split(':');
  if (parts.length > 3 || (parts.length === 3 && parts[2] !== '' && parts[2] !== '1')) return false;
  const [from, to] = parts as [string, string];
  if (/^-?\d+$/.test(from)) {
    const n = Number(from);
    return (to === '' && n === -1) || (/^-?\d+$/.test(to) && Number(to) === n + 1 && n !== -1);
  }
  return from !== '' && (to === `${from}+1` || to === `(${from})+1`);
}

function checkSqueeze(ctx: RuleContext, target: ExportTarget, call: Node, isMethod: boolean): void {
  const fn = call.childForFieldName('function')!;
  const { positional, keywords } = callArguments(call);
  const receiver = isMethod ? fn.childForFieldName('object') : positional[0];
  const dimNode = isMethod ? positional[0] ?? keywords.get('dim') : positional[1] ?? keywords.get('dim');
  const fixes: Fix[] = [];
  // The shape is known where the squeezed dimension is a one-wide slice of a plain tensor: x[:, i:i + 1, :].squeeze(1)
  if (receiver?.type === 'subscript' && dimNode?.type === 'integer' && fits(target, ['Reshape'])) {
    const dim = Number(dimNode.text);
    const base = receiver.childForFieldName('value')!;
    const parts = receiver.childrenForFieldName('subscript').filter((c): c is Node => !!c && c.type !== 'comment');
    if (isSimple(base) && dim < parts.length && isWidthOneSlice(parts[dim]!) && parts.every((p, i) => i === dim || isFullSlice(p))) {
      const shape = dim === 0 ? `${base.text}.shape[1:]` : `${base.text}.shape[:${dim}] + ${base.text}.shape[${dim + 1}:]`;
      const text = `${receiver.text}.reshape(${shape})`;
      fixes.push(ctx.kit.make(msg('Replace with {0} (Reshape)', text), [ctx.kit.replace(call, text)], [], text));
    }
  }
  report(ctx, target, call, ['Squeeze'], unsupportedMessage(call, target, ['Squeeze']), fixes);
}

// ---- (x == v).float() → Equal + Cast ----------------------------------------------------------------------

function checkEqualMask(ctx: RuleContext, target: ExportTarget, node: Node): void {
  const operators = comparisonOperators(node);
  if (operators.length !== 1 || operators[0] !== '==') return;
  let outer = node;
  while (outer.parent?.type === 'parenthesized_expression') outer = outer.parent;
  const parent = outer.parent;
  let use: Node | undefined;
  let floatCall = false;
  if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === outer.id && CAST_METHODS.has(parent.childForFieldName('attribute')?.text ?? '') && parent.parent?.type === 'call') {
    const cast = parent.childForFieldName('attribute')!.text;
    // .to(x.device) moves the bool tensor; only a dtype makes it a number
    if ((cast === 'to' || cast === 'type') && !/float|half|double|bfloat16|int|long|dtype/.test(parent.parent.childForFieldName('arguments')?.text ?? '')) return;
    use = parent.parent;
    floatCall = parent.childForFieldName('attribute')!.text === 'float' && callArguments(use).positional.length === 0;
  } else if (parent?.type === 'binary_operator' && parent.children.some((c) => c?.type === '*')) {
    use = parent;
  }
  if (!use) return;
  const [a, b] = [node.namedChildren[0], node.namedChildren[1]];
  const fixes: Fix[] = [];
  if (a && b && isPure(a) && isPure(b) && fits(target, ['Sub', 'Mul', 'Relu'])) {
    const torch = ctx.imports.localsUnder(['torch']).find((n) => ctx.imports.binding(n) === 'torch') ?? 'torch';
    const diff = `(${a.text} - ${atom(b)})`;
    const mask = `${torch}.relu(1.0 - ${diff} * ${diff})`;
    const replaced = floatCall ? use : outer;
    const text = floatCall ? wrap(use, mask) : mask;
    const fix = ctx.kit.make(msg('Replace with {0} (exact only when both sides hold whole numbers, such as labels)', text), [ctx.kit.replace(replaced, text)], torch === 'torch' ? [{ kind: 'import', module: 'torch' }] : [], text);
    fixes.push({ ...fix, explicitOnly: true });
  }
  report(ctx, target, use, ['Equal', 'Cast'], msg('{0} uses a comparison as a number: it exports to Equal + Cast, and {1} does not support {2}', excerpt(use.text, 60), target.name, missingOps(target, ['Equal', 'Cast']).join(' + ')), fixes);
}
