import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/python/fixes/apply';
import { analyzeSource, fixSource } from '../../../src/core/python/index';
import { DEFAULT_OPTIONS, type FixStyle } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { loadParser, SEED_FIXTURES } from './parser';
import { moduleName, needsTorch, pyFiles, python, PYTHON, scanFix, tree } from './fixRun';

// The fix invariant (issue 14): a fixed file imports and runs wherever the original did. Every test
// here runs the Python before and after the fix with Debian's interpreter (fixRun.ts).
const PACKAGE = {
  'pkg/__init__.py': '',
  'pkg/model.py': 'import torch\n\n\ndef build():\n    return torch.nn.Linear(4, 4).cuda()\n',
  'pkg/sub/__init__.py': 'from .layers import make\n',
  'pkg/sub/layers.py': 'import torch\n\nDEVICE_NAME = "cuda"\n\n\ndef make():\n    x = torch.zeros(2, 4).to("cuda")\n    torch.cuda.synchronize()\n    return x\n',
  'pkg/sub/deep/__init__.py': '',
  'pkg/sub/deep/ops.py': 'import torch\n\n\ndef seed(s):\n    torch.cuda.manual_seed_all(s)\n    return torch.device("cuda", 0)\n',
  'tools/run.py': 'import torch\n\nif __name__ == "__main__":\n    print(torch.ones(1).to("cuda").sum().item())\n',
  'train.py': 'import torch\nfrom pkg.model import build\nfrom pkg.sub.layers import make\n\nif __name__ == "__main__":\n    m = build()\n    print(tuple(m(make().to("cuda")).shape))\n',
};

test('deviceManager fix-all over a package tree: one helper per package, relative imports, every module imports after the fix, scripts run', needsTorch, async () => {
  const dir = tree(PACKAGE);
  try {
    // on this CPU host the CUDA originals import but do not run; record which modules import before
    const modules = pyFiles(dir).filter((f) => f.startsWith('pkg/')).map(moduleName);
    const before = modules.filter((m) => python(['-c', `import ${m}`], dir).status === 0);
    assert.deepEqual(before.sort(), modules.sort(), 'every module imports before the fix');
    const { stderr } = await scanFix(dir);
    assert.match(stderr, /Fixed \d+ findings/);

    assert.match(readFileSync(path.join(dir, 'pkg/model.py'), 'utf8'), /^from \.device_utils import DEVICE$/m);
    assert.match(readFileSync(path.join(dir, 'pkg/sub/layers.py'), 'utf8'), /^from \.\.device_utils import DEVICE, dm$/m);
    assert.match(readFileSync(path.join(dir, 'pkg/sub/deep/ops.py'), 'utf8'), /^from \.\.\.device_utils import dm$/m);
    assert.match(readFileSync(path.join(dir, 'train.py'), 'utf8'), /^from device_utils import DEVICE$/m, 'a script outside the package imports the helper beside it');
    const helpers = pyFiles(dir).filter((f) => path.posix.basename(f) === 'device_utils.py').sort();
    assert.deepEqual(helpers, ['device_utils.py', 'pkg/device_utils.py', 'tools/device_utils.py'], 'one helper per package tree and per script folder, no copy per package folder');
    for (const f of pyFiles(dir).filter((p) => p.startsWith('pkg/') && !p.endsWith('device_utils.py'))) assert.doesNotMatch(readFileSync(path.join(dir, f), 'utf8'), /^\s*from device_utils import/m, `${f}: no top-level helper import inside the package`);

    for (const m of before) {
      const r = python(['-c', `import ${m}`], dir);
      assert.equal(r.status, 0, `import ${m} after the fix:\n${r.out}`);
    }
    const run = python(['-c', 'import pkg.sub.deep.ops as o; print(o.seed(1)); import pkg.sub as s; print(s.make().device)'], dir);
    assert.equal(run.status, 0, run.out);
    assert.match(run.out, /^cpu\ncpu\n$/, 'torch.device("cuda", 0) became a valid device (the CPU here)');
    const train = python(['train.py'], dir);
    assert.equal(train.status, 0, train.out);
    assert.match(train.out, /\(2, 4\)/);
    const tool = python(['tools/run.py'], dir);
    assert.equal(tool.status, 0, tool.out);
    assert.match(tool.out, /^1\.0$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a namespace package (a folder without __init__.py whose modules import relatively, DiffSynth-Studio\'s shape) gets the helper imported relatively in deviceManager and torchNpu styles', needsTorch, async () => {
  // diffsynth/models has no __init__.py; its modules use `from ..core import`. A top-level `from device_utils import`
  // there failed with ModuleNotFoundError (held-out corpus, DiffSynth-Studio 209a350); torchNpu's flash-attn shim was
  // imported the same way inside a regular package (Open-Sora 69121cf)
  const files = {
    'app/__init__.py': '',
    'app/core.py': 'SCALE = 2\n',
    'app/models/encoder.py': 'import torch\nfrom ..core import SCALE\n\ndef encode(x):\n    return (x.cuda() if torch.cuda.is_available() else x) * SCALE\n',
    'app/models/plain.py': 'import torch\n\ndef make():\n    return torch.zeros(2).to("cuda")\n',
    'app/layers/attn.py': 'import torch\nfrom ..core import SCALE\n\ndef attend(q, use_flash=False):\n    if use_flash:\n        from flash_attn import flash_attn_func\n        return flash_attn_func(q, q, q)\n    return q * SCALE\n',
    'scripts/run.py': 'import torch\nprint(torch.zeros(1).to("cuda" if torch.cuda.is_available() else "cpu").device)\n',
  };
  for (const style of ['deviceManager', 'torchNpu'] as FixStyle[]) {
    const dir = tree(files);
    try {
      await scanFix(dir, style);
      for (const f of pyFiles(dir).filter((p) => p.startsWith('app/') && !p.endsWith('device_utils.py'))) {
        assert.doesNotMatch(readFileSync(path.join(dir, f), 'utf8'), /^\s*from device_utils import/m, `${style} ${f}: no top-level helper import inside the package`);
      }
      const helpers = pyFiles(dir).filter((f) => path.posix.basename(f) === 'device_utils.py');
      assert.ok(!helpers.some((f) => f.startsWith('app/models/') || f.startsWith('app/layers/')), `${style}: no helper copy per namespace folder: ${helpers.join(', ')}`);
      const r = python(['-c', 'import app.models.encoder, app.models.plain, app.layers.attn, torch; print(app.layers.attn.attend(torch.ones(1)).tolist())'], dir);
      assert.equal(r.status, 0, `${style}: the modules import after the fix:\n${r.out}`);
      assert.match(r.out, /^\[2\.0\]$/m);
      if (style === 'torchNpu') {
        assert.match(readFileSync(path.join(dir, 'app/layers/attn.py'), 'utf8'), /from \.\.device_utils import flash_attn_func/, 'the flash-attn shim is imported relatively');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('torch.device("cuda", i), torch.device("cuda:0"), torch.device(type="cuda", index=i) and a stored "cuda" give valid devices after the fix', needsTorch, async () => {
  const parser = await loadParser();
  const src = [
    'import torch',
    'i = 0',
    'dev = "cuda"',
    'a = torch.device("cuda", i)',
    'b = torch.device("cuda:0")',
    'c = torch.device(type="cuda", index=i)',
    'd = torch.device("cuda", index=1)',
    'e = torch.device("cuda" if torch.cuda.is_available() else "cpu", i)',
    'f = torch.device(dev, i)',
    'g = torch.zeros(1).to(dev)',
    'print(a, b, c, d, e, f, g.device, dev == "cuda" or dev in ("cpu", "npu"))',
    '',
  ].join('\n');
  const fixed = fixSource(parser, src, DEFAULT_OPTIONS);
  assert.doesNotMatch(fixed.text, /torch\.device\(DEVICE,/, 'never torch.device(<a torch.device>, i)');
  const dir = tree({ 'devices.py': fixed.text, 'device_utils.py': fixed.createFiles[0]!.content });
  try {
    const r = python(['devices.py'], dir);
    assert.equal(r.status, 0, `${fixed.text}\n${r.out}`);
    assert.equal(r.out.trim(), 'cpu cpu cpu cpu cpu:0 cpu:0 cpu True');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CUDA guard whose branch uses calls the style cannot port stays as it is, with its branch; a portable guard is converted', needsTorch, async () => {
  const parser = await loadParser();
  const blocked = ['def info():', '    if torch.cuda.is_available():', '        major, minor = torch.cuda.get_device_capability()', '        torch.cuda.synchronize()', '        return major', '    return -1'];
  const portable = ['def seed(s):', '    if torch.cuda.is_available():', '        torch.cuda.manual_seed_all(s)', '    return s'];
  const src = ['import torch', '', ...blocked, '', ...portable, '', 'print(info(), seed(3))', ''].join('\n');
  for (const style of ['deviceManager', 'torchNpu'] as FixStyle[]) {
    const options = { ...DEFAULT_OPTIONS, style };
    const guard = analyzeSource(parser, src, options).find((f) => f.rule === 'torch-cuda-api' && f.range.start.line === 3);
    assert.ok(guard, style);
    assert.deepEqual(guard.fixes, [], `${style}: no fix for the guard`);
    assert.match(guard.message.args.join(' '), /get_device_capability/, `${style}: the finding names the call that keeps it`);
    const fixed = fixSource(parser, src, options);
    assert.ok(fixed.text.includes(blocked.join('\n')), `${style}: the blocked guard and its branch are unchanged:\n${fixed.text}`);
    assert.ok(!fixed.text.includes(portable.join('\n')), `${style}: the portable guard is converted`);
    const dir = tree({ 'guards.py': fixed.text, ...(fixed.createFiles[0] ? { 'device_utils.py': fixed.createFiles[0].content } : {}) });
    try {
      const r = python(['guards.py'], dir);
      assert.equal(r.status, 0, `${style}:\n${fixed.text}\n${r.out}`);
      assert.equal(r.out.trim(), '-1 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('x.is_cuda in front of CUDA code of the program\'s own (whisper\'s median_filter_cuda) stays, with its branch; in front of portable calls it is converted', needsTorch, async () => {
  const parser = await loadParser();
  // whisper/timing.py's shape: a Triton kernel tried for CUDA tensors, the sort-based filter for the rest. Rewritten
  // as `x.device.type != "cpu"` (or x.is_npu), NPU tensors would be sent into the Triton kernel.
  const blocked = ['    if x.is_cuda:', '        try:', '            result = median_filter_cuda(x, w)', '        except RuntimeError:', '            pass'];
  const portable = ['    if x.is_cuda:', '        torch.cuda.synchronize()'];
  const src = [
    'import torch', '', 'def median_filter_cuda(x, w):', '    raise RuntimeError("a Triton kernel")', '',
    'def median_filter(x, w):', '    result = None', ...blocked, '    if result is None:', '        result = x.unfold(-1, w, 1).sort()[0][..., w // 2]', '    return result', '',
    'def scale(x):', ...portable, '    return x * 2', '',
    'print(median_filter(torch.tensor([[3., 1., 2., 5., 4.]]), 3).tolist(), scale(torch.ones(1)).tolist())', '',
  ].join('\n');
  for (const style of ['deviceManager', 'torchNpu'] as FixStyle[]) {
    const options = { ...DEFAULT_OPTIONS, style };
    const guard = analyzeSource(parser, src, options).find((f) => f.rule === 'cuda-tensor-method' && f.range.start.line === 7);
    assert.ok(guard, style);
    assert.deepEqual(guard.fixes, [], `${style}: no fix for the guard`);
    assert.match(guard.message.args.join(' '), /median_filter_cuda\(x, w\)/, `${style}: the finding names the code that keeps it`);
    const fixed = fixSource(parser, src, options);
    assert.ok(fixed.text.includes(blocked.join('\n')), `${style}: the guard and its branch are unchanged:\n${fixed.text}`);
    assert.ok(!fixed.text.includes(portable.join('\n')), `${style}: the portable guard is converted:\n${fixed.text}`);
    const dir = tree({ 'timing.py': fixed.text, ...(fixed.createFiles[0] ? { 'device_utils.py': fixed.createFiles[0].content } : {}) });
    try {
      const r = python(['timing.py'], dir);
      assert.equal(r.status, 0, `${style}:\n${fixed.text}\n${r.out}`);
      assert.equal(r.out.trim(), '[[2.0, 2.0, 4.0]] [2.0]', 'the same result as the original');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('argparse default "cuda" with choices: fix-all leaves it and says so; the quick fix changes default and choices together', needsTorch, async () => {
  const src = 'import argparse\nimport torch\n\np = argparse.ArgumentParser()\np.add_argument("--device", default="cuda", choices=["cuda", "cpu"])\nargs = p.parse_args()\nif args.device not in p._option_string_actions["--device"].choices:\n    raise SystemExit("bad")\nprint(args.device, torch.zeros(1).to(args.device if args.device != "cuda" else "cpu").device)\n';
  const dir = tree({ 'cli.py': src });
  try {
    const { stderr } = await scanFix(dir);
    assert.match(stderr, /2 fixes not applied: they change the interface/, 'the default and the comparison with "cuda"');
    assert.equal(readFileSync(path.join(dir, 'cli.py'), 'utf8'), src, 'fix-all changed nothing');
    const parser = await loadParser();
    const finding = analyzeSource(parser, src, DEFAULT_OPTIONS).find((f) => f.rule === 'cuda-device-string')!;
    const fix = finding.fixes[0]!;
    assert.equal(fix.changesInterface, true);
    writeFileSync(path.join(dir, 'cli.py'), applyEdits(src, fix.edits));
    writeFileSync(path.join(dir, 'device_utils.py'), fix.createFiles[0]!.content);
    assert.match(readFileSync(path.join(dir, 'cli.py'), 'utf8'), /default=DEVICE\.type, choices=\["cuda", "npu", "cpu"\]/);
    const own = python(['cli.py'], dir);
    assert.equal(own.status, 0, own.out);
    assert.match(own.out, /^cpu cpu$/m, 'the program accepts its own default');
    assert.equal(python(['cli.py', '--device', 'npu'], dir).out.includes('invalid choice'), false, '"npu" is a choice');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('torchNpu style: torch_npu imported guarded; the fixed script imports and runs where torch_npu is missing', needsTorch, async () => {
  const src = 'import torch\n\ndevice = "cuda" if torch.cuda.is_available() else "cpu"\nif torch.cuda.is_available():\n    torch.cuda.manual_seed_all(0)\nprint(torch.zeros(1, device=device).device)\n';
  const dir = tree({ 'script.py': src });
  try {
    await scanFix(dir, 'torchNpu');
    const text = readFileSync(path.join(dir, 'script.py'), 'utf8');
    assert.match(text, /^try:.*\n    import torch_npu  # noqa: F401\nexcept ImportError:\n/m);
    assert.match(text, /else \("cuda" if torch\.cuda\.is_available\(\) else "cpu"\)/, 'the CUDA and CPU paths are kept');
    const r = python(['script.py'], dir);
    assert.equal(r.status, 0, `${text}\n${r.out}`);
    assert.equal(r.out.trim(), 'cpu');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a multi-backend dispatch keeps its CUDA branch in every style', async () => {
  const parser = await loadParser();
  const src = 'import torch\n\ndef sync(device):\n    if device == "cuda":\n        torch.cuda.synchronize()\n    elif device == "npu":\n        torch.npu.synchronize()\n    return device\n';
  for (const style of ['deviceManager', 'torchNpu'] as FixStyle[]) {
    assert.equal(fixSource(parser, src, { ...DEFAULT_OPTIONS, style }).text, src, style);
  }
});

test('onnx-export-dynamic-axes: a quick fix that fix-all does not apply, and says so', async () => {
  const src = 'import torch\nmodel = torch.nn.Linear(2, 2)\ntorch.onnx.export(model, torch.zeros(1, 2), "m.onnx", dynamic_axes={"x": {0: "b"}}, opset_version=17)\n';
  const dir = tree({ 'export.py': src });
  try {
    const { stderr } = await scanFix(dir); // the default target (Ascend): information with a fix
    assert.match(stderr, /1 fixes not applied: they change the interface/);
    assert.equal(readFileSync(path.join(dir, 'export.py'), 'utf8'), src);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/inference.py: Fix All gives a script that runs on CPU torch', needsTorch, async () => {
  const parser = await loadParser();
  const src = readFileSync(path.join(REPO_ROOT, 'examples/inference.py'), 'utf8');
  const fixed = fixSource(parser, src, DEFAULT_OPTIONS);
  assert.doesNotMatch(fixed.text, /torch\.bfloat16/, 'every bf16 literal that meets the model became DTYPE');
  const dir = tree({ 'inference.py': fixed.text, 'device_utils.py': fixed.createFiles[0]!.content });
  try {
    cpSync(path.join(SEED_FIXTURES, 'safetensors'), path.join(dir, 'safetensors'), { recursive: true }); // the stub the seed tests use
    execFileSync(PYTHON, ['-c', 'import torch; from safetensors.torch import save_file; save_file({"w": torch.zeros(4)}, "lora.safetensors")'], { cwd: dir });
    const r = python(['inference.py'], dir);
    assert.equal(r.status, 0, `${fixed.text}\n${r.out}`);
    assert.match(r.out, /torch\.Size\(\[1, 64\]\) 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// One source per cause of an import break found on the real-port corpus (docs/accuracy.md): each imports and runs on
// this CPU host before the fix, and must after it, in every style.
const IMPORT_TIME = {
  // timm data/loader.py: an attribute of the program's own named is_cuda, assigned then read
  'loader.py': 'import torch\n\n\nclass Prefetcher:\n    def __init__(self, device=torch.device("cpu")):\n        self.device = device\n        self.is_cuda = torch.cuda.is_available() and device.type == "cuda"\n\n    def run(self):\n        if self.is_cuda:\n            torch.cuda.synchronize()\n        return self.device.type\n',
  // timm train.py: torch.cuda.amp as a value (no attribute after it), at import time
  'amp_probe.py': 'import torch\n\nhas_native_amp = False\ntry:\n    if getattr(torch.cuda.amp, "autocast") is not None:\n        has_native_amp = True\nexcept AttributeError:\n    pass\n',
  // timm data/loader.py: a "cuda" device built when the function is defined (a default value)
  'defaults.py': 'import torch\n\n\ndef make_loader(device: torch.device = torch.device("cuda")):\n    return device.type\n',
  // ColossalAI legacy/amp: torch.cuda.amp used by a decorator in a class body
  'decorated.py': 'import torch\nimport torch.cuda.amp as torch_amp\n\n\nclass Model(torch.nn.Module):\n    @torch_amp.autocast()\n    def forward(self, x):\n        return x * 2\n',
  'main.py': 'import torch\nimport loader\nimport amp_probe\nimport defaults\nimport decorated\n\nif __name__ == "__main__":\n    print(loader.Prefetcher().run(), decorated.Model()(torch.ones(1)).item())\n',
};

for (const style of ['deviceManager', 'torchNpu', 'transferToNpu'] as FixStyle[]) {
  test(`${style}: code that runs at import time (attribute named is_cuda, torch.cuda.amp as a value, a "cuda" default, an amp decorator) still imports and runs without torch_npu`, needsTorch, async () => {
    const dir = tree(IMPORT_TIME);
    try {
      for (const m of Object.keys(IMPORT_TIME)) assert.equal(python(['-c', `import ${m.slice(0, -3)}`], dir).status, 0, `${m} imports before the fix`);
      const { stderr } = await scanFix(dir, style);
      assert.match(stderr, /Fixed \d+ findings/);
      for (const m of Object.keys(IMPORT_TIME)) {
        const text = readFileSync(path.join(dir, m), 'utf8');
        const r = python(['-c', `import ${m.slice(0, -3)}`], dir);
        assert.equal(r.status, 0, `import ${m} after the ${style} fix:\n${text}\n${r.out}`);
      }
      const run = python(['main.py'], dir);
      assert.equal(run.status, 0, run.out);
      assert.match(run.out, /^cpu 2\.0$/m);
      const loader = readFileSync(path.join(dir, 'loader.py'), 'utf8');
      assert.match(loader, /self\.is_cuda = /, 'the attribute assignment is not rewritten');
      if (style === 'transferToNpu') {
        assert.match(readFileSync(path.join(dir, 'main.py'), 'utf8'), /^try:.*\n    import torch_npu  # noqa: F401\n    from torch_npu\.contrib import transfer_to_npu  # noqa: F401\nexcept ImportError:\n    torch_npu = None\n/m, 'the transfer_to_npu import is guarded');
      }
      if (style === 'torchNpu') {
        assert.match(readFileSync(path.join(dir, 'defaults.py'), 'utf8'), /torch\.device\(\("npu" if hasattr\(torch, "npu"\) else "cuda"\)\)/, 'NPU where torch_npu is, the original elsewhere');
        assert.match(readFileSync(path.join(dir, 'amp_probe.py'), 'utf8'), /getattr\(\(torch\.npu\.amp if hasattr\(torch, "npu"\) else torch\.cuda\.amp\), "autocast"\)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
