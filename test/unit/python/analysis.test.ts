import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatMessage } from '../../../src/core/l10n';
import { RULES } from '../../../src/core/python/catalog';
import { analyzeRequirements, npuRequirements } from '../../../src/core/dependencies/requirements';
import { DEFAULT_OPTIONS } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { brief, findingsOf } from './parser';

test('import aliases are resolved: torch as th, from torch import cuda, from torch.cuda import synchronize', async () => {
  const src = [
    'import torch as th',
    'from torch import cuda',
    'from torch.cuda import synchronize as sync',
    'th.cuda.empty_cache()',
    'cuda.manual_seed(1)',
    'sync()',
    'def synchronize(): pass  # unrelated local',
  ].join('\n');
  // line 2: the import of the CUDA module is information on its line (recallPorts.test.ts)
  assert.deepEqual(brief(await findingsOf(src)), ['2:1 torch-cuda-api', '4:1 torch-cuda-api', '5:1 torch-cuda-api', '6:1 torch-cuda-api']);
});

test('strings in comments, docstrings, log messages and argparse help are not findings', async () => {
  const src = [
    '"""Runs on "cuda" by default."""',
    'import logging, argparse, torch',
    '# model.to("cuda")',
    'logging.info("moving to cuda")',
    'p = argparse.ArgumentParser(description="cuda")',
    'p.add_argument("--x", help="use cuda")',
    'print("cuda")',
    'name = "cuda"',
  ].join('\n');
  assert.deepEqual(brief(await findingsOf(src)), []);
});

test('device strings: .to, device=, torch.device, f-strings, argparse default and values flowing from an assignment', async () => {
  const src = [
    'import torch, argparse',
    'x = torch.zeros(2, device="cuda:1")',
    'y = x.to(f"cuda:{rank}")',
    'dev = torch.device("cuda")',
    'target = "cuda"',
    'z = x.to(target)',
    'p = argparse.ArgumentParser()',
    'p.add_argument("--device", default="cuda", help="cuda or cpu")',
    'ckpt = torch.load("m.pt", map_location="cuda")',
    'config = {"device": "cuda", "name": "cuda"}',
  ].join('\n');
  assert.deepEqual(brief(await findingsOf(src)), ['2:27 cuda-device-string', '3:10 cuda-device-string', '4:7 cuda-device-string', '5:10 cuda-device-string', '8:36 cuda-device-string', '9:40 cuda-device-string', '10:21 cuda-device-string']);
});

test('device = "cuda" if torch.cuda.is_available() else "cpu" is one finding with a fix for the whole expression', async () => {
  const findings = await findingsOf('import torch\ndevice = "cuda" if torch.cuda.is_available() else "cpu"\n');
  assert.deepEqual(brief(findings), ['2:10 cuda-device-string']);
  const edit = findings[0]!.fixes[0]!.coreEdits[0]!;
  assert.deepEqual([edit.range.start, edit.range.end, edit.newText], [{ line: 1, column: 9 }, { line: 1, column: 55 }, 'DEVICE.type'], 'the name keeps holding a string');
});

test('torch.cuda.is_available() as a guard is info; assigned to a variable it is a warning', async () => {
  const findings = await findingsOf('import torch\nif torch.cuda.is_available():\n    pass\nuse_gpu = torch.cuda.is_available()\nassert not torch.cuda.is_available() or True\n');
  assert.deepEqual(findings.map((f) => `${f.range.start.line + 1} ${f.severity}`), ['2 info', '4 warning', '5 info']);
});

test('flash-attn: the import and later uses of the imported name', async () => {
  const findings = await findingsOf('from flash_attn import flash_attn_func as faf\nimport torch\nout = faf(q, k, v, causal=True)\nm = AutoModel.from_pretrained("x", attn_implementation="flash_attention_2")\n');
  assert.deepEqual(brief(findings), ['1:1 flash-attn', '3:7 flash-attn', '4:56 flash-attn']);
  assert.equal(findings[0]!.fixes[0]!.replacement, 'from device_utils import flash_attn_func as faf');
  assert.equal(findings[2]!.fixes[0]!.replacement, '"sdpa"');
});

test('libraries, extensions, distributed, amp, cudnn, integer devices, jit', async () => {
  const src = [
    'import torch',
    'import xformers.ops',
    'from apex.optimizers import FusedAdam',
    'import bitsandbytes as bnb',
    'import triton',
    'from torch.utils.cpp_extension import CUDAExtension, load',
    'ext = CUDAExtension("k", ["k.cu"])',
    'mod = load(name="k", sources=["k.cpp", "k.cu"])',
    'torch.distributed.init_process_group(backend="nccl")',
    'if args.backend == "nccl": pass',
    'scaler = torch.cuda.amp.GradScaler()',
    'with torch.autocast("cuda"): pass',
    'torch.backends.cudnn.benchmark = True',
    'torch.backends.cuda.enable_flash_sdp(False)',
    'model.to(local_rank)',
    'x.to(0)',
    'x.to(y)',
    '@torch.jit.script',
    'def f(x): return x',
    'x.cuda()',
    'if x.is_cuda: pass',
    'sd = load_file("a.safetensors", device="cuda")',
    'g = torch.Generator(device="cuda")',
  ].join('\n');
  assert.deepEqual(brief(await findingsOf(src)), [
    '2:1 xformers', '3:1 apex', '4:1 bitsandbytes', '5:1 triton',
    '7:7 cuda-extension', '8:7 cuda-extension', '9:46 nccl-backend', '10:20 nccl-backend',
    '11:10 cuda-amp', '12:21 cuda-amp', '13:1 cudnn-backend', '14:1 cudnn-backend',
    '15:10 cuda-device-index', '16:6 cuda-device-index', '18:2 jit-script', '20:1 cuda-tensor-method', '21:4 cuda-tensor-method',
    '22:6 safetensors-device', '23:5 cuda-generator',
  ]);
});

test('syntax errors: what parses is analysed, the rest is reported, nothing throws', async () => {
  const findings = await findingsOf('import torch\nx = torch.zeros(2).cuda()\ndef broken(:\n    pass\ny = z.to("cuda")\n');
  const rules = findings.map((f) => f.rule);
  assert.ok(rules.includes('syntax-error'), rules.join());
  assert.ok(rules.includes('cuda-tensor-method'), rules.join());
});

test('transfer_to_npu in the file: calls it redirects are not reported; flash-attn still is', async () => {
  const src = 'import torch\nimport torch_npu\nfrom torch_npu.contrib import transfer_to_npu\nx.to("cuda")\ntorch.cuda.synchronize()\nimport flash_attn\n';
  assert.deepEqual(brief(await findingsOf(src)), ['6:1 flash-attn']);
});

test('ignore comments and rule settings', async () => {
  const src = 'import torch\nx.cuda()  # npu-port: ignore[cuda-tensor-method]\ny.cuda()  # npu-port: ignore[other-rule]\ntorch.cuda.synchronize()\n';
  assert.deepEqual(brief(await findingsOf(src)), ['3:1 cuda-tensor-method', '4:1 torch-cuda-api']);
  const tuned = await findingsOf(src, { rules: { 'cuda-tensor-method': 'off', 'torch-cuda-api': 'hint' } });
  assert.deepEqual(tuned.map((f) => `${f.rule} ${f.severity}`), ['torch-cuda-api hint']);
});

test('positions are UTF-16 columns', async () => {
  const findings = await findingsOf('import torch\ns = "😀é"; x.to("cuda")\n');
  assert.deepEqual(findings[0]!.range.start, { line: 1, column: 16 });
});

test('requirements: CUDA-only packages, +cu wheels and CUDA indexes; requirements_npu.txt drops them', () => {
  const text = 'torch==2.1.2+cu118\n--extra-index-url https://download.pytorch.org/whl/cu118\ndiffusers\nflash-attn==2.5.6  # build\nXFormers\nnvidia-cudnn-cu11\ncupy-cuda12x\nsafetensors\n';
  const findings = analyzeRequirements(text, 'requirements.txt', DEFAULT_OPTIONS);
  assert.deepEqual(findings.map((f) => f.range.start.line + 1), [1, 2, 4, 5, 6, 7]);
  const npu = npuRequirements(text);
  assert.match(npu, /^torch==2\.1\.2$/m);
  assert.match(npu, /^diffusers$/m);
  assert.match(npu, /^safetensors$/m);
  assert.doesNotMatch(npu, /^(flash-attn|XFormers|nvidia|cupy|--extra-index-url)/m);
  assert.deepEqual(analyzeRequirements(npu, 'requirements_npu.txt', DEFAULT_OPTIONS), []);
  assert.deepEqual(analyzeRequirements(text, 'requirements.txt', DEFAULT_OPTIONS, true), []);
  const toml = analyzeRequirements('[project]\ndependencies = ["torch>=2", "bitsandbytes>=0.41"]\n', 'pyproject.toml', DEFAULT_OPTIONS);
  assert.deepEqual(toml.map((f) => [f.range.start.line, f.original]), [[1, 'bitsandbytes>=0.41']]);
});

test('requirements: community triton is said to overwrite triton-ascend, not to be uninstallable; other CUDA-only packages say they need CUDA', () => {
  // whisper's requirements.txt line: triton installs on x86-64 Linux; the harm on an Ascend host is that it
  // overwrites triton-ascend (Triton-Ascend FAQ), which the message must say instead of "cannot be installed"
  const text = 'triton>=2.0.0;platform_machine=="x86_64" and sys_platform=="linux"\nflash-attn\n';
  const [triton, flash] = analyzeRequirements(text, 'requirements.txt', DEFAULT_OPTIONS).map((f) => formatMessage(f.message));
  assert.match(triton!, /^triton: .*overwrites triton-ascend/);
  assert.doesNotMatch(triton!, /cannot be installed/);
  assert.match(flash!, /^flash-attn is built for NVIDIA CUDA/);
  const toml = analyzeRequirements('[project]\ndependencies = ["Triton>=2"]\n', 'pyproject.toml', DEFAULT_OPTIONS);
  assert.match(formatMessage(toml[0]!.message), /overwrites triton-ascend/);
});

test('every rule has documentation in English and Simplified Chinese', () => {
  for (const rule of RULES) {
    for (const dir of ['docs/rules', 'docs/rules/zh-cn']) assert.ok(existsSync(path.join(REPO_ROOT, dir, `${rule.id}.md`)), `${dir}/${rule.id}.md`);
  }
});

test('the message for torch.device("cuda") names the device once quoted (not ""cuda"")', async () => {
  const findings = await findingsOf('import torch\ndev = torch.device("cuda")\nother = torch.device(\'cuda:1\')\n');
  assert.deepEqual(findings.map((f) => formatMessage(f.message)), [
    '"cuda" is a CUDA device; on an NPU host use the device chosen at run time',
    '"cuda:1" is a CUDA device; on an NPU host use the device chosen at run time',
  ]);
});
