import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { needsTorch, python, PYTHON, scanFix, tree } from './fixRun';

// The fix invariant on each kind of host (issue 14): the original and the fixed script run with Debian's Python on
// this CPU-only host and on a simulated CUDA host (torch.cuda.is_available patched to True: the device helper then
// picks CUDA), and must behave the same.
test('deviceManager: a device type derived from the program\'s own device or switch (nanoGPT\'s "cuda" if "cuda" in device else "cpu") keeps following it, and comparisons with "cuda" stay false for the CPU: asked for "cpu", the fixed script runs on a CPU-only host and on a CUDA host', needsTorch, async () => {
  const dir = tree({
    'main.py': [
      'import sys',
      'import torch',
      '',
      "device = 'cuda'  # examples: 'cpu', 'cuda', 'cuda:1'",
      'use_cuda = True',
      'if len(sys.argv) > 1:',
      '    device = sys.argv[1]',
      "    use_cuda = device != 'cpu'",
      "device_type = 'cuda' if 'cuda' in device else 'cpu'",
      "chosen = 'cuda' if use_cuda else 'cpu'",
      'x = torch.zeros(2)',
      "if device_type == 'cuda':",
      '    x = x.pin_memory()  # CUDA only: on a CPU-only torch this fails',
      "pinned = 'pinned' if device_type != 'cuda' else 'pinned'",
      'print(device_type, chosen)',
      '',
    ].join('\n'),
  });
  // a CUDA host, simulated: torch reports CUDA, so the device helper picks it (creating a torch.device needs no GPU)
  const onCudaHost = (...args: string[]) => python(['-c', `import sys, runpy, torch; torch.cuda.is_available = lambda: True; sys.argv = ['main.py', ${args.map((a) => JSON.stringify(a)).join(', ')}]; runpy.run_path('main.py', run_name='__main__')`], dir);
  try {
    assert.equal(onCudaHost('cpu').out.trim(), 'cpu cpu', 'the original, asked for the CPU');
    assert.equal(python(['main.py', 'cpu'], dir).out.trim(), 'cpu cpu', 'the original, asked for the CPU on this CPU-only host');
    const { stderr } = await scanFix(dir);
    assert.match(stderr, /Fixed \d+ findings/);
    const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(text, /^device_type = DEVICE\.type if \('cuda' in device or 'npu' in device\) else 'cpu'$/m, text);
    assert.match(text, /^chosen = DEVICE\.type if use_cuda else 'cpu'$/m, text);
    assert.match(text, /^if device_type in \('cuda', 'npu'\):$/m, text);
    assert.match(text, /^pinned = 'pinned' if device_type not in \('cuda', 'npu'\) else 'pinned'$/m, text);
    // this host has no CUDA: the original runs when asked for the CPU, and so must the fixed script
    const cpuOnly = python(['main.py', 'cpu'], dir);
    assert.equal(cpuOnly.status, 0, `asked for the CPU on a CPU-only host after the fix:\n${text}\n${cpuOnly.out}`);
    assert.equal(cpuOnly.out.trim(), 'cpu cpu');
    const asked = onCudaHost('cpu');
    assert.equal(asked.out.trim(), 'cpu cpu', `asked for the CPU on a CUDA host after the fix:\n${text}\n${asked.out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('torchNpu: the CUDA path is kept beside the NPU one inside functions too (torchtune\'s get_device): on a CUDA host without torch_npu the fixed function still picks CUDA', needsTorch, async () => {
  const dir = tree({
    'main.py': [
      'import torch',
      '',
      '',
      'def get_device(device=None):',
      '    if device is None:',
      '        if torch.cuda.is_available():',
      '            device = "cuda"',
      '        else:',
      '            device = "cpu"',
      '    device = torch.device(device)',
      '    kind = "accelerator" if device.type == "cuda" else "host"',
      '    return device, kind',
      '',
      '',
      'if __name__ == "__main__":',
      '    device, kind = get_device()',
      '    print(device.type, kind)',
      '',
    ].join('\n'),
  });
  const onCudaHost = () => python(['-c', "import runpy, torch; torch.cuda.is_available = lambda: True; runpy.run_path('main.py', run_name='__main__')"], dir);
  try {
    assert.equal(onCudaHost().out.trim(), 'cuda accelerator', 'the original on a CUDA host');
    assert.equal(python(['main.py'], dir).out.trim(), 'cpu host', 'the original on this CPU-only host');
    const { stderr } = await scanFix(dir, 'torchNpu');
    assert.match(stderr, /Fixed \d+ findings/);
    const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(text, /torch\.npu\.is_available\(\)\) or torch\.cuda\.is_available\(\)/, text);
    const cuda = onCudaHost();
    assert.equal(cuda.out.trim(), 'cuda accelerator', `on a CUDA host after the torchNpu fix:\n${text}\n${cuda.out}`);
    const cpu = python(['main.py'], dir);
    assert.equal(cpu.out.trim(), 'cpu host', `on this CPU-only host after the torchNpu fix:\n${text}\n${cpu.out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixes inside f-string replacement fields write the other quote (Python before 3.12 ends the f-string at its own quote), and a place that takes neither quote gets no fix: every style compiles and prints the same on this CPU-only host and on a simulated CUDA host', needsTorch, async () => {
  const source = [
    'import torch',
    '',
    '',
    'def describe():',
    '    print(f"cuda available: {torch.cuda.is_available()}")',
    '    print(f"spare devices: {torch.cuda.device_count() - 1}")',
    '    print(f\'kind: {"cuda" if torch.cuda.is_available() else "cpu"}\')',
    '    print(f"nested: {f\'{torch.cuda.device_count()}\'}")',
    '    device = f"{\'cuda\' if torch.cuda.is_available() else \'cpu\'}:0"',
    '    print(device)',
    '',
    '',
    'if __name__ == "__main__":',
    '    describe()',
    '',
  ].join('\n');
  for (const style of ['torchNpu', 'deviceManager', 'transferToNpu'] as const) {
    const dir = tree({ 'main.py': source });
    // a CUDA host, simulated: torch reports one CUDA device (nothing here allocates on it)
    const onCudaHost = () => python(['-c', "import runpy, torch; torch.cuda.is_available = lambda: True; torch.cuda.device_count = lambda: 1; runpy.run_path('main.py', run_name='__main__')"], dir);
    try {
      const before = { cpu: python(['main.py'], dir), cuda: onCudaHost() };
      assert.equal(before.cpu.status, 0, before.cpu.out);
      assert.equal(before.cuda.status, 0, before.cuda.out);
      await scanFix(dir, style);
      const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
      if (style === 'torchNpu') {
        assert.match(text, /f"cuda available: \{\(\(hasattr\(torch, 'npu'\) and torch\.npu\.is_available\(\)\) or torch\.cuda\.is_available\(\)\)\}"/, text);
        assert.match(text, /f"nested: \{f'\{torch\.cuda\.device_count\(\)\}'\}"/, `a call inside an f-string inside an f-string keeps its form: neither quote is free there\n${text}`);
      }
      if (style === 'deviceManager') assert.match(text, /f'kind: \{DEVICE\.type\}'/, text);
      const compiled = python(['-m', 'py_compile', 'main.py'], dir);
      assert.equal(compiled.status, 0, `${style}: the fixed file compiles with ${PYTHON}\n${text}\n${compiled.out}`);
      const after = { cpu: python(['main.py'], dir), cuda: onCudaHost() };
      assert.equal(after.cpu.out, before.cpu.out, `${style} on this CPU-only host:\n${text}`);
      assert.equal(after.cuda.out, before.cuda.out, `${style} on a simulated CUDA host:\n${text}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('torchNpu: .cuda() and the "nccl" backend keep their CUDA form beside the NPU one (Tensor.npu and "hccl" exist only with torch_npu): on a CUDA host the fixed script still moves to CUDA and asks for NCCL', needsTorch, async () => {
  const dir = tree({
    'main.py': [
      'import torch',
      '',
      '',
      'def main():',
      '    backend = "nccl"',
      '    x = torch.ones(2)',
      '    if torch.cuda.is_available():',
      '        x = x.cuda()',
      '        print("backend", torch.distributed.Backend(backend))',
      '    print(x.sum().item())',
      '',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n'),
  });
  // a CUDA host, simulated: Tensor.cuda says that it was asked for and keeps the tensor where it is
  const onCudaHost = () => python(['-c', "import runpy, torch; torch.cuda.is_available = lambda: True; torch.Tensor.cuda = lambda self, *a, **k: (print('cuda requested'), self)[1]; runpy.run_path('main.py', run_name='__main__')"], dir);
  try {
    const before = { cpu: python(['main.py'], dir), cuda: onCudaHost() };
    assert.equal(before.cuda.out, 'cuda requested\nbackend nccl\n2.0\n', before.cuda.out);
    await scanFix(dir, 'torchNpu');
    const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(text, /\(x\.npu\(\) if hasattr\(torch, "npu"\) else x\.cuda\(\)\)/, text);
    assert.match(text, /\("hccl" if hasattr\(torch, "npu"\) else "nccl"\)/, text);
    const after = { cpu: python(['main.py'], dir), cuda: onCudaHost() };
    assert.equal(after.cpu.out, before.cpu.out, `on this CPU-only host:\n${text}`);
    assert.equal(after.cuda.out, before.cuda.out, `on a simulated CUDA host:\n${text}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
