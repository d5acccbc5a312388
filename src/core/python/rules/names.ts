import type { Node } from 'web-tree-sitter';
import { msg } from '../../l10n';
import type { RuleContext } from '../context';
import { callArguments, callOfArgument, excerpt, isGuard, stringLiteral, unparenthesizedParent, type Span } from '../syntax';
import type { Fix } from '../types';
import { CHIP_NAMES, chipsWithoutBf16, hasBf16, type AscendChip } from './chips';
import { CUDA_ENV_VARS, dtypeLiterals, NPU_AVAILABLE, reportEnvVar } from './devices';
import { checkDdpDeviceIds, isDeviceIdsKeyword } from './distributed';
import { blockingCudaUse, cudaNamedUse, fixesUnderGuards, guardHasOtherPath, guardStatement, type FixableCudaUse } from '../guards';
import { checkLibraryUse, libraryMessage, libraryOf } from './libraries';
import { parentOf } from '../parents';
import { checkRayGpuIds, checkRayNumGpus } from './ray';

/** torch.cuda.X(...) → device helper method (deviceManager style). */
const HELPER_METHODS: Readonly<Record<string, string>> = {
  synchronize: 'synchronize',
  memory_summary: 'memory_stats',
  memory_stats: 'memory_stats',
  empty_cache: 'empty_cache',
  manual_seed: 'manual_seed',
  manual_seed_all: 'manual_seed',
  is_available: 'is_accelerator_available',
  device_count: 'device_count',
  current_device: 'current_device',
  set_device: 'set_device',
  get_device_name: 'device_name',
  memory_allocated: 'memory_allocated',
  max_memory_allocated: 'max_memory_allocated',
  reset_peak_memory_stats: 'reset_peak_memory_stats',
};
/** Helper methods that take the original arguments (the others take none). */
const KEEP_ARGS = new Set(['manual_seed', 'set_device']);

/** torch.cuda APIs with no torch_npu counterpart (torch_npu API list and ms_fmk_transplt's unsupported list). */
const NO_NPU_COUNTERPART = new Set(['get_device_capability', 'memory_usage', 'comm', 'default_generators', 'nvtx', 'jiterator', 'CUDAGraph', 'graphs', 'StreamContext']);

const UNSUPPORTED_BACKENDS = /^torch\.backends\.(cuda\.(enable_flash_sdp|flash_sdp_enabled|enable_mem_efficient_sdp|mem_efficient_sdp_enabled|enable_math_sdp|math_sdp_enabled|sdp_kernel|preferred_linalg_library)|cudnn\.benchmark_limit)$/;

/** TF32 switches and torch_npu's HF32 switches (torch_npu/npu/npu_config.py: _allowHF32Matmul, _allowHF32Conv). */
const HF32_COUNTERPARTS: Readonly<Record<string, string>> = {
  'torch.backends.cuda.matmul.allow_tf32': 'torch.npu.matmul.allow_hf32',
  'torch.backends.cudnn.allow_tf32': 'torch.npu.conv.allow_hf32',
};

const TO_INDEX_NAME = /(rank|gpu|device_id)$/i;

/** An identifier that may be part of a CUDA-specific name: torch.cuda.*, .cuda(), .is_cuda, library uses. */
/** mmcv 1.x's data-parallel wrappers (mmcv.parallel), whose scatter is CUDA-only. */
const MMCV_PARALLEL = /^mmcv\.parallel\.(?:data_parallel\.|distributed\.)?MM(Distributed)?DataParallel$/;

export function checkName(ctx: RuleContext, id: Node): void {
  // Import statements are not uses (CUDA-only libraries are reported per import by checkLibraryImport).
  const holder = parentOf(id)?.type === 'dotted_name' || parentOf(id)?.type === 'aliased_import' ? parentOf(parentOf(id)) : parentOf(id);
  if (holder && (holder.type === 'import_statement' || holder.type === 'import_from_statement' || holder.type === 'aliased_import')) return;
  let top = id;
  while (parentOf(top)?.type === 'attribute') top = parentOf(top)!;
  const parent = parentOf(top);
  const call = parent?.type === 'call' && parent.childForFieldName('function')?.id === top.id ? parent : undefined;
  const qualified = ctx.imports.qualify(top);
  const attrName = top.type === 'attribute' ? top.childForFieldName('attribute') : null;

  if (qualified) {
    if (qualified.startsWith('torch.cuda.amp.') || qualified === 'torch.cuda.amp') return checkCudaAmp(ctx, top, call, qualified);
    if (qualified === 'torch.cuda.OutOfMemoryError') {
      // the NPU allocator raises c10::OutOfMemoryError too, which PyTorch maps to this same class
      ctx.report(top, 'torch-cuda-api', msg('{0} also catches out-of-memory errors on an NPU (same class); the name only reads as CUDA-specific', qualified), [], 'info');
      return;
    }
    if (qualified.startsWith('torch.cuda.nccl')) {
      if (ctx.transferToNpu) return;
      ctx.report(call ?? top, 'nccl-backend', msg('{0} is NVIDIA\'s collective library; Ascend uses HCCL and torch_npu has no NCCL module', excerpt((call ?? top).text, 60)), []);
      return;
    }
    if (qualified.startsWith('torch.cuda.') || qualified === 'torch.cuda') return checkCudaApi(ctx, top, call, qualified);
    if (qualified.startsWith('torch.backends.cudnn') || qualified.startsWith('torch.backends.cuda')) return checkBackend(ctx, top, qualified);
    if (qualified === 'torch.version.cuda') {
      ctx.report(top, 'torch-cuda-api', msg('torch.version.cuda is None on a torch without CUDA, as on an NPU host'), [], 'warning');
      return;
    }
    if (/^torch\.distributed\.(distributed_c10d\.)?Backend\.NCCL$/.test(qualified)) {
      if (ctx.transferToNpu) return;
      const fixes = ctx.kit.style === 'deviceManager' ? [ctx.kit.replaceWith(top, 'dm.dist_backend', [ctx.kit.helper('dm')])] : [];
      ctx.report(top, 'nccl-backend', msg('"{0}" is the NVIDIA collective backend; Ascend uses HCCL', top.text), fixes);
      return;
    }
    if (qualified === 'torch.bfloat16' && bf16Chip(ctx)) return checkBf16(ctx, top);
    if (/(^|\.)BitsAndBytesConfig$/.test(qualified) && call) {
      ctx.report(call, 'bitsandbytes', libraryMessage(ctx, 'bitsandbytes', excerpt(call.text, 60)), []);
      return;
    }
    if (qualified === 'ray.get_gpu_ids' && call) return checkRayGpuIds(ctx, call);
    const mmcvWrapper = call ? MMCV_PARALLEL.exec(qualified) : null;
    if (mmcvWrapper) {
      // mmcv 1.x: scatter() puts every input on device_ids with .cuda(id) under torch.cuda.device/stream; mmcv 1.7
      // added mmcv.device.npu's subclasses, whose scatter is device-neutral (mmengine's wrappers are another class)
      const name = `MM${mmcvWrapper[1] ?? ''}DataParallel`;
      ctx.report(call!, 'cuda-device-index', msg('{0}: mmcv\'s {1} scatters its inputs to CUDA devices (.cuda(id) on CUDA streams); on an Ascend NPU use mmcv.device.npu.{2} (mmcv 1.7 and later)', excerpt(call!.text, 50), name, `NPU${mmcvWrapper[1] ?? ''}DataParallel`), []);
      return;
    }
    if (call && /^colossalai\.nn\.optimizer\.(hybrid_adam\.)?HybridAdam$/.test(qualified)) {
      ctx.report(call, 'cuda-extension', msg('{0}: ColossalAI\'s HybridAdam runs its fused CUDA kernel for CUDA parameters only; NPU parameters get a plain PyTorch Adam in releases with an NPU branch, older releases raise RuntimeError in step()', excerpt(call.text, 40)), [], 'info');
      return;
    }
    if (qualified === 'torch.distributed.is_nccl_available') {
      if (ctx.transferToNpu) return;
      ctx.report(call ?? top, 'nccl-backend', msg('{0} only works with CUDA', qualified), []);
      return;
    }
    if (qualified === 'torch.utils.cpp_extension.CUDAExtension' && call) {
      ctx.report(call, 'cuda-extension', msg('{0} builds CUDA kernels; rewrite them for Ascend (NpuExtension)', 'CUDAExtension'), []);
      return;
    }
    if ((qualified === 'torch.utils.cpp_extension.load' || qualified === 'torch.utils.cpp_extension.load_inline') && call) {
      const { keywords } = callArguments(call);
      const sources = keywords.get('sources')?.text ?? '';
      if (/\.cu['"]/.test(sources) || keywords.has('cuda_sources') || keywords.get('with_cuda')?.text === 'True') {
        ctx.report(call, 'cuda-extension', msg('{0} builds CUDA kernels; rewrite them for Ascend (NpuExtension)', qualified.split('.').pop()!), []);
      }
      return;
    }
    if (qualified === 'torch.compile' && (call || parent?.type === 'decorator')) {
      // a chosen backend (backend=args.torchcompile, the TorchAir backend) is the user's decision
      if (call && callArguments(call).keywords.has('backend')) return;
      ctx.report(call ?? top, 'jit-script', msg('{0} compiles with Inductor, which generates CUDA (Triton) or CPU code: on an NPU it needs torch_npu 2.7.1\'s Inductor backend or TorchAir\'s backend', excerpt((call ?? top).text, 50)), [], 'info');
      return;
    }
    if (qualified === 'torch.jit.script' || qualified === 'torch.jit.script_method') {
      ctx.report(top, 'jit-script', msg('torch.jit.script is a no-op under transfer_to_npu'), [], ctx.transferToNpu ? 'warning' : undefined);
      return;
    }
    const library = libraryOf(qualified);
    if (library) return checkLibraryUse(ctx, id, top, call, library);
  }
  if (attrName?.id === id.id && top.type === 'attribute') {
    const object = top.childForFieldName('object');
    if (id.text === 'cuda' && call && ctx.imports.qualify(object) !== 'torch') return checkCudaMethod(ctx, top, call);
    if (id.text === 'cuda' && !call && parent?.type === 'argument_list' && !ctx.imports.qualify(object)) return checkCudaMethodPassed(ctx, top);
    if (id.text === 'current_device' && call) return checkCurrentDeviceIndex(ctx, top, call);
    if (id.text === 'MULTI_GPU') return checkMultiGpu(ctx, top);
    if (id.text === 'is_cuda') return checkIsCuda(ctx, top);
    if (id.text === 'to' && call) return checkToIndex(ctx, call);
    if (id.text === 'enable_xformers_memory_efficient_attention' && call) {
      ctx.report(call, 'xformers', msg('{0} needs xFormers, which has no Ascend build', excerpt(call.text, 60)), []);
      return;
    }
  }
  if (id.text === 'torch_dtype' && parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) return checkFixedDtype(ctx, parent);
  const idParent = parentOf(id);
  const keyword = idParent?.type === 'keyword_argument' && idParent.childForFieldName('name')?.id === id.id ? idParent : undefined;
  if (keyword && (id.text === 'load_in_8bit' || id.text === 'load_in_4bit')) return checkQuantizedLoad(ctx, keyword);
  if (keyword && id.text === 'enable_fused_normalization') return checkFusedNormalization(ctx, keyword);
  if (keyword && id.text === 'device') return checkDeviceKeywordIndex(ctx, keyword);
  if (id.text === 'device' && (top.id === id.id || attrName?.id === id.id) && parent?.type === 'assignment' && parent.childForFieldName('left')?.id === top.id) return checkIntegerDeviceAssignment(ctx, parent);
  if (keyword && id.text === 'num_gpus') return checkRayNumGpus(ctx, keyword);
  if (id.text === 'is_torch_bf16_gpu_available' && call) return checkBf16GpuCheck(ctx, top, call);
  if (id.type === 'identifier' && idParent?.type !== 'attribute' && /nccl/i.test(id.text) && isGuard(id)) return checkNcclFlag(ctx, id);
  // os.environ.update(CUDA_VISIBLE_DEVICES="0"), subprocess env=dict(CUDA_VISIBLE_DEVICES=...)
  if (keyword && Object.hasOwn(CUDA_ENV_VARS, id.text)) return reportEnvVar(ctx, id, id.text);
  if (id.text === 'bfloat16' && attrName?.id === id.id && call && bf16Chip(ctx) && ctx.imports.qualify(top) !== 'torch.bfloat16') return checkBf16(ctx, call);
  if (isDeviceIdsKeyword(id)) return checkDdpDeviceIds(ctx, idParent!);
}

function checkCudaApi(ctx: RuleContext, top: Node, call: Node | undefined, qualified: string): void {
  if (ctx.transferToNpu) return;
  const parts = qualified.split('.');
  const api = parts[2] ?? '';
  const target = call ?? top;
  if (api === 'is_available' && call && isGuard(call)) {
    // `"cuda" if torch.cuda.is_available() else "cpu"`: reported once, at the device string.
    let cond: Node = call;
    for (let up = parentOf(cond); up && (up.type === 'boolean_operator' || up.type === 'not_operator' || up.type === 'parenthesized_expression'); up = parentOf(cond)) cond = up;
    const ternary = parentOf(cond)?.type === 'conditional_expression' ? parentOf(cond) : undefined;
    if (ternary && ternary.namedChildren.some((c) => c?.type === 'string' && /^[rRuU]?["']cuda/.test(c.text))) return;
    // a guard over CUDA calls the style cannot port stays as it is, with the code under it (guards.ts)
    const statement = ctx.kit.style === 'transferToNpu' ? undefined : guardStatement(call);
    const blocking = statement && blockingCudaUse(ctx, statement, cudaUseFixable(ctx));
    if (blocking) {
      ctx.report(call, 'torch-cuda-api', msg('{0} as a guard: the accelerator branch never runs on an NPU host; not converted, because the branch uses {1}, which has no NPU counterpart in this fix style', excerpt(call.text, 60), excerpt(blocking, 60)), [], 'info');
      return;
    }
    ctx.report(call, 'torch-cuda-api', msg('{0} as a guard: the accelerator branch never runs on an NPU host', excerpt(call.text, 60)), fixesForCudaApi(ctx, top, call, api, parts), 'info');
    return;
  }
  if (NO_NPU_COUNTERPART.has(api)) {
    ctx.report(target, 'torch-cuda-api', msg('{0} has no NPU equivalent', qualified), []);
    return;
  }
  const severity = api === 'is_available' ? 'warning' : undefined;
  const message = api === 'is_available' ? msg('{0} is False on an NPU host', excerpt(target.text, 60)) : msg('{0} only works with CUDA', excerpt(target.text, 60));
  ctx.report(target, 'torch-cuda-api', message, fixesForCudaApi(ctx, top, call, api, parts), severity);
}

/** Whether the style has a fix for a torch.cuda use (the same decision as checkCudaApi / checkCudaAmp). */
function cudaUseFixable(ctx: RuleContext): FixableCudaUse {
  return (_top, call, qualified) => {
    const parts = qualified.split('.');
    if (parts[2] === 'amp') return ctx.kit.style === 'torchNpu' || (call !== undefined && (parts[3] === 'autocast' || parts[3] === 'GradScaler'));
    if (NO_NPU_COUNTERPART.has(parts[2] ?? '')) return false;
    if (ctx.kit.style === 'torchNpu') return true;
    const method = HELPER_METHODS[parts[2] ?? ''];
    return method !== undefined && call !== undefined && parts.length === 3;
  };
}

/** A condition that checks CUDA availability (torch.cuda.is_available(), in any spelling the imports allow). */
function isCudaGuard(ctx: RuleContext, condition: Node): boolean {
  const text = condition.text;
  for (let at = text.indexOf('is_available'); at !== -1; at = text.indexOf('is_available', at + 12)) {
    let node = ctx.tree.rootNode.descendantForIndex(condition.startIndex + at, condition.startIndex + at + 12);
    while (node?.parent?.type === 'attribute' && node.parent.childForFieldName('attribute')?.id === node.id) node = node.parent;
    if (node && ctx.imports.qualify(node) === 'torch.cuda.is_available') return true;
  }
  return false;
}

/**
 * The fixes of a finding, or none inside a CUDA guard that stays as it is because its branch uses CUDA
 * calls the style cannot port (see guards.ts). The transferToNpu style redirects every call: not concerned.
 */
export function fixesInGuardedCode(ctx: RuleContext, node: Span, fixes: readonly Fix[]): readonly Fix[] {
  if (ctx.kit.style === 'transferToNpu') return fixes;
  return fixesUnderGuards(ctx, node, fixes, (c) => isCudaGuard(ctx, c), cudaUseFixable(ctx));
}

function fixesForCudaApi(ctx: RuleContext, top: Node, call: Node | undefined, api: string, parts: string[]): Fix[] {
  if (ctx.kit.style === 'transferToNpu') return [ctx.kit.transfer()];
  if (ctx.kit.style === 'torchNpu') {
    const npuName = ['torch', 'npu', ...parts.slice(2)].join('.');
    const requires = [{ kind: 'import' as const, module: 'torch' }, ctx.kit.torchNpu];
    // torch_npu is imported guarded: without it there is no torch.npu, and the check must say False
    if (api === 'is_available' && call && parts.length === 3) return [ctx.kit.replaceWith(call, `((${NPU_AVAILABLE}) or ${call.text})`, requires)];
    const args = call?.childForFieldName('arguments');
    if (call && args && /(['"])cuda(:\d+)?\1/.test(args.text)) {
      // memory_summary(device="cuda") → torch.npu.memory_summary(device="npu")
      return [ctx.kit.replaceWith(call, npuName + args.text.replace(/(['"])cuda((?::\d+)?)\1/g, '$1npu$2$1'), requires)];
    }
    return [ctx.kit.replaceWith(top, npuName, requires)];
  }
  const method = HELPER_METHODS[api];
  if (!method || !call || parts.length !== 3) return [];
  const args = KEEP_ARGS.has(method) ? (call.childForFieldName('arguments')?.text ?? '()') : '()';
  return [ctx.kit.replaceWith(call, `dm.${method}${args}`, [ctx.kit.helper('dm')])];
}

function checkCudaAmp(ctx: RuleContext, top: Node, call: Node | undefined, qualified: string): void {
  if (ctx.transferToNpu) return;
  const api = qualified.split('.')[3] ?? '';
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'transferToNpu') fixes.push(ctx.kit.transfer());
  else if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(top, ['torch', 'npu', ...qualified.split('.').slice(2)].join('.'), [{ kind: 'import', module: 'torch' }, ctx.kit.torchNpu]));
  else if (call && api === 'autocast') {
    const inner = (call.childForFieldName('arguments')?.text ?? '()').slice(1, -1).trim();
    const text = `torch.autocast(dm.device_type${inner ? ', ' + inner : ''})`;
    fixes.push(ctx.kit.replaceWith(call, text, [{ kind: 'import', module: 'torch' }, ctx.kit.helper('dm')]));
  } else if (call && api === 'GradScaler') {
    fixes.push(ctx.kit.replaceWith(call, `dm.grad_scaler${call.childForFieldName('arguments')?.text ?? '()'}`, [ctx.kit.helper('dm')]));
  }
  ctx.report(call ?? top, 'cuda-amp', msg('{0} enables mixed precision only on CUDA', qualified), fixes);
}

function checkBackend(ctx: RuleContext, top: Node, qualified: string): void {
  if (UNSUPPORTED_BACKENDS.test(qualified)) {
    ctx.report(top, 'cudnn-backend', msg('{0} is not supported on Ascend', qualified), [], 'warning');
    return;
  }
  if (ctx.transferToNpu) return;
  const hf32 = HF32_COUNTERPARTS[qualified];
  if (hf32) {
    ctx.report(top, 'cudnn-backend', msg('{0} has no effect on an NPU; the torch_npu counterpart is {1}', qualified, hf32), []);
    return;
  }
  ctx.report(top, 'cudnn-backend', msg('{0} tunes a CUDA library; torch_npu accepts it without effect', qualified), []);
}

function checkCudaMethod(ctx: RuleContext, top: Node, call: Node): void {
  if (ctx.transferToNpu) return;
  const name = top.childForFieldName('attribute')!;
  const { positional, keywords } = callArguments(call);
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager') {
    const device = positional[0] ? `dm.device_for(${positional[0].text})` : 'DEVICE';
    const rest = [...keywords].filter(([k]) => k !== 'device').map(([k, v]) => `${k}=${v.text}`);
    const text = `to(${[device, ...rest].join(', ')})`;
    const requires = [ctx.kit.helper(positional[0] ? 'dm' : 'DEVICE')];
    fixes.push(ctx.kit.make(msg('Replace with {0}', `.${text}`), [ctx.kit.replace(ctx.kit.span(name, call), text)], requires, `.${text}`));
  } else if (ctx.kit.style === 'torchNpu') {
    // the whole call, so that the kit keeps `.cuda(...)` beside `.npu(...)` for hosts without torch_npu (Tensor.npu
    // exists only with it: a bare `.npu()` fails on every CUDA host)
    const object = top.childForFieldName('object')!;
    fixes.push(ctx.kit.replaceWith(call, `${object.text}.npu${call.childForFieldName('arguments')?.text ?? '()'}`, [ctx.kit.torchNpu], msg('Replace with {0}', '.npu()')));
  } else fixes.push(ctx.kit.transfer());
  ctx.report(call, 'cuda-tensor-method', msg('.cuda() moves to a CUDA device'), fixes);
}

/** An assignment (plain, annotated or augmented) to an `.is_cuda` attribute. */
const ASSIGNED_IS_CUDA = /\.is_cuda[ \t]*(?::[^=\n]*)?(?:[-+*\/|&^%@]|\/\/|>>|<<|\*\*)?=(?!=)/;

function checkIsCuda(ctx: RuleContext, top: Node): void {
  if (ctx.transferToNpu) return;
  const object = top.childForFieldName('object')!;
  const fixes: Fix[] = [];
  // `self.is_cuda = ...` somewhere in the file: an attribute of the program's own, not Tensor.is_cuda. Rewriting it
  // would turn the assignment into an expression (a SyntaxError) or rename an attribute other files read.
  if (ASSIGNED_IS_CUDA.test(ctx.text)) {
    if (ctx.kit.style === 'transferToNpu') fixes.push(ctx.kit.transfer());
  } else if (ctx.kit.style === 'transferToNpu') fixes.push(ctx.kit.transfer());
  else {
    // `if x.is_cuda:` in front of CUDA code of the program's own (whisper: `median_filter_cuda(x)`, a Triton kernel):
    // rewritten, NPU tensors would take that path; as written they take the other one. Like a torch.cuda.is_available()
    // guard over code the style cannot port, it stays, with the code under it.
    const statement = guardStatement(top);
    const blocking = statement && (blockingCudaUse(ctx, statement, cudaUseFixable(ctx)) ?? cudaNamedUse(ctx, top));
    if (blocking) {
      ctx.report(top, 'cuda-tensor-method', msg('{0} as a guard: the accelerator branch never runs on an NPU host; not converted, because the branch uses {1}, which has no NPU counterpart in this fix style', excerpt(top.text, 60), excerpt(blocking, 60)), [], guardHasOtherPath(top) ? 'info' : undefined);
      return;
    }
    // torchNpu: Tensor.is_npu exists only once torch_npu is imported (an AttributeError on a CUDA or CPU host, where the
    // style's guarded import finds no torch_npu); the device type keeps the CUDA path and adds the NPU
    if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(top, `(${object.text}.device.type in ("cuda", "npu"))`, []));
    else fixes.push(ctx.kit.replaceWith(top, `(${object.text}.device.type != "cpu")`, []));
  }
  ctx.report(top, 'cuda-tensor-method', msg('.is_cuda is False for NPU tensors'), fixes);
}

/** `.to(0)`, `.to(local_rank)`: an integer device is a CUDA device index. */
function checkToIndex(ctx: RuleContext, call: Node): void {
  if (ctx.transferToNpu) return;
  const { positional, keywords } = callArguments(call);
  const arg = positional[0] ?? keywords.get('device');
  if (!arg) return;
  const isIndex = arg.type === 'integer' || ((arg.type === 'identifier' || arg.type === 'attribute') && TO_INDEX_NAME.test(arg.text));
  if (!isIndex) return;
  const fixes: Fix[] = [];
  if (ctx.kit.style === 'deviceManager') fixes.push(ctx.kit.replaceWith(arg, `dm.device_for(${arg.text})`, [ctx.kit.helper('dm')]));
  else if (ctx.kit.style === 'torchNpu') fixes.push(ctx.kit.replaceWith(arg, `f"npu:{${arg.text}}"`, [ctx.kit.torchNpu]));
  else fixes.push(ctx.kit.transfer());
  ctx.report(arg, 'cuda-device-index', msg('.to({0}) with an integer device means a CUDA device', arg.text), fixes);
}

function checkFixedDtype(ctx: RuleContext, keyword: Node): void {
  const value = keyword.childForFieldName('value');
  const q = value ? ctx.imports.qualify(value) : undefined;
  if (!value || (q !== 'torch.bfloat16' && q !== 'torch.float16' && q !== 'torch.half')) return;
  // the other literals of this dtype meet the one replaced here: all become DTYPE together
  const others = ctx.kit.style === 'deviceManager' ? dtypeLiterals(ctx, q).filter((n) => n.startIndex !== value.startIndex) : [];
  const title = others.length ? msg('Replace with {0} (and {1} other {2} literals in this file)', 'DTYPE', others.length, q) : msg('Replace with {0}', 'DTYPE');
  const fixes = ctx.kit.style === 'deviceManager' ? [ctx.kit.make(title, [value, ...others].map((n) => ctx.kit.replace(n, 'DTYPE')), [ctx.kit.helper('DTYPE')], 'DTYPE')] : [];
  if (ctx.chip ?? ctx.unchosenChip) {
    // an Ascend target: float16 runs on every one; bfloat16 only where the chip has it
    if (q !== 'torch.bfloat16' || !bf16Chip(ctx) || bf16Chosen(ctx, keyword)) return;
    reportBf16(ctx, keyword, keyword.text, fixes);
    return;
  }
  ctx.report(keyword, 'fixed-dtype', msg('{0} is fixed for a CUDA GPU; choose the dtype per device', keyword.text), fixes);
}

/** torch.bfloat16 (or .bfloat16()) for a target without bfloat16; comparisons (`dtype == torch.bfloat16`) only ask. */
const OTHER_DTYPE = /\btorch\.(float16|half|float32|float|float64|double|bool|u?int(8|16|32|64)|long|short|int|chalf|cfloat|complex(64|128))\b/;

const DTYPE_LIST_NAME = /dtypes|types_and/i;

function checkBf16(ctx: RuleContext, node: Node): void {
  const { node: outer, parent } = unparenthesizedParent(node);
  if (!parent || parent.type === 'comparison_operator') return;
  // dtype tables: (torch.float16, torch.bfloat16), {torch.bfloat16: "bf16", torch.float16: "fp16"}, TABLE[torch.bfloat16]
  if ((parent.type === 'tuple' || parent.type === 'list' || parent.type === 'set') && (unparenthesizedParent(parent).parent?.type === 'comparison_operator' || OTHER_DTYPE.test(parent.text))) return;
  if (parent.type === 'pair' && (parent.childForFieldName('key')?.id === outer.id || OTHER_DTYPE.test(parent.parent?.text ?? ''))) return;
  if (parent.type === 'subscript' && parent.childForFieldName('value')?.id !== outer.id) return;
  // all_types_and(torch.half, torch.bfloat16): dtypes passed as a list of positional arguments
  if (parent.type === 'argument_list' && OTHER_DTYPE.test(parent.text.replace(outer.text, ''))) return;
  // lists of dtypes to test or support: dtypes=(torch.bfloat16,), floating_types_and(torch.bfloat16), dtypes.append(torch.bfloat16)
  for (let a: Node | null = parent, depth = 0; a && depth < 3; a = a.parent, depth++) {
    const name = a.type === 'keyword_argument' ? a.childForFieldName('name')?.text : a.type === 'call' ? a.childForFieldName('function')?.text : undefined;
    if (name && DTYPE_LIST_NAME.test(name)) return;
  }
  // torch_dtype=torch.bfloat16 is the fixed-dtype keyword finding
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.text === 'torch_dtype') return;
  if (bf16Chosen(ctx, node)) return;
  reportBf16(ctx, node, excerpt(node.text, 60), []);
}

/** The target's chip when it has no bfloat16, chosen or only the default (ctx.unchosenChip). */
function bf16Chip(ctx: RuleContext): AscendChip | undefined {
  const chip = ctx.chip ?? ctx.unchosenChip;
  return chip && !hasBf16(chip) ? chip : undefined;
}

/**
 * bfloat16 where the target lacks it: a warning for the chosen chip; for the default target nobody chose (a training
 * repository is most often meant for Atlas A2, which has bf16), information naming the chips without it.
 */
function reportBf16(ctx: RuleContext, node: Node, text: string, fixes: readonly Fix[]): void {
  if (ctx.chip) ctx.report(node, 'fixed-dtype', msg('{0}: the {1} has no bfloat16; choose the dtype per device', text, CHIP_NAMES[ctx.chip]), fixes, 'warning');
  else ctx.report(node, 'fixed-dtype', msg('{0}: {1} have no bfloat16 (no target chosen; Atlas A2 / A3 have it); choose the dtype per device', text, chipsWithoutBf16()), fixes);
}

/** A name that says bf16: `args.bf16`, `_is_bf16_available`, `is_torch_bf16_gpu_available`, `torch.cuda.is_bf16_supported`. */
const BF16_NAME = /bf16|bfloat16/i;
/** A string naming bf16: `precision == "bf16"`, `args.amp_dtype == "bfloat16"`. */
const BF16_STRING = /^(bf16|bfloat16|torch\.bfloat16)$/i;

/**
 * True when `cond` holds only where bf16 was chosen or is available: a bf16 flag or support check, an equality with
 * "bf16" / "bfloat16" / torch.bfloat16, a comparison with "cpu" (a CPU-only branch: an NPU never runs it), or an
 * `and` with one of these. `or`, `not` and `!=` do not select bf16.
 */
function selectsBf16(ctx: RuleContext, cond: Node): boolean {
  let node = cond;
  while (node.type === 'parenthesized_expression' && node.namedChildren[0]) node = node.namedChildren[0];
  switch (node.type) {
    case 'boolean_operator':
      return node.childForFieldName('operator')?.text === 'and'
        && [node.childForFieldName('left'), node.childForFieldName('right')].some((side) => side !== null && selectsBf16(ctx, side));
    case 'identifier':
      return BF16_NAME.test(node.text);
    case 'attribute':
      return BF16_NAME.test(node.childForFieldName('attribute')?.text ?? '');
    case 'call': {
      const fn = node.childForFieldName('function');
      return fn !== null && (fn.type === 'identifier' || fn.type === 'attribute') && selectsBf16(ctx, fn);
    }
    case 'comparison_operator': {
      if (node.children.some((c) => c !== null && !c.isNamed && c.text !== '==')) return false;
      return node.namedChildren.some((operand) => {
        if (!operand) return false;
        const lit = stringLiteral(operand);
        if (lit) return lit.interpolations.length === 0 && (BF16_STRING.test(lit.content) || lit.content === 'cpu');
        return ctx.imports.qualify(operand) === 'torch.bfloat16';
      });
    }
    default:
      return false;
  }
}

/**
 * True when the bfloat16 at `node` is in a branch that runs only where bf16 was chosen (the user's option, a bf16
 * support check) or on the CPU: the code already chooses the dtype, which is what the finding asks for. Looks at
 * the if / elif bodies and conditional expressions around `node` up to its function.
 */
function bf16Chosen(ctx: RuleContext, node: Node): boolean {
  for (let child: Node = node, parent = parentOf(node); parent; child = parent, parent = parentOf(parent)) {
    if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'lambda') return false;
    if (parent.type === 'conditional_expression') {
      const [then, cond, otherwise] = parent.namedChildren;
      if (then?.id === child.id && cond && selectsBf16(ctx, cond)) return true;
      // torch.float16 if not args.bf16 else torch.bfloat16
      const negated = cond?.type === 'not_operator' ? cond.childForFieldName('argument') : null;
      if (otherwise?.id === child.id && negated && selectsBf16(ctx, negated)) return true;
    }
    if (child.type === 'block' && (parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('consequence')?.id === child.id) {
      const cond = parent.childForFieldName('condition');
      if (cond && selectsBf16(ctx, cond)) return true;
    }
  }
  return false;
}

/** from_pretrained(..., load_in_8bit=True): bitsandbytes quantization (transformers). */
function checkQuantizedLoad(ctx: RuleContext, keyword: Node): void {
  const value = keyword.childForFieldName('value');
  if (!value || value.text === 'False' || value.text === 'None') return;
  // BitsAndBytesConfig(load_in_4bit=True) is the config call's finding
  const call = keyword.parent?.parent;
  const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
  if (fn && /(^|\.)BitsAndBytesConfig$/.test(ctx.imports.qualify(fn) ?? fn.text)) return;
  // load_in_4bit=args.load_in_4bit: the program passes on its user's switch, so bitsandbytes loads only when the user
  // asks for it (OpenRLHF's --load_in_4bit); the switch's default path runs without the library (information)
  const forwarded = value.type === 'identifier' || value.type === 'attribute';
  ctx.report(keyword, 'bitsandbytes', libraryMessage(ctx, 'bitsandbytes', keyword.text), [], forwarded ? 'info' : undefined);
}

/**
 * ColossalAI's `enable_fused_normalization=True` (HybridParallelPlugin, GeminiPlugin, ShardConfig, ...): the shardformer
 * replaces LayerNorm and RMSNorm with NVIDIA Apex's FusedLayerNorm / FusedRMSNorm. Only a literal True in a call of
 * a colossalai API: a flag of the program's own (`args.fused_norm`, `torch.cuda.is_available()`) is its choice.
 */
function checkFusedNormalization(ctx: RuleContext, keyword: Node): void {
  const value = keyword.childForFieldName('value');
  if (value?.text !== 'True') return;
  const fn = callOfArgument(value)?.call.childForFieldName('function');
  if (!fn || !ctx.imports.qualify(fn)?.startsWith('colossalai.')) return;
  ctx.report(keyword, 'apex', msg('{0}: ColossalAI\'s fused normalization is NVIDIA Apex FusedLayerNorm / FusedRMSNorm; on an NPU only RMSNorm has a torch_npu kernel (ColossalAI 0.4.7 and later)', keyword.text), []);
}

/** Fixes for an integer device `arg` (deviceManager: the helper's device for that index; transferToNpu: the patch). */
function integerDeviceFixes(ctx: RuleContext, arg: Node): Fix[] {
  if (ctx.kit.style === 'deviceManager') return [ctx.kit.replaceWith(arg, `dm.device_for(${arg.text})`, [ctx.kit.helper('dm')])];
  if (ctx.kit.style === 'transferToNpu') return [ctx.kit.transfer()];
  return [];
}

/** A call of torch's own tensor factories and device APIs (not torch.cuda / torch.npu, which have their own rules). */
function isTorchCall(ctx: RuleContext, call: Node): boolean {
  const q = ctx.imports.qualify(call.childForFieldName('function'));
  return q !== undefined && q.startsWith('torch.') && !q.startsWith('torch.cuda.') && !q.startsWith('torch.npu.');
}

/**
 * `torch.zeros(n, device=local_rank)`, `torch.tensor(x, device=i)` in `for i in range(torch.cuda.device_count())`:
 * an integer device, which PyTorch reads as a CUDA device index.
 */
function checkDeviceKeywordIndex(ctx: RuleContext, keyword: Node): void {
  if (ctx.transferToNpu) return;
  const value = keyword.childForFieldName('value');
  const arg = callOfArgument(value ?? keyword);
  if (!value || !arg || !isTorchCall(ctx, arg.call)) return;
  const isIndex = value.type === 'integer'
    || ((value.type === 'identifier' || value.type === 'attribute') && TO_INDEX_NAME.test(value.text))
    || (value.type === 'identifier' && loopsOverDevices(value));
  if (!isIndex) return;
  ctx.report(value, 'cuda-device-index', msg('device={0} is an integer device, which PyTorch reads as a CUDA device index', value.text), integerDeviceFixes(ctx, value));
}

/**
 * `device = int(os.environ.get('LOCAL_RANK', 0))` (wenet's batch_forward), `self.device = int(args.gpu)`: a variable
 * named device holding an integer, which PyTorch reads as a CUDA device index wherever it is used as a device. No fix:
 * the rest of the code may use the value as a number (`if device >= 0`, `torch.cuda.set_device(device)`).
 */
function checkIntegerDeviceAssignment(ctx: RuleContext, assignment: Node): void {
  if (ctx.transferToNpu) return;
  const value = assignment.childForFieldName('right');
  const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
  if (!value || fn?.type !== 'identifier' || fn.text !== 'int' || ctx.imports.qualify(fn) !== undefined) return;
  ctx.report(value, 'cuda-device-index', msg('device = {0} is an integer device, which PyTorch reads as a CUDA device index', excerpt(value.text, 50)), []);
}

/** `name` is the variable of an enclosing `for name in range(<...>.device_count())`: a device index. */
function loopsOverDevices(name: Node): boolean {
  for (let a = parentOf(name); a && a.type !== 'function_definition' && a.type !== 'module'; a = parentOf(a)) {
    if (a.type !== 'for_statement' || a.childForFieldName('left')?.text !== name.text) continue;
    return /^range\s*\([^]*\bdevice_count\s*\(/.test(a.childForFieldName('right')?.text ?? '');
  }
  return false;
}

/**
 * `device=get_accelerator().current_device()`, `device = torch.npu.current_device()`: current_device() returns an
 * index (DeepSpeed's accelerator interface, torch.cuda / torch.npu), which as a device PyTorch reads as a CUDA index.
 * Reported where the index is used or stored as a device; torch.cuda.current_device() is a torch.cuda finding.
 */
function checkCurrentDeviceIndex(ctx: RuleContext, top: Node, call: Node): void {
  // torch.cuda.current_device() is a torch.cuda finding; torch.xpu / torch.mps ones belong to another backend's branch
  const backend = ctx.imports.qualify(top.childForFieldName('object'));
  if (ctx.transferToNpu || (backend !== undefined && backend !== 'torch.npu') || call.childForFieldName('arguments')?.namedChildCount) return;
  let value: Node = call;
  let { parent } = unparenthesizedParent(value);
  if (parent?.type === 'conditional_expression' && parent.namedChildren[1]?.id !== unparenthesizedParent(value).node.id) {
    value = parent;
    parent = unparenthesizedParent(parent).parent;
  }
  let asDevice = false;
  let direct = false;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === unparenthesizedParent(value).node.id) {
    const left = parent.childForFieldName('left');
    const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? left.childForFieldName('attribute')?.text ?? '' : '';
    asDevice = /^(device|dev)$|_device$/.test(name) && !/index|idx|id$/i.test(name);
  } else {
    const arg = callOfArgument(unparenthesizedParent(value).node);
    if (arg) {
      const fn = arg.call.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      asDevice = (arg.keyword === 'device' && isTorchCall(ctx, arg.call)) || ((method === 'to' || method === 'to_empty') && (arg.index === 0 || arg.keyword === 'device'));
      direct = asDevice && value.id === call.id;
    }
  }
  if (!asDevice) return;
  const object = top.childForFieldName('object');
  // DeepSpeed's accelerator has the device's name beside its index: get_accelerator().current_device_name() ("npu:0", "cuda:0")
  const accelerator = object?.type === 'call' && /(^|\.)get_accelerator$/.test(object.childForFieldName('function')?.text ?? '');
  const fixes = accelerator && direct ? [ctx.kit.replaceWith(top.childForFieldName('attribute')!, 'current_device_name', [])] : [];
  ctx.report(call, 'cuda-device-index', msg('{0} returns a device index; used as a device, PyTorch reads it as a CUDA device', excerpt(call.text, 60)), fixes);
}

/** `model.cuda = add_warning(model.cuda, model)`: the .cuda method passed on (wrapped or patched), not called. */
function checkCudaMethodPassed(ctx: RuleContext, top: Node): void {
  if (ctx.transferToNpu) return;
  ctx.report(top, 'cuda-tensor-method', msg('{0} passes on the CUDA move method; the NPU one (.npu() with torch_npu, .to(device)) is not covered', excerpt(top.text, 60)), [], 'info');
}

/**
 * accelerate's DistributedType.MULTI_GPU in a comparison or a membership test: an accelerate run on Ascend NPUs has
 * DistributedType.MULTI_NPU, so the test is False there (a list that also holds MULTI_NPU is fine).
 */
function checkMultiGpu(ctx: RuleContext, top: Node): void {
  const object = top.childForFieldName('object');
  const enumName = object?.type === 'identifier' ? object.text : object?.type === 'attribute' ? object.childForFieldName('attribute')?.text : undefined;
  if (enumName !== 'DistributedType') return;
  const root = object!.type === 'attribute' ? object!.text.split('.')[0]! : object!.text;
  const origin = ctx.imports.origin(root);
  if (!origin || !(origin.module === 'accelerate' || origin.module.startsWith('accelerate.') || origin.module.startsWith('.'))) return;
  const { node, parent } = unparenthesizedParent(top);
  let test = false;
  if (parent?.type === 'comparison_operator') test = true;
  else if (parent && (parent.type === 'list' || parent.type === 'tuple' || parent.type === 'set')) {
    if (/\bMULTI_NPU\b/.test(parent.text)) return;
    // one finding per list
    if (parent.namedChildren.find((c) => c?.type === 'attribute' && c.childForFieldName('attribute')?.text === 'MULTI_GPU')?.id !== top.id) return;
    const outer = unparenthesizedParent(parent);
    test = outer.parent?.type === 'comparison_operator' && outer.parent.namedChildren[1]?.id === outer.node.id;
  }
  if (!test || node.id !== top.id) return;
  const statement = enclosingCondition(top);
  if (statement && /\bMULTI_NPU\b/.test(statement)) return;
  ctx.report(top, 'cuda-only-check', msg('{0} is accelerate\'s multi-GPU (CUDA) mode; on Ascend NPUs accelerate runs as DistributedType.MULTI_NPU, so this test is False there', top.text), []);
}

/** hccl / npu as a word or a name part (is_hccl_backend, torch.npu), not inside another word ("input"). */
const NPU_WORD = /(?<![A-Za-z])(?:hccl|npu)/i;

/** The text of the if / elif chain whose condition holds `node` (empty when it is not in a condition). */
function enclosingCondition(node: Node): string | undefined {
  for (let a = parentOf(node); a; a = parentOf(a)) {
    if (a.type === 'if_statement') return a.text.slice(0, 4000);
    if (a.type === 'block' || a.type === 'module' || a.type === 'function_definition') return undefined;
  }
  return undefined;
}

/** transformers' is_torch_bf16_gpu_available(): CUDA only in the releases most ported code pins. */
function checkBf16GpuCheck(ctx: RuleContext, top: Node, call: Node): void {
  const q = ctx.imports.qualify(top);
  if (!q || !q.startsWith('transformers.')) return;
  ctx.report(call, 'cuda-only-check', msg('{0} asks CUDA (and only newer transformers releases also ask the NPU): on an NPU host with an older release it is False and bfloat16 is not used', excerpt(call.text, 60)), [], 'info');
}

/**
 * `if is_nccl_backend:` where `is_nccl_backend = backend == Backend.NCCL` in the same function: the branch (moving
 * tensors to the device before a collective) never runs with HCCL.
 */
function checkNcclFlag(ctx: RuleContext, id: Node): void {
  if (ctx.transferToNpu) return;
  let scope: Node | null = parentOf(id);
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = parentOf(scope);
  if (!scope) return;
  const name = id.text;
  let bound: Node | undefined;
  for (let at = ctx.text.indexOf(name, scope.startIndex); at !== -1 && at < id.startIndex; at = ctx.text.indexOf(name, at + name.length)) {
    const node = ctx.tree.rootNode.descendantForIndex(at, at + name.length);
    const assignment = node?.type === 'identifier' && node.text === name ? parentOf(node) : null;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.id === node!.id) bound = assignment.childForFieldName('right') ?? undefined;
  }
  if (bound?.type !== 'comparison_operator' || !/\bnccl\b|\bNCCL\b/.test(bound.text)) return;
  // `if is_nccl_backend or is_hccl_backend:` already covers HCCL; `elif is_nccl_backend:` after an HCCL branch is information
  let condition: Node = id;
  for (let up = parentOf(condition); up && (up.type === 'boolean_operator' || up.type === 'not_operator' || up.type === 'parenthesized_expression'); up = parentOf(condition)) condition = up;
  if (NPU_WORD.test(condition.text)) return;
  const statement = enclosingCondition(id);
  const other = statement !== undefined && NPU_WORD.test(statement);
  ctx.report(id, 'nccl-backend', msg('{0} is True only with NCCL ({1}): with HCCL this branch does not run', name, excerpt(bound.text, 60)), [], other ? 'info' : 'warning');
}
