import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/python/fixes/apply';
import { analyzeSource, fixSource } from '../../../src/core/python/index';
import { DEFAULT_OPTIONS, type AnalysisOptions, type FixStyle } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { loadParser, SEED_FIXTURES } from './parser';

const fixed = async (source: string, options: Partial<AnalysisOptions> = {}) => fixSource(await loadParser(), source, { ...DEFAULT_OPTIONS, ...options }).text;

test('each seed edit has a quick fix with the seed result', async () => {
  const parser = await loadParser();
  const cases: [string, string, number][] = [
    ['pipe.to("cuda", torch.bfloat16)', 'pipe.to(DEVICE, DTYPE)', 0],
    ['pipe.to("cuda", torch.bfloat16)', 'pipe.to(DEVICE, torch.bfloat16)', 1],
    ['generator = torch.Generator("cuda").manual_seed(seed)', 'generator = dm.create_generator(seed)', 0],
    ["torch.cuda.memory_summary(device='cuda', abbreviated=True)", 'dm.memory_stats()', 0],
    ['lora_ckpt = load_file(lora_ckpt_path, device="cuda")', 'lora_ckpt = dm.load_safetensors(lora_ckpt_path)', 0],
    ['enc = M.from_pretrained(p, torch_dtype=torch.bfloat16)', 'enc = M.from_pretrained(p, torch_dtype=DTYPE)', 0],
  ];
  for (const [line, expected, which] of cases) {
    const text = `import torch\nfrom safetensors.torch import load_file\n${line}\n`;
    const [finding] = analyzeSource(parser, text, DEFAULT_OPTIONS).filter((f) => f.fixes.length);
    assert.ok(finding, line);
    const fix = finding.fixes[which]!;
    const out = applyEdits(text, fix.edits).split('\n');
    assert.equal(out.find((l) => !l.startsWith('import') && !l.startsWith('from')), expected, line);
    assert.equal(fix.createFiles[0]?.path, 'device_utils.py');
  }
});

test('flash-attn in a diffusers script: the helper import and DIFFUSERS_ATTENTION_TYPE=vanilla after import os', async () => {
  const out = await fixed('import os\nimport torch\nfrom diffusers import DiffusionPipeline\nfrom flash_attn import flash_attn_func\n');
  assert.equal(out, 'import os\nos.environ.setdefault("DIFFUSERS_ATTENTION_TYPE", "vanilla")\nimport torch\nfrom diffusers import DiffusionPipeline\nfrom device_utils import flash_attn_func\n');
});

test('imports go after the docstring and __future__ imports, once, merged into an existing helper import', async () => {
  const src = '#!/usr/bin/env python\n"""Doc."""\nfrom __future__ import annotations\nx = 1\nimport torch\na.to("cuda")\nb.to("cuda")\n';
  assert.equal(await fixed(src), '#!/usr/bin/env python\n"""Doc."""\nfrom __future__ import annotations\nfrom device_utils import DEVICE\nx = 1\nimport torch\na.to(DEVICE)\nb.to(DEVICE)\n');
  const merged = await fixed('import torch\nfrom device_utils import DEVICE\n\ndef f():\n    # keep me\n    return torch.Generator("cuda")\n');
  assert.equal(merged, 'import torch\nfrom device_utils import DEVICE, dm\n\ndef f():\n    # keep me\n    return dm.create_generator()\n');
});

test('torchNpu style: npu devices and a guarded import torch_npu right after import torch; every replacement keeps its CUDA form where torch_npu is missing (.cuda() and the nccl backend too)', async () => {
  const out = await fixed('import os\nimport torch\nx.to("cuda:1")\ny.cuda()\ntorch.cuda.synchronize()\ndist.init_process_group(backend="nccl")\n', { style: 'torchNpu' });
  assert.equal(out, 'import os\nimport torch\ntry:  # torch_npu is only installed on Ascend hosts\n    import torch_npu  # noqa: F401\nexcept ImportError:\n    torch_npu = None\nx.to(("npu:1" if hasattr(torch, "npu") else "cuda:1"))\n(y.npu() if hasattr(torch, "npu") else y.cuda())\n(torch.npu.synchronize if hasattr(torch, "npu") else torch.cuda.synchronize)()\ndist.init_process_group(backend=("hccl" if hasattr(torch, "npu") else "nccl"))\n');
});

test('transferToNpu style: in an entry script, the two-line import once at the top, code unchanged', async () => {
  const main = 'if __name__ == "__main__":\n    pass\n';
  const out = await fixed('"""Doc."""\nimport torch\nx.to("cuda")\ntorch.cuda.synchronize()\n' + main, { style: 'transferToNpu' });
  assert.equal(out, '"""Doc."""\nimport torch\ntry:  # torch_npu is only installed on Ascend hosts\n    import torch_npu  # noqa: F401\n    from torch_npu.contrib import transfer_to_npu  # noqa: F401\nexcept ImportError:\n    torch_npu = None\nx.to("cuda")\ntorch.cuda.synchronize()\n' + main);
});

/** Debian's interpreter with CPU-only torch (python3-torch); the python3 first on PATH may be another one. */
const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const SCRIPTS = ['inference_e1_1.py', 'inference.py', 'gradio_demo_1_1.py'];

for (const style of ['deviceManager', 'torchNpu', 'transferToNpu'] as FixStyle[]) {
  test(`fix-all on the seed scripts (${style}): every result compiles, nothing fixable is left${style === 'deviceManager' ? ', the scripts run on CPU torch' : ''}`, { skip: !hasTorch && 'needs /usr/bin/python3 with torch (apt-get install python3-torch)' }, async () => {
    const parser = await loadParser();
    const options = { ...DEFAULT_OPTIONS, style };
    const dir = path.join(REPO_ROOT, 'test/fixtures/generated/python-port', style);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.dirname(dir), { recursive: true });
    cpSync(SEED_FIXTURES, dir, { recursive: true });
    for (const name of SCRIPTS) {
      const file = path.join(dir, name);
      const result = fixSource(parser, readFileSync(file, 'utf8'), options);
      assert.ok(result.fixed.length >= 4, `${name}: ${result.fixed.length} fixes`);
      writeFileSync(file, result.text);
      for (const create of result.createFiles) if (!existsSync(path.join(dir, create.path))) writeFileSync(path.join(dir, create.path), create.content);
      const left = analyzeSource(parser, result.text, options).filter((f) => f.fixes.length > 0);
      assert.deepEqual(left.map((f) => `${f.rule} ${f.original}`), [], `${name}: fixable findings after fix-all`);
    }
    const compiled = [...SCRIPTS, ...(style === 'deviceManager' ? ['device_utils.py'] : [])];
    execFileSync(PYTHON, ['-m', 'py_compile', ...compiled], { cwd: dir });
    if (style !== 'deviceManager') return; // torch_npu is not installable here
    execFileSync(PYTHON, ['-c', 'import torch; from safetensors.torch import save_file; save_file({"unet.bias": torch.zeros(16)}, "lora.safetensors")'], { cwd: dir });
    const env = { ...process.env, PREFERRED_DEVICE: '' };
    const helper = execFileSync(PYTHON, ['-c', 'import device_utils as d; print(d.DEVICE, d.DTYPE)'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(helper.trim(), 'cpu torch.float32');
    const runs: [string, string[], RegExp][] = [
      ['inference_e1_1.py', [], /image \(1, 16\) on cpu, torch\.float32/],
      ['inference.py', ['--lora', 'lora.safetensors'], /LoRA: 1 tensors[\s\S]*image \(1, 16\) on cpu; noise on cpu/],
      ['gradio_demo_1_1.py', [], /image \(1, 16\) on cpu/],
    ];
    for (const [script, args, expected] of runs) {
      const out = execFileSync(PYTHON, [script, ...args], { cwd: dir, env, encoding: 'utf8' });
      assert.match(out, expected, script);
    }
    const npuWish = execFileSync(PYTHON, ['-c', 'import device_utils as d; print(d.DEVICE)'], { cwd: dir, env: { ...env, PREFERRED_DEVICE: 'npu' }, encoding: 'utf8' });
    assert.equal(npuWish.trim(), 'cpu');
  });
}
