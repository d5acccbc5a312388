import { msg, type Message } from '../l10n';
import { RULES, type RuleId, type RuleInfo } from './catalog';

/** A short before/after pair per rule (code is the same in every language). */
/** `styleFree`: the fix is the same in every fix style. */
const EXAMPLES: Readonly<Record<RuleId, { before: string; after?: string; styleFree?: boolean }>> = {
  'cuda-device-string': { before: 'pipe.to("cuda", torch.bfloat16)\ndevice = "cuda" if torch.cuda.is_available() else "cpu"', after: 'from device_utils import DEVICE, DTYPE\n\npipe.to(DEVICE, DTYPE)\ndevice = DEVICE.type' },
  'cuda-tensor-method': { before: 'model.cuda()\nif x.is_cuda: ...', after: 'model.to(DEVICE)\nif (x.device.type != "cpu"): ...' },
  'torch-cuda-api': { before: "print(torch.cuda.memory_summary(device='cuda', abbreviated=True))\ntorch.cuda.synchronize()", after: 'print(dm.memory_stats())\ndm.synchronize()' },
  'cuda-generator': { before: 'generator = torch.Generator("cuda").manual_seed(seed)', after: 'generator = dm.create_generator(seed)' },
  'cuda-amp': { before: 'with torch.cuda.amp.autocast(dtype=torch.bfloat16):\n    out = model(x)', after: 'with torch.autocast(dm.device_type, dtype=torch.bfloat16):\n    out = model(x)' },
  'cudnn-backend': { before: 'torch.backends.cudnn.benchmark = True\ntorch.backends.cuda.enable_flash_sdp(False)' },
  'flash-attn': { before: 'from flash_attn import flash_attn_func', after: 'import os\nos.environ.setdefault("DIFFUSERS_ATTENTION_TYPE", "vanilla")  # diffusers scripts\nfrom device_utils import flash_attn_func' },
  xformers: { before: 'pipe.enable_xformers_memory_efficient_attention()' },
  apex: { before: 'from apex.optimizers import FusedAdam' },
  bitsandbytes: { before: 'import bitsandbytes as bnb' },
  triton: { before: 'import triton\n\n@triton.jit\ndef kernel(...): ...' },
  'cuda-extension': { before: 'CUDAExtension("fused", ["fused.cpp", "fused_kernel.cu"])' },
  'nccl-backend': { before: 'torch.distributed.init_process_group(backend="nccl")', after: 'torch.distributed.init_process_group(backend=dm.dist_backend)' },
  'ray-gpu-resource': { before: '@ray.remote(num_gpus=1)\nclass Worker: ...\n\nbundles = [{"GPU": 1, "CPU": 1} for _ in range(world_size)]' },
  'cuda-env-var': { before: 'os.environ["CUDA_VISIBLE_DEVICES"] = "0,1"' },
  'ddp-device-ids': { before: 'dist.init_process_group(backend="hccl")\nmodel = DDP(model.to(dm.device_for(local_rank)), device_ids=[local_rank])', after: 'dm.set_device(local_rank)\ndist.init_process_group(backend="hccl")\nmodel = DDP(model.to(dm.device_for(local_rank)), device_ids=[local_rank])' },
  'safetensors-device': { before: 'lora_ckpt = load_file(lora_ckpt_path, device="cuda")', after: 'lora_ckpt = dm.load_safetensors(lora_ckpt_path)' },
  'cuda-requirement': { before: 'torch==2.1.2+cu118\nflash-attn==2.5.6\nxformers', after: '# requirements_npu.txt\ntorch==2.1.2\n# removed (CUDA only): flash-attn==2.5.6\n# removed (CUDA only): xformers' },
  'cuda-device-index': { before: 'model.to(local_rank)', after: 'model.to(dm.device_for(local_rank))' },
  'cuda-only-check': { before: 'if state.distributed_type == DistributedType.MULTI_GPU:\n    ...' },
  'jit-script': { before: '@torch.jit.script\ndef gelu(x): ...' },
  'fixed-dtype': { before: 'M.from_pretrained(path, torch_dtype=torch.bfloat16)', after: 'M.from_pretrained(path, torch_dtype=DTYPE)' },
  'onnx-export-opset': { before: 'torch.onnx.export(model, x, "model.onnx", opset_version=19)', after: 'torch.onnx.export(model, x, "model.onnx", opset_version=18)', styleFree: true },
  'onnx-export-dynamic-axes': { before: 'torch.onnx.export(model, x, "model.onnx", opset_version=11,\n                  dynamic_axes={"x": {0: "batch"}})', after: 'torch.onnx.export(model, x, "model.onnx", opset_version=11)', styleFree: true },
  'onnx-export-op': { before: 'def forward(self, hs, x):\n    token = hs[:, 0, :]\n    y = x[:, 2:3, :].squeeze(1)\n    return F.gelu(token) + torch.abs(y)', after: 'def forward(self, hs, x):\n    token = hs[:, 0:1, :].reshape(hs.shape[:1] + hs.shape[2:])\n    y = x[:, 2:3, :].reshape(x.shape[:1] + x.shape[2:])\n    return F.gelu(token, approximate="tanh") + (torch.relu(y) + torch.relu(-y))', styleFree: true },
  'syntax-error': { before: 'def broken(:\n    pass' },
};

const fence = (code: string) => '```python\n' + code + '\n```';

/** The documentation page of a rule, in the language `t` renders. */
export function ruleDocMarkdown(rule: RuleInfo, t: (m: Message) => string): string {
  const example = EXAMPLES[rule.id];
  const severity = t(rule.severity === 'error' ? msg('error') : rule.severity === 'warning' ? msg('warning') : msg('info'));
  const lines = [
    `# ${rule.id}: ${t(rule.title)}`,
    '',
    `${t(msg('Default severity'))}: **${severity}**`,
    '',
    `## ${t(msg('Why'))}`,
    '',
    t(rule.explanation),
    '',
    `## ${t(msg('On the NPU side'))}`,
    '',
    t(rule.replacement),
    '',
    `## ${t(msg('Example'))}`,
    '',
    fence(example.before),
    '',
  ];
  if (example.after) lines.push(t(example.styleFree ? msg('After the quick fix:') : msg('After the quick fix (deviceManager style):')), '', fence(example.after), '');
  else lines.push(t(msg('No automatic fix: this needs a decision by an engineer.')), '');
  if (rule.targets) lines.push(`## ${t(msg('Per target'))}`, '', t(rule.targets), '');
  if (rule.sources.length) {
    lines.push(`## ${t(msg('Sources'))}`, '');
    for (const source of rule.sources) lines.push(`- [${t(source.label)}](${source.url})`);
    lines.push('');
  }
  lines.push(
    `## ${t(msg('Settings'))}`,
    '',
    t(msg('Change the severity or turn the rule off with the setting npuPort.rules, for example {0}; silence one line with the comment {1}.', `\`"npuPort.rules": { "${rule.id}": "off" }\``, `\`# npu-port: ignore[${rule.id}]\``)),
    '',
  );
  return lines.join('\n');
}

export function allRuleDocs(t: (m: Message) => string): { id: string; markdown: string }[] {
  return RULES.map((r) => ({ id: r.id, markdown: ruleDocMarkdown(r, t) }));
}
