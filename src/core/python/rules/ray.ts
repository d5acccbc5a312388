import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { RuleContext } from '../context';
import { parentOf } from '../parents';
import { callArguments, callOfArgument, excerpt, stringLiteral, unparenthesizedParent } from '../syntax';

/**
 * Ray's "GPU" resource. Ray schedules Ascend NPUs as its own resource, "NPU" (python/ray/_private/accelerators/npu.py,
 * since Ray 2.9): on an NPU host a task or actor that asks for num_gpus / {"GPU": n} is never scheduled, and
 * ray.get_gpu_ids() is empty. Reported only in files that import ray; no quick fix (the GPU request is right on a
 * GPU host: the port chooses the resource by accelerator, as OpenRLHF's did).
 */

/** Calls whose resource arguments are Ray's: @ray.remote(...), ray.init(...), X.options(...) in a file that imports ray. */
function isRayResourceCall(ctx: RuleContext, call: Node): boolean {
  const fn = call.childForFieldName('function');
  const qualified = ctx.imports.qualify(fn);
  if (qualified === 'ray.remote' || qualified === 'ray.init') return true;
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'options' && importsRay(ctx);
}

function importsRay(ctx: RuleContext): boolean {
  return ctx.imports.importsFrom('ray');
}

/** `@ray.remote(num_gpus=1)`, `Actor.options(num_gpus=n)`, `ray.init(num_gpus=8)` (not num_gpus=0). */
export function checkRayNumGpus(ctx: RuleContext, keyword: Node): void {
  const call = parentOf(parentOf(keyword) ?? keyword);
  if (call?.type !== 'call' || !isRayResourceCall(ctx, call)) return;
  const value = keyword.childForFieldName('value');
  if (!value || /^0*(\.0*)?$/.test(value.text) || value.text === 'None') return;
  ctx.report(keyword, 'ray-gpu-resource', msg('{0} asks Ray for its "GPU" resource; Ray schedules Ascend NPUs as the "NPU" resource, so on an NPU host this is never scheduled', keyword.text), []);
}

/** `ray.get_gpu_ids()`: empty on an NPU host. */
export function checkRayGpuIds(ctx: RuleContext, call: Node): void {
  ctx.report(call, 'ray-gpu-resource', msg('{0} lists Ray\'s GPUs only and is empty on an NPU host; ray.get_runtime_context().get_accelerator_ids()["NPU"] lists the NPUs', excerpt(call.text, 60)), []);
}

/** Calls that return Ray's resource tables, keyed by resource name. */
const RESOURCE_TABLES = new Set(['ray.cluster_resources', 'ray.available_resources']);

/**
 * The string "GPU" as a Ray resource name: a key of a resource dictionary (a bundle with "CPU" beside it, or the
 * dictionary passed as resources= or to placement_group), or a key read from get_accelerator_ids() or
 * ray.cluster_resources() / ray.available_resources().
 */
export function checkRayGpuKey(ctx: RuleContext, node: Node): boolean {
  const lit = stringLiteral(node);
  if (!lit || lit.content !== 'GPU' || lit.interpolations.length || !importsRay(ctx)) return false;
  const { parent } = unparenthesizedParent(node);
  if (parent?.type === 'pair' && parent.childForFieldName('key')?.id === node.id) {
    const dict = parentOf(parent);
    if (dict?.type !== 'dictionary' || !isResourceDict(ctx, dict)) return false;
  } else if (parent?.type === 'subscript') {
    if (!isResourceTable(ctx, parent.childForFieldName('value'))) return false;
  } else {
    const arg = callOfArgument(node);
    const fn = arg?.call.childForFieldName('function');
    if (!arg || arg.index !== 0 || fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get' || !isResourceTable(ctx, fn.childForFieldName('object'))) return false;
  }
  ctx.report(node, 'ray-gpu-resource', msg('"GPU" is Ray\'s GPU resource; Ray schedules Ascend NPUs as the "NPU" resource, so on an NPU host this asks for what the node does not have'), []);
  return true;
}

function isResourceDict(ctx: RuleContext, dict: Node): boolean {
  const keys = dict.namedChildren.flatMap((p) => (p?.type === 'pair' ? [stringLiteral(p.childForFieldName('key')!)?.content] : []));
  if (keys.includes('CPU')) return true;
  let holder = unparenthesizedParent(dict).parent;
  // [{"GPU": 1} for _ in range(n)], [{"GPU": 1}] * n
  while (holder && (holder.type === 'list_comprehension' || holder.type === 'list' || holder.type === 'binary_operator')) holder = unparenthesizedParent(holder).parent;
  if (holder?.type === 'keyword_argument' && holder.childForFieldName('name')?.text === 'resources') return true;
  const arg = holder?.type === 'argument_list' ? parentOf(holder) : undefined;
  return arg?.type === 'call' && /(^|\.)placement_group$/.test(ctx.imports.qualify(arg.childForFieldName('function')) ?? arg.childForFieldName('function')?.text ?? '');
}

/** get_accelerator_ids() of Ray's runtime context, ray.cluster_resources(), ray.available_resources(). */
function isResourceTable(ctx: RuleContext, value: Node | null): boolean {
  if (value?.type !== 'call') return false;
  const fn = value.childForFieldName('function');
  if (RESOURCE_TABLES.has(ctx.imports.qualify(fn) ?? '')) return true;
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get_accelerator_ids' && callArguments(value).positional.length === 0;
}
