import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { RuleId } from '../catalog';
import type { RuleContext } from '../context';
import type { ImportInfo } from '../symbols';
import { excerpt } from '../syntax';
import type { Fix, Severity } from '../types';
import { CHIP_NAMES, runsTriton } from './chips';

/** CUDA-only libraries, by top-level module. */
const LIBRARIES: Readonly<Record<string, RuleId>> = {
  flash_attn: 'flash-attn',
  flash_attn_2_cuda: 'flash-attn',
  // ring-flash-attention: its kernels are flash-attn's (setup.py install_requires flash-attn)
  ring_flash_attn: 'flash-attn',
  xformers: 'xformers',
  apex: 'apex',
  bitsandbytes: 'bitsandbytes',
  triton: 'triton',
};

/** flash-attn functions the device helper provides with the same interface. */
const FLASH_SHIMS = new Set(['flash_attn_func']);

export function libraryOf(qualified: string): RuleId | undefined {
  return LIBRARIES[qualified.split('.')[0]!];
}

export const LIBRARY_MODULES = Object.keys(LIBRARIES);

/** The message of a finding of a CUDA-only library; Triton's depends on the target chip. */
export function libraryMessage(ctx: RuleContext, rule: RuleId, text: string, module?: string) {
  switch (rule) {
    case 'flash-attn':
      if (module?.split('.')[0] === 'ring_flash_attn') return msg('{0} comes from ring-flash-attention, which is built on flash-attn and cannot be installed on an NPU host', text);
      return msg('{0} comes from flash-attn, which cannot be installed on an NPU host', text);
    case 'xformers':
      return msg('{0} needs xFormers, which has no Ascend build', text);
    case 'apex':
      return msg('{0} is NVIDIA Apex; Ascend\'s apex fork provides NpuFused* replacements', text);
    case 'bitsandbytes':
      return msg('{0} needs bitsandbytes, which ships no NPU kernels', text);
    default:
      if (ctx.chip && runsTriton(ctx.chip)) return msg('{0} is a Triton kernel API: on {1} it needs triton-ascend, with the grid sized to the AI-core count (65535 programs at most)', text, CHIP_NAMES[ctx.chip]);
      if (ctx.chip) return msg('{0} is a Triton kernel API: triton-ascend supports Atlas A2 / A3 only, not the {1}', text, CHIP_NAMES[ctx.chip]);
      return msg('{0} is a Triton (CUDA backend) kernel API', text);
  }
}

/** Triton is a warning on a target triton-ascend supports, an error elsewhere (the rule's default without a target). */
function librarySeverity(ctx: RuleContext, rule: RuleId): Severity | undefined {
  return rule === 'triton' && ctx.chip && runsTriton(ctx.chip) ? 'warning' : undefined;
}

/** An import of a CUDA-only library. */
export function checkLibraryImport(ctx: RuleContext, info: ImportInfo): void {
  if (info.module === 'torch.cuda.amp' || info.module.startsWith('torch.cuda.amp.') || (info.isFrom && info.module === 'torch.cuda' && info.names.some((n) => n.name === 'amp'))) {
    // the uses are the warnings (and their fixes); the import line is where a reader looks first
    if (!ctx.transferToNpu) ctx.report(info.node, 'cuda-amp', msg('{0} imports CUDA-only mixed precision', excerpt(info.node.text, 80)), [], 'info');
    return;
  }
  if ((!info.isFrom && info.module === 'torch.cuda') || (info.isFrom && info.module === 'torch' && info.names.some((n) => n.name === 'cuda'))) {
    // `import torch.cuda`: the uses are the findings; the import line is where a port starts reading
    if (!ctx.transferToNpu) ctx.report(info.node, 'torch-cuda-api', msg('{0} imports the CUDA module; its uses are reported where they are', excerpt(info.node.text, 80)), [], 'info');
    return;
  }
  const rule = libraryOf(info.module);
  if (!rule) return;
  ctx.report(info.node, rule, libraryMessage(ctx, rule, excerpt(info.node.text, 80), info.module), rule === 'flash-attn' ? flashImportFixes(ctx, info) : [], librarySeverity(ctx, rule));
}

/**
 * `from flash_attn import flash_attn_func` → `from device_utils import flash_attn_func` (the helper's
 * attention fallback); in a diffusers script also DIFFUSERS_ATTENTION_TYPE=vanilla.
 */
function flashImportFixes(ctx: RuleContext, info: ImportInfo): Fix[] {
  if (!info.isFrom || info.names.length === 0 || !info.names.every((n) => FLASH_SHIMS.has(n.name))) return [];
  const names = info.names.map((n) => (n.local === n.name ? n.name : `${n.name} as ${n.local}`)).join(', ');
  const text = `from ${ctx.kit.place.module} import ${names}`;
  const edits = [ctx.kit.replace(info.node, text)];
  const statements = ctx.usesDiffusers
    ? [{ kind: 'statement' as const, text: 'os.environ.setdefault("DIFFUSERS_ATTENTION_TYPE", "vanilla")', after: { kind: 'import' as const, module: 'os' } }]
    : [];
  const fix = ctx.kit.make(msg('Replace with {0}', text), edits, statements, text, undefined, true);
  return [fix];
}

/** A use of a name that comes from a CUDA-only library (`flash_attn_func(q, k, v)`, `xformers.ops.memory_efficient_attention`). */
export function checkLibraryUse(ctx: RuleContext, id: Node, top: Node, call: Node | undefined, rule: RuleId): void {
  // The import statement itself is handled by checkLibraryImport.
  for (let a: Node | null = id; a; a = a.parent) if (a.type === 'import_statement' || a.type === 'import_from_statement') return;
  const root = top.type === 'attribute' ? leftmost(top) : top;
  const origin = ctx.imports.origin(root.text);
  const fixes = origin && rule === 'flash-attn' ? flashImportFixes(ctx, origin) : [];
  const target = call ?? top;
  const decorated = target.parent?.type === 'decorator' ? target.parent : target;
  const kernel = rule === 'triton' ? tritonKernelOf(ctx, target, decorated) : undefined;
  if (kernel) {
    // the kernel is the porting unit (its first Triton decorator is the finding): one finding per tl.load / tl.store
    // line made a kernel module a hundred errors (xtuner's, whisper's) that say nothing the decorator does not, and so
    // did one per `triton.Config(...)` line of an autotune decorator (torchtitan's fused RMSNorm: 8 per kernel)
    ctx.report(target, rule, msg('{0} is inside the Triton kernel {1}, reported at its decorator', excerpt(target.text, 60), kernel), [], 'info');
    return;
  }
  ctx.report(decorated, rule, libraryMessage(ctx, rule, excerpt(decorated.text, 60), ctx.imports.qualify(root)), fixes, librarySeverity(ctx, rule));
}

/**
 * The name of the Triton kernel (a function decorated with @triton.jit, @triton.autotune, ...) that holds `node`: in
 * its parameters or body, or in its decorators (`triton.Config(...)` in `@triton.autotune(configs=[...])`, a second
 * Triton decorator), except the kernel's first Triton decorator itself (`decorator`, when `node` is one), which is the
 * kernel's finding.
 */
function tritonKernelOf(ctx: RuleContext, node: Node, decorator: Node): string | undefined {
  for (let up = node.parent; up; up = up.parent) {
    // its parameters (`BLOCK: tl.constexpr`) and body, or one of its decorators (outside the function_definition)
    const fn = up.type === 'function_definition' ? up : up.type === 'decorator' && up.parent?.type === 'decorated_definition' ? up.parent.childForFieldName('definition') : null;
    if (fn?.type !== 'function_definition') continue;
    const decorators = fn.parent?.type === 'decorated_definition' ? fn.parent.namedChildren.filter((c): c is Node => c?.type === 'decorator') : [];
    const first = decorators.find((d) => {
      const expr = d.namedChildren[0];
      const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      const qualified = callee ? ctx.imports.qualify(callee) : undefined;
      return qualified !== undefined && libraryOf(qualified) === 'triton';
    });
    if (!first) continue;
    if (first.id === decorator.id) return undefined;
    return fn.childForFieldName('name')?.text;
  }
  return undefined;
}

function leftmost(node: Node): Node {
  let current = node;
  while (current.type === 'attribute') current = current.childForFieldName('object')!;
  return current;
}
