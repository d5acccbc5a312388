import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mayHaveFindings } from '../../../src/core/python/analyze';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * The kinds of CUDA-specific code that the real-port corpus (test/fixtures/ports) showed the scanner
 * missing (issue 14, part 3), each with the look-alikes that must stay quiet.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
const firstEdit = (f: Finding | undefined) => f?.fixes[0]?.coreEdits[0]?.newText;

test('device tables: "cuda:N" values of a device_map dictionary or of an entry assigned by subscript', async () => {
  const src = lines(
    'def load(device_ids, model_kwargs, layers):',
    '    device_map = {',
    '        "model.embed_tokens": "cuda:0",',
    '        "lm_head": f"cuda:{device_ids[-1]}",',
    '    }',
    '    for i in range(layers):',
    '        device_map[f"model.layers.{i}"] = f"cuda:{device_ids[i]}"',
    '    model_kwargs["device_map"] = "cuda:0"',
    '    names = {"model.embed_tokens": "cuda:0"}',
    '    labels[i] = f"cuda:{i}"',
    '    return device_map, names, labels',
  );
  const findings = await findingsOf(src);
  // lines 9 and 10: a dictionary and an entry whose names say nothing about devices
  assert.deepEqual(seen(findings), ['3 cuda-device-string error', '4 cuda-device-string error', '7 cuda-device-string error', '8 cuda-device-string error']);
  // the values stay strings (device maps are often written to JSON): DEVICE.type, str(dm.device_for(i))
  assert.deepEqual(findings.map(firstEdit), ['DEVICE.type', 'str(dm.device_for(device_ids[-1]))', 'str(dm.device_for(device_ids[i]))', 'DEVICE.type']);
});

test('a membership test against CUDA devices built by a comprehension', async () => {
  const src = lines(
    'def check(vllm_device, n):',
    '    if vllm_device in {f"cuda:{idx}" for idx in range(n)}:',
    '        raise ValueError(vllm_device)',
    '    names = [f"cuda:{idx}" for idx in range(n)]',
    '    return names',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['2 cuda-device-string warning']);
});

test('lists of device types that name themselves so, and tables keyed by device type without an NPU entry', async () => {
  const src = lines(
    'class Plugin:',
    '    def supported_devices(self):',
    '        return ["cuda"]',
    '    def supported_precisions(self):',
    '        return ["cuda"]',
    'SUPPORTED_DEVICES = ["cuda"]',
    '_DIST_BACKEND = {"cuda": "nccl", "cpu": "gloo"}',
    '_WITH_NPU = {"cuda": "nccl", "npu": "hccl", "cpu": "gloo"}',
    'COLORS = {"cuda": 1, "other": 2}',
  );
  // line 5: the function's name does not say devices; line 8 has an NPU entry; line 9 has no other device type
  assert.deepEqual(seen(await findingsOf(src)), ['3 cuda-device-string info', '6 cuda-device-string info', '7 cuda-device-string info']);
});

test('integer devices passed to torch factories: a rank, a literal, a loop index over the device count', async () => {
  const src = lines(
    'import torch',
    'from transformers import pipeline',
    'def f(local_rank, n, device):',
    '    a = torch.zeros(n, dtype=torch.int64, device=local_rank)',
    '    for i in range(torch.cuda.device_count()):',
    '        _ = torch.tensor([0], device=i)',
    '    for j in range(n):',
    '        _ = torch.tensor([0], device=j)',
    '    b = torch.ones(n, device=device)',
    '    p = pipeline("text-generation", device=0)',
    '    c = torch.empty(n, device=0)',
  );
  const findings = (await findingsOf(src)).filter((f) => f.rule === 'cuda-device-index');
  // line 8: j counts something else; line 9: a device value; line 10: transformers' own device argument
  assert.deepEqual(seen(findings), ['4 cuda-device-index warning', '6 cuda-device-index warning', '11 cuda-device-index warning']);
  assert.equal(firstEdit(findings[0]), 'dm.device_for(local_rank)');
  assert.equal(findings[0]!.range.start.column, 49, 'the finding is on the value');
});

test('current_device() indices used or stored as a device (DeepSpeed accelerator, torch.npu)', async () => {
  const src = lines(
    'import torch',
    'from deepspeed.accelerator import get_accelerator',
    'def f(x, device=None):',
    '    t = torch.tensor(x, device=get_accelerator().current_device())',
    '    device = get_accelerator().current_device() if device is None else device',
    '    dev = torch.npu.current_device()',
    '    rank_index = get_accelerator().current_device()',
    '    other = torch.xpu.current_device()',
    '    torch.cuda.set_device(get_accelerator().current_device())',
    '    return t.to(get_accelerator().current_device_name())',
  );
  const findings = (await findingsOf(src)).filter((f) => f.rule === 'cuda-device-index');
  // line 7: an index kept as an index; line 8: another backend; line 9: set_device takes an index; line 10: a name
  assert.deepEqual(seen(findings), ['4 cuda-device-index warning', '5 cuda-device-index warning', '6 cuda-device-index warning']);
  // used right there, the DeepSpeed call has a name-returning twin; stored, the value may be used as an index too: no fix
  assert.equal(firstEdit(findings[0]), 'current_device_name');
  assert.deepEqual(findings[1]!.fixes, []);
});

test('import torch.cuda is information on the import line; uses keep their own findings', async () => {
  const src = lines(
    'import torch.cuda',
    'from torch import cuda',
    'import torch.nn',
    'torch.cuda.synchronize()',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['1 torch-cuda-api info', '2 torch-cuda-api info', '4 torch-cuda-api error']);
});

test('the .cuda method passed on (wrapped or patched) is information; a .cuda flag is not a finding', async () => {
  const src = lines(
    'def patch(model, args):',
    '    model.cuda = add_warning(model.cuda, model)',
    '    if args.cuda:',
    '        pass',
    '    use_cuda = args.cuda',
    '    return use_cuda',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['2 cuda-tensor-method info']);
});

test('accelerate DistributedType.MULTI_GPU in comparisons and membership tests without MULTI_NPU', async () => {
  const src = lines(
    'from accelerate.utils import DistributedType',
    'def f(state):',
    '    if state.distributed_type == DistributedType.MULTI_GPU:',
    '        pass',
    '    if state.distributed_type in (DistributedType.MULTI_GPU, DistributedType.MULTI_CPU):',
    '        pass',
    '    if state.distributed_type in [DistributedType.MULTI_GPU, DistributedType.MULTI_NPU]:',
    '        pass',
    '    if state.distributed_type == DistributedType.MULTI_GPU or state.distributed_type == DistributedType.MULTI_NPU:',
    '        pass',
    '    state.distributed_type = DistributedType.MULTI_GPU',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['3 cuda-only-check warning', '5 cuda-only-check warning']);
  const own = lines(
    'from enum import Enum',
    'class DistributedType(Enum):',
    '    MULTI_GPU = 1',
    'def f(t):',
    '    return t == DistributedType.MULTI_GPU',
  );
  assert.deepEqual(seen(await findingsOf(own)), [], 'a project enum of the same name is not accelerate\'s');
});

test('transformers is_torch_bf16_gpu_available() is information; a local function of that name is not a finding', async () => {
  const imported = lines(
    'from transformers.utils import is_torch_bf16_gpu_available',
    '_is_bf16_available = is_torch_bf16_gpu_available()',
  );
  assert.deepEqual(seen(await findingsOf(imported)), ['2 cuda-only-check info']);
  const local = lines(
    'def is_torch_bf16_gpu_available():',
    '    return True',
    'ok = is_torch_bf16_gpu_available()',
  );
  assert.deepEqual(seen(await findingsOf(local)), []);
});

test('a flag bound to an NCCL comparison guards a branch that never runs with HCCL', async () => {
  const src = lines(
    'import torch.distributed as torch_dist',
    'def broadcast(group, backend, t):',
    '    is_nccl_backend = backend == torch_dist.Backend.NCCL',
    '    is_hccl_backend = backend == "hccl"',
    '    if is_nccl_backend:',
    '        t = t.to("cuda")',
    '    if is_nccl_backend or is_hccl_backend:',
    '        pass',
    '    if is_hccl_backend:',
    '        pass',
    '    elif is_nccl_backend:',
    '        pass',
    '    use_nccl = group.use_nccl',
    '    if use_nccl:',
    '        pass',
  );
  const findings = (await findingsOf(src)).filter((f) => f.rule === 'nccl-backend');
  // line 3 is the comparison itself; line 7 already covers HCCL; line 11 follows an HCCL branch; line 14 is not an NCCL test
  assert.deepEqual(seen(findings), ['3 nccl-backend error', '5 nccl-backend warning', '11 nccl-backend info']);
});

test('the pre-filter keeps files whose only findings are the new kinds', () => {
  assert.equal(mayHaveFindings('import torch\nx = torch.zeros(3, device=local_rank)\n'), true);
  assert.equal(mayHaveFindings('x = torch.tensor(1, device=get_accelerator().current_device())\n'), true);
  assert.equal(mayHaveFindings('if t == DistributedType.MULTI_GPU:\n    pass\n'), true);
  assert.equal(mayHaveFindings('x = torch.zeros(3, device=device)\n'), false);
});
