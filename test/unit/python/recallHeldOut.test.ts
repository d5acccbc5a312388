import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * The kinds of CUDA-specific code that the held-out real ports (test/fixtures/ports, `heldOut` in case.json)
 * showed the scanner missing (issue 14, part 3), each with the look-alikes that must stay quiet.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);

test('an argparse default "cuda" beside choices, read as a device_map (xtuner merge.py)', async () => {
  const src = lines(
    'import argparse',
    'from transformers import AutoModelForCausalLM',
    'parser = argparse.ArgumentParser()',
    "parser.add_argument('--device', default='cuda', choices=('cuda', 'cpu', 'auto'))",
    "parser.add_argument('--other', default='cuda', choices=('cuda', 'cpu'))",
    'args = parser.parse_args()',
    "model = AutoModelForCausalLM.from_pretrained('x', device_map=args.device)",
    'print(args.other)',
  );
  const findings = await findingsOf(src);
  // line 5: the option is read, but never as a device: only its choices are reported
  assert.deepEqual(seen(findings), ['4 cuda-device-string error', '4 cuda-device-string warning', '5 cuda-device-string warning']);
  // the default changes with the choices (the command line): offered, never applied by fix-all
  const fix = findings[0]!.fixes[0]!;
  assert.equal(fix.changesInterface, true);
});

test('"nccl" as the default of a lookup whose key names a backend (OpenRLHF vllm_sync_backend)', async () => {
  const src = lines(
    'import os',
    'def setup(args, cfg):',
    '    backend = getattr(args, "vllm_sync_backend", "nccl")',
    '    dist = cfg.get("dist_backend", "nccl")',
    '    env = os.environ.get("DIST_BACKEND", default="nccl")',
    '    name = getattr(args, "library", "nccl")',
    '    label = cfg.get("name", "nccl")',
    '    if getattr(args, "vllm_sync_backend", "nccl") == "nccl":',
    '        os.environ["NCCL_CUMEM_ENABLE"] = "0"',
    '    return backend, dist, env, name, label',
  );
  const findings = await findingsOf(src);
  // lines 6 and 7: the keys name no backend; line 8: the lookup is compared, and the comparison's "nccl" is the finding,
  // information because its branch only sets an NCCL variable (guardFold.test.ts)
  assert.deepEqual(seen(findings), ['3 nccl-backend error', '4 nccl-backend error', '5 nccl-backend error', '8 nccl-backend info']);
  assert.equal(findings[0]!.fixes[0]!.coreEdits[0]!.newText, 'dm.dist_backend');
});

test('Ray\'s GPU resource: num_gpus, "GPU" bundles and ray.get_gpu_ids() (OpenRLHF launcher)', async () => {
  const src = lines(
    'import os',
    'import ray',
    'from ray.util.placement_group import placement_group',
    '@ray.remote(num_gpus=1)',
    'class Actor:',
    '    def __init__(self):',
    '        os.environ["LOCAL_RANK"] = str(ray.get_gpu_ids()[0])',
    'def start(n, num_gpus, actor_cls):',
    '    bundles = [{"GPU": 1, "CPU": 1} for _ in range(n)]',
    '    pg = placement_group([{"GPU": 1}] * n, strategy="PACK")',
    '    actor = actor_cls.options(num_cpus=1, num_gpus=num_gpus).remote()',
    '    free = ray.available_resources().get("GPU", 0)',
    '    ids = ray.get_runtime_context().get_accelerator_ids()["GPU"]',
    '    cpu_only = actor_cls.options(num_gpus=0).remote()',
    '    return bundles, pg, actor, free, ids, cpu_only',
  );
  assert.deepEqual(seen(await findingsOf(src)), [
    '4 ray-gpu-resource error', '7 ray-gpu-resource error', '9 ray-gpu-resource error', '10 ray-gpu-resource error',
    '11 ray-gpu-resource error', '12 ray-gpu-resource error', '13 ray-gpu-resource error',
  ]);
});

test('look-alikes of Ray\'s GPU resource stay quiet: num_gpus as an option, a parameter or a variable, "GPU" keys that are not Ray resources, files without ray', async () => {
  const withRay = lines(
    'import argparse',
    'import ray',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--num_gpus", type=int, default=1)',
    'def run(num_gpus=1, trainer_cls=None):',
    '    num_gpus = num_gpus or 1',
    '    trainer = trainer_cls(num_gpus=num_gpus)',
    '    labels = {"GPU": "graphics", "TPU": "tensor"}',
    '    kind = labels["GPU"]',
    '    info = {"NPU": 1}',
    '    n = info.get("GPU", 0) if "GPU" in info else info.get("NPU", 0)',
    '    return trainer, kind, n',
  );
  assert.deepEqual(seen(await findingsOf(withRay)), []);
  const withoutRay = lines(
    'def start(n, actor_cls):',
    '    bundles = [{"GPU": 1, "CPU": 1} for _ in range(n)]',
    '    return actor_cls.options(num_gpus=1), bundles',
  );
  assert.deepEqual(seen(await findingsOf(withoutRay)), []);
});

test('ring-flash-attention is built on flash-attn: its imports are flash-attn findings, optional ones information', async () => {
  const src = lines(
    'def setup(group, use_ring):',
    '    from ring_flash_attn import substitute_hf_flash_attn',
    '    substitute_hf_flash_attn(group, 1)',
    'try:',
    '    from ring_flash_attn import update_ring_flash_attn_params',
    'except ImportError:',
    '    HAS_RING = False',
    'from ring_attention import RingAttention',
  );
  const findings = await findingsOf(src);
  // line 8: another package whose name only looks alike
  assert.deepEqual(seen(findings), ['2 flash-attn error', '3 flash-attn error', '5 flash-attn info']);
  assert.match(findings[0]!.message.key, /ring-flash-attention/);
});

test('ColossalAI\'s HybridAdam is information (CUDA kernel for CUDA parameters; NPU parameters take a PyTorch Adam in current releases)', async () => {
  const src = lines(
    'from colossalai.nn.optimizer import HybridAdam',
    'from my_project.optim import HybridAdam as LocalAdam',
    'def build(model, lr):',
    '    optimizer = HybridAdam(model.parameters(), lr=lr, adamw_mode=True)',
    '    other = LocalAdam(model.parameters(), lr=lr)',
    '    return optimizer, other',
  );
  // line 5: a project's own class of the same name
  assert.deepEqual(seen(await findingsOf(src)), ['4 cuda-extension info']);
});

test('torch.compile with the default (Inductor) backend is information; a chosen backend is not reported', async () => {
  const src = lines(
    'import torch',
    'import torchair',
    'def entropy(logits):',
    '    return logits.softmax(-1)',
    'compute_entropy = torch.compile(entropy)',
    '@torch.compile',
    'def fused(x):',
    '    return x * 2',
    'npu_model = torch.compile(fused, backend=torchair.get_npu_backend())',
    'model = torch.jit.trace(fused, torch.zeros(1))',
    'compile = "not torch"',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['5 jit-script info', '6 jit-script info']);
});
