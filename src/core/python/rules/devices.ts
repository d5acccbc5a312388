import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { RuleContext } from '../context';
import { asksHostForCuda, checksCudaOnlyFeature, fallsBackWithoutCuda, guardHasOtherPath, guardsOnlyChecks, guardStatement, insideCudaBranch, isCudaCondition, npuAlternativeOfGuard, unwrap } from '../guards';
import { isDeviceKeyword } from '../flow';
import { parentOf } from '../parents';
import { checkRayGpuKey } from './ray';
import { callArguments, callOfArgument, comparisonOperators, rangeOf, stringLiteral, unparenthesizedParent, type StringLiteral } from '../syntax';
import type { Fix } from '../types';

/** Values of a CUDA device string: "cuda", "cuda:1", f"cuda:{rank}". */
export function cudaDevice(lit: StringLiteral): { index?: string; interpolated?: Node } | undefined {
  if (lit.prefix.includes('b')) return undefined;
  if (lit.interpolations.length === 0) {
    const m = /^cuda(?::(\d+))?$/.exec(lit.content);
    return m ? (m[1] !== undefined ? { index: m[1] } : {}) : undefined;
  }
  if (lit.interpolations.length === 1 && /^cuda:\{[^{}]*\}$/.test(lit.content)) {
    const expr = lit.interpolations[0]!.namedChildren.find((c) => c && c.type !== 'format_specifier' && c.type !== 'type_conversion');
    return expr ? { interpolated: expr } : undefined;
  }
  return undefined;
}

/** `"cuda:" + str(rank)` (or `+ rank` when it is a string): the device "cuda:{rank}". */
function concatenatedDevice(node: Node): { dev: { interpolated: Node }; expr: Node } | undefined {
  const sum = parentOf(node);
  if (sum?.type !== 'binary_operator' || sum.childForFieldName('operator')?.type !== '+' || sum.childForFieldName('left')?.id !== node.id) return undefined;
  let index = sum.childForFieldName('right');
  if (index?.type === 'call' && index.childForFieldName('function')?.text === 'str') index = callArguments(index).positional[0] ?? null;
  return index ? { dev: { interpolated: index }, expr: sum } : undefined;
}

/**
 * `'cuda:{}'.format(rank)`, `'cuda:%d' % rank`: the device "cuda:{rank}" built by str.format or printf-style
 * formatting (wenet's `device = 'cuda:{}'.format(device)`), one index and nothing else in the template.
 */
function formattedDevice(node: Node, lit: StringLiteral): { dev: { interpolated: Node }; expr: Node } | undefined {
  if (lit.interpolations.length || lit.prefix.includes('b')) return undefined;
  const parent = parentOf(node);
  if (/^cuda:\{0?\}$/.test(lit.content) && parent?.type === 'attribute' && parent.childForFieldName('object')?.id === node.id
    && parent.childForFieldName('attribute')?.text === 'format') {
    const call = parentOf(parent);
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== parent.id) return undefined;
    const { positional, keywords } = callArguments(call);
    const index = positional[0];
    return positional.length === 1 && keywords.size === 0 && index && index.type !== 'list_splat' ? { dev: { interpolated: index }, expr: call } : undefined;
  }
  if (/^cuda:%[ds]$/.test(lit.content) && parent?.type === 'binary_operator' && parent.childForFieldName('operator')?.type === '%'
    && parent.childForFieldName('left')?.id === node.id) {
    let index = parent.childForFieldName('right');
    if (index?.type === 'tuple') index = index.namedChildren.length === 1 ? index.namedChildren[0] ?? null : null;
    return index ? { dev: { interpolated: index }, expr: parent } : undefined;
  }
  return undefined;
}

/** NPU availability that also works where torch_npu is missing (it is imported guarded). */
export const NPU_AVAILABLE = 'hasattr(torch, "npu") and torch.npu.is_available()';

const CUDA_CHOICES = /choices\s*=\s*[[(][^\])]*["']cuda["']/;
const HALF_DTYPES = new Set(['torch.bfloat16', 'torch.float16', 'torch.half']);
/** Device types other than CUDA: a list holding one of them next to "cuda" is a list of devices. */
const OTHER_DEVICE = /^(cpu|mps|npu|xpu|hpu|mlu|musa|xla|meta|auto)(:\d+)?$/;
/** An NPU entry of a device list or table: "npu", or "ascend" (lmdeploy's device type for its Ascend backend). */
const NPU_DEVICE = /^(npu|ascend)(:\d+)?$/;
/** CUDA environment variables and their Ascend counterparts (torch_npu / CANN documentation). */
export const CUDA_ENV_VARS: Readonly<Record<string, string>> = {
  CUDA_VISIBLE_DEVICES: 'ASCEND_RT_VISIBLE_DEVICES',
  CUDA_LAUNCH_BLOCKING: 'ASCEND_LAUNCH_BLOCKING',
  PYTORCH_CUDA_ALLOC_CONF: 'PYTORCH_NPU_ALLOC_CONF',
};
const ENV_METHODS = new Set(['get', 'getenv', 'setdefault', 'pop', 'putenv', 'unsetenv', 'getenvb']);
/** A name that says it holds a device (or devices): device, dev, devices, device_map, supported_devices. */
export const DEVICE_NAME = /(^|_)dev(ice)?s?($|_)|^device/i;

/** The helper expression for a device: DEVICE, or dm.device_for(i). */
function helperDevice(ctx: RuleContext, dev: { index?: string; interpolated?: Node }) {
  if (dev.interpolated) return { text: `dm.device_for(${dev.interpolated.text})`, requires: [ctx.kit.helper('dm')] };
  if (dev.index !== undefined && dev.index !== '0') return { text: `dm.device_for(${dev.index})`, requires: [ctx.kit.helper('dm')] };
  return { text: 'DEVICE', requires: [ctx.kit.helper('DEVICE')] };
}

/**
 * The helper expression for a device string that is stored or passed on (a name, an attribute, a
 * default, a dictionary value) rather than used as a device right there: it stays a string, so that the
 * code that reads it keeps working (`device == "cuda"`, `torch.device(device, i)`, f"{device}:{i}",
 * argparse). "cuda" becomes DEVICE.type ("npu", "cuda" or "cpu"); an indexed device str(dm.device_for(i)).
 */
function helperDeviceString(ctx: RuleContext, dev: { index?: string; interpolated?: Node }) {
  if (dev.interpolated || (dev.index !== undefined && dev.index !== '0')) {
    const h = helperDevice(ctx, dev);
    return { text: `str(${h.text})`, requires: h.requires };
  }
  return { text: 'DEVICE.type', requires: [ctx.kit.helper('DEVICE')] };
}

/** "cuda" → "npu" inside the same quotes (keeps the prefix and the index / interpolation). */
function npuLiteral(node: Node): string {
  return node.text.replace(/cuda/, 'npu');
}

/**
 * A string literal holding a CUDA device, "nccl" or "flash_attention_2": reported where it is used as
 * such (never in comments, docstrings, log messages or help texts, which are not device positions).
 */
export function checkString(ctx: RuleContext, node: Node): void {
  const lit = stringLiteral(node);
  if (!lit) return;
  if (lit.content === 'nccl' || lit.content === 'NCCL') return checkNccl(ctx, node);
  if (lit.content === 'flash_attention_2') return checkAttnImplementation(ctx, node);
  if (lit.content === 'GPU') {
    checkRayGpuKey(ctx, node);
    return;
  }
  if (lit.interpolations.length === 0 && Object.hasOwn(CUDA_ENV_VARS, lit.content)) return checkEnvVar(ctx, node, lit.content);
  if (lit.interpolations.length === 0 && /^cuda:?$/.test(lit.content) && checkStartsWith(ctx, node)) return;
  // "cuda:" + str(rank), 'cuda:{}'.format(rank): the whole expression is the device
  const sum = lit.content === 'cuda:' && lit.interpolations.length === 0 ? concatenatedDevice(node) : formattedDevice(node, lit);
  const dev = sum?.dev ?? cudaDevice(lit);
  if (!dev) return;

  // `"cuda" if torch.cuda.is_available() else "cpu"`: the whole expression is the device.
  let expr = sum?.expr ?? node;
  let { parent } = unparenthesizedParent(expr);
  let choice = false;
  if (parent?.type === 'conditional_expression' && parent.namedChildren[1]?.id !== expr.id) {
    // a device choice: the condition is a CUDA test, or the other arm is another device ("cpu")
    const [then, cond, other] = parent.namedChildren;
    const otherArm = then?.id === unparenthesizedParent(expr).node.id ? other : then;
    const otherLit = otherArm ? stringLiteral(otherArm) : undefined;
    choice = isCudaCondition(cond ?? null) || (otherLit !== undefined && OTHER_DEVICE.test(otherLit.content));
    expr = parent;
    parent = unparenthesizedParent(parent).parent;
    // `"npu" if <NPU available> else ("cuda" if ... else "cpu")`: the NPU path is already taken first
    // (what the torchNpu fix writes; reporting it again would wrap it again)
    if (parent?.type === 'conditional_expression' && /\bnpu\b/.test(parent.namedChildren[1]?.text ?? '')) return;
    if (choice && !asksHostForCuda(cond ?? null) && !ctx.transferToNpu && !insideCudaCall(ctx, expr)) {
      // `"cuda" if "cuda" in device else "cpu"`, `"cuda" if args.cuda else "cpu"`: the condition is the program's (a
      // device it was given, a switch), not the host's; replacing the whole expression would drop it (nanoGPT's
      // `device_type` ignored `--device=cpu`). The CUDA arm alone becomes the device chosen at run time, as a string
      // like the other arm; a CUDA test in the condition is reported on its own.
      return reportDevice(ctx, node, node, dev, true);
    }
  }
  if (!parent) return;
  const arg = callOfArgument(parentOf(expr)?.type === 'parenthesized_expression' ? unparenthesizedParent(expr).node : expr);
  if (arg) {
    if (arg.keyword === 'choices') return;
    return checkDeviceArgument(ctx, node, expr, dev, arg, choice);
  }
  if (choice && !ctx.transferToNpu) {
    // `device = "cuda" if torch.cuda.is_available() else "cpu"`, returned or stored: the program's device,
    // whatever the file does with it afterwards. Stored, it stays a string (DEVICE.type), as every stored
    // device string does (checkFlow): comparisons with "cuda" and torch.device(device, i) keep working.
    return reportDevice(ctx, node, expr, dev, true);
  }
  if (parent.type === 'assignment' || parent.type === 'default_parameter' || parent.type === 'typed_default_parameter' || parent.type === 'return_statement' || parent.type === 'expression_list' || parent.type === 'tuple') {
    if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === unparenthesizedParent(expr).node.id && isDeviceEntry(parent.childForFieldName('left'))) {
      // device_map[name] = f"cuda:{i}", kwargs["device_map"] = "cuda:0": an entry of a device table (stays a string)
      if (!ctx.transferToNpu) reportDevice(ctx, node, expr, dev, true);
      return;
    }
    if (parent.type === 'assignment' && expr.id === node.id && !dev.interpolated && insideCudaBranch(parent) && !ctx.transferToNpu) {
      // `if torch.cuda.is_available(): device = "cuda"`: the device chosen on a CUDA host (stored: a string)
      return reportDevice(ctx, node, expr, dev, true);
    }
    if (parent.type === 'tuple' && expr.id === node.id && !dev.interpolated && checkDeviceList(ctx, node, parent)) return;
    return checkFlow(ctx, node, expr, dev);
  }
  if (parent.type === 'pair' && parent.childForFieldName('value')?.id === unparenthesizedParent(expr).node.id) {
    // {"device": "cuda"} in a config dictionary; device_map={"": "cuda"}; device_map = {"lm_head": "cuda:0"}
    const key = parent.childForFieldName('key');
    const name = key ? stringLiteral(key)?.content ?? key.text : '';
    // the value stays a string (configs are often written to JSON / YAML)
    if (DEVICE_NAME.test(name) || isDeviceTable(parentOf(parent))) reportDevice(ctx, node, expr, dev, true);
    return;
  }
  if (parent.type === 'pair' && parent.childForFieldName('key')?.id === expr.id && !dev.interpolated) {
    checkDeviceKey(ctx, node, parent);
    return;
  }
  if ((parent.type === 'set_comprehension' || parent.type === 'list_comprehension' || parent.type === 'generator_expression') && parent.childForFieldName('body')?.id === expr.id) {
    // `device in {f"cuda:{i}" for i in range(n)}`: the CUDA devices of the host, never an NPU
    const outer = unparenthesizedParent(parent);
    if (!ctx.transferToNpu && isMembershipTest(outer.parent, outer.node)) {
      ctx.report(node, 'cuda-device-string', msg('Membership test with the CUDA device type "{0}" and no NPU device: an NPU device takes the other path', excerptOf(node)), [], 'warning');
    }
    return;
  }
  if ((parent.type === 'list' || parent.type === 'set') && expr.id === node.id && !dev.interpolated) {
    checkDeviceList(ctx, node, parent);
    return;
  }
  if (parent.type === 'comparison_operator' && expr.id === node.id) {
    if (ctx.transferToNpu || npuComparedBeside(parent)) return;
    if (checksCudaOnlyFeature(parent)) {
      // a check that a CUDA-only feature runs on CUDA: correct on every host; no fix (it would let the NPU into the feature)
      ctx.report(node, 'cuda-device-string', msg('Comparison with the CUDA device type "{0}" checks that a CUDA-only feature runs on CUDA: correct on every host', lit.content), [], 'info');
      return;
    }
    if (fallsBackWithoutCuda(parent)) {
      ctx.report(node, 'cuda-device-string', msg('Comparison with the CUDA device type "{0}" beside a test that CUDA is missing: the fallback where CUDA was asked for and is not there, correct on every host', lit.content), [], 'info');
      return;
    }
    let fixes: Fix[] = [];
    if (ctx.kit.style === 'deviceManager') {
      const either = cudaOrNpuComparison(parent, node);
      if (either) fixes.push(ctx.kit.replaceWith(parent, either, []));
    } else if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(node, npuLiteral(node), []));
    else fixes.push(ctx.kit.transfer());
    // an option with choices=["cuda", ...] keeps its default under fix-all (reportChoicesDefault): so do the comparisons
    if (ctx.kit.style !== 'transferToNpu' && CUDA_CHOICES.test(ctx.text)) fixes = fixes.map((f) => ({ ...f, changesInterface: true }));
    // `if device.type == "cuda": ... elif device.type == "npu": ...` already has the NPU path; `if device.type == "cuda":
    // ... else: ...` sends the NPU device down the other path, which the code has (information, as the branch's findings)
    const ops = comparisonOperators(parent);
    // a branch that only raises or logs is a check, which an NPU device does not need; one that only sets CUDA library
    // switches (TF32) is tuning, which an NPU device runs without (the switches' findings name the NPU counterparts)
    const otherPath = npuAlternativeOfGuard(parent) || (ops.length === 1 && (ops[0] === '==' || ops[0] === 'is') && (guardHasOtherPath(parent) || guardsOnlyChecks(parent, ctx.imports)));
    ctx.report(node, 'cuda-device-string', msg('Comparison with the CUDA device type "{0}" is never true on an NPU', lit.content), fixes, otherPath ? 'info' : 'warning');
    return;
  }
}

/**
 * `"cuda" in device or "npu" in device`, `device != "cuda" and device != "npu"`: the comparison's partner in the
 * same `or` / `and` compares with the NPU device type, so the NPU device is already handled (and the deviceManager
 * fix, which writes this form, is not reported again). In an `or` both are positive tests (==, in, is), in an `and`
 * both negated ones (!=, not in, is not): `device == "cuda" and x != "npu"` leaves the NPU out of the branch.
 */
function npuComparedBeside(comparison: Node): boolean {
  const { node, parent } = unparenthesizedParent(comparison);
  if (parent?.type !== 'boolean_operator') return false;
  const partner = parent.childForFieldName('left')?.id === node.id ? parent.childForFieldName('right') : parent.childForFieldName('left');
  const inner = partner ? unwrap(partner) : undefined;
  if (inner?.type !== 'comparison_operator' || !inner.namedChildren.some((c) => c !== null && /^npu(:|$)/.test(stringLiteral(c)?.content ?? ''))) return false;
  const negated = (c: Node) => comparisonOperators(c).some((op) => op === '!=' || op === 'not in' || op === 'is not');
  const and = parent.childForFieldName('operator')?.type === 'and';
  return negated(inner) === and && negated(comparison) === and;
}

/**
 * A comparison with a CUDA device type that holds for the NPU device type too: `device.type == "cuda"` →
 * `device.type in ("cuda", "npu")`, `"cuda" in device` → `("cuda" in device or "npu" in device)`, negations alike.
 * Comparing with DEVICE.type instead (the fix before) is true for "cpu" on a host without an accelerator, so CUDA-only
 * code under it (pin_memory, fused optimizers) ran on the CPU and failed (nanoGPT's train.py with --device=cpu).
 * Undefined for a chained comparison or a literal on the right of `in`.
 */
function cudaOrNpuComparison(comparison: Node, literal: Node): string | undefined {
  const ops = comparisonOperators(comparison);
  const [left, right] = comparison.namedChildren;
  if (ops.length !== 1 || !left || !right) return undefined;
  const lit = literal.text;
  const npu = npuLiteral(literal);
  const other = left.id === literal.id ? right : left;
  switch (ops[0]) {
    case '==':
    case 'is':
      return `${other.text} in (${lit}, ${npu})`;
    case '!=':
    case 'is not':
      return `${other.text} not in (${lit}, ${npu})`;
    case 'in':
      return left.id === literal.id ? `(${lit} in ${right.text} or ${npu} in ${right.text})` : undefined;
    case 'not in':
      return left.id === literal.id ? `(${lit} not in ${right.text} and ${npu} not in ${right.text})` : undefined;
    default:
      return undefined;
  }
}

/**
 * `if device.startswith("cuda:"):` (timm's `torch.cuda.set_device` guard): a test of the device type like `==`,
 * reported as the comparison is, so that the CUDA-only branch under it folds into it (analyze.ts). Only as the test
 * of an if / elif; true when reported.
 */
function checkStartsWith(ctx: RuleContext, node: Node): boolean {
  const arg = callOfArgument(node);
  const fn = arg?.call.childForFieldName('function');
  if (!arg || arg.index !== 0 || arg.keyword || fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'startswith') return false;
  const statement = guardStatement(arg.call);
  const test = statement?.type === 'if_statement' ? [statement.childForFieldName('condition'), ...statement.childrenForFieldName('alternative').map((a) => a?.childForFieldName('condition') ?? null)].find((c) => c && c.startIndex <= arg.call.startIndex && arg.call.endIndex <= c.endIndex) : undefined;
  if (!test || !isCudaCondition(test)) return false;
  if (ctx.transferToNpu) return true;
  const otherPath = npuAlternativeOfGuard(arg.call) || guardHasOtherPath(arg.call) || guardsOnlyChecks(arg.call, ctx.imports);
  ctx.report(node, 'cuda-device-string', msg('Comparison with the CUDA device type "{0}" is never true on an NPU', 'cuda'), [], otherPath ? 'info' : 'warning');
  return true;
}

function checkDeviceArgument(
  ctx: RuleContext,
  node: Node,
  expr: Node,
  dev: { index?: string; interpolated?: Node },
  arg: { call: Node; index: number; keyword?: string },
  choice = false,
): void {
  const { call, index, keyword } = arg;
  const fn = call.childForFieldName('function');
  const qualified = ctx.imports.qualify(fn);
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  // Inside a torch.cuda.* call the call itself is the finding (memory_summary(device="cuda")).
  if (insideCudaCall(ctx, call)) return;
  if (qualified === 'torch.Generator' || qualified === 'torch.random.Generator') return checkGenerator(ctx, call, node);
  if (qualified === 'torch.autocast' || qualified === 'torch.amp.autocast' || qualified === 'torch.cuda.amp.autocast') {
    if (index === 0 || keyword === 'device_type') return checkAutocastDevice(ctx, node, dev);
    return;
  }
  if (qualified === 'safetensors.torch.load_file' || (method === undefined && fn?.text === 'load_file')) {
    if (keyword === 'device' || index === 1) return checkSafetensors(ctx, call, node);
  }
  if (ctx.transferToNpu) return;
  if (method === 'to' || method === 'to_empty') {
    if (index === 0 || keyword === 'device') return checkTo(ctx, call, node, expr, dev, index === 0);
    return;
  }
  if (qualified === 'torch.device' || qualified === 'torch.set_default_device') {
    if (index === 0 || keyword === 'type') {
      if (qualified === 'torch.device' && ctx.kit.style === 'deviceManager') return checkTorchDevice(ctx, call, node, expr, dev);
      return reportDevice(ctx, node, expr, dev);
    }
    return;
  }
  if (keyword && isDeviceKeyword(keyword)) return reportDevice(ctx, node, expr, dev);
  if (keyword === 'default' && method === 'add_argument') {
    const choices = callArguments(call).keywords.get('choices');
    if (choices && (choices.type === 'list' || choices.type === 'tuple') && choices.namedChildren.some((c) => c?.type === 'string' && stringLiteral(c)?.content === 'cuda')) {
      if (flowsToDevice(ctx, node, expr)) reportChoicesDefault(ctx, node, expr, dev, choices);
      return;
    }
  }
  // add_argument(..., default="cuda" if torch.cuda.is_available() else "cpu"): the program's device
  if (choice) return reportDevice(ctx, node, expr, dev, keyword === 'default');
  // add_argument(..., default="cuda") whose args.<dest> is used as a device; an argument of a function of this file
  checkFlow(ctx, node, expr, dev);
}

/**
 * torch.device("cuda"), torch.device("cuda:1"), torch.device("cuda", i), torch.device(type="cuda", index=i)
 * (deviceManager style). DEVICE is a torch.device, and torch.device(DEVICE, i) is a TypeError: a call
 * with an index becomes dm.device_for(i); a conditional type argument becomes DEVICE.type (a string).
 */
function checkTorchDevice(ctx: RuleContext, call: Node, node: Node, expr: Node, dev: { index?: string; interpolated?: Node }): void {
  const { positional, keywords } = callArguments(call);
  const indexArg = positional[1] ?? keywords.get('index');
  const extra = positional.length > 2 || [...keywords.keys()].some((k) => k !== 'type' && k !== 'index');
  const message = msg('"{0}" is a CUDA device; on an NPU host use the device chosen at run time', deviceExcerpt(node, expr, dev));
  if (expr.id === node.id && !extra && !(indexArg && (dev.index !== undefined || dev.interpolated))) {
    const h = helperDevice(ctx, indexArg ? { interpolated: indexArg } : dev);
    ctx.report(call, 'cuda-device-string', message, [ctx.kit.replaceWith(call, h.text, h.requires)]);
    return;
  }
  if (indexArg) {
    ctx.report(node, 'cuda-device-string', message, [ctx.kit.replaceWith(expr, 'DEVICE.type', [ctx.kit.helper('DEVICE')])]);
    return;
  }
  reportDevice(ctx, node, expr, dev);
}

const cudaCallAnswers = new WeakMap<RuleContext, Map<number, boolean>>();

/**
 * True when `node` is (inside) a torch.cuda.* call. Remembered for every node on the way up, so the
 * device literals of one long expression share one walk (a walk each was quadratic in its depth).
 */
function insideCudaCall(ctx: RuleContext, node: Node): boolean {
  let answers = cudaCallAnswers.get(ctx);
  if (!answers) cudaCallAnswers.set(ctx, (answers = new Map()));
  const path: number[] = [];
  let answer = false;
  for (let a: Node | null = node; a && a.type !== 'module'; a = parentOf(a)) {
    const known = answers.get(a.id);
    if (known !== undefined) {
      answer = known;
      break;
    }
    path.push(a.id);
    if (a.type === 'call' && ctx.imports.qualify(a.childForFieldName('function'))?.startsWith('torch.cuda.')) {
      answer = true;
      break;
    }
  }
  for (const id of path) answers.set(id, answer);
  return answer;
}

/**
 * A device string that is not itself in a device position: reported when its value flows into one
 * (see DeviceFlow), or when it is bound, under a device-like name, to something this file never reads
 * but other modules can (a module-level name, an attribute, an argparse option, a function's result).
 */
function checkFlow(ctx: RuleContext, node: Node, expr: Node, dev: { index?: string; interpolated?: Node }): void {
  if (flowsToDevice(ctx, node, expr)) reportDevice(ctx, node, expr, dev, true);
}

/** The value reaches a device position, or is a device-like name other modules read (see checkFlow). */
function deviceUse(ctx: RuleContext, expr: Node): boolean {
  const value = unparenthesizedParent(expr).node;
  if (ctx.flow.reaches(value)) return true;
  const exported = ctx.flow.unreadExport(value);
  return exported !== undefined && DEVICE_NAME.test(exported);
}

function flowsToDevice(ctx: RuleContext, node: Node, expr: Node): boolean {
  if (ctx.transferToNpu) return false;
  ctx.dependsOnFlow(node);
  return deviceUse(ctx, expr);
}

/**
 * add_argument("--device", default="cuda", choices=["cuda", "cpu"]): the default and the choices change
 * together (the new default is "npu", "cuda" or "cpu", so "npu" joins the choices), or not at all. That
 * changes the command line: offered as a quick fix, never applied by fix-all (Fix.changesInterface).
 */
function reportChoicesDefault(ctx: RuleContext, node: Node, expr: Node, dev: { index?: string; interpolated?: Node }, choices: Node): void {
  const message = msg('"{0}" is a CUDA device; on an NPU host use the device chosen at run time', deviceExcerpt(node, expr, dev));
  if (ctx.kit.style === 'transferToNpu') return ctx.report(node, 'cuda-device-string', message, [ctx.kit.transfer()]);
  const cuda = choices.namedChildren.find((c) => c?.type === 'string' && stringLiteral(c)?.content === 'cuda')!;
  const hasNpu = choices.namedChildren.some((c) => c?.type === 'string' && stringLiteral(c)?.content === 'npu');
  const quote = cuda.text.endsWith("'") ? "'" : '"';
  const addNpu = hasNpu ? [] : [{ range: { start: rangeOf(cuda).end, end: rangeOf(cuda).end }, newText: `, ${quote}npu${quote}` }];
  const replacement = ctx.kit.style === 'deviceManager' ? helperDeviceString(ctx, dev) : { text: npuLiteral(node), requires: [] };
  const title = hasNpu ? msg('Replace with {0}', replacement.text) : msg('Replace with {0} and add "npu" to the choices (changes the command line)', replacement.text);
  const fix = ctx.kit.make(title, [ctx.kit.replace(expr, replacement.text), ...addNpu], replacement.requires, replacement.text);
  ctx.report(node, 'cuda-device-string', message, [hasNpu ? fix : { ...fix, changesInterface: true }]);
}

/**
 * A device string (or the ternary around it) used as a device. `asString`: the value is stored or passed
 * on, not used right here: the replacement stays a string (helperDeviceString).
 */
function reportDevice(ctx: RuleContext, node: Node, expr: Node, dev: { index?: string; interpolated?: Node }, asString = false): void {
  if (ctx.transferToNpu) return;
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager') {
    const h = asString ? helperDeviceString(ctx, dev) : helperDevice(ctx, dev);
    fixes.push(ctx.kit.replaceWith(expr, h.text, h.requires));
  } else if (ctx.kit.style === 'torchNpu') {
    if (expr.id === node.id) fixes.push(ctx.kit.replaceWith(node, npuLiteral(node), [ctx.kit.torchNpu]));
    else {
      // "cuda" if torch.cuda.is_available() else "cpu": the NPU first, the CUDA and CPU paths kept
      const text = expr.type === 'conditional_expression'
        ? `${npuLiteral(node)} if ${NPU_AVAILABLE} else (${expr.text})`
        : expr.text.replace(node.text, npuLiteral(node));
      fixes.push(ctx.kit.replaceWith(expr, text, [ctx.kit.torchNpu]));
    }
  } else fixes.push(ctx.kit.transfer());
  ctx.report(node, 'cuda-device-string', msg('"{0}" is a CUDA device; on an NPU host use the device chosen at run time', deviceExcerpt(node, expr, dev)), fixes);
}

/**
 * The device as the message names it: the literal's text; `"cuda:" + str(rank)` and `'cuda:{}'.format(rank)` as
 * cuda:{rank}, like the f-string.
 */
function deviceExcerpt(node: Node, expr: Node, dev: { interpolated?: Node }): string {
  const formatted = expr.type === 'binary_operator' || (expr.type === 'call' && parentOf(parentOf(node) ?? node)?.id === expr.id);
  return formatted && dev.interpolated ? `cuda:{${dev.interpolated.text}}` : excerptOf(node);
}

function excerptOf(node: Node): string {
  const lit = stringLiteral(node);
  return lit ? lit.content : node.text;
}

/** `.to("cuda", torch.bfloat16)` → `.to(DEVICE, DTYPE)` (and a keep-dtype variant), `.to("cuda")` → `.to(DEVICE)`. */
function checkTo(ctx: RuleContext, call: Node, node: Node, expr: Node, dev: { index?: string; interpolated?: Node }, positional: boolean): void {
  const { positional: args, keywords } = callArguments(call);
  const dtypeNode = positional ? args[1] ?? keywords.get('dtype') : keywords.get('dtype');
  const dtype = dtypeNode ? ctx.imports.qualify(dtypeNode) : undefined;
  if (ctx.kit.style === 'deviceManager' && dtypeNode && dtype && HALF_DTYPES.has(dtype)) {
    const h = helperDevice(ctx, dev);
    const others = dtypeLiterals(ctx, dtype).filter((n) => n.startIndex !== dtypeNode.startIndex);
    const both = ctx.kit.make(
      others.length ? msg('Replace with {0} (and {1} other {2} literals in this file)', `${h.text}, DTYPE`, others.length, dtype) : msg('Replace with {0}', `${h.text}, DTYPE`),
      [ctx.kit.replace(expr, h.text), ctx.kit.replace(dtypeNode, 'DTYPE'), ...others.map((n) => ctx.kit.replace(n, 'DTYPE'))],
      [...h.requires, ctx.kit.helper('DTYPE')],
      `.to(${h.text}, DTYPE)`,
    );
    const keep = ctx.kit.make(msg('Replace with {0} (keep the dtype)', h.text), [ctx.kit.replace(expr, h.text)], h.requires, `.to(${h.text}, ${dtypeNode.text})`);
    ctx.report(node, 'cuda-device-string', msg('"{0}" is a CUDA device; on an NPU host use the device chosen at run time', deviceExcerpt(node, expr, dev)), [both, keep]);
    return;
  }
  reportDevice(ctx, node, expr, dev);
}

/**
 * The dtype literals of a file that meet a dtype the fix replaces by DTYPE: `dtype=torch.bfloat16`,
 * `torch_dtype=...` and `.to(..., torch.bfloat16)` with the same dtype. They are replaced together, or
 * tensors made with the literal meet a model in DTYPE ("mat1 and mat2 must have the same dtype").
 */
export function dtypeLiterals(ctx: RuleContext, dtype: string): Node[] {
  const names = dtype === 'torch.float16' || dtype === 'torch.half' ? ['float16', 'half'] : ['bfloat16'];
  const out: Node[] = [];
  for (const name of names) {
    for (let at = ctx.text.indexOf(name); at !== -1; at = ctx.text.indexOf(name, at + name.length)) {
      const id = ctx.tree.rootNode.descendantForIndex(at, at + name.length);
      const attr = id?.parent;
      if (id?.type !== 'identifier' || attr?.type !== 'attribute' || attr.childForFieldName('attribute')?.id !== id.id) continue;
      const q = ctx.imports.qualify(attr);
      if (q !== 'torch.float16' && q !== 'torch.half' && q !== 'torch.bfloat16') continue;
      if ((q === 'torch.bfloat16') !== (dtype === 'torch.bfloat16')) continue;
      const { parent } = unparenthesizedParent(attr);
      if (parent?.type === 'keyword_argument') {
        const key = parent.childForFieldName('name')?.text;
        // autocast's dtype is a compute precision (CPU autocast takes only bfloat16), not a tensor's dtype
        const call = parent.parent?.parent;
        const autocast = call?.type === 'call' && /autocast$/.test(call.childForFieldName('function')?.text ?? '');
        if ((key === 'dtype' || key === 'torch_dtype') && !autocast) out.push(attr);
        continue;
      }
      const arg = callOfArgument(attr);
      const fn = arg?.call.childForFieldName('function');
      if (arg && !arg.keyword && fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'to' && arg.index <= 1) out.push(attr);
    }
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

function checkGenerator(ctx: RuleContext, call: Node, node: Node): void {
  if (ctx.transferToNpu) return;
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager') {
    // torch.Generator("cuda").manual_seed(s) → dm.create_generator(s)
    const attr = parentOf(call);
    const outer = attr?.type === 'attribute' && attr.childForFieldName('attribute')?.text === 'manual_seed' ? parentOf(attr) : null;
    if (outer?.type === 'call' && outer.childForFieldName('function')?.id === attr?.id) {
      const seed = callArguments(outer).positional[0]?.text ?? '';
      fixes.push(ctx.kit.replaceWith(outer, `dm.create_generator(${seed})`, [ctx.kit.helper('dm')]));
    } else fixes.push(ctx.kit.replaceWith(call, 'dm.create_generator()', [ctx.kit.helper('dm')]));
  } else if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(node, npuLiteral(node), [ctx.kit.torchNpu]));
  else fixes.push(ctx.kit.transfer());
  ctx.report(call, 'cuda-generator', msg('torch.Generator on a CUDA device'), fixes);
}

function checkAutocastDevice(ctx: RuleContext, node: Node, dev: { index?: string; interpolated?: Node }): void {
  if (ctx.transferToNpu || dev.interpolated) return;
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager') fixes.push(ctx.kit.replaceWith(node, 'dm.device_type', [ctx.kit.helper('dm')]));
  else if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(node, npuLiteral(node), [ctx.kit.torchNpu]));
  else fixes.push(ctx.kit.transfer());
  ctx.report(node, 'cuda-amp', msg('{0} enables mixed precision only on CUDA', node.text), fixes);
}

function checkSafetensors(ctx: RuleContext, call: Node, node: Node): void {
  const fixes: Fix[] = [];
  const { positional, keywords } = callArguments(call);
  if (ctx.kit.style === 'deviceManager' && positional.length >= 1 && positional.length <= 2 && [...keywords.keys()].every((k) => k === 'device')) {
    fixes.push(ctx.kit.replaceWith(call, `dm.load_safetensors(${positional[0]!.text})`, [ctx.kit.helper('dm')]));
  } else fixes.push(ctx.kit.replaceWith(node, node.text.replace(/cuda(:\d+)?/, 'cpu'), []));
  ctx.report(call, 'safetensors-device', msg('load_file(..., device="{0}") loads straight to CUDA', excerptOf(node)), fixes);
}

function checkNccl(ctx: RuleContext, node: Node): void {
  const { parent } = unparenthesizedParent(node);
  const arg = callOfArgument(node);
  const lit = stringLiteral(node)!;
  const hccl = lit.content === 'NCCL' ? 'HCCL' : 'hccl';
  if (parent?.type === 'comparison_operator') {
    // a branch that only sets NCCL / CUDA settings (NCCL_* variables, a use_cuda_ipc flag) or checks: an NPU host with
    // HCCL skips it and keeps the defaults
    const ops = comparisonOperators(parent);
    const checksOnly = ops.length === 1 && (ops[0] === '==' || ops[0] === 'is') && guardsOnlyChecks(parent, ctx.imports);
    ctx.report(node, 'nccl-backend', msg('"{0}" is the NVIDIA collective backend; Ascend uses HCCL', lit.content), [], checksOnly ? 'info' : 'warning');
    return;
  }
  if (parent && (parent.type === 'list' || parent.type === 'tuple' || parent.type === 'set')) {
    checkBackendList(ctx, node, parent, hccl);
    return;
  }
  let backendUse = false;
  if (arg) {
    const q = ctx.imports.qualify(arg.call.childForFieldName('function'));
    backendUse = arg.keyword === 'backend' || (q === 'torch.distributed.init_process_group' && arg.index === 0) || (arg.keyword === 'default' && /backend/i.test(arg.call.text)) || backendLookupDefault(arg);
  } else if (parent?.type === 'assignment') {
    backendUse = /backend/i.test(parent.childForFieldName('left')?.text ?? '');
  }
  if (!backendUse) return;
  if (ctx.transferToNpu) return;
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager' && lit.content === 'nccl') fixes.push(ctx.kit.replaceWith(node, 'dm.dist_backend', [ctx.kit.helper('dm')]));
  else fixes.push(ctx.kit.replaceWith(node, node.text.replace(lit.content, hccl), []));
  ctx.report(node, 'nccl-backend', msg('"{0}" is the NVIDIA collective backend; Ascend uses HCCL', lit.content), fixes);
}

/** "Add X": inserts `, X` after the list item `node` ("npu" next to "cuda", "hccl" next to "nccl"). */
function addAfterItem(ctx: RuleContext, node: Node, text: string): Fix {
  const at = { line: node.endPosition.row, column: node.endPosition.column };
  return ctx.kit.make(msg('Add {0}', text), [ctx.kit.replace({ start: at, end: at }, `, ${text}`)], [], `${node.text}, ${text}`, undefined);
}

/** Collective backends of torch.distributed (a list holding one of them next to "nccl" is a list of backends). */
const BACKEND_NAME = /^(gloo|mpi|ucc|nccl|hccl)$/i;

/**
 * "nccl" in argparse choices of backends: `choices=['nccl', 'gloo']` (wenet's `--ddp.dist_backend`). Without "hccl"
 * beside it, the program refuses the Ascend backend on its command line. The fix adds "hccl" next to "nccl"; the
 * choices are the program's interface, so it is offered, never applied by fix-all, like the device choices.
 */
function checkBackendList(ctx: RuleContext, node: Node, list: Node, hccl: string): void {
  const values = list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment').map((c) => stringLiteral(c)?.content);
  if (values.some((v) => v !== undefined && /^hccl$/i.test(v)) || ctx.transferToNpu) return;
  const outer = unparenthesizedParent(list);
  const holder = outer.parent;
  if (holder?.type !== 'keyword_argument' || holder.childForFieldName('name')?.text !== 'choices') return;
  const backends = values.filter((v) => v !== undefined && BACKEND_NAME.test(v)).length > 1;
  if (!backends && !/backend/i.test(callOfArgument(outer.node)?.call.text ?? '')) return;
  const lit = stringLiteral(node)!;
  const quote = node.text.slice(node.text.length - 1);
  const text = `${quote}${hccl}${quote}`;
  const add = addAfterItem(ctx, node, text);
  ctx.report(node, 'nccl-backend', msg('The choices accept "{0}" but not the Ascend backend "{1}"', lit.content, hccl), [{ ...add, explicitOnly: true }], 'warning');
}

/**
 * The default of a lookup whose key names a backend: getattr(args, "vllm_sync_backend", "nccl"),
 * cfg.get("dist_backend", "nccl"), os.environ.get("BACKEND", "nccl"), os.getenv("DIST_BACKEND", "nccl").
 */
function backendLookupDefault(arg: { call: Node; index: number; keyword?: string }): boolean {
  // getattr(args, "sync_backend", "nccl") == "nccl": the comparison is the finding (its "nccl"), not the default
  if (unparenthesizedParent(arg.call).parent?.type === 'comparison_operator') return false;
  const fn = arg.call.childForFieldName('function');
  const { positional } = callArguments(arg.call);
  let key: Node | undefined;
  if (fn?.type === 'identifier' && fn.text === 'getattr' && arg.index === 2) key = positional[1];
  else if (fn?.type === 'attribute' && LOOKUP_METHODS.has(fn.childForFieldName('attribute')?.text ?? '') && (arg.index === 1 || arg.keyword === 'default')) key = positional[0];
  const name = key?.type === 'string' ? stringLiteral(key)?.content : undefined;
  return name !== undefined && /backend/i.test(name);
}

const LOOKUP_METHODS = new Set(['get', 'getenv', 'pop', 'setdefault']);

function checkAttnImplementation(ctx: RuleContext, node: Node): void {
  const arg = callOfArgument(node);
  const { parent } = unparenthesizedParent(node);
  const named = arg?.keyword === 'attn_implementation' || (parent?.type === 'assignment' && /attn_implementation/.test(parent.text));
  if (!named) return;
  ctx.report(node, 'flash-attn', msg('attn_implementation="flash_attention_2" needs flash-attn (CUDA only)'), [ctx.kit.replaceWith(node, node.text.replace('flash_attention_2', 'sdpa'), [])]);
}

/**
 * "cuda" in a list, tuple or set of device types: a membership test (`device in ["cuda", "mps"]`), argparse
 * `choices=["cuda", "cpu"]`, or a list of supported devices. Without "npu" in it, an NPU device is refused
 * or takes the other path. The fix adds "npu" next to "cuda"; for choices (the program's interface) it is
 * offered, never applied by fix-all.
 */
function checkDeviceList(ctx: RuleContext, node: Node, list: Node): boolean {
  const items = list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const values = items.map((c) => stringLiteral(c)?.content);
  const outer = unparenthesizedParent(list);
  const holder = outer.parent;
  const membership = isMembershipTest(holder, outer.node);
  const choices = holder?.type === 'keyword_argument' && holder.childForFieldName('name')?.text === 'choices';
  // a list of device types next to "cuda", or one that names itself so (`supported_devices = ["cuda"]`, `def supported_devices(): return ["cuda"]`)
  const devices = values.some((v) => v !== undefined && OTHER_DEVICE.test(v)) || (values.every((v) => v !== undefined) && namedAsDevices(holder, outer.node));
  if (!membership && !choices && !devices) return false;
  if (ctx.transferToNpu || values.some((v) => v !== undefined && NPU_DEVICE.test(v))) return true;
  const lit = stringLiteral(node)!;
  const npu = node.text.replace(/cuda(:\d+)?/, 'npu');
  const add = addAfterItem(ctx, node, npu);
  if (choices) {
    ctx.report(node, 'cuda-device-string', msg('The choices accept "{0}" but no NPU device', lit.content), [{ ...add, explicitOnly: true }], 'warning');
  } else if (membership) {
    ctx.report(node, 'cuda-device-string', msg('Membership test with the CUDA device type "{0}" and no NPU device: an NPU device takes the other path', lit.content), [add], 'warning');
  } else {
    ctx.report(node, 'cuda-device-string', msg('A list of device types with "{0}" and no NPU device', lit.content), [add], 'info');
  }
  return true;
}

/** `os.environ["CUDA_VISIBLE_DEVICES"]`, `os.getenv("CUDA_VISIBLE_DEVICES")`, `env={"CUDA_VISIBLE_DEVICES": ...}`. */
function checkEnvVar(ctx: RuleContext, node: Node, name: string): void {
  const { node: outer, parent } = unparenthesizedParent(node);
  if (!parent) return;
  let used = false;
  if (parent.type === 'subscript') used = parent.childForFieldName('subscript')?.id === outer.id;
  else if (parent.type === 'pair') used = parent.childForFieldName('key')?.id === outer.id;
  else if (parent.type === 'comparison_operator') used = true;
  else {
    const arg = callOfArgument(outer);
    if (arg) {
      const fn = arg.call.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      used = method !== undefined && ENV_METHODS.has(method) && arg.index === 0;
    }
  }
  if (used) reportEnvVar(ctx, node, name);
}

export function reportEnvVar(ctx: RuleContext, node: Node, name: string): void {
  ctx.report(node, 'cuda-env-var', msg('{0} has no effect on an Ascend NPU; the CANN / torch_npu variable is {1}', name, CUDA_ENV_VARS[name]!), []);
}

/** `x in [...]` / `x not in {...}` with `right` as the container. */
function isMembershipTest(holder: Node | null, right: Node): boolean {
  return holder?.type === 'comparison_operator' && holder.namedChildren[1]?.id === right.id
    && holder.children.some((c) => c !== null && !c.isNamed && (c.type === 'in' || c.type === 'not in'));
}

/** The last name of a target or an expression: `device_map`, `self.devices` → devices. */
function lastName(node: Node | null): string | undefined {
  if (node?.type === 'identifier') return node.text;
  if (node?.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

/** An entry of a device table: `device_map[key]`, `self.devices[i]`, `model_kwargs["device_map"]`. */
function isDeviceEntry(left: Node | null): boolean {
  if (left?.type !== 'subscript') return false;
  const table = lastName(left.childForFieldName('value'));
  if (table !== undefined && DEVICE_NAME.test(table)) return true;
  const key = left.childForFieldName('subscript');
  const keyText = key ? stringLiteral(key) : undefined;
  return keyText !== undefined && keyText.interpolations.length === 0 && DEVICE_NAME.test(keyText.content);
}

/** A dictionary that is a device table: `device_map={...}`, `device_map = {...}`, `kwargs["device_map"] = {...}`. */
function isDeviceTable(dict: Node | null): boolean {
  if (dict?.type !== 'dictionary') return false;
  const { node, parent } = unparenthesizedParent(dict);
  if (parent?.type === 'keyword_argument') return parent.childForFieldName('value')?.id === node.id && DEVICE_NAME.test(parent.childForFieldName('name')?.text ?? '');
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== node.id) return false;
  const left = parent.childForFieldName('left');
  const name = lastName(left);
  return (name !== undefined && DEVICE_NAME.test(name)) || isDeviceEntry(left);
}

/**
 * A list that says it holds device types: assigned to or passed as a device-like name
 * (`supported_devices = ["cuda"]`), or returned by a function with one (`def supported_devices(): return ["cuda"]`).
 */
function namedAsDevices(holder: Node | null, list: Node): boolean {
  if (!holder) return false;
  if (holder.type === 'assignment') return holder.childForFieldName('right')?.id === list.id && DEVICE_NAME.test(lastName(holder.childForFieldName('left')) ?? '');
  if (holder.type === 'keyword_argument') return DEVICE_NAME.test(holder.childForFieldName('name')?.text ?? '');
  if (holder.type !== 'return_statement') return false;
  for (let a = parentOf(holder); a && a.type !== 'module' && a.type !== 'class_definition'; a = parentOf(a)) {
    if (a.type === 'function_definition') return DEVICE_NAME.test(a.childForFieldName('name')?.text ?? '');
  }
  return false;
}

/**
 * "cuda" as a key of a table keyed by device type (`{"cuda": "nccl", "cpu": "gloo"}`): without an NPU entry,
 * a lookup with "npu" fails or falls back to the CPU entry.
 */
function checkDeviceKey(ctx: RuleContext, node: Node, pair: Node): void {
  const dict = parentOf(pair);
  if (dict?.type !== 'dictionary' || ctx.transferToNpu) return;
  const keys: string[] = [];
  for (const p of dict.namedChildren) {
    const key = p?.type === 'pair' ? p.childForFieldName('key') : null;
    const content = key ? stringLiteral(key)?.content : undefined;
    if (content !== undefined) keys.push(content);
  }
  if (!keys.some((k) => OTHER_DEVICE.test(k)) || keys.some((k) => NPU_DEVICE.test(k))) return;
  ctx.report(node, 'cuda-device-string', msg('A table keyed by device type with "{0}" and no NPU entry', excerptOf(node)), [], 'info');
}
