import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { Range } from '../../position';
import type { RuleContext } from '../context';
import { callArguments, excerpt } from '../syntax';
import type { Fix, Severity } from '../types';
import { checkGeluModules, checkTracedFunctions } from './onnxExportOps';
import { targetLacksExportOps, type ExportTarget } from './onnxExportTarget';

/**
 * `torch.onnx.export(...)` calls against the target profile: the opset (given, or torch's default)
 * and dynamic axes. Positional arguments follow torch 1.13's signature (opset_version is the 10th
 * parameter since torch 1.x; dynamic_axes the 12th in torch 1.11 to 2.4).
 */

const EXPORT_FUNCTIONS = new Set(['torch.onnx.export', 'torch.onnx.utils.export']);
const OPSET_POSITION = 9;
const DYNAMIC_AXES_POSITION = 11;

/**
 * torch's default opset when opset_version is not given: torch.onnx._constants.ONNX_DEFAULT_OPSET
 * is 14 in torch 1.13 (the torch this project tests with), 13 in torch 1.12 and 18 in torch 2.8;
 * the dynamo exporter (dynamo=True) defaults to 18.
 */
export const TORCH_DEFAULT_OPSET = 14;
const OTHER_TORCH_DEFAULTS = [13, 18];
const DYNAMO_DEFAULT_OPSET = 18;

/** Names to look for in the text: `onnx` plus local names bound to torch.onnx or its export. */
export function exportCallWords(ctx: RuleContext): string[] {
  return ['onnx', ...ctx.imports.localsUnder(['torch.onnx']).filter((n) => n !== 'onnx')];
}

/** The export call whose callee contains `id`, if `id` is part of one. */
export function exportCallAt(ctx: RuleContext, id: Node): Node | undefined {
  let top = id;
  while (top.parent?.type === 'attribute') top = top.parent;
  const call = top.parent;
  if (call?.type !== 'call' || call.childForFieldName('function')?.id !== top.id) return undefined;
  const qualified = ctx.imports.qualify(top);
  return qualified && EXPORT_FUNCTIONS.has(qualified) ? call : undefined;
}

export function checkExportCall(ctx: RuleContext, call: Node, target: ExportTarget): void {
  checkOpset(ctx, call, target);
  checkDynamicAxes(ctx, call, target);
}

function inRange(target: ExportTarget, opset: number): boolean {
  const r = target.opsets;
  return !r || ((r.min === undefined || opset >= r.min) && (r.max === undefined || opset <= r.max));
}

/** The in-range opset closest to `opset`. */
function closestInRange(target: ExportTarget, opset: number): number {
  const r = target.opsets!;
  if (r.min !== undefined && opset < r.min) return r.min;
  if (r.max !== undefined && opset > r.max) return r.max;
  return opset;
}

function rangeText(target: ExportTarget): string {
  const r = target.opsets!;
  if (r.min !== undefined && r.max !== undefined) return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
  return r.min !== undefined ? `>= ${r.min}` : `<= ${r.max}`;
}

function checkOpset(ctx: RuleContext, call: Node, target: ExportTarget): void {
  if (!target.opsets) return;
  const { positional, keywords, list } = callArguments(call);
  const keyword = keywords.get('opset_version');
  const value = keyword ?? positional[OPSET_POSITION];
  const severity: Severity = target.opsets.certain ? 'error' : 'warning';
  if (value) {
    const resolved = integerValue(ctx, value);
    if (!resolved || inRange(target, resolved.value)) return;
    const fixed = closestInRange(target, resolved.value);
    const fix = ctx.kit.make(msg('Set opset_version to {0}', fixed), [ctx.kit.replace(resolved.at, String(fixed))], [], `opset_version=${fixed}`);
    ctx.report(keyword ? keyword.parent! : value, 'onnx-export-opset',
      msg('Opset {0} is outside the opsets {1} accepts ({2})', resolved.value, target.name, rangeText(target)), [fix], severity);
    return;
  }
  if (!list || list.type !== 'argument_list') return;
  const dynamo = keywords.get('dynamo')?.text === 'True';
  const assumed = dynamo ? DYNAMO_DEFAULT_OPSET : TORCH_DEFAULT_OPSET;
  const fn = call.childForFieldName('function')!;
  if (!inRange(target, assumed)) {
    const fixed = closestInRange(target, assumed);
    const message = dynamo
      ? msg('No opset_version: the dynamo exporter uses opset {0}, outside the opsets {1} accepts ({2})', assumed, target.name, rangeText(target))
      : msg('No opset_version: torch uses its default opset ({0} in torch 1.13; 13 in 1.12, 18 in 2.8), outside the opsets {1} accepts ({2})', assumed, target.name, rangeText(target));
    ctx.report(fn, 'onnx-export-opset', message, [addOpsetFix(ctx, list, fixed)], severity);
    return;
  }
  if (!dynamo && OTHER_TORCH_DEFAULTS.some((o) => !inRange(target, o))) {
    const message = msg('No opset_version: the opset depends on the installed torch ({0} in torch 1.13; 13 in 1.12, 18 in 2.8) and {1} accepts {2}; pin it', assumed, target.name, rangeText(target));
    ctx.report(fn, 'onnx-export-opset', message, [addOpsetFix(ctx, list, assumed)], 'info');
  }
}

function addOpsetFix(ctx: RuleContext, list: Node, opset: number): Fix {
  const args = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = args[args.length - 1];
  const at = last ? ctx.lines.positionAt(last.endIndex) : ctx.lines.positionAt(list.startIndex + 1);
  const text = last ? `, opset_version=${opset}` : `opset_version=${opset}`;
  return ctx.kit.make(msg('Set opset_version to {0}', opset), [ctx.kit.replace({ start: at, end: at }, text)], [], `opset_version=${opset}`);
}

/**
 * An integer literal, or a name bound once at the top level of the file to one (`OPSET = 19`):
 * its value and where to change it.
 */
function integerValue(ctx: RuleContext, node: Node): { value: number; at: Range } | undefined {
  const range = (start: number, end: number): Range => ({ start: ctx.lines.positionAt(start), end: ctx.lines.positionAt(end) });
  if (node.type === 'integer' && /^\d+$/.test(node.text)) return { value: Number(node.text), at: range(node.startIndex, node.endIndex) };
  if (node.type !== 'identifier') return undefined;
  const pattern = new RegExp(`^${node.text}[ \\t]*(?::[^=\\n]*)?=[ \\t]*(\\d+)[ \\t]*(?:#[^\\n]*)?\\r?$`, 'gm');
  const found = [...ctx.text.matchAll(pattern)];
  if (found.length !== 1) return undefined;
  const m = found[0]!;
  const statement = ctx.tree.rootNode.descendantForIndex(m.index);
  if (!statement || statement.parent?.type !== 'assignment' || statement.parent.parent?.parent?.type !== 'module') return undefined;
  const digits = m.index + m[0].indexOf(m[1]!, m[0].indexOf('='));
  return { value: Number(m[1]), at: range(digits, digits + m[1]!.length) };
}

function checkDynamicAxes(ctx: RuleContext, call: Node, target: ExportTarget): void {
  if (target.staticShapes === 'not-required') return;
  const { positional, keywords } = callArguments(call);
  for (const name of ['dynamic_axes', 'dynamic_shapes']) {
    const keyword = keywords.get(name);
    const value = keyword ?? (name === 'dynamic_axes' ? positional[DYNAMIC_AXES_POSITION] : undefined);
    if (!value || value.type === 'none' || value.text === 'None' || /^\{\s*\}$/.test(value.text)) continue;
    const argument = keyword ? keyword.parent! : value;
    // the exported model then takes only the example's shapes: never applied by fix-all without asking
    const fix = { ...ctx.kit.make(msg('Remove {0} (export with the example input\'s fixed shapes; changes the model\'s interface)', name), [removeArgument(ctx, argument)], [], `(${name} removed)`), changesInterface: true };
    if (target.staticShapes === 'required') {
      ctx.report(argument, 'onnx-export-dynamic-axes', msg('{0} makes input dimensions dynamic; {1} needs static shapes', `${name}=${excerpt(value.text, 40)}`, target.name), [fix]);
    } else {
      ctx.report(argument, 'onnx-export-dynamic-axes', msg('{0} makes input dimensions dynamic; the {1} data cannot tell whether dynamic shapes convert (NPU compilers usually need fixed shapes)', `${name}=${excerpt(value.text, 40)}`, target.name), [fix], 'info');
    }
  }
}

/** The edit that deletes one argument with its comma; an argument on lines of its own goes with its lines. */
function removeArgument(ctx: RuleContext, argument: Node): { range: Range; newText: string } {
  const { lines, text } = ctx;
  const list = argument.parent!;
  const args = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const index = args.findIndex((a) => a.id === argument.id);
  const startLine = argument.startPosition.row;
  const endLine = argument.endPosition.row;
  const before = text.slice(lines.lineStart(startLine), argument.startIndex);
  const after = text.slice(argument.endIndex, lines.lineEnd(endLine));
  const range = (start: number, end: number): Range => ({ start: lines.positionAt(start), end: lines.positionAt(end) });
  if (/^\s*$/.test(before) && /^\s*,?\s*(#.*)?$/.test(after) && index > 0 && endLine + 1 < lines.lineCount) {
    return { range: range(lines.lineStart(startLine), lines.lineStart(endLine + 1)), newText: '' };
  }
  if (index > 0) return { range: range(args[index - 1]!.endIndex, argument.endIndex), newText: '' };
  const next = args[index + 1];
  if (next) return { range: range(argument.startIndex, next.startIndex), newText: '' };
  const comma = /^\s*,/.exec(text.slice(argument.endIndex));
  return { range: range(argument.startIndex, argument.endIndex + (comma ? comma[0].length : 0)), newText: '' };
}

/**
 * The onnx-export-* rules over [start, end]: export calls found from the word `onnx` (and local
 * names bound to torch.onnx), traced code only when the target lacks an op the rules know.
 */
export function checkOnnxExport(ctx: RuleContext, target: ExportTarget, start: number, end: number): void {
  const words = exportCallWords(ctx).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`\\b(?:${words.join('|')})\\b`, 'g');
  pattern.lastIndex = start;
  const seen = new Set<number>();
  for (let m = pattern.exec(ctx.text); m && m.index <= end; m = pattern.exec(ctx.text)) {
    const node = ctx.tree.rootNode.descendantForIndex(m.index);
    if (node?.type !== 'identifier') continue;
    const call = exportCallAt(ctx, node);
    if (call && !seen.has(call.id)) {
      seen.add(call.id);
      checkExportCall(ctx, call, target);
    }
  }
  if (targetLacksExportOps(target)) {
    checkTracedFunctions(ctx, target, start, end);
    checkGeluModules(ctx, target, start, end);
  }
}

/** Cheap superset test for the workspace scan: can this text have an onnx-export-* finding? */
export function mayHaveExportFindings(text: string, target: ExportTarget | undefined): boolean {
  if (!target) return false;
  return text.includes('onnx') || (targetLacksExportOps(target) && /\bdef\s+forward\b|GELU/.test(text));
}
