import { msg, type Message } from '../l10n';
import type { Severity } from './types';

export type RuleId =
  | 'cuda-device-string'
  | 'cuda-tensor-method'
  | 'torch-cuda-api'
  | 'cuda-generator'
  | 'cuda-amp'
  | 'cudnn-backend'
  | 'flash-attn'
  | 'xformers'
  | 'apex'
  | 'bitsandbytes'
  | 'triton'
  | 'cuda-extension'
  | 'nccl-backend'
  | 'ddp-device-ids'
  | 'safetensors-device'
  | 'cuda-requirement'
  | 'cuda-device-index'
  | 'jit-script'
  | 'fixed-dtype'
  | 'onnx-export-opset'
  | 'onnx-export-dynamic-axes'
  | 'onnx-export-op'
  | 'syntax-error';

export interface RuleInfo {
  readonly id: RuleId;
  readonly title: Message;
  readonly severity: Severity;
  /** One paragraph: why this breaks or misbehaves on an Ascend NPU host. */
  readonly explanation: Message;
  /** What to use on the NPU side. */
  readonly replacement: Message;
  /** Documentation page (the zh-cn bundle points to the Chinese page). */
  readonly docs: Message;
}

const rule = (id: RuleId, severity: Severity, title: Message, explanation: Message, replacement: Message): RuleInfo => ({
  id,
  severity,
  title,
  explanation,
  replacement,
  docs: msg('https://github.com/npu-port/npu-porting-assistant/blob/main/docs/rules/{0}.md', id),
});

/** Every rule, in the order the documentation lists them. Ids are stable: JSON and SARIF output use them. */
export const RULES: readonly RuleInfo[] = [
  rule('cuda-device-string', 'error',
    msg('CUDA device string'),
    msg('A "cuda" or "cuda:N" device (a literal, an f-string such as f"cuda:{rank}", "cuda:" + str(rank), or a value holding one) is passed to .to(), device=, map_location=, torch.device() or torch.Generator(). The value is followed through the file: names and re-assignments, tuple targets, self and args attributes, parameter defaults, argparse defaults, arguments and return values of its functions. The literal is reported once, where it is written, when its value is used as a device; a device-like name that nothing in the file reads (a module constant, an attribute, an option) is reported too, as other modules read it. On an Ascend host without CUDA this raises "Torch not compiled with CUDA enabled" or silently keeps the model on the CPU.'),
    msg('Use the device chosen at run time: DEVICE from the device helper module (NPU > CUDA > CPU), or "npu" / "npu:N" with torch_npu.')),
  rule('cuda-tensor-method', 'error',
    msg('CUDA tensor or module method'),
    msg('.cuda() moves a tensor or module to a CUDA device and .is_cuda asks whether it is on one. Neither works for an NPU: .cuda() fails without CUDA and .is_cuda is False for NPU tensors.'),
    msg('.to(DEVICE) with the device helper, or .npu() with torch_npu; test x.device.type instead of .is_cuda.')),
  rule('torch-cuda-api', 'error',
    msg('torch.cuda API'),
    msg('A torch.cuda function (synchronize, memory_summary, empty_cache, manual_seed, device_count, Stream, Event, ...) only talks to CUDA. On an NPU host it raises or reports nothing. torch.cuda.is_available() used only as a guard is reported as information: the code runs, but never takes the accelerator branch.'),
    msg('The device helper (dm.synchronize(), dm.memory_stats(), dm.empty_cache(), dm.manual_seed()) or the same function under torch.npu / torch_npu.npu.')),
  rule('cuda-generator', 'error',
    msg('CUDA random generator'),
    msg('torch.Generator("cuda") or torch.Generator(device="cuda") creates a generator on a CUDA device; without CUDA it raises, and a generator on another device than the tensors makes sampling fail.'),
    msg('dm.create_generator(seed) from the device helper, or torch.Generator("npu") with torch_npu.')),
  rule('cuda-amp', 'warning',
    msg('CUDA automatic mixed precision'),
    msg('torch.cuda.amp.autocast, torch.cuda.amp.GradScaler and autocast("cuda") enable mixed precision only on CUDA. On an NPU they are disabled with a warning, so the model runs in full precision and slower.'),
    msg('torch.autocast(dm.device_type, ...) and dm.grad_scaler(), or torch.npu.amp with torch_npu.')),
  rule('cudnn-backend', 'info',
    msg('cuDNN / CUDA backend setting'),
    msg('torch.backends.cudnn.* and torch.backends.cuda.* tune CUDA libraries. torch_npu accepts most of them without effect; the scaled-dot-product switches (enable_flash_sdp, sdp_kernel, ...) and benchmark_limit are not supported on Ascend.'),
    msg('Remove the setting or guard it by device; for attention use torch_npu.npu_fusion_attention or plain SDPA.')),
  rule('flash-attn', 'error',
    msg('flash-attn (CUDA only)'),
    msg('The flash-attn package builds CUDA kernels and does not install or import on an Ascend host. Code that imports it, calls flash_attn_func or asks transformers for attn_implementation="flash_attention_2" stops there.'),
    msg('An attention fallback: flash_attn_func from the device helper (scaled-dot-product attention), DIFFUSERS_ATTENTION_TYPE=vanilla, attn_implementation="sdpa", or torch_npu.npu_fusion_attention on Atlas A2.')),
  rule('xformers', 'error',
    msg('xFormers (CUDA only)'),
    msg('xFormers memory-efficient attention is built for CUDA and has no Ascend build; importing it or calling enable_xformers_memory_efficient_attention() fails on an NPU host.'),
    msg('Scaled-dot-product attention (the default in recent diffusers), attention slicing, or torch_npu.npu_fusion_attention.')),
  rule('apex', 'warning',
    msg('NVIDIA Apex'),
    msg('NVIDIA Apex (amp, FusedAdam, FusedLayerNorm, DistributedDataParallel) compiles CUDA extensions. Ascend ships its own apex fork whose fused optimizers are named NpuFused*; the NVIDIA classes do not exist there.'),
    msg('torch.autocast / torch.npu.amp for mixed precision; apex.optimizers.NpuFusedAdamW (Ascend apex) or torch.optim for optimizers.')),
  rule('bitsandbytes', 'error',
    msg('bitsandbytes (CUDA only)'),
    msg('bitsandbytes quantization (8-bit optimizers, load_in_8bit / load_in_4bit) uses CUDA kernels and has no Ascend mapping.'),
    msg('Full or half precision weights, or an Ascend quantization tool (msModelSlim) for inference.')),
  rule('triton', 'error',
    msg('Triton kernels'),
    msg('OpenAI Triton kernels target the CUDA backend. transfer_to_npu forces has_triton() to False, and @triton.jit kernels do not run on an NPU without the separate triton-ascend backend.'),
    msg('A PyTorch implementation of the kernel, a torch_npu fused operator, or triton-ascend.')),
  rule('cuda-extension', 'error',
    msg('CUDA C++ extension'),
    msg('CUDAExtension, torch.utils.cpp_extension.load with .cu sources, and .cu files are CUDA kernels. There is no automatic path to the NPU: each kernel must be rewritten (Ascend C / aclnn) and built with NpuExtension.'),
    msg('torch_npu.utils.cpp_extension.NpuExtension with an Ascend C kernel, or an existing torch_npu operator.')),
  rule('nccl-backend', 'error',
    msg('NCCL distributed backend'),
    msg('NCCL is NVIDIA\'s collective library. init_process_group(backend="nccl") fails on Ascend, and code comparing the backend with "nccl" takes the wrong branch; the Ascend collective library is HCCL.'),
    msg('backend="hccl" (dm.dist_backend with the device helper).')),
  rule('ddp-device-ids', 'warning',
    msg('DistributedDataParallel device ids without set_device'),
    msg('DistributedDataParallel(model, device_ids=[local_rank], output_device=local_rank) takes integer device indices. These keep working with torch_npu, because DDP takes the device type from the module; but Ascend\'s distributed samples first select each process\'s NPU with torch.npu.set_device(local_rank), before init_process_group. A CUDA script that relies on device_ids and .cuda(rank) alone leaves the current device at NPU 0, where HCCL then creates every process\'s communicator.'),
    msg('Call dm.set_device(local_rank) (device helper) or torch.npu.set_device(local_rank) (torch_npu) once per process, before init_process_group; device_ids=[local_rank] can stay.')),
  rule('safetensors-device', 'error',
    msg('safetensors loaded straight to CUDA'),
    msg('safetensors.torch.load_file(path, device="cuda") puts every tensor on a CUDA device while reading. Without CUDA it raises; loading to the CPU first and moving the model afterwards works on every device.'),
    msg('dm.load_safetensors(path) (loads to the CPU, then moves to DEVICE), or load_file(path, device="cpu").')),
  rule('cuda-requirement', 'error',
    msg('CUDA-only dependency'),
    msg('The dependency cannot be installed on an Ascend host: CUDA-only packages (flash-attn, xformers, bitsandbytes, triton, cupy, nvidia-*, pycuda, tensorrt, onnxruntime-gpu), wheels with a +cuXXX local version, or a CUDA wheel index.'),
    msg('For requirements*.txt, a requirements_npu.txt without these lines; in pyproject.toml, the entries commented out or removed in place (dependencies, optional dependencies, dependency groups, Poetry tables). Plus torch_npu matching your torch and CANN versions.')),
  rule('cuda-device-index', 'warning',
    msg('Integer device (means CUDA)'),
    msg('tensor.to(0), .to(local_rank) and similar pass an integer device, which PyTorch reads as a CUDA device index. Ascend\'s migration tool lists this as manual work.'),
    msg('dm.device_for(local_rank) from the device helper, or f"npu:{local_rank}".')),
  rule('jit-script', 'info',
    msg('torch.jit.script'),
    msg('torch_npu.contrib.transfer_to_npu turns torch.jit.script into a no-op (unless torch_npu._dynamo.use_jit_script is set); scripted functions then run eagerly, and code relying on ScriptModule features breaks.'),
    msg('Plain eager code or torch.compile; keep torch.jit.script only if you do not use transfer_to_npu.')),
  rule('fixed-dtype', 'info',
    msg('Fixed half-precision dtype'),
    msg('torch_dtype=torch.bfloat16 (or float16) is chosen for a CUDA GPU. Not every device supports it: Atlas 300I (310P) has no bfloat16, and on a CPU half precision is slow or unsupported.'),
    msg('DTYPE from the device helper: bfloat16 where supported, float16 on older NPUs and CUDA GPUs without bf16, float32 on the CPU.')),
  rule('onnx-export-opset', 'error',
    msg('ONNX export opset outside the target\'s range'),
    msg('torch.onnx.export writes the model at opset_version, or at torch\'s default when it is not given (14 in torch 1.13; other releases differ). A converter only parses the opsets it registers: the ATC ONNX parser registers its ops at opsets 8 to 18 (the Ascend profile data, derived from the parser plugins), the QNN converter accepts opsets up to 21. A model at another opset fails to convert. The target is the setting npuPort.onnx.target (npu-port scan --target).'),
    msg('Set opset_version to a value in the target\'s range (the quick fix takes the closest one).')),
  rule('onnx-export-dynamic-axes', 'error',
    msg('Dynamic axes for a target that needs static shapes'),
    msg('dynamic_axes (or dynamic_shapes with the dynamo exporter) leaves input dimensions symbolic. NPU compilers such as QNN HTP build for fixed shapes and refuse or mis-handle symbolic ones; shape arithmetic on them also brings Shape, Gather and Concat into the graph. For targets whose profile cannot tell (Ascend ATC), the finding is information.'),
    msg('Export with fixed shapes (drop dynamic_axes; the example input gives the shapes), one model per input size if several are needed.')),
  rule('onnx-export-op', 'warning',
    msg('Code that exports to an op the target lacks'),
    msg('Some PyTorch constructs in code torch.onnx.export traces (forward of an nn.Module and what it calls) export to ONNX ops the selected target does not support: integer indexing x[:, i, :] becomes Gather, b, c, h, w = x.shape becomes Shape + Gather with dynamic shapes, torch.abs becomes Abs, torch.sin / torch.cos become Sin / Cos, F.gelu and nn.GELU become Erf, .squeeze() becomes Squeeze, and a comparison used as a number becomes Equal + Cast. Only ops the target profile does not support are reported.'),
    msg('Rewrite with ops the target supports, as the quick fixes do: a one-wide slice plus reshape instead of an integer index, reshape instead of squeeze, relu(x) + relu(-x) instead of abs, the tanh form of GELU (slightly different results), precomputed buffers or CPU-side computation for Sin / Cos, fixed Python int sizes instead of shape unpacking.')),
  rule('syntax-error', 'warning',
    msg('Python syntax error'),
    msg('Part of the file does not parse. The analysis covers what parses; constructs inside the broken part may be missed.'),
    msg('Fix the syntax error, then scan again.')),
];

const byId = new Map(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id as RuleId);
}

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);
