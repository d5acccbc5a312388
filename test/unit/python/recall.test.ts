import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { mayHaveFindings } from '../../../src/core/python/analyze';
import { RULES } from '../../../src/core/python/catalog';
import { exportTargetOf } from '../../../src/core/python/rules/onnxExportTarget';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * What engineers change when they port CUDA code to Ascend (issue 14), in the shapes it takes in
 * public training and inference code: device choices that are stored or returned, CUDA guards,
 * device lists, environment variables, NCCL, bitsandbytes loading; and how the severity follows
 * CUDA-only branches and the selected target.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
const target = (id: string) => exportTargetOf(builtinProfiles().find((p) => p.id === id)!);

test('a device chosen by a conditional expression is reported where it is returned or stored, not only when passed to .to', async () => {
  const src = lines(
    'import torch',
    '',
    'def get_device():',
    '    return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
    '',
    'def default_device() -> str:',
    '    device = "cuda" if torch.cuda.is_available() else "cpu"',
    '    return device',
    '',
    'class Trainer:',
    '    def __init__(self, args):',
    '        self.device = "cuda" if torch.cuda.is_available() and not args.no_cuda else "cpu"',
    '',
    'DEVICE = "mps" if torch.backends.mps.is_available() else ("cuda" if use_gpu else "cpu")',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['4 cuda-device-string error', '7 cuda-device-string error', '12 cuda-device-string error', '14 cuda-device-string error']);
  // the fix replaces the whole choice, not only the literal; a stored value stays a string (callers may
  // compare it with "cuda"), one passed to torch.device() becomes the device itself
  const edit = findings[1]!.fixes[0]!.coreEdits[0]!;
  assert.deepEqual([edit.range.start.column, edit.range.end.column, edit.newText], [13, 59, 'DEVICE.type'], 'a stored device stays a string');
  assert.equal(findings[0]!.fixes[0]!.coreEdits[0]!.newText, 'DEVICE');
});

test('a "cuda" assigned inside a CUDA guard is the device chosen on CUDA hosts', async () => {
  const src = lines(
    'import torch',
    'if torch.cuda.is_available():',
    '    device = "cuda"',
    'elif torch.backends.mps.is_available():',
    '    device = "mps"',
    'else:',
    '    device = "cpu"',
    'backend = "cuda"',
  );
  // found: the literal under the guard is the choice; the selection has no NPU branch, so it is one porting point, the
  // guard's (a warning naming the literal; the literal information pointing at it: guardSelection.test.ts)
  assert.deepEqual(seen(await findingsOf(src)), ['2 torch-cuda-api warning', '3 cuda-device-string info']);
});

test('membership tests, argparse choices and device lists with "cuda" but no NPU device', async () => {
  const src = lines(
    'import argparse',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--device", type=str, default="cpu", choices=["cpu", "cuda"])',
    'args = parser.parse_args()',
    'if args.device in ("cuda", "mps"):',
    '    pin_memory = True',
    'SUPPORTED_DEVICES = ["cuda", "cpu"]',
    'if args.device not in ["cuda", "npu"]:',
    '    raise ValueError(args.device)',
    'names = ["cuda", "kernels"]',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['3 cuda-device-string warning', '5 cuda-device-string warning', '7 cuda-device-string info']);
  const [choices, membership] = findings;
  // adding "npu" keeps every existing value working; for choices (the program's interface) it is only offered
  assert.equal(choices!.fixes[0]!.explicitOnly, true);
  assert.equal(membership!.fixes[0]!.explicitOnly, undefined);
  assert.equal(membership!.fixes[0]!.replacement, '"cuda", "npu"');
  const insert = membership!.fixes[0]!.coreEdits[0]!;
  assert.deepEqual([insert.range.start, insert.range.end, insert.newText], [{ line: 4, column: 25 }, { line: 4, column: 25 }, ', "npu"']);
});

test('device lists and choices that already offer "ascend" beside "cuda" (lmdeploy\'s device type for its Ascend backend) are not reported; "ascension" is no NPU entry', async () => {
  const src = lines(
    'import argparse',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--device-type", type=str, default="cuda", choices=["cuda", "ascend"])',
    'assert device_type in ["cuda", "ascend"], device_type',
    'parser.add_argument("--other", choices=["cuda", "ascension"])',
    'BACKENDS = {"cuda": CudaBackend, "cpu": CpuBackend, "ascend": AscendBackend}',
  );
  assert.deepEqual(seen((await findingsOf(src)).filter((f) => f.range.start.line !== 2)), ['5 cuda-device-string warning']);
});

test('CUDA environment variables: read, set, in a subprocess env; not in messages', async () => {
  const src = lines(
    'import os, subprocess, logging',
    'os.environ["CUDA_VISIBLE_DEVICES"] = str(args.gpu)',
    'visible = os.environ.get("CUDA_VISIBLE_DEVICES", "0").split(",")',
    'os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")',
    'subprocess.run(cmd, env={**os.environ, "CUDA_VISIBLE_DEVICES": "1"})',
    'blocking = os.getenv("CUDA_LAUNCH_BLOCKING")',
    'env = dict(os.environ, CUDA_VISIBLE_DEVICES="0")',
    'logging.info("set CUDA_VISIBLE_DEVICES to pick GPUs")',
    'if "CUDA_VISIBLE_DEVICES" in os.environ:',
    '    pass',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), [2, 3, 4, 5, 6, 7, 9].map((l) => `${l} cuda-env-var warning`));
  assert.deepEqual(findings[0]!.message.args, ['CUDA_VISIBLE_DEVICES', 'ASCEND_RT_VISIBLE_DEVICES']);
  assert.deepEqual(findings[2]!.message.args, ['PYTORCH_CUDA_ALLOC_CONF', 'PYTORCH_NPU_ALLOC_CONF']);
});

test('NCCL through Backend, torch.cuda.nccl; device_map, bitsandbytes loading; torch.version.cuda; OutOfMemoryError; torch.cuda.amp imports', async () => {
  const src = lines(
    'import torch',
    'import torch.distributed as dist',
    'from torch.distributed import Backend',
    'from torch.cuda.amp import autocast, GradScaler',
    'from transformers import AutoModelForCausalLM, BitsAndBytesConfig',
    'dist.init_process_group(backend=dist.Backend.NCCL)',
    'if dist.get_backend() == Backend.NCCL:',
    '    print(torch.cuda.nccl.version())',
    'model = AutoModelForCausalLM.from_pretrained(path, device_map="cuda", load_in_8bit=True)',
    'quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")',
    'plain = AutoModelForCausalLM.from_pretrained(path, load_in_8bit=False, device_map="auto")',
    'if torch.version.cuda is not None and torch.version.cuda >= "11.8":',
    '    pass',
    'try:',
    '    out = model(batch)',
    'except torch.cuda.OutOfMemoryError:',
    '    out = None',
    'with autocast():',
    '    pass',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), [
    '4 cuda-amp info',
    '6 nccl-backend error',
    '7 nccl-backend error',
    '8 nccl-backend error',
    '9 cuda-device-string error', '9 bitsandbytes error',
    '10 bitsandbytes error',
    '12 torch-cuda-api warning', '12 torch-cuda-api warning',
    '16 torch-cuda-api info',
    '18 cuda-amp warning',
  ]);
  assert.equal(findings.find((f) => f.rule === 'nccl-backend')!.fixes[0]!.replacement, 'dm.dist_backend');
});

test('guard-aware severity: CUDA calls under a CUDA-only branch with a CPU or NPU path are information', async () => {
  const src = lines(
    'import torch',
    'from transformers.utils import is_torch_npu_available',
    'if torch.cuda.is_available():',
    '    torch.cuda.synchronize()',
    '    model = model.cuda()',
    'else:',
    '    model = model.cpu()',
    'if is_torch_npu_available():',
    '    torch.npu.empty_cache()',
    'elif torch.cuda.is_available():',
    '    torch.cuda.empty_cache()',
    'if x.device.type == "cuda":',
    '    torch.cuda.synchronize(x.device)',
    'elif x.device.type == "npu":',
    '    torch.npu.synchronize(x.device)',
    'x = x.cuda() if use_cuda else x',
    'if args.cuda:',
    '    y = y.to("cuda")',
    'else:',
    '    y = y.to("cpu")',
  );
  assert.deepEqual(seen(await findingsOf(src)), [
    '3 torch-cuda-api info', '4 torch-cuda-api info', '5 cuda-tensor-method info',
    '10 torch-cuda-api info', '11 torch-cuda-api info',
    '12 cuda-device-string info', '13 torch-cuda-api info',
    '16 cuda-tensor-method info',
    '18 cuda-device-string info',
  ]);
});

test('guard-aware severity: a CUDA-only branch without another path is folded into its guard, which becomes a warning', async () => {
  const src = lines(
    'import torch',
    'if torch.cuda.is_available():',
    '    torch.cuda.synchronize()',
    '    model = model.cuda()',
    'if device.type == "cuda":',
    '    torch.cuda.empty_cache()',
    'if not torch.cuda.is_available():',
    '    pass',
    'else:',
    '    torch.cuda.synchronize()',
    'if device.type == "cuda":',
    '    torch.cuda.empty_cache()',
    'else:',
    '    pass',
  );
  assert.deepEqual(seen(await findingsOf(src)), [
    // an NPU host skips the branch: one porting point, at the guard (guardFold.test.ts)
    '2 torch-cuda-api warning', '3 torch-cuda-api info', '4 cuda-tensor-method info',
    '5 cuda-device-string warning', '6 torch-cuda-api info',
    // the else of a negated guard is not folded: its call keeps its severity
    '7 torch-cuda-api info', '10 torch-cuda-api error',
    // a CPU alternative only: the comparison still sends an NPU host down the CPU path (warning); the call under it is information
    '11 cuda-device-string warning', '12 torch-cuda-api info',
  ]);
});

test('bfloat16 depends on the target: a warning on 310P (no bf16), nothing on 910B, information without a target', async () => {
  const src = lines(
    'import torch',
    'from transformers import AutoModel',
    'm = AutoModel.from_pretrained("x", torch_dtype=torch.bfloat16)',
    'h = AutoModel.from_pretrained("x", torch_dtype=torch.float16)',
    'x = torch.randn(2, 3, dtype=torch.bfloat16)',
    'y = x.bfloat16()',
    'if x.dtype == torch.bfloat16:',
    '    pass',
    '# dtype tables and lists of dtypes to test are not choices',
    'HALF = x.dtype in (torch.float16, torch.bfloat16)',
    'DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}',
    'NAMES = {torch.bfloat16: "bf16"}',
    'ops = floating_types_and(torch.half, torch.bfloat16)',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['3 fixed-dtype info', '4 fixed-dtype info']);
  const on310p = await findingsOf(src, { onnxTarget: target('ascend310p') });
  assert.deepEqual(seen(on310p), ['3 fixed-dtype warning', '5 fixed-dtype warning', '6 fixed-dtype warning']);
  assert.match(formatMessage(on310p[1]!.message), /Ascend 310P .* has no bfloat16/);
  assert.deepEqual(seen(await findingsOf(src, { onnxTarget: target('ascend310') })), ['3 fixed-dtype warning', '5 fixed-dtype warning', '6 fixed-dtype warning']);
  assert.deepEqual(seen(await findingsOf(src, { onnxTarget: target('ascend910b') })), []);
  // the cheap pre-filter lets a file whose only finding is bfloat16 through for 310P, not for 910B
  const only = 'import torch\nx = torch.zeros(1, dtype=torch.bfloat16)\n';
  assert.equal(mayHaveFindings(only, { ...DEFAULT_OPTIONS, onnxTarget: target('ascend310p') }), true);
  assert.equal(mayHaveFindings(only, { ...DEFAULT_OPTIONS, onnxTarget: target('ascend910b') }), false);
});

test('Triton depends on the target: an error on 310P (triton-ascend supports Atlas A2/A3 only), a warning on 910B', async () => {
  const src = lines(
    'import triton',
    'import triton.language as tl',
    '@triton.jit',
    'def add_kernel(x_ptr, n, BLOCK: tl.constexpr):',
    '    pid = tl.program_id(axis=0)',
  );
  // the imports carry the target's severity; the kernel's decorator is information naming the unconditional import
  // (analyze.ts, foldIntoTritonImport: tritonFold.test.ts) on every target; the kernel's own tl.* lines are information
  const outside = (fs: readonly Finding[]) => fs.filter((f) => f.range.start.line < 2);
  const decorator = (fs: readonly Finding[]) => fs.filter((f) => f.range.start.line === 2).map((f) => f.severity);
  const none = await findingsOf(src);
  assert.ok(outside(none).length === 2 && outside(none).every((f) => f.rule === 'triton' && f.severity === 'error'), seen(none).join());
  assert.deepEqual(decorator(none), ['info']);
  const on310p = await findingsOf(src, { onnxTarget: target('ascend310p') });
  assert.ok(outside(on310p).every((f) => f.severity === 'error'));
  assert.deepEqual(decorator(on310p), ['info']);
  assert.match(formatMessage(on310p[0]!.message), /triton-ascend supports Atlas A2 \/ A3 only, not the Ascend 310P/);
  const on910b = await findingsOf(src, { onnxTarget: target('ascend910b') });
  assert.deepEqual(outside(on910b).map((f) => f.severity), outside(none).map(() => 'warning'));
  assert.deepEqual(decorator(on910b), ['info']);
  assert.match(formatMessage(on910b[0]!.message), /triton-ascend, with the grid sized to the AI-core count/);
});

/** Triton imported optionally (a fallback), 6 lines: the kernels below keep their severity (an unconditional import is tritonFold.test.ts). */
const OPTIONAL_TRITON = ['try:', '    import triton', '    import triton.language as tl', '    HAS_TRITON = True', 'except ImportError:', '    HAS_TRITON = False'];

test('a Triton kernel is one finding at its decorator: the tl.* uses in its parameters and body are information naming it; uses outside a kernel keep their severity', async () => {
  // whisper's triton_ops.py and xtuner's kernels: one error per tl.load / tl.store line said nothing the decorator did not
  // the imports are optional (a fallback): the kernels keep their severity (an unconditional import is tritonFold.test.ts)
  const src = lines(
    ...OPTIONAL_TRITON,
    '@triton.autotune(configs=[], key=["n"])',
    '@triton.jit',
    'def add_kernel(x_ptr, n, BLOCK: tl.constexpr):',
    '    pid = tl.program_id(axis=0)',
    '    x = tl.load(x_ptr + pid)',
    '    tl.store(x_ptr + pid, x + 1)',
    '',
    'def launch(x, n):',
    '    add_kernel[(triton.cdiv(n, 128),)](x, n, BLOCK=128)',
    '    return tl.zeros',
  );
  const findings = await findingsOf(src);
  // lines as numbered before the try block (4 lines up)
  const at = (line: number) => findings.filter((f) => f.range.start.line === line + 3).map((f) => f.severity);
  for (const line of [-2, -1]) assert.deepEqual(at(line), ['info'], `optional import, line ${line + 4}: ${seen(findings).join()}`);
  assert.deepEqual(at(3), ['error'], `line 3: ${seen(findings).join()}`);
  // the second decorator is part of the kernel reported at the first
  for (const line of [4, 5, 6, 7, 8]) assert.deepEqual(at(line), ['info'], `line ${line}`);
  const inside = findings.find((f) => f.range.start.line === 9)!;
  assert.match(formatMessage(inside.message), /^tl\.program_id\(axis=0\) is inside the Triton kernel add_kernel, reported at its decorator$/);
  assert.deepEqual(at(11), ['error'], 'a launch outside the kernel');
  assert.deepEqual(at(12), ['error'], 'a tl use outside any kernel');
});

test('the arguments of a Triton kernel\'s decorators are part of the kernel: one finding per kernel, not one per triton.Config line', async () => {
  // torchtitan's fused RMSNorm: `@triton.autotune(configs=[triton.Config({}, num_warps=1), ...])` over `@triton.jit`
  // was 8 errors per kernel. The imports are optional (a fallback): the kernels keep their severity
  const src = lines(
    ...OPTIONAL_TRITON,
    '@triton.autotune(',
    '    configs=[',
    '        triton.Config({}, num_warps=1),',
    '        triton.Config({}, num_warps=2),',
    '    ],',
    '    key=["N"],',
    ')',
    '@triton.jit',
    'def fwd_kernel(X, N, BLOCK: tl.constexpr):',
    '    pass',
    '',
    '@triton.jit',
    'def other_kernel(X):',
    '    pass',
    '',
    'CONFIGS = [triton.Config({}, num_warps=4)]',
    '@functools.lru_cache',
    'def not_a_kernel():',
    '    return triton.Config({}, num_warps=8)',
  );
  const findings = await findingsOf(src);
  // lines as numbered before the try block (4 lines up)
  const at = (line: number) => findings.filter((f) => f.range.start.line === line + 3 && f.rule === 'triton').map((f) => f.severity);
  assert.deepEqual(at(3), ['error'], `the kernel's first decorator is its finding: ${seen(findings).join()}`);
  for (const line of [5, 6, 10]) {
    assert.deepEqual(at(line), ['info'], `line ${line}`);
    assert.match(formatMessage(findings.find((f) => f.range.start.line === line + 3)!.message), /is inside the Triton kernel fwd_kernel, reported at its decorator$/);
  }
  assert.deepEqual(at(14), ['error'], 'a kernel with one decorator keeps it as its finding');
  // a Triton config outside any kernel's decorators (a module-level list, a function without a Triton decorator) stays
  assert.deepEqual(at(18), ['error']);
  assert.deepEqual(at(21), ['error']);
});

test('TF32 switches name their torch_npu HF32 counterparts', async () => {
  const findings = await findingsOf('import torch\ntorch.backends.cuda.matmul.allow_tf32 = True\ntorch.backends.cudnn.allow_tf32 = True\n');
  assert.deepEqual(findings.map((f) => f.message.args[1]), ['torch.npu.matmul.allow_hf32', 'torch.npu.conv.allow_hf32']);
});

test('rules that state vendor facts cite their sources', () => {
  for (const id of ['triton', 'apex', 'flash-attn', 'xformers', 'bitsandbytes', 'cudnn-backend', 'fixed-dtype', 'cuda-env-var', 'nccl-backend', 'torch-cuda-api']) {
    const rule = RULES.find((r) => r.id === id)!;
    assert.ok(rule.sources.length > 0, id);
    for (const s of rule.sources) assert.match(s.url, /^https:\/\/(github\.com|gitcode\.com|www\.hiascend\.com)\//, `${id}: ${s.url}`);
  }
  for (const id of ['triton', 'fixed-dtype']) assert.ok(RULES.find((r) => r.id === id)!.targets, `${id} says how the target changes its severity`);
});
