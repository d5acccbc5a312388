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
  | 'ray-gpu-resource'
  | 'cuda-env-var'
  | 'ddp-device-ids'
  | 'safetensors-device'
  | 'cuda-requirement'
  | 'cuda-device-index'
  | 'cuda-only-check'
  | 'jit-script'
  | 'fixed-dtype'
  | 'onnx-export-opset'
  | 'onnx-export-dynamic-axes'
  | 'onnx-export-op'
  | 'syntax-error';

/** Where a fact in a rule's text comes from: the vendor's repository or documentation, with its version. */
export interface RuleSource {
  readonly label: Message;
  readonly url: string;
}

export interface RuleInfo {
  readonly id: RuleId;
  readonly title: Message;
  readonly severity: Severity;
  /** One paragraph: why this breaks or misbehaves on an Ascend NPU host. */
  readonly explanation: Message;
  /** What to use on the NPU side. */
  readonly replacement: Message;
  /** Documentation page, relative to the package root (docs/rules ships in the package; the zh-cn bundle points to the Chinese page). */
  readonly docs: Message;
  /** How the severity depends on the selected target (npuPort.onnx.target / scan --target). */
  readonly targets?: Message;
  /** Sources of the facts the texts state. */
  readonly sources: readonly RuleSource[];
}

const rule = (id: RuleId, severity: Severity, title: Message, explanation: Message, replacement: Message, extra: { targets?: Message; sources?: readonly RuleSource[] } = {}): RuleInfo => ({
  id,
  severity,
  title,
  explanation,
  replacement,
  docs: msg('docs/rules/{0}.md', id),
  ...(extra.targets ? { targets: extra.targets } : {}),
  sources: extra.sources ?? [],
});

const src = (label: Message, url: string): RuleSource => ({ label, url });
const TRITON_ASCEND_README = src(msg('triton-ascend README (Triton-Ascend 3.2.0, CANN 8.5.0; commit eeb030e7): hardware support'), 'https://github.com/Ascend/triton-ascend/blob/eeb030e7bb71f8a251c5d378dbe2977e8b8dbb83/README.md');
const TORCH_NPU = 'https://github.com/Ascend/pytorch/blob/v2.7.1-26.1.0/';
const CHIP_SERIES = src(msg('Ascend SoC and product series names (npu 910b: Atlas A2; 310p: Atlas inference series; 910: Atlas training series), cann/asc-devkit pull request 6574'), 'https://gitcode.com/cann/asc-devkit/pull/6574');
const TRANSFER_TO_NPU = src(msg('torch_npu 2.7.1 (branch v2.7.1-26.1.0): torch_npu/contrib/transfer_to_npu.py'), TORCH_NPU + 'torch_npu/contrib/transfer_to_npu.py');

/** Every rule, in the order the documentation lists them. Ids are stable: JSON and SARIF output use them. */
export const RULES: readonly RuleInfo[] = [
  rule('cuda-device-string', 'error',
    msg('CUDA device string'),
    msg('A "cuda" or "cuda:N" device (a literal, an f-string such as f"cuda:{rank}", "cuda:" + str(rank), \'cuda:{}\'.format(rank), \'cuda:%d\' % rank, or a value holding one) is passed to .to(), device= (or a keyword whose name ends in _device, such as buffer_device=), map_location=, torch.device() or torch.Generator(). The value is followed through the file: names and re-assignments, tuple targets, self and args attributes, parameter defaults, argparse defaults, arguments and return values of its functions, arguments of the constructors of its classes (through __init__). The literal is reported once, where it is written, when its value is used as a device; a device-like name that nothing in the file reads (a module constant, an attribute, an option) is reported too, as other modules read it. A device chosen by a conditional expression ("cuda" if torch.cuda.is_available() else "cpu") and a "cuda" assigned inside a CUDA guard are reported wherever the value goes; so are device_map="cuda", membership tests and argparse choices with "cuda" but no NPU device (warning), and lists of device types without one (information). So are device tables: values of a device_map dictionary and entries assigned by subscript (device_map[name] = f"cuda:{i}", kwargs["device_map"] = "cuda:0"); a membership test against a comprehension of CUDA devices ({f"cuda:{i}" for i in ...}, warning); a list assigned to, passed as or returned by a device-like name (supported_devices = ["cuda"]) and a table keyed by device type with "cuda" but no NPU entry ({"cuda": "nccl", "cpu": "gloo"}) (information). On an Ascend host without CUDA this raises "Torch not compiled with CUDA enabled" or silently keeps the model on the CPU. Inside a branch that runs only on CUDA and that has another path (else / elif), a call with a CUDA device is information: the guard is the place to port. A device selection without an NPU branch (if torch.cuda.is_available(): device = "cuda" else: device = "cpu", torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu") over several lines, if IS_CUDA_AVAILABLE: return \'cuda\' elif ...) is one porting point, its test\'s: the test is a warning that names the CUDA device it selects (an availability flag without a finding of its own gets this one), and the device is information pointing at it, with its fixes. A comparison with "cuda" that is the test of an if is information when the if has another path (elif, an else that does something) or only raises or logs (a check an NPU device does not need); without, it stays a warning and names the CUDA calls of its branch that an NPU host skips (those become information pointing at it). A negated comparison (device.type != "cuda") inside a feature\'s switch whose branch only raises, warns, logs or returns checks that a CUDA-only feature runs on CUDA, and device == "cuda" and not torch.cuda.is_available() is the fallback where CUDA was asked for and is missing: both are correct on every host and information without a fix (widening them would send an NPU device into the CUDA-only code).'),
    msg('Use the device chosen at run time: DEVICE from the device helper module (NPU > CUDA > CPU), or "npu" / "npu:N" with torch_npu; add "npu" to device lists and choices.'),
    { sources: [TRANSFER_TO_NPU] }),
  rule('cuda-tensor-method', 'error',
    msg('CUDA tensor or module method'),
    msg('.cuda() moves a tensor or module to a CUDA device and .is_cuda asks whether it is on one. Neither works for an NPU: .cuda() fails without CUDA and .is_cuda is False for NPU tensors. The method passed on without a call (model.cuda = add_warning(model.cuda, model)) is information: code that wraps .cuda does not wrap the NPU move.'),
    msg('.to(DEVICE) with the device helper, or .npu() with torch_npu; test x.device.type instead of .is_cuda.')),
  rule('torch-cuda-api', 'error',
    msg('torch.cuda API'),
    msg('A torch.cuda function (synchronize, memory_summary, empty_cache, manual_seed, device_count, Stream, Event, ...) only talks to CUDA. On an NPU host it raises or reports nothing. torch.cuda.is_available() used only as a guard is information when the code has another path (else / elif, an NPU branch, code after a branch that returns): the findings inside the branch are information too. The test of a device selection without an NPU branch (if torch.cuda.is_available(): device = "cuda" else: device = "cpu") is a warning instead: an NPU host takes the other path, and the port adds the NPU branch there. A guard whose branch has no other path is one porting point: an NPU host skips the branch, so its findings become information pointing at the guard, and the guard becomes a warning that names what an NPU host skips (for example torch.cuda.manual_seed_all(seed)), pointing at each; a guard and its branch are converted together or not at all. torch.version.cuda is None without CUDA (warning). import torch.cuda is information on the import line (its uses carry the findings). except torch.cuda.OutOfMemoryError keeps working (information): torch_npu\'s caching allocator raises c10::OutOfMemoryError, which PyTorch maps to the same Python class (torch.cuda.OutOfMemoryError is torch._C._OutOfMemoryError). torch.cuda names in type annotations are information (nothing checks an annotation at run time, and the classes exist on every torch build), and so are CUDA tests that skip themselves where CUDA is not: the condition of a skipif / skipUnless decorator, a name set to torch.cuda.is_available() and read only there, the body of a test marked so, and the code after if not torch.cuda.is_available(): return in a test function. A CUDA test, and the terms after it in the same and (they run only where it holds), is information where its value only decides between it and an NPU path: a disjunct of an or that has an NPU term (cuda_ok or npu_ok), the test of an if / elif chain with an NPU branch, or a name set once in a function and read only there. So is the body of a function that a decorator of the same file calls only on CUDA, returning something else without CUDA (a decorator that raises instead is a check: the body keeps its severity).'),
    msg('The device helper (dm.synchronize(), dm.memory_stats(), dm.empty_cache(), dm.manual_seed()) or the same function under torch.npu / torch_npu.npu. In DeepSpeed code, deepspeed.accelerator.get_accelerator() selects its NPU accelerator when torch_npu imports (or with DS_ACCELERATOR=npu).'),
    { sources: [
      src(msg('torch_npu 2.7.1: the NPU caching allocator raises OutOfMemoryError (torch_npu/csrc/core/npu/NPUCachingAllocator.cpp)'), TORCH_NPU + 'torch_npu/csrc/core/npu/NPUCachingAllocator.cpp'),
      src(msg('DeepSpeed NPU accelerator (added in v0.9.3, pull request 3595; checked at commit 38327e07): accelerator/npu_accelerator.py, accelerator/real_accelerator.py'), 'https://github.com/microsoft/DeepSpeed/blob/38327e07f6cd39b63418f60cedd1651b0be3e7c3/accelerator/npu_accelerator.py'),
    ] }),
  rule('cuda-generator', 'error',
    msg('CUDA random generator'),
    msg('torch.Generator("cuda") or torch.Generator(device="cuda") creates a generator on a CUDA device; without CUDA it raises, and a generator on another device than the tensors makes sampling fail.'),
    msg('dm.create_generator(seed) from the device helper, or torch.Generator("npu") with torch_npu.')),
  rule('cuda-amp', 'warning',
    msg('CUDA automatic mixed precision'),
    msg('torch.cuda.amp.autocast, torch.cuda.amp.GradScaler and autocast("cuda") enable mixed precision only on CUDA. On an NPU they are disabled with a warning, so the model runs in full precision and slower.'),
    msg('torch.autocast(dm.device_type, ...) and dm.grad_scaler(), or torch.npu.amp with torch_npu. The import line (from torch.cuda.amp import ...) is reported as information; its uses carry the warning.')),
  rule('cudnn-backend', 'info',
    msg('cuDNN / CUDA backend setting'),
    msg('torch.backends.cudnn.* and torch.backends.cuda.* tune CUDA libraries. torch_npu accepts most of them without effect; the scaled-dot-product switches (enable_flash_sdp, sdp_kernel, ...) and benchmark_limit are not supported on Ascend. The TF32 switches have torch_npu counterparts for HF32: torch.backends.cuda.matmul.allow_tf32 → torch.npu.matmul.allow_hf32, torch.backends.cudnn.allow_tf32 → torch.npu.conv.allow_hf32 (its getter reports enabled when unset).'),
    msg('Remove the setting or guard it by device; torch.npu.matmul.allow_hf32 / torch.npu.conv.allow_hf32 for TF32; for attention use torch_npu.npu_fusion_attention or plain SDPA.'),
    { sources: [
      src(msg('torch_npu 2.7.1: _allowHF32Matmul and _allowHF32Conv (torch_npu/npu/npu_config.py), exported as torch.npu.matmul and torch.npu.conv (torch_npu/npu/__init__.py); the same in branch v2.1.0-6.0.0'), TORCH_NPU + 'torch_npu/npu/npu_config.py'),
    ] }),
  rule('flash-attn', 'error',
    msg('flash-attn (CUDA only)'),
    msg('The flash-attn package builds CUDA kernels and does not install or import on an Ascend host. Code that imports it, calls flash_attn_func or asks transformers for attn_implementation="flash_attention_2" stops there; so does code that imports ring-flash-attention (ring_flash_attn), which is built on flash-attn. An import inside try / except ImportError whose handler gives a fallback, and code inside a branch that runs only behind the library\'s switch or check (has_apex, use_flash_attn, is_xformers_available(), use_8bit_adam, bitsandbytes\' Int8Params / Linear8bitLt types), are information: the code already has a path without the library.'),
    msg('An attention fallback: flash_attn_func from the device helper (scaled-dot-product attention), DIFFUSERS_ATTENTION_TYPE=vanilla, attn_implementation="sdpa"; or torch_npu\'s fused attention: torch_npu.npu_fusion_attention (training, Atlas A2 training series) and torch_npu.npu_prompt_flash_attention (inference: Atlas A2 / A3, and Atlas inference series cards with float16 only).'),
    { sources: [
      src(msg('ring-flash-attention setup.py (commit 97f02b8c): install_requires flash-attn'), 'https://github.com/zhuzilin/ring-flash-attention/blob/97f02b8c84cc214e9e2e56140f80aa296d169b22/setup.py'),
      src(msg('torch_npu.npu_fusion_attention, supported products: Atlas A2 training series (CANN 8.0.RC1.alpha002 API reference)'), 'https://www.hiascend.com/doc_center/source/zh/CANNCommunityEdition/80RC1alpha002/apiref/fmkadptapi/ptaoplist_000441.html'),
      src(msg('torch_npu.npu_prompt_flash_attention, supported products and dtypes (Ascend/op-plugin 7.3.0 docs)'), 'https://gitcode.com/Ascend/op-plugin/blob/7.3.0/docs/context/torch_npu-npu_prompt_flash_attention.md'),
      CHIP_SERIES,
    ] }),
  rule('xformers', 'error',
    msg('xFormers (CUDA only)'),
    msg('xFormers memory-efficient attention is built for CUDA and has no Ascend build; importing it or calling enable_xformers_memory_efficient_attention() fails on an NPU host. An import inside try / except ImportError whose handler gives a fallback, and code inside a branch that runs only behind the library\'s switch or check (has_apex, use_flash_attn, is_xformers_available(), use_8bit_adam, bitsandbytes\' Int8Params / Linear8bitLt types), are information: the code already has a path without the library.'),
    msg('Scaled-dot-product attention (the default in recent diffusers), attention slicing, or torch_npu.npu_fusion_attention (the FlashAttentionScore replacement in Ascend\'s PyTorch migration guide).'),
    { sources: [
      src(msg('Ascend/pytorch issue 80 (maintainer, 2025-10-15): xFormers is not supported natively; replace its attention with FlashAttentionScore'), 'https://github.com/Ascend/pytorch/issues/80'),
      src(msg('Ascend PyTorch 7.1.0 training migration guide: FlashAttentionScore'), 'https://www.hiascend.com/document/detail/zh/Pytorch/710/ptmoddevg/trainingmigrguide/performance_tuning_0034.html'),
    ] }),
  rule('apex', 'warning',
    msg('NVIDIA Apex'),
    msg('NVIDIA Apex (amp, FusedAdam, FusedLayerNorm, DistributedDataParallel) compiles CUDA extensions. Ascend ships its own apex fork: amp O1 / O2 with static and dynamic loss scaling, and fused optimizers named NpuFused* (Adadelta, Adam, AdamP, AdamW, SGD, Lamb, RMSprop, RMSpropTF); the NVIDIA classes do not exist there. ColossalAI\'s enable_fused_normalization=True replaces LayerNorm and RMSNorm with Apex\'s FusedLayerNorm / FusedRMSNorm: since ColossalAI 0.4.7 RMSNorm runs on an NPU with torch_npu.npu_rms_norm, LayerNorm still needs NVIDIA Apex (enable_all_optimization=True turns fused normalization on only where Apex imports). An import inside try / except ImportError whose handler gives a fallback, and code inside a branch that runs only behind the library\'s switch or check (has_apex, use_flash_attn, is_xformers_available(), use_8bit_adam, bitsandbytes\' Int8Params / Linear8bitLt types), are information: the code already has a path without the library.'),
    msg('torch.autocast / torch.npu.amp for mixed precision; apex.optimizers.NpuFusedAdamW (Ascend apex) or torch.optim for optimizers.'),
    { sources: [
      src(msg('Ascend apex 5.0.0 (master, commit 49a7994e): README.en.md and src/apex/optimizers'), 'https://github.com/Ascend/apex/blob/49a7994e13cc70d155adbd7b25b7a6b86e38e58e/README.en.md'),
      src(msg('ColossalAI main (commit 4f9953be, 2026-04): shardformer/layer/normalization.py, FusedLayerNorm from apex.normalization, FusedRMSNorm with torch_npu.npu_rms_norm where torch_npu imports (pull request 6159, in v0.4.7)'), 'https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/shardformer/layer/normalization.py'),
      src(msg('ColossalAI main (commit 4f9953be): shardformer/shard/shard_config.py, _turn_on_all_optimization sets enable_fused_normalization only if apex.normalization imports'), 'https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/shardformer/shard/shard_config.py'),
    ] }),
  rule('bitsandbytes', 'error',
    msg('bitsandbytes (no NPU kernels)'),
    msg('bitsandbytes quantization (8-bit optimizers, BitsAndBytesConfig, load_in_8bit / load_in_4bit) runs on its device kernels. Since 0.46.0 bitsandbytes lists "npu" among its supported torch devices and registers pure-PyTorch default implementations, but its main branch ships no NPU backend (cpu, cuda, hpu, mps, xpu, triton only); an NPU backend existed only on the multi-backend-refactor preview branch. Whether quantized loading works on an NPU through the default implementations is unverified. An import inside try / except ImportError whose handler gives a fallback, and code inside a branch that runs only behind the library\'s switch or check (has_apex, use_flash_attn, is_xformers_available(), use_8bit_adam, bitsandbytes\' Int8Params / Linear8bitLt types), are information: the code already has a path without the library. So are a BitsAndBytesConfig imported inside the branch of a plain switch that has another path (if cpu_offloading: from transformers import BitsAndBytesConfig ... elif ...) and the body of a function whose first statement asserts the check of a CUDA-only library, or of Unsloth, which needs it (assert is_unsloth_available()), or raises unless it holds.'),
    msg('Full or half precision weights, or an Ascend quantization tool (msModelSlim) for inference.'),
    { sources: [
      src(msg('bitsandbytes main (0.50.2.dev0, commit 95f9af30): bitsandbytes/__init__.py supported_torch_devices and bitsandbytes/backends'), 'https://github.com/bitsandbytes-foundation/bitsandbytes/blob/95f9af309d4d5793847169c39288dcd3fcbdf564/bitsandbytes/__init__.py'),
      src(msg('bitsandbytes multi-backend-refactor branch (commit c3eac426, 2025-05): bitsandbytes/backends/npu.py'), 'https://github.com/bitsandbytes-foundation/bitsandbytes/blob/c3eac426ef3f3473fc519b6169cc7e9172687aad/bitsandbytes/backends/npu.py'),
      src(msg('unsloth (commit 00497907): pyproject.toml classifies it as "Environment :: GPU :: NVIDIA CUDA", requires triton on Linux and installs CUDA builds of xformers (cu118 to cu124 extras)'), 'https://github.com/unslothai/unsloth/blob/00497907cdce8f000a512fe7c8741fec142b132a/pyproject.toml'),
    ] }),
  rule('triton', 'error',
    msg('Triton kernels'),
    msg('OpenAI Triton kernels target the CUDA backend. transfer_to_npu forces has_triton() to False, and @triton.jit kernels do not run on an NPU without the separate triton-ascend backend. Triton-Ascend 3.2.0 (CANN 8.5.0) supports Atlas A2 and A3 training and inference products only. On an NPU a kernel\'s grid is a number of AI cores: the core count must not exceed 65535, and the guide advises as many programs as physical AI cores (vector cores for kernels without tl.dot), so CUDA-style grids of thousands of blocks need rewriting. An import inside try / except ImportError whose handler gives a fallback, and code inside a branch that runs only behind the library\'s switch or check (has_apex, use_flash_attn, is_xformers_available(), use_8bit_adam, bitsandbytes\' Int8Params / Linear8bitLt types), are information: the code already has a path without the library. Inside a kernel (a function decorated with @triton.jit, @triton.autotune or another triton decorator) the tl.* uses are information, and so are the Triton uses in its decorators\' arguments (triton.Config(...) in @triton.autotune(configs=[...])) and its further Triton decorators: the kernel, reported at its first Triton decorator, is the unit to port. In a module that imports Triton unconditionally (at module level, not in an if or a function, nor in a try unless its handlers only raise again), its other Triton uses (the kernels\' first decorators, host-side helpers such as triton.next_power_of_2 or triton.cdiv) are information naming that import: they run only where it succeeded, so the module\'s dependency is the porting decision (triton-ascend on Atlas A2 / A3, or a guarded import with a fallback), reported at the import with the target\'s severity.'),
    msg('On Atlas A2 / A3: triton-ascend, with the grid sized to the AI-core count. Elsewhere: a PyTorch implementation of the kernel or a torch_npu fused operator.'),
    {
      targets: msg('Error by default and for Ascend 310, 310P and 910; a warning for Ascend 910B (Atlas A2), where triton-ascend runs the kernel after adaptation.'),
      sources: [
        TRITON_ASCEND_README,
        src(msg('triton-ascend migration guide: grid and AI-core limits (docs/en/migration_guide/migrate_from_gpu.md)'), 'https://github.com/Ascend/triton-ascend/blob/eeb030e7bb71f8a251c5d378dbe2977e8b8dbb83/docs/en/migration_guide/migrate_from_gpu.md'),
        TRANSFER_TO_NPU,
        CHIP_SERIES,
      ],
    }),
  rule('cuda-extension', 'error',
    msg('CUDA C++ extension'),
    msg('CUDAExtension, torch.utils.cpp_extension.load with .cu sources, and .cu files are CUDA kernels. There is no automatic path to the NPU: each kernel must be rewritten (Ascend C / aclnn) and built with NpuExtension. ColossalAI\'s HybridAdam is information: it loads its fused CUDA Adam kernel only where CUDA is available and updates parameters on an NPU with a plain PyTorch Adam; releases without that NPU branch raise RuntimeError in step() for NPU parameters.'),
    msg('torch_npu.utils.cpp_extension.NpuExtension with an Ascend C kernel, or an existing torch_npu operator. For HybridAdam on an older ColossalAI: torch.optim.AdamW on the NPU.'),
    { sources: [src(msg('ColossalAI colossalai/nn/optimizer/hybrid_adam.py (checked at commit ed8ee06c): FusedOptimizerLoader only if torch.cuda.is_available(); "npu" parameters take torch_adam_update'), 'https://github.com/hpcaitech/ColossalAI/blob/ed8ee06cfe74cb813110ed537b92f4a4dfbaa3fc/colossalai/nn/optimizer/hybrid_adam.py')] }),
  rule('nccl-backend', 'error',
    msg('NCCL distributed backend'),
    msg('NCCL is NVIDIA\'s collective library. init_process_group(backend="nccl") fails on Ascend, and so does a "nccl" default of a backend option or of a lookup whose key names a backend (getattr(args, "dist_backend", "nccl"), cfg.get("backend", "nccl")); code comparing the backend with "nccl" takes the wrong branch; argparse choices of backends with "nccl" and no "hccl" (choices=[\'nccl\', \'gloo\']) refuse HCCL on the command line (the fix adds "hccl"; it changes the program\'s interface, so Fix All does not apply it). The Ascend collective library is HCCL.'),
    msg('backend="hccl" (dm.dist_backend with the device helper). Backend.NCCL and torch.cuda.nccl are reported too, and so is an if on a flag bound to an NCCL comparison in the same function (is_nccl_backend = backend == Backend.NCCL; if is_nccl_backend: ...), whose branch never runs with HCCL (information after an HCCL branch, nothing when the condition also tests HCCL). Backend.NCCL in a backend dispatch with an HCCL branch (if backend == "hccl": ... elif backend == Backend.NCCL:), directly or through such a flag set once and read only beside an HCCL test, is information, and so are NCCL checks after torch.cuda.is_available() in an and whose value only goes beside an NPU term. DeepSpeed\'s NPU accelerator names its communication backend hccl.'),
    { sources: [TRANSFER_TO_NPU, src(msg('DeepSpeed NPU accelerator (checked at commit 38327e07): communication backend hccl'), 'https://github.com/microsoft/DeepSpeed/blob/38327e07f6cd39b63418f60cedd1651b0be3e7c3/accelerator/npu_accelerator.py')] }),
  rule('ray-gpu-resource', 'error',
    msg('Ray GPU resource'),
    msg('Ray schedules NVIDIA (and AMD, Intel) GPUs as its "GPU" resource and Huawei Ascend NPUs as a resource of their own, "NPU" (Ray 2.9 and later). On an Ascend host a task or actor that asks for num_gpus (@ray.remote(num_gpus=1), .options(num_gpus=n)) or a placement-group bundle with "GPU" ({"GPU": 1, "CPU": 1}) is never scheduled, and ray.get_gpu_ids() is empty. Reported in files that import ray: num_gpus= of ray.remote, ray.init and .options, "GPU" as a key of a resource dictionary (a bundle with "CPU" beside it, resources=, placement_group) or read from get_accelerator_ids(), ray.cluster_resources() or ray.available_resources().'),
    msg('Ask for the resource of the accelerator the host has: resources={"NPU": n} (or {"NPU": 1, "CPU": 1} bundles) on Ascend, num_gpus on GPUs, chosen at run time (for example by whether torch_npu imports); ray.get_runtime_context().get_accelerator_ids()["NPU"] for the NPU ids. No quick fix: the GPU request stays right on a GPU host.'),
    { sources: [
      src(msg('Ray documentation, Accelerator Support: Huawei Ascend is the "NPU" resource'), 'https://docs.ray.io/en/latest/ray-core/scheduling/accelerators.html'),
      src(msg('Ray pull request 41256 (merged November 2023, Ray 2.9): Huawei Ascend NPU accelerator, resource name "NPU" (python/ray/_private/accelerators/npu.py)'), 'https://github.com/ray-project/ray/pull/41256'),
      src(msg('Ray API: RuntimeContext.get_accelerator_ids(), keyed by accelerator resource name'), 'https://docs.ray.io/en/latest/ray-core/api/doc/ray.runtime_context.RuntimeContext.get_accelerator_ids.html'),
    ] }),
  rule('cuda-env-var', 'warning',
    msg('CUDA environment variable'),
    msg('CUDA_VISIBLE_DEVICES, CUDA_LAUNCH_BLOCKING and PYTORCH_CUDA_ALLOC_CONF only steer CUDA. Read or set on an Ascend host (os.environ, os.getenv, a subprocess env) they have no effect: every process sees every NPU, launches stay asynchronous, the allocator keeps its defaults.'),
    msg('ASCEND_RT_VISIBLE_DEVICES (CANN: the devices visible to the process), ASCEND_LAUNCH_BLOCKING (torch_npu: synchronous operator execution), PYTORCH_NPU_ALLOC_CONF (torch_npu: caching allocator); keep the CUDA name for CUDA hosts.'),
    { sources: [
      src(msg('CANN 8.5.0 environment variables: ASCEND_RT_VISIBLE_DEVICES'), 'https://www.hiascend.com/document/detail/en/canncommercial/850/maintenref/envvar/envref_07_0028.html'),
      src(msg('torch_npu 2.7.1 environment variables: ASCEND_LAUNCH_BLOCKING'), TORCH_NPU + 'docs/en/environment_variable_reference/ASCEND_LAUNCH_BLOCKING.md'),
      src(msg('torch_npu 2.7.1 environment variables: PYTORCH_NPU_ALLOC_CONF'), TORCH_NPU + 'docs/en/environment_variable_reference/PYTORCH_NPU_ALLOC_CONF.md'),
    ] }),
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
    msg('The dependency is built for NVIDIA CUDA: CUDA-only packages (flash-attn, xformers, bitsandbytes, triton, cupy, nvidia-*, pycuda, tensorrt, onnxruntime-gpu), wheels with a +cuXXX local version, or a CUDA wheel index. Some do not install without the CUDA toolkit (flash-attn compiles CUDA kernels unless a prebuilt CUDA wheel matches); the others install but have no NPU kernels. Community triton is worse than useless on an Ascend host: installing it after triton-ascend overwrites triton-ascend\'s package directory, so pip must not reinstall it from a requirements file.'),
    msg('For requirements*.txt, a requirements_npu.txt without these lines; in pyproject.toml, the entries commented out or removed in place (dependencies, optional dependencies, dependency groups, Poetry tables). Plus torch_npu matching your torch and CANN versions, and on Atlas A2/A3 triton-ascend in place of triton.'),
    { sources: [
      src(msg('Triton-Ascend FAQ (commit 48cb9fe1): community Triton and Triton-Ascend cannot coexist; installing software that depends on Triton overwrites the installed Triton-Ascend'), 'https://github.com/Ascend/triton-ascend/blob/48cb9fe1eb1b412e683f01b138f2d042e7651472/docs/en/FAQ.md'),
      TRITON_ASCEND_README,
    ] }),
  rule('cuda-device-index', 'warning',
    msg('Integer device (means CUDA)'),
    msg('tensor.to(0), .to(local_rank), torch.zeros(n, device=local_rank), torch.tensor(x, device=i) in a loop over range(torch.cuda.device_count()), a variable named device assigned an int(...) (device = int(os.environ["LOCAL_RANK"]); reported without a fix, since the value may also be used as a number) and similar pass an integer device, which PyTorch has read as a CUDA device index ("treated as a cuda device" in the torch.device documentation up to the 2.x releases torch_npu is built for; the current documentation says "the current accelerator type", so only a recent torch with torch_npu registered as the accelerator may read it as an NPU). So does an index from current_device() used or stored as a device: DeepSpeed\'s get_accelerator().current_device() returns the index on every accelerator, and DeepSpeed replaced device=get_accelerator().current_device() by current_device_name() because it crashed on NPUs. Ascend\'s migration tool lists integer devices as manual work. mmcv 1.x\'s MMDataParallel and MMDistributedDataParallel (mmcv.parallel) scatter their inputs to the integer device_ids with .cuda(id) on CUDA streams, so they are reported too; mmcv 1.7 added mmcv.device.npu.NPUDataParallel and NPUDistributedDataParallel, which OpenMMLab\'s NPU ports use instead (mmengine\'s wrappers are device-neutral and are not reported).'),
    msg('dm.device_for(local_rank) from the device helper, or f"npu:{local_rank}"; in DeepSpeed code get_accelerator().current_device_name() ("npu:0" on an NPU); for mmcv 1.x, mmcv.device.npu.NPUDataParallel / NPUDistributedDataParallel on an NPU.'),
    { sources: [
      src(msg('PyTorch 2.1 documentation, Tensor Attributes: torch.device (a single device ordinal is treated as a CUDA device)'), 'https://docs.pytorch.org/docs/2.1/tensor_attributes.html#torch-device'),
      src(msg('PyTorch main (commit 0296f356): docs/source/tensor_attributes.rst (a single device ordinal is treated as the current accelerator type)'), 'https://github.com/pytorch/pytorch/blob/0296f356fcb6bc222650838097ff6aabbe94bd69/docs/source/tensor_attributes.rst'),
      src(msg('DeepSpeed pull request 5464 (commit 0fc19b6, 2024-05): device=get_accelerator().current_device() crashes on NPU; use current_device_name()'), 'https://github.com/microsoft/DeepSpeed/commit/0fc19b6a320cf8aa0a5f6c2b1fa310bae9a70d94'),
      src(msg('mmcv v1.7.0 (commit 270c293c): mmcv/parallel/_functions.py scatter() copies inputs with .cuda(devices[0]) under torch.cuda.device / torch.cuda.stream'), 'https://github.com/open-mmlab/mmcv/blob/270c293c9b4bfa90211ccab212d55ccd27bdc09f/mmcv/parallel/_functions.py'),
      src(msg('mmcv v1.7.0 (commit 270c293c): mmcv/device/npu NPUDataParallel and NPUDistributedDataParallel (Huawei, added 2022-09)'), 'https://github.com/open-mmlab/mmcv/blob/270c293c9b4bfa90211ccab212d55ccd27bdc09f/mmcv/device/npu/__init__.py'),
    ] }),
  rule('cuda-only-check', 'warning',
    msg('Library check that answers for CUDA only'),
    msg('Some library helpers answer a question for CUDA devices only, so the code they guard takes the CUDA-less path on an Ascend host. accelerate\'s DistributedType.MULTI_GPU is the multi-GPU (CUDA) mode: accelerate on NPUs runs as DistributedType.MULTI_NPU, so state.distributed_type == DistributedType.MULTI_GPU is False there (a warning; a list that also holds MULTI_NPU is not reported). transformers\' is_torch_bf16_gpu_available() asked only CUDA in the releases most ported code was written for; transformers\' main branch now also asks torch.npu.is_bf16_supported(), so with a recent release the check is right and the finding is information.'),
    msg('Test DistributedType.MULTI_NPU beside MULTI_GPU (or the device type); for bf16 use a recent transformers, or check torch.npu.is_bf16_supported() when torch_npu is available.'),
    { sources: [
      src(msg('accelerate (commit 00595017): utils/dataclasses.py DistributedType: MULTI_GPU "Distributed on multiple GPUs", MULTI_NPU "Distributed on multiple NPUs"'), 'https://github.com/huggingface/accelerate/blob/0059501736ae1d285b1602fcd9ae0d54c90e16fa/src/accelerate/utils/dataclasses.py'),
      src(msg('transformers main (commit 001abfd9): utils/import_utils.py is_torch_bf16_gpu_available checks torch.npu.is_bf16_supported()'), 'https://github.com/huggingface/transformers/blob/001abfd9abfe0c517677f822d01fc0eabda27e15/src/transformers/utils/import_utils.py'),
      src(msg('LLaMA-Factory pull request 5193 (2024-08): is_torch_bf16_gpu_available then checked CUDA only, so NPUs fell back to fp16'), 'https://github.com/hiyouga/LlamaFactory/pull/5193'),
    ] }),
  rule('jit-script', 'info',
    msg('torch.jit.script / torch.compile'),
    msg('torch_npu.contrib.transfer_to_npu turns torch.jit.script into a no-op (unless torch_npu._dynamo.use_jit_script is set); scripted functions then run eagerly, and code relying on ScriptModule features breaks. torch.compile without a backend uses Inductor, whose code generation targets CUDA (Triton) and CPU: torch_npu 2.7.1 adds an Inductor backend for the Atlas training series, A2 and A3 (TORCHINDUCTOR_NPU_BACKEND); with earlier torch_npu releases an NPU graph is compiled only by TorchAir\'s backend (torchair.get_npu_backend()). Information: a port often keeps it for GPUs only.'),
    msg('Plain eager code, or torch.compile with backend=torchair.get_npu_backend() (TorchAir) or torch_npu\'s Inductor backend; keep torch.jit.script only if you do not use transfer_to_npu.'),
    { sources: [
      src(msg('TorchAir user guide (Ascend PyTorch 6.0.RC2): the default backend "inductor" is not supported on Ascend NPU; the NPU backend is torchair.get_npu_backend()'), 'https://www.hiascend.com/document/detail/zh/Pytorch/60RC2/modthirdparty/torchairuseguide/torchair_0003.html'),
      src(msg('torch_npu 2.7.1 (branch v2.7.1-26.0.0): TORCHINDUCTOR_NPU_BACKEND, Inductor on the Atlas training series, A2 and A3'), 'https://gitcode.com/Ascend/pytorch/blob/v2.7.1-26.0.0/docs/zh/environment_variable_reference/TORCHINDUCTOR_NPU_BACKEND.md'),
    ] }),
  rule('fixed-dtype', 'info',
    msg('Fixed half-precision dtype'),
    msg('torch_dtype=torch.bfloat16 (or float16) is chosen for a CUDA GPU. Not every device supports it: CANN lists BFLOAT16 for Atlas A2 / A3 only (not the Atlas inference series, 310P, nor the Atlas training series, 910), and on a CPU half precision is slow or unsupported.'),
    msg('DTYPE from the device helper: bfloat16 where supported, float16 on older NPUs and CUDA GPUs without bf16, float32 on the CPU.'),
    {
      targets: msg('Without an Ascend target: torch_dtype=bfloat16 / float16 is information. For Ascend 310, 310P and 910 every torch.bfloat16 (and .bfloat16()) is a warning, except in a comparison, a dtype table, and a branch that already chooses the dtype: one that runs only when bf16 was selected or is supported (precision == "bf16", args.bf16, is_bf16_supported()) or only on the CPU (device_type == "cpu"). float16 is not reported; for Ascend 910B nothing is reported. The warning needs a chosen target (npu-port scan --target, or the setting npuPort.onnx.target set at user, workspace or folder level): with the default target nobody chose, the same uses of bfloat16 are information that names the chips without it, because most training code is meant for Atlas A2, which has it.'),
      sources: [
        src(msg('CANN 8.5.0 Cast operator: BFLOAT16 applies to Atlas A2 / A3 only'), 'https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/850/API/aolapi/atlasascendc_api_07_1193.html'),
        CHIP_SERIES,
      ],
    }),
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
    msg('Syntax error'),
    msg('Part of the file does not parse. In Python code the analysis covers what parses, and constructs inside the broken part may be missed; a pyproject.toml that is not valid TOML is not analysed at all, and no fix changes it.'),
    msg('Fix the syntax error, then scan again.')),
];

const byId = new Map(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id as RuleId);
}

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);
