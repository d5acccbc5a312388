import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PythonDocument } from '../../../src/core/python/document';
import { analyzePython } from '../../../src/core/python/analyze';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { findingsOf, loadParser } from './parser';

/**
 * Issue 14, item 4: CUDA terms beside an NPU path (guards.ts, cudaTermBesideNpu) and functions that a same-file
 * decorator runs only on CUDA (guards.ts, decoratedCudaOnly) are information; look-alikes without the NPU path (or
 * with a decorator that raises) keep their severity.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line) of the findings on the given lines. */
const on = (findings: readonly Finding[], ...wanted: number[]) =>
  findings.filter((f) => wanted.includes(f.range.start.line + 1)).map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);

const precision = (ret: string, ...extra: string[]) => lines(
  'import torch',
  'def verify_bf16_support(is_npu_available):',
  '    cuda_support = (',
  '        torch.cuda.is_available()',
  '        and torch.cuda.is_bf16_supported()',
  '        and torch.distributed.is_nccl_available()',
  '        and torch.cuda.nccl.version() >= (2, 10)',
  '    )',
  '    mps_support = torch.backends.mps.is_available() and torch.backends.mps.is_built()',
  '    npu_support = is_npu_available and torch.npu.is_bf16_supported()',
  ...extra,
  `    return ${ret}`,
);

test('torchtune: a CUDA test and the terms after it in an and, assigned to a name read only beside npu_support in an or, are information', async () => {
  const findings = await findingsOf(precision('cuda_support or mps_support or npu_support'));
  assert.deepEqual(on(findings, 4, 5, 6, 7), ['4 torch-cuda-api info', '5 torch-cuda-api info', '6 nccl-backend info', '7 nccl-backend info']);
});

test('torchtune look-alikes: no NPU disjunct, a negated NPU term, another read of the flag, or a term before the CUDA test keep their severity', async () => {
  const noNpu = on(await findingsOf(precision('cuda_support or mps_support')), 5, 6, 7);
  assert.deepEqual(noNpu, ['5 torch-cuda-api error', '6 nccl-backend error', '7 nccl-backend error']);
  const negated = on(await findingsOf(precision('cuda_support or not npu_support')), 5);
  assert.deepEqual(negated, ['5 torch-cuda-api error']);
  const otherRead = on(await findingsOf(precision('cuda_support or npu_support', '    if cuda_support:', '        torch.cuda.empty_cache()')), 5);
  assert.deepEqual(otherRead, ['5 torch-cuda-api error'], 'the flag also guards a branch without an NPU path');
  const before = await findingsOf(lines(
    'import torch',
    'def ok(npu_support):',
    '    return (torch.cuda.is_bf16_supported() and torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 8) or npu_support',
  ));
  const cuda = before.filter((f) => f.rule === 'torch-cuda-api').map((f) => `${f.original} ${f.severity}`);
  assert.deepEqual(cuda, ['torch.cuda.is_bf16_supported() error', 'torch.cuda.is_available() info', 'torch.cuda.get_device_capability() info'], 'is_bf16_supported runs before the CUDA test, on every host');
});

test('FastChat: a CUDA comparison in a conjunction that is a disjunct beside a membership test listing "npu" is information; an NPU term inside the same conjunction is no NPU path', async () => {
  const findings = await findingsOf(lines(
    'def load(model, device, num_gpus, cpu_offloading, x):',
    '    if (device == "cuda" and num_gpus == 1 and not cpu_offloading) or device in (',
    '        "mps",',
    '        "xpu",',
    '        "npu",',
    '    ):',
    '        model.to(device)',
    '    if (device == "cuda" and num_gpus == 1) or device in ("mps", "xpu"):',
    '        model.to(device)',
    '    if device == "cuda" and x != "npu":',
    '        model.half()',
  ));
  const cmp = findings.filter((f) => f.rule === 'cuda-device-string').map((f) => `${f.range.start.line + 1} ${f.severity}`);
  assert.deepEqual(cmp, ['2 info', '8 warning', '10 warning']);
});

test('mmengine: NCCL in a backend dispatch with an HCCL branch, directly or through a flag assigned once and read only beside HCCL, is information', async () => {
  const findings = await findingsOf(lines(
    'import torch',
    'import torch.distributed as torch_dist',
    'def get_comm_device(backend):',
    '    if backend == "hccl":',
    '        return torch.device("npu", torch.npu.current_device())',
    '    elif backend == torch_dist.Backend.NCCL:',
    '        return torch.device("cuda", torch.cuda.current_device())',
    '    return torch.device("cpu")',
    'def broadcast(group_backend, t):',
    '    is_nccl_backend = group_backend == torch_dist.Backend.NCCL',
    '    is_hccl_backend = group_backend == "hccl"',
    '    if is_hccl_backend:',
    '        t = t.to("npu")',
    '    elif is_nccl_backend:',
    '        t = t.to(torch.cuda.current_device())',
    '    if is_nccl_backend or is_hccl_backend:',
    '        t = t + 1',
    'def gather(group_backend, t):',
    '    is_nccl_backend = group_backend == torch_dist.Backend.NCCL',
    '    if is_nccl_backend:',
    '        t = t.to(torch.cuda.current_device())',
  ));
  assert.deepEqual(on(findings, 6, 10, 19).filter((f) => f.includes('nccl-backend')), ['6 nccl-backend info', '10 nccl-backend info', '19 nccl-backend error']);
});

const bench = (wrapper: string[], use = '@check_cuda_device(0.0)') => lines(
  'import functools',
  'import torch',
  'def check_cuda_device(default_value):',
  '    def deco(func):',
  '        @functools.wraps(func)',
  '        def wrapper(*args, **kwargs):',
  '            device = kwargs.get("device", args[0] if args else None)',
  ...wrapper,
  '        return wrapper',
  '    return deco',
  use,
  'def gpu_memory_usage(device=0):',
  '    return torch.cuda.memory_allocated(device) / 1024.0**3',
);
const body = (findings: readonly Finding[]) => findings.filter((f) => f.original.startsWith('torch.cuda.memory_allocated')).map((f) => f.severity);

test('axolotl: the body of a function that a same-file decorator factory calls only on CUDA (returning a default otherwise) is information', async () => {
  const early = bench([
    '            if device is None or not torch.cuda.is_available() or torch.device(device).type == "cpu":',
    '                return default_value',
    '            return func(*args, **kwargs)',
  ]);
  assert.deepEqual(body(await findingsOf(early)), ['info']);
  const branch = bench([
    '            if torch.cuda.is_available():',
    '                return func(*args, **kwargs)',
    '            return default_value',
  ]);
  assert.deepEqual(body(await findingsOf(branch)), ['info']);
  // a plain decorator, without functools.wraps
  const plain = await findingsOf(lines(
    'import torch',
    'def cuda_only(fn):',
    '    def inner(*args):',
    '        return fn(*args) if torch.cuda.is_available() else None',
    '    return inner',
    '@cuda_only',
    'def sync():',
    '    torch.cuda.synchronize()',
  ));
  assert.deepEqual(plain.filter((f) => f.range.start.line === 7).map((f) => f.severity), ['info']);
});

test('decorator look-alikes: raising without CUDA (a check), calling the function on every host, or a decorator from elsewhere keep the body at its severity', async () => {
  const raises = bench([
    '            if not torch.cuda.is_available():',
    '                raise RuntimeError("needs CUDA")',
    '            return func(*args, **kwargs)',
  ]);
  assert.deepEqual(body(await findingsOf(raises)), ['error']);
  const elseRaises = bench([
    '            if torch.cuda.is_available():',
    '                return func(*args, **kwargs)',
    '            raise RuntimeError("needs CUDA")',
  ]);
  assert.deepEqual(body(await findingsOf(elseRaises)), ['error']);
  const always = bench([
    '            if not torch.cuda.is_available():',
    '                print("no CUDA")',
    '            return func(*args, **kwargs)',
  ]);
  assert.deepEqual(body(await findingsOf(always)), ['error']);
  const imported = await findingsOf(lines(
    'import torch',
    'from .utils import check_cuda_device',
    '@check_cuda_device(0.0)',
    'def gpu_memory_usage(device=0):',
    '    return torch.cuda.memory_allocated(device) / 1024.0**3',
  ));
  assert.deepEqual(body(imported), ['error']);
});

test('incremental re-analysis agrees with a full analysis when an edit far from the finding adds the NPU path (flag read, decorator)', async () => {
  const parser = await loadParser();
  const text = lines(
    'import torch',
    'def cuda_only(fn):',
    '    def inner(*args):',
    '        if not torch.cuda.is_available():',
    '            raise ValueError',
    '        return fn(*args)',
    '    return inner',
    '@cuda_only',
    'def sync():',
    '    torch.cuda.synchronize()',
    'def bf16(npu_support):',
    '    cuda_support = torch.cuda.is_available() and torch.cuda.is_bf16_supported()',
    '    x = 1',
    '    return cuda_support',
  );
  const doc = new PythonDocument(parser, text, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  const full = () => analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }).map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
  const now = () => doc.findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
  const severityAt = (line: number) => doc.findings.find((f) => f.range.start.line + 1 === line)?.severity;
  assert.equal(severityAt(10), 'error');
  assert.equal(doc.findings.find((f) => f.original.startsWith('torch.cuda.is_bf16'))?.severity, 'error');
  // the decorator returns instead of raising: the decorated body (lines away) becomes information
  doc.update([{ range: { start: { line: 4, column: 12 }, end: { line: 4, column: 28 } }, text: 'return None' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(now(), full());
  assert.equal(severityAt(10), 'info');
  // the flag's only read gets an NPU disjunct: its assignment (two lines up) becomes information
  doc.update([{ range: { start: { line: 13, column: 23 }, end: { line: 13, column: 23 } }, text: ' or npu_support' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(now(), full());
  assert.equal(doc.findings.find((f) => f.original.startsWith('torch.cuda.is_bf16'))?.severity, 'info');
  doc.dispose();
});
