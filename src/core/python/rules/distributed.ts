import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { RuleContext } from '../context';
import type { Fix, Requirement } from '../types';

/**
 * A call that selects the process's device, in any spelling: torch.cuda/npu.set_device, dm.set_device,
 * accelerator.set_device, and the torchNpu style's keep-CUDA form `(torch.npu.set_device if ... else
 * torch.cuda.set_device)(device)`, which fix-all's next round reads.
 */
const SET_DEVICE_CALL = /\bset_device\s*\)?\s*\(/;

/**
 * `DistributedDataParallel(model, device_ids=[local_rank], output_device=local_rank)`.
 *
 * Integer device ids are not CUDA-only: DDP takes the device type from the module's parameters, and
 * torch_npu's own DDP tests pass `device_ids=[0]` for a module on the NPU. What Ascend's distributed
 * migration needs is the device selected in each process (`torch.npu.set_device(local_rank)`, before
 * `init_process_group`), which CUDA scripts often leave to DDP and `.cuda(rank)`. So the finding is a
 * DDP call with device ids in a file that selects no device; the fix inserts the set_device call
 * before init_process_group (same function) or before the statement with the DDP call.
 */
export function checkDdpDeviceIds(ctx: RuleContext, keyword: Node): void {
  const call = keyword.parent?.parent;
  if (call?.type !== 'call') return;
  const fn = call.childForFieldName('function');
  const qualified = ctx.imports.qualify(fn) ?? fn?.text ?? '';
  if (!/(^|\.)DistributedDataParallel$/.test(qualified) || qualified.startsWith('apex.')) return;
  if (SET_DEVICE_CALL.test(ctx.text)) return;
  const value = keyword.childForFieldName('value');
  if (!value) return;
  const first = value.type === 'list' || value.type === 'tuple' ? value.namedChildren[0] : undefined;
  if ((value.type === 'list' || value.type === 'tuple') && !first) return;
  // device_ids=[torch.cuda.current_device()] and CUDA strings are reported by their own rules
  const index = first ? first.text : `${value.text}[0]`;
  if (first && (first.type === 'string' || /\btorch\.cuda\b/.test(first.text))) return;
  const fixes: Fix[] = [];
  const anchor = insertionStatement(ctx, call);
  if (anchor) {
    const { text, requires } = setDeviceCall(ctx, index);
    const at = ctx.lines.positionAt(ctx.lines.lineStart(anchor.startPosition.row));
    const indent = ' '.repeat(anchor.startPosition.column);
    fixes.push(ctx.kit.make(msg('Insert {0} before {1}', text, anchor.text.split('\n', 1)[0]!.trim().slice(0, 50)), [{ range: { start: at, end: at }, newText: `${indent}${text}\n` }], requires, text));
  }
  ctx.report(keyword, 'ddp-device-ids', msg('{0} without a set_device call in this file: each process must select its NPU before HCCL starts', keyword.text), fixes);
}

function setDeviceCall(ctx: RuleContext, index: string): { text: string; requires: Requirement[] } {
  if (ctx.kit.style === 'deviceManager') return { text: `dm.set_device(${index})`, requires: [ctx.kit.helper('dm')] };
  if (ctx.kit.style === 'torchNpu') return { text: `torch.npu.set_device(${index})`, requires: [{ kind: 'import', module: 'torch' }, ctx.kit.torchNpu] };
  // transferToNpu: CUDA spelling, redirected to the NPU at run time
  return { text: `torch.cuda.set_device(${index})`, requires: [{ kind: 'import', module: 'torch' }] };
}

/** The statement (alone on its first line) before which the set_device call goes. */
function insertionStatement(ctx: RuleContext, ddp: Node): Node | undefined {
  const scope = enclosingFunction(ddp);
  const ddpStatement = statementOf(ddp);
  for (let at = ctx.text.indexOf('init_process_group'); at !== -1 && at < ddp.startIndex; at = ctx.text.indexOf('init_process_group', at + 1)) {
    const node = ctx.tree.rootNode.descendantForIndex(at);
    if (!node || node.type !== 'identifier' || !isCalled(node) || enclosingFunction(node)?.id !== scope?.id) continue;
    const statement = statementOf(node);
    if (statement && startsLine(ctx, statement)) return statement;
  }
  return ddpStatement && startsLine(ctx, ddpStatement) ? ddpStatement : undefined;
}

/** The identifier is the function of a call, `f(...)` or `x.f(...)` (not a name in an import line). */
function isCalled(id: Node): boolean {
  const fn = id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id ? id.parent : id;
  return fn.parent?.type === 'call' && fn.parent.childForFieldName('function')?.id === fn.id;
}

function enclosingFunction(node: Node): Node | null {
  let n = node.parent;
  while (n && n.type !== 'function_definition') n = n.parent;
  return n;
}

/** The innermost node that sits directly in a block or the module. */
function statementOf(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n && n.parent ? n : undefined;
}

function startsLine(ctx: RuleContext, statement: Node): boolean {
  const lineStart = ctx.lines.lineStart(statement.startPosition.row);
  return ctx.text.slice(lineStart, statement.startIndex).trim() === '';
}

/** The identifier is the name of a `device_ids=` keyword argument. */
export function isDeviceIdsKeyword(id: Node): boolean {
  const parent = id.parent;
  return id.text === 'device_ids' && parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id && parent.parent?.type === 'argument_list';
}
