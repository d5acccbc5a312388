import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatMessage } from '../../../src/core/l10n';
import { PythonDocument } from '../../../src/core/python/document';
import { analyzePython } from '../../../src/core/python/analyze';
import { scanJson } from '../../../src/core/report/json';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scanWorkspace } from '../../../src/core/workspace/scan';
import { applyCrossFileFolds, asOptionalModule } from '../../../src/core/python/optionalModules';
import { findingsOf, loadParser, WASM_DIR } from './parser';

/**
 * Guard-aware severity (issue 14, part 4): a CUDA-only branch is one porting point. Without another path its
 * findings fold into the guard's (information pointing at the guard; the guard a warning naming what an NPU
 * host skips); with another path (else / elif / an NPU branch / code after a return) they are information and
 * the guard stays information; optional CUDA-only libraries (try / except ImportError with a fallback, a
 * library's switch) are information.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
const at = (findings: readonly Finding[], line: number, rule: string) => {
  const f = findings.find((x) => x.range.start.line + 1 === line && x.rule === rule);
  assert.ok(f, `no ${rule} on line ${line}: ${seen(findings).join(', ')}`);
  return f;
};
const relatedLines = (f: Finding) => (f.related ?? []).map((r) => r.range.start.line + 1);

test('a seeding call under `if torch.cuda.is_available():` stays visible at warning through its guard, which names it', async () => {
  const src = lines(
    'import random',
    'import torch',
    'def seed_everything(seed):',
    '    random.seed(seed)',
    '    if torch.cuda.is_available():',
    '        torch.cuda.manual_seed_all(seed)',
    '        torch.backends.cudnn.deterministic = True',
  );
  const findings = await findingsOf(src);
  const guard = at(findings, 5, 'torch-cuda-api');
  const body = at(findings, 6, 'torch-cuda-api');
  assert.equal(guard.severity, 'warning');
  assert.equal(formatMessage(guard.message), 'torch.cuda.is_available() as a guard: the accelerator branch never runs on an NPU host, which skips torch.cuda.manual_seed_all(seed) (line 6)');
  assert.deepEqual(relatedLines(guard), [6]);
  assert.equal(body.severity, 'info');
  assert.deepEqual(relatedLines(body), [5], 'the body points at its guard');
  // nothing at warning or error is lost: the only serious finding of the branch is the guard
  assert.deepEqual(findings.filter((f) => f.severity === 'warning' || f.severity === 'error').map((f) => f.range.start.line + 1), [5]);
  // the fixes stay on both (converted together): the guard to the helper's check, the seeding to the helper's
  assert.ok(guard.fixes.length > 0 && body.fixes.length > 0);
  assert.equal(body.fixes[0]!.replacement, 'dm.manual_seed(seed)');
});

test('a guard over calls the style cannot port: raised to warning with both messages, no fixes in the branch', async () => {
  const src = lines(
    'import torch',
    'if torch.cuda.is_available():',
    '    major, minor = torch.cuda.get_device_capability()',
    '    torch.cuda.synchronize()',
    'x = torch.ones(1).cuda()',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['2 torch-cuda-api warning', '3 torch-cuda-api info', '4 torch-cuda-api info', '5 cuda-tensor-method error']);
  const guard = at(findings, 2, 'torch-cuda-api');
  assert.match(formatMessage(guard.message), /skips torch\.cuda\.get_device_capability\(\), torch\.cuda\.synchronize\(\) \(line 3, 4\); not converted, because the branch uses torch\.cuda\.get_device_capability\(\)/);
  assert.deepEqual(findings.slice(0, 3).map((f) => f.fixes.length), [0, 0, 0], 'guard and branch are left together');
  assert.ok(at(findings, 5, 'cuda-tensor-method').fixes.length > 0);
});

test('with an NPU or CPU path the branch is information and the guard stays information', async () => {
  const src = lines(
    'import torch',
    'from transformers.utils import is_torch_npu_available, is_torch_cuda_available',
    'def empty_cache():',
    '    if is_torch_npu_available():',
    '        torch.npu.empty_cache()',
    '    elif is_torch_cuda_available():',
    '        torch.cuda.empty_cache()',
    'def is_bf16_available():',
    '    if torch.cuda.is_available():',
    '        return torch.cuda.is_bf16_supported()',
    '    return False',
    'if torch.cuda.is_available():',
    '    torch.cuda.synchronize()',
    'else:',
    '    model = model.cpu()',
    'if is_nccl_backend:',
    '    d = torch.device("cuda", torch.cuda.current_device())',
    'elif is_hccl_backend:',
    '    d = torch.device("npu", torch.npu.current_device())',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.range.start.line + 1} ${f.rule}`), []);
  assert.equal(at(findings, 9, 'torch-cuda-api').severity, 'info');
  assert.equal(at(findings, 12, 'torch-cuda-api').severity, 'info');
});

test('a branch after the NPU branch of a dispatch is information; one before it (which an NPU host may take) keeps its severity', async () => {
  const src = lines(
    'import os, torch',
    'if os.environ.get("USE_DEEPSPEED") == "1":',
    '    backend = "nccl"',
    'elif is_npu_available():',
    '    backend = "hccl"',
    'else:',
    '    os.environ["CUDA_VISIBLE_DEVICES"] = ids',
    '    torch.cuda.set_device(rank)',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['3 nccl-backend error', '7 cuda-env-var info', '8 torch-cuda-api info']);
});

test('`else: pass` is no other path: the comparison guard folds its branch and names it', async () => {
  const src = lines(
    'import torch',
    'if device.type == "cuda":',
    '    torch.cuda.synchronize()',
    'else:',
    '    pass',
    'if device.type == "cuda":',
    '    torch.cuda.synchronize()',
    'else:',
    '    x = x.float()',
    'if offloaded and device.type == "cuda":',
    '    raise ValueError("move the pipeline to the CPU")',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), [
    '2 cuda-device-string warning', '3 torch-cuda-api info',
    '6 cuda-device-string info', '7 torch-cuda-api info',
    // a branch that only raises is a check an NPU device does not need
    '10 cuda-device-string info',
  ]);
  assert.equal(formatMessage(findings[0]!.message), 'Comparison with the CUDA device type "cuda" is never true on an NPU: an NPU host skips torch.cuda.synchronize() (line 3)');
});

test('optional CUDA-only libraries: a try-import with a fallback and the branches behind the library switch are information', async () => {
  const src = lines(
    'import torch',
    'try:',
    '    from apex import amp',
    '    has_apex = True',
    'except ImportError:',
    '    has_apex = False',
    'try:',
    '    import flash_attn',
    'except ImportError:',
    '    raise ImportError("install flash-attn")',
    'if has_apex and use_amp == "apex":',
    '    model, optimizer = amp.initialize(model, optimizer)',
    'if args.use_8bit_adam:',
    '    import bitsandbytes as bnb',
    '    opt = bnb.optim.AdamW8bit',
    'if not args.use_flash_attn:',
    '    out = flash_attn.flash_attn_func(q, k, v)',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), [
    '3 apex info',
    // re-raised: the module needs the library (no fallback)
    '8 flash-attn error',
    '12 apex info', '14 bitsandbytes info', '15 bitsandbytes info',
    // under `not` the switch the branch runs where the switch is off: not optional
    '17 flash-attn error',
  ]);
});

test('bitsandbytes behind the user\'s switches (a forwarded load_in_4bit, --bits 4 / 8, a switch that is not None) is information; a fixed load_in_8bit=True and an import where the switch is off stay errors', async () => {
  // the held-out set: OpenRLHF's --load_in_4bit, xtuner's --bits, open_clip's --use-bnb-linear
  const src = lines(
    'import torch',
    'from transformers import AutoModel, BitsAndBytesConfig',
    'model = AutoModel.from_pretrained(path, load_in_4bit=args.load_in_4bit)',
    'if args.bits == 4:',
    '    q = BitsAndBytesConfig(load_in_4bit=True)',
    'elif args.bits == 8:',
    '    load_in_8bit = True',
    'if args.use_bnb_linear is not None:',
    '    import bitsandbytes as bnb',
    'fixed = AutoModel.from_pretrained(path, load_in_8bit=True)',
    'if args.bits != 4:',
    '    q2 = BitsAndBytesConfig(load_in_4bit=True)',
    'if args.use_bnb_linear is None:',
    '    import bitsandbytes',
    'if args.bits == 16:',
    '    q3 = BitsAndBytesConfig(load_in_8bit=True)',
  );
  const findings = (await findingsOf(src)).filter((f) => f.rule === 'bitsandbytes');
  assert.deepEqual(seen(findings), [
    '3 bitsandbytes info', '5 bitsandbytes info', '9 bitsandbytes info',
    '10 bitsandbytes error', '12 bitsandbytes error', '14 bitsandbytes error', '16 bitsandbytes error',
  ]);
});

test('a class that a module selects under the flash-attn key of its attention table, with flash-attn imported optionally, is information; elsewhere flash-attn stays an error', async () => {
  // transformers' modeling files (xtuner's copy of Mixtral): MIXTRAL_ATTENTION_CLASSES[config._attn_implementation]
  const table = (importLines: string[]) => lines(
    'import torch',
    ...importLines,
    'class Attention(torch.nn.Module):',
    '    def forward(self, q, k, v):',
    '        return torch.nn.functional.scaled_dot_product_attention(q, k, v)',
    'class FlashAttention2(Attention):',
    '    def forward(self, q, k, v):',
    '        return flash_attn_func(q, k, v)',
    'class Unlisted(Attention):',
    '    def forward(self, q, k, v):',
    '        return flash_attn_func(q, k, v)',
    'ATTENTION_CLASSES = {"eager": Attention, "flash_attention_2": FlashAttention2}',
  );
  // the findings in the classes (below the import lines)
  const flash = (f: readonly Finding[]) => seen(f.filter((x) => x.rule === 'flash-attn' && x.range.start.line > 5));
  const optional = await findingsOf(table(['if is_flash_attn_2_available():', '    from flash_attn import flash_attn_func']));
  assert.deepEqual(flash(optional), ['9 flash-attn info', '12 flash-attn error']);
  const fallback = await findingsOf(table(['try:', '    from flash_attn import flash_attn_func', 'except ImportError:', '    flash_attn_func = None']));
  assert.deepEqual(flash(fallback), ['11 flash-attn info', '14 flash-attn error']);
  // imported unconditionally: the module does not load without flash-attn; the class is no optional path
  const always = await findingsOf(table(['from flash_attn import flash_attn_func', '']));
  assert.deepEqual(flash(always), ['9 flash-attn error', '12 flash-attn error']);
});

test('a plain switch whose branch imports a CUDA-only library and whose if has another path selects the library: information; without the other path it stays a warning', async () => {
  // Open-Sora's get_layernorm(..., use_kernel)
  const src = lines(
    'import torch.nn as nn',
    'def get_layernorm(hidden_size, eps, affine, use_kernel):',
    '    if use_kernel:',
    '        try:',
    '            from apex.normalization import FusedLayerNorm',
    '            return FusedLayerNorm(hidden_size, elementwise_affine=affine, eps=eps)',
    '        except ImportError:',
    '            raise RuntimeError("FusedLayerNorm not available. Please install apex.")',
    '    else:',
    '        return nn.LayerNorm(hidden_size, eps, elementwise_affine=affine)',
    'def only_apex(hidden_size, cfg):',
    '    if cfg.use_kernel:',
    '        from apex.normalization import FusedLayerNorm',
    '        return FusedLayerNorm(hidden_size)',
    'def not_a_switch(hidden_size, use_kernel):',
    '    if hidden_size > 1024:',
    '        from apex.normalization import FusedLayerNorm',
    '        return FusedLayerNorm(hidden_size)',
    '    return nn.LayerNorm(hidden_size)',
  );
  assert.deepEqual(seen((await findingsOf(src)).filter((f) => f.rule === 'apex')), [
    '5 apex info', '6 apex info', '13 apex warning', '14 apex warning', '17 apex warning', '18 apex warning',
  ]);
});

test('the body of a `def cuda(self)` override is information (its callers .cuda() are the findings)', async () => {
  const src = lines(
    'import torch',
    'class Model(torch.nn.Module):',
    '    def cuda(self, device=None):',
    '        self.device = torch.device("cuda", torch.cuda.current_device())',
    '        return super().cuda(device)',
    'def to_gpu(model):',
    '    return model.cuda()',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.range.start.line + 1} ${f.rule}`), ['7 cuda-tensor-method']);
});

test('a CUDA flag without a guard finding keeps the branch at its severity; a severity the user set stays', async () => {
  const flag = lines('import torch', 'if args.cuda:', '    torch.cuda.manual_seed(1)');
  assert.deepEqual(seen(await findingsOf(flag)), ['3 torch-cuda-api error']);
  const guarded = lines('import torch', 'if torch.cuda.is_available():', '    torch.cuda.manual_seed(1)');
  assert.deepEqual(seen(await findingsOf(guarded, { rules: { 'torch-cuda-api': 'error' } })), ['2 torch-cuda-api error', '3 torch-cuda-api error']);
});

test('the JSON report carries the related places of a folded branch', async () => {
  const src = lines('import torch', 'if torch.cuda.is_available():', '    torch.cuda.empty_cache()');
  const findings = await findingsOf(src);
  const json = scanJson({ files: 1, findings: findings.map((finding) => ({ file: 'a.py', finding })), problems: [] }, (m) => formatMessage(m), () => false);
  assert.deepEqual(json.findings.map((f) => [f.line, f.severity, f.related?.map((r) => r.line)]), [[2, 'warning', [3]], [3, 'info', [2]]]);
});

test('incremental re-analysis keeps a guard and its branch consistent (severities, messages, related places)', async () => {
  const parser = await loadParser();
  const text = lines('import torch', '', 'def count():', '    if torch.cuda.is_available():', '        return torch.cuda.device_count()', '', 'y = 2');
  // no keystroke parse budget: under load a re-parse over 3 ms is deferred (a case of its own, document.test.ts)
  const doc = new PythonDocument(parser, text, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  const show = (fs: readonly Finding[]) => fs.map((f) => `${seen([f])[0]} ${formatMessage(f.message)} ${relatedLines(f).join(',')}`);
  const full = () => show(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }));
  assert.deepEqual(seen(doc.findings), ['4 torch-cuda-api warning', '5 torch-cuda-api info']);
  // code after a branch that returns is its other path: typed (a partial update), the guard goes back to information
  doc.update([{ range: { start: { line: 5, column: 0 }, end: { line: 5, column: 0 } }, text: '    return 0' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(show(doc.findings), full());
  assert.deepEqual(seen(doc.findings), ['4 torch-cuda-api info', '5 torch-cuda-api info']);
  // and deleted again
  doc.update([{ range: { start: { line: 5, column: 0 }, end: { line: 5, column: 12 } }, text: '' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(show(doc.findings), full());
  assert.deepEqual(seen(doc.findings), ['4 torch-cuda-api warning', '5 torch-cuda-api info']);
  // an edit above moves the related places with the findings
  doc.update([{ range: { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } }, text: 'x = 1\n' }]);
  assert.deepEqual(show(doc.findings), full());
  assert.deepEqual(relatedLines(doc.findings[0]!), [6]);
  doc.dispose();
});

test('the else of a negated CUDA test is the CUDA-only branch: the CPU / NPU path before it is the other path', async () => {
  const src = lines(
    'import torch',
    'def seed(s):',
    '    if not torch.cuda.is_available():',
    '        torch.manual_seed(s)',
    '    else:',
    '        torch.cuda.manual_seed_all(s)',
    'def sync(device):',
    '    if device.type != "cuda":',
    '        return',
    '    elif big:',
    '        torch.cuda.synchronize()',
    'def to(x):',
    '    return x.float() if not torch.cuda.is_available() else x.cuda()',
    // counter-tests: a negated test whose branch does nothing is no other path; an unguarded call stays an error
    'if not torch.cuda.is_available():',
    '    pass',
    'else:',
    '    torch.cuda.empty_cache()',
    'torch.cuda.empty_cache()',
  );
  const findings = await findingsOf(src);
  assert.equal(at(findings, 6, 'torch-cuda-api').severity, 'info');
  assert.equal(at(findings, 11, 'torch-cuda-api').severity, 'info');
  assert.equal(at(findings, 13, 'cuda-tensor-method').severity, 'info');
  assert.equal(at(findings, 17, 'torch-cuda-api').severity, 'error');
  assert.equal(at(findings, 18, 'torch-cuda-api').severity, 'error');
});

test('verl: torch.cuda as the fallback of a device module looked up by name (getattr(torch, name)) is information', async () => {
  const src = lines(
    'import torch',
    'def get_torch_device():',
    '    device_name = get_device_name()',
    '    try:',
    '        return getattr(torch, device_name)',
    '    except AttributeError:',
    '        logger.warning(f"Device namespace {device_name} not found in torch, try to load torch.cuda.")',
    '        return torch.cuda',
    // counter-tests: a handler after another try body, or after a lookup of a fixed name, is the CUDA path itself
    'def other():',
    '    try:',
    '        return load()',
    '    except AttributeError:',
    '        return torch.cuda',
    'def fixed():',
    '    try:',
    '        return getattr(torch, "cuda")',
    '    except AttributeError:',
    '        return torch.cuda',
  );
  const findings = await findingsOf(src);
  assert.equal(at(findings, 8, 'torch-cuda-api').severity, 'info');
  assert.equal(at(findings, 13, 'torch-cuda-api').severity, 'error');
  assert.equal(at(findings, 18, 'torch-cuda-api').severity, 'error');
});

test('timm: `if device.startswith("cuda:"):` is a device-type test that the branch folds into', async () => {
  const src = lines(
    'import torch',
    'def init(device):',
    '    if device.startswith("cuda:"):',
    '        torch.cuda.set_device(device)',
    '    if device.startswith("cuda"):',
    '        torch.cuda.synchronize()',
    '    else:',
    '        x = 1',
    '    if device.startswith("cpu"):',
    '        pass',
    '    torch.cuda.set_device(device)',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), [
    '3 cuda-device-string warning', '4 torch-cuda-api info',
    // with an else the test and its branch are information
    '5 cuda-device-string info', '6 torch-cuda-api info',
    // not a CUDA test: nothing; unguarded: an error
    '11 torch-cuda-api error',
  ]);
  assert.equal(formatMessage(findings[0]!.message), 'Comparison with the CUDA device type "cuda" is never true on an NPU: an NPU host skips torch.cuda.set_device(device) (line 4)');
  assert.deepEqual(relatedLines(findings[1]!), [3]);
});

test('accelerate: a device-type test whose branch only sets CUDA library switches (TF32) is information', async () => {
  const src = lines(
    'import torch',
    'class State:',
    '    def init(self):',
    '        if (',
    '            self.dynamo_backend != "no"',
    '            and self.device.type == "cuda"',
    '        ):',
    '            torch.backends.cuda.matmul.allow_tf32 = True',
    // counter-test: a branch that also runs CUDA code is a porting point (the guard names it)
    '        if self.device.type == "cuda":',
    '            torch.backends.cudnn.allow_tf32 = True',
    '            torch.cuda.synchronize()',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['6 cuda-device-string info', '8 cudnn-backend info', '9 cuda-device-string warning', '10 cudnn-backend info', '11 torch-cuda-api info']);
});

test('diffusers: a local CUDA device that only torch.cuda.* queries read, beside an else, is information', async () => {
  const src = lines(
    'import torch',
    'def get_torch_cuda_device_capability():',
    '    if torch.cuda.is_available():',
    '        device = torch.device("cuda")',
    '        compute_capability = torch.cuda.get_device_capability(device)',
    '        return float(f"{compute_capability[0]}.{compute_capability[1]}")',
    '    else:',
    '        return None',
    // counter-tests: the program's device beside a CPU path, read by a model or returned, is a device selection without
    // an NPU branch: its guard is the warning (the port adds the NPU choice there), the device information pointing at it
    'def get_device():',
    '    if torch.cuda.is_available():',
    '        device = torch.device("cuda")',
    '        torch.cuda.set_device(device)',
    '        return device',
    '    else:',
    '        return torch.device("cpu")',
    'DEVICE = None',
    'if torch.cuda.is_available():',
    '    DEVICE = torch.device("cuda")',
    '    print(torch.cuda.get_device_name(DEVICE))',
    'else:',
    '    DEVICE = torch.device("cpu")',
  );
  const findings = await findingsOf(src);
  assert.equal(at(findings, 4, 'cuda-device-string').severity, 'info');
  assert.equal(at(findings, 11, 'cuda-device-string').severity, 'info');
  assert.equal(at(findings, 10, 'torch-cuda-api').severity, 'warning');
  assert.equal(at(findings, 18, 'cuda-device-string').severity, 'info');
  assert.equal(at(findings, 17, 'torch-cuda-api').severity, 'warning');
});

/** Scans a temporary tree (rel path → text) with the workspace scan; `line rule severity` per file, and the findings. */
async function scanTree(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-optional-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    const result = await scanWorkspace([dir], { analysis: DEFAULT_OPTIONS, wasmDir: WASM_DIR, maxFileSizeKB: 2048 });
    const byFile = new Map(result.reports.map((r) => [path.relative(dir, r.file).split(path.sep).join('/'), r.findings]));
    const rel = (file: string) => path.relative(dir, file).split(path.sep).join('/');
    const folds = [...result.crossFileFolds].flatMap(([file, list]) => list.map((f) => [f.kind, rel(file), rel(f.related.file ?? ''), f.related.range.start.line + 1]));
    const optional = folds.filter(([kind]) => kind === 'optionalModule').map(([, ...rest]) => rest);
    return { seen: (r: string) => seen(byFile.get(r) ?? []), findings: (r: string) => byFile.get(r) ?? [], dir, optional, folds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** LLaMA-Factory's flash_llama.py: needs flash-attn itself (the ImportError is raised again). */
const FLASH_PATCH = lines(
  'import torch',
  'try:',
  '    from flash_attn.flash_attn_interface import flash_attn_kvpacked_func',
  'except ImportError:',
  '    raise ImportError("Please install FlashAttention")',
  'def attention(q, kv):',
  '    return flash_attn_kvpacked_func(q, kv)',
);

test('a module that the tree imports only behind a flash-attn switch is a CUDA-only optional module: its findings are information, pointing at the import', async () => {
  const loader = lines(
    'def load_model(model_args, config):',
    '    if model_args.flash_attn and getattr(config, "model_type", None) == "llama":',
    '        import llmtuner.extras.patches.flash_llama as FlashLlama',
    '        patch(FlashLlama)',
  );
  const tree = await scanTree({
    'src/llmtuner/__init__.py': '',
    'src/llmtuner/extras/__init__.py': '',
    'src/llmtuner/extras/patches/__init__.py': '',
    'src/llmtuner/extras/patches/flash_llama.py': FLASH_PATCH,
    'src/llmtuner/tuner/__init__.py': '',
    'src/llmtuner/tuner/loader.py': loader,
  });
  assert.deepEqual(tree.seen('src/llmtuner/extras/patches/flash_llama.py'), ['3 flash-attn info', '7 flash-attn info']);
  const related = tree.findings('src/llmtuner/extras/patches/flash_llama.py')[1]!.related ?? [];
  assert.deepEqual(related.map((r) => [path.relative(tree.dir, r.file ?? '').split(path.sep).join('/'), r.range.start.line + 1]), [['src/llmtuner/tuner/loader.py', 3]]);
  // the scan names the module and its optional import (the editor folds the module's live findings with it)
  assert.deepEqual(tree.optional, [['src/llmtuner/extras/patches/flash_llama.py', 'src/llmtuner/tuner/loader.py', 3]]);
  // the same module analysed alone has no view across files: errors, until the scan's answer is applied
  const alone = await findingsOf(FLASH_PATCH);
  assert.deepEqual(seen(alone), ['3 flash-attn error', '7 flash-attn error']);
  const folded = asOptionalModule(alone, related[0]!, DEFAULT_OPTIONS);
  assert.deepEqual(seen(folded), ['3 flash-attn info', '7 flash-attn info']);
  assert.deepEqual(asOptionalModule(folded, related[0]!, DEFAULT_OPTIONS), folded, 'applied twice, nothing changes');
  // a severity the user set stays as set
  const userSet = { ...DEFAULT_OPTIONS, rules: { 'flash-attn': 'error' as const } };
  assert.deepEqual(seen(asOptionalModule(alone, related[0]!, userSet)), ['3 flash-attn error', '7 flash-attn error']);
});

test('a module imported only in try / except ImportError with a fallback is optional when it needs a CUDA-only library to load', async () => {
  const tree = await scanTree({
    'pkg/__init__.py': '',
    'pkg/flash_ops.py': FLASH_PATCH,
    // loads without any CUDA-only library: on an NPU host the import succeeds and its CUDA code runs
    'pkg/cuda_ops.py': lines('import torch', 'def sync():', '    torch.cuda.synchronize()'),
    'pkg/model.py': lines(
      'try:',
      '    from .flash_ops import attention',
      '    from .cuda_ops import sync',
      'except ImportError:',
      '    attention = None',
      '    sync = lambda: None',
    ),
  });
  assert.deepEqual(tree.seen('pkg/flash_ops.py'), ['3 flash-attn info', '7 flash-attn info']);
  assert.deepEqual(tree.seen('pkg/cuda_ops.py'), ['3 torch-cuda-api error']);
});

test('one import without a switch or fallback (or an entry script) keeps the module\'s findings at their severity', async () => {
  const tree = await scanTree({
    'flash_patch.py': FLASH_PATCH,
    'train.py': lines('import os', 'if os.environ.get("USE_FLASH_ATTN"):', '    import flash_patch'),
    'bench.py': lines('import flash_patch'),
    // imported only optionally, but also run as a script
    'flash_main.py': FLASH_PATCH + 'if __name__ == "__main__":\n    attention(1, 2)\n',
    'infer.py': lines('def run(args):', '    if args.use_flash_attn:', '        import flash_main'),
    // imported only under `not` the switch: the module runs where flash-attn is off
    'flash_not.py': FLASH_PATCH,
    'eval.py': lines('def run(args):', '    if not args.use_flash_attn:', '        import flash_not'),
  });
  assert.deepEqual(tree.seen('flash_patch.py'), ['3 flash-attn error', '7 flash-attn error']);
  assert.deepEqual(tree.seen('flash_main.py'), ['3 flash-attn error', '7 flash-attn error']);
  assert.deepEqual(tree.seen('flash_not.py'), ['3 flash-attn error', '7 flash-attn error']);
});

test('incremental re-analysis agrees with a full analysis for the negated test, the lookup fallback and the CUDA-query device', async () => {
  const parser = await loadParser();
  const text = lines(
    'import torch',
    'def seed(s):',
    '    if not torch.cuda.is_available():',
    '        pass',
    '    else:',
    '        torch.cuda.manual_seed_all(s)',
    'def get_torch_device(name):',
    '    try:',
    '        return load(name)',
    '    except AttributeError:',
    '        torch.cuda.empty_cache()',
    'def capability():',
    '    if torch.cuda.is_available():',
    '        d = torch.device("cuda")',
    '        return torch.cuda.get_device_capability(d)',
    '    else:',
    '        return None',
  );
  // the re-parse always finishes on the keystroke (a loaded machine would defer it: the result would be the old one)
  const doc = new PythonDocument(parser, text, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  const full = () => seen(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }));
  const severityAt = (line: number) => doc.findings.find((f) => f.range.start.line + 1 === line && f.rule !== 'syntax-error')?.severity;
  assert.equal(severityAt(6), 'error');
  assert.equal(severityAt(11), 'error');
  assert.equal(severityAt(14), 'info');
  // the negated branch gets code: the else becomes information
  doc.update([{ range: { start: { line: 3, column: 8 }, end: { line: 3, column: 12 } }, text: 'torch.manual_seed(s)' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(seen(doc.findings), full());
  assert.equal(severityAt(6), 'info');
  // the try body becomes a lookup by name: the handler becomes information
  doc.update([{ range: { start: { line: 8, column: 15 }, end: { line: 8, column: 25 } }, text: 'getattr(torch, name)' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(seen(doc.findings), full());
  assert.equal(severityAt(11), 'info');
  // a read of the device elsewhere in the function (the program's device): a device selection without an NPU branch,
  // whose guard is the warning; the edit is outside the if
  doc.update([{ range: { start: { line: 12, column: 0 }, end: { line: 12, column: 0 } }, text: '    log(d)\n' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(seen(doc.findings), full());
  assert.equal(severityAt(15), 'info');
  assert.equal(severityAt(14), 'warning');
  doc.dispose();
});

test('DDP device_ids in a file that calls another scanned module\'s function that calls set_device is information, pointing at the call; without that call (or that function) it stays a warning', async () => {
  // open_clip's main.py: init_distributed_device(args) from open_clip_train/distributed.py calls torch.cuda.set_device
  const distributed = lines(
    'import torch',
    'def init_distributed_device(args):',
    '    device = "cuda:%d" % args.local_rank',
    '    if args.distributed:',
    '        torch.cuda.set_device(device)',
    '    return device',
    'def is_master(args):',
    '    return args.rank == 0',
  );
  const ddp = (setup: string) => lines(
    'import torch',
    `from train_pkg.distributed import ${setup}`,
    'def main(args):',
    `    device = ${setup}(args)`,
    '    model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device])',
  );
  const { findings, folds } = await scanTree({ 'train_pkg/__init__.py': '', 'train_pkg/distributed.py': distributed, 'train_pkg/main.py': ddp('init_distributed_device') });
  const folded = findings('train_pkg/main.py').find((f) => f.rule === 'ddp-device-ids');
  assert.equal(folded?.severity, 'info');
  assert.deepEqual(folded!.related!.map((r) => [path.basename(r.file!), r.range.start.line + 1, r.range.start.column + 1]), [['distributed.py', 5, 20]]);
  // the scan hands the fold to the editor, whose single-file analysis of main.py applies it
  assert.deepEqual(folds, [['deviceSetter', 'train_pkg/main.py', 'train_pkg/distributed.py', 5]]);
  const alone = await findingsOf(ddp('init_distributed_device'));
  assert.equal(alone.find((f) => f.rule === 'ddp-device-ids')?.severity, 'warning', 'alone, the file selects no device');
  const live = applyCrossFileFolds(alone, [{ kind: 'deviceSetter', related: folded!.related!.at(-1)! }], DEFAULT_OPTIONS);
  assert.equal(live.find((f) => f.rule === 'ddp-device-ids')?.severity, 'info');
  assert.deepEqual(applyCrossFileFolds(live, [{ kind: 'deviceSetter', related: folded!.related!.at(-1)! }], DEFAULT_OPTIONS), live, 'applied twice, nothing changes');
  // timm: init_distributed_device calls init_distributed_device_so, which calls set_device
  const indirect = lines(
    'import torch',
    'def init_distributed_device(args):',
    '    return init_distributed_device_so(args.device)',
    'def init_distributed_device_so(',
    '        device="cuda",',
    '):', // the signature's closing line at column 0 does not end the function
    '    torch.cuda.set_device(device)',
    '    return device',
  );
  const timm = await scanTree({ 'train_pkg/__init__.py': 'from .distributed import init_distributed_device\n', 'train_pkg/distributed.py': indirect, 'train.py': lines('import torch', 'from train_pkg import init_distributed_device', 'device = init_distributed_device(args)', 'model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device])') });
  assert.deepEqual(timm.seen('train.py').filter((s) => s.includes('ddp-device-ids')), ['4 ddp-device-ids info']);
  // the function that does not select a device: the warning stays
  const other = await scanTree({ 'train_pkg/__init__.py': '', 'train_pkg/distributed.py': distributed, 'train_pkg/main.py': ddp('is_master') });
  assert.deepEqual(other.seen('train_pkg/main.py').filter((s) => s.includes('ddp-device-ids')), ['5 ddp-device-ids warning']);
  // a set_device in a module this file does not run
  const unrelated = await scanTree({ 'train_pkg/__init__.py': '', 'train_pkg/distributed.py': distributed, 'main.py': lines('import torch', 'def init_distributed_device(args):', '    return 0', 'model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[init_distributed_device(args)])') });
  assert.deepEqual(unrelated.seen('main.py').filter((s) => s.includes('ddp-device-ids')), ['4 ddp-device-ids warning']);
});

test('torch.cuda tensor classes in type annotations are information; the same class called, or used in isinstance, stays an error', async () => {
  // mmcv's focal loss: `target: Union[torch.LongTensor, torch.cuda.LongTensor]` (the port changed its isinstance asserts, not these)
  const findings = await findingsOf(lines(
    'import torch',
    'from typing import Union',
    'def sigmoid_focal_loss(target: Union[torch.LongTensor, torch.cuda.LongTensor], gamma: float = 2.0) -> torch.cuda.FloatTensor:',
    '    weight: torch.cuda.FloatTensor = None',
    '    assert isinstance(target, (torch.LongTensor, torch.cuda.LongTensor))',
    '    return torch.cuda.FloatTensor(3)',
  ));
  assert.deepEqual(seen(findings), [
    '3 torch-cuda-api info', '3 torch-cuda-api info', '4 torch-cuda-api info',
    '5 torch-cuda-api error', '6 torch-cuda-api error',
  ]);
});

test('a check that a CUDA-only feature runs on CUDA (negated test under the feature switch, branch only raises / warns / returns) is information without a fix', async () => {
  // torchtune's activation offloading and FastChat's cpu-offloading: correct on every host
  const findings = await findingsOf(lines(
    'import torch, warnings',
    'class Recipe:',
    '    def setup(self, cfg):',
    '        if self._enable_activation_offloading:',
    '            if self._device.type != "cuda":',
    '                raise RuntimeError("enable_activation_offloading should only be True when training on CUDA")',
    'def check_offloading(device, cpu_offloading):',
    '    if cpu_offloading:',
    '        if device != "cuda":',
    '            warnings.warn("CPU-offloading is only enabled when using CUDA-devices")',
    '            return False',
    '    return cpu_offloading',
    'def main(args):',
    '    if args.device != "cuda":',
    '        raise ValueError("this program needs a GPU")',
    'def g(device, flag):',
    '    if flag:',
    '        if device != "cuda":',
    '            torch.cuda.empty_cache()',
    '            raise ValueError("x")',
  ));
  for (const line of [5, 9]) {
    const f = at(findings, line, 'cuda-device-string');
    assert.equal(f.severity, 'info', `line ${line}`);
    assert.equal(f.fixes.length, 0, 'widening the check would send the NPU into the CUDA-only feature');
  }
  // the program itself refusing the NPU device (no feature switch around it) stays a warning with its fix
  assert.equal(at(findings, 14, 'cuda-device-string').severity, 'warning');
  assert.ok(at(findings, 14, 'cuda-device-string').fixes.length > 0);
  // a check whose branch also calls CUDA stays a warning
  assert.equal(at(findings, 18, 'cuda-device-string').severity, 'warning');
});

test('`device == "cuda" and not torch.cuda.is_available()` is the fallback where CUDA is missing: information without a fix', async () => {
  // FunASR's AutoModel: device = "cpu" when "cuda" is asked for and the host has none
  const findings = await findingsOf(lines(
    'import torch',
    'def build(kwargs):',
    '    device = kwargs.get("device", "cpu")',
    '    if ((device == "cuda" and not torch.cuda.is_available())',
    '        or (device == "xpu" and not torch.xpu.is_available())):',
    '        device = "cpu"',
    '    if device == "cuda" and torch.cuda.is_available():',
    '        torch.cuda.set_device(0)',
  ));
  const fallback = at(findings, 4, 'cuda-device-string');
  assert.equal(fallback.severity, 'info');
  assert.equal(fallback.fixes.length, 0);
  // `and` with the host's positive answer is a CUDA-only branch: it stays a finding
  assert.notEqual(at(findings, 7, 'cuda-device-string').severity, 'info');
});

test('CUDA tests that skip themselves where CUDA is not: the skip decides, their bodies run only on CUDA (information); unmarked tests and program code keep their severity', async () => {
  // torchtune's `cuda_available = torch.cuda.is_available()` read only by `@pytest.mark.skipif(not cuda_available, ...)`,
  // mmcv's `if not torch.cuda.is_available(): return` at the top of a test helper
  const findings = await findingsOf(lines(
    'import torch, pytest, unittest',
    'class TestDevice:',
    '    cuda_available: bool = torch.cuda.is_available()',
    '    @pytest.mark.skipif(not cuda_available, reason="The test requires GPUs to run.")',
    '    def test_gpu(self):',
    '        idx = torch.cuda.device_count() - 1',
    '        assert device.type == "cuda"',
    '    @unittest.skipUnless(torch.cuda.is_available(), "needs CUDA")',
    '    def test_b(self):',
    '        x = torch.ones(1).cuda()',
    '    def test_c(self):',
    '        x = torch.ones(1).cuda()',
    '    def _test_softmax(self):',
    '        if not torch.cuda.is_available():',
    '            return',
    '        x = torch.ones(1).cuda()',
    'use_gpu = torch.cuda.is_available()',
    'def run():',
    '    if not torch.cuda.is_available():',
    '        return',
    '    torch.cuda.set_device(0)',
    '    if use_gpu:',
    '        print(1)',
  ));
  for (const [line, rule] of [[3, 'torch-cuda-api'], [6, 'torch-cuda-api'], [7, 'cuda-device-string'], [8, 'torch-cuda-api'], [10, 'cuda-tensor-method'], [16, 'cuda-tensor-method']] as const) {
    assert.equal(at(findings, line, rule).severity, 'info', `line ${line}: ${seen(findings).join(', ')}`);
  }
  // a test without a skip, a flag read outside skip decorators, program code after an early return: unchanged
  assert.equal(at(findings, 12, 'cuda-tensor-method').severity, 'error');
  assert.equal(at(findings, 17, 'torch-cuda-api').severity, 'warning');
  assert.equal(at(findings, 21, 'torch-cuda-api').severity, 'error');
});

test('an NCCL test whose branch only sets NCCL / CUDA settings to constants is information; one that calls CUDA stays a warning', async () => {
  // OpenRLHF: `if backend == "nccl" and colocate: self.use_cuda_ipc = True`, `if ... == "nccl": os.environ["NCCL_CUMEM_ENABLE"] = "0"`
  const findings = await findingsOf(lines(
    'import os, torch',
    'def setup(self, args, backend):',
    '    if backend == "nccl" and args.colocate_all_models:',
    '        self.use_cuda_ipc = True',
    '    if getattr(args, "vllm_sync_backend", "nccl") == "nccl":',
    '        os.environ["NCCL_CUMEM_ENABLE"] = "0"',
    '    if backend == "nccl":',
    '        torch.cuda.set_device(args.local_rank)',
    '    if backend == "nccl":',
    '        self.use_cuda_ipc = compute(args)',
  ));
  const nccl = (line: number) => findings.filter((f) => f.range.start.line === line - 1 && f.rule === 'nccl-backend').map((f) => f.severity);
  assert.deepEqual(nccl(3), ['info'], seen(findings).join(', '));
  assert.deepEqual(nccl(5), ['info'], seen(findings).join(', '));
  assert.deepEqual(nccl(7), ['warning']);
  assert.deepEqual(nccl(9), ['warning'], 'a value computed by the program is not a constant setting');
});

/** xtuner 2c06115's dispatch/__init__.py shape: probes Triton optionally, names the kernel package only in LazyObject strings. */
const LAZY_DISPATCH = (probe: string[]) => lines(
  'import os',
  'from mmengine.config.lazy import LazyObject',
  'USE_TRITON_KERNEL = bool(os.getenv("USE_TRITON_KERNEL", default=0))',
  ...probe,
  'RMS_DISPATCH_MAPPING = dict(',
  '    LlamaRMSNorm=LazyObject("pkg.dispatch.triton_kernels", "rms_norm_forward"),',
  ')',
  'def dispatch_rmsnorm_forward(model):',
  '    if (not SUPPORT_TRITON) or (not USE_TRITON_KERNEL):',
  '        return',
  '    for module in model.modules():',
  '        module.forward = RMS_DISPATCH_MAPPING[type(module).__name__].build()',
);
const TRY_TRITON = ['SUPPORT_TRITON = False', 'try:', '    import triton', '    SUPPORT_TRITON = True', 'except ImportError:', '    pass'];
/** The kernel module: imports Triton at module level; its launching code allocates on "cuda". */
const KERNELS = lines(
  'import torch',
  'import triton',
  'import triton.language as tl',
  '@triton.jit',
  'def _rms_kernel(X, BLOCK: tl.constexpr):',
  '    pid = tl.program_id(0)',
  'def rms_norm_forward(self, x):',
  '    rstd = torch.empty((4,), device="cuda")',
  '    _rms_kernel[(triton.cdiv(x.numel(), 128),)](x, BLOCK=128)',
  '    return x',
);
const KERNEL_PACKAGE = {
  'pkg/__init__.py': '',
  'pkg/dispatch/triton_kernels/__init__.py': 'from .rms_norm import rms_norm_forward\n',
  'pkg/dispatch/triton_kernels/rms_norm.py': KERNELS,
};

test('a package loaded only by its dotted name (a LazyObject string) from a module that imports Triton optionally: the module\'s Triton findings are information, its other CUDA code keeps its severity', async () => {
  const tree = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/__init__.py': LAZY_DISPATCH(TRY_TRITON) });
  const kernels = 'pkg/dispatch/triton_kernels/rms_norm.py';
  // the imports (lines 2, 3) were errors (the kernel's decorator and helper fold into them in the file itself)
  assert.deepEqual(tree.seen(kernels).filter((s) => /^(2|3|4|8|9) /.test(s)), ['2 triton info', '3 triton info', '4 triton info', '8 cuda-device-string error', '9 triton info']);
  const related = at(tree.findings(kernels), 2, 'triton').related ?? [];
  assert.deepEqual(related.map((r) => [path.relative(tree.dir, r.file ?? '').split(path.sep).join('/'), r.range.start.line + 1]), [['pkg/dispatch/__init__.py', 11]]);
  assert.match(formatMessage(related[0]!.message), /loaded only by this name, from a module that imports triton optionally/);
  // the editor applies the scan's answer to the module analysed alone: the same rules only
  const fold = tree.folds.filter(([kind, file]) => kind === 'optionalModule' && file === kernels);
  assert.deepEqual(fold.map(([, , loader, line]) => [loader, line]), [['pkg/dispatch/__init__.py', 11]]);
  const alone = await findingsOf(KERNELS);
  assert.deepEqual(seen(alone).filter((s) => /^(2|3|8) /.test(s)), ['2 triton error', '3 triton error', '8 cuda-device-string error']);
  const live = applyCrossFileFolds(alone, [{ kind: 'optionalModule', related: related[0]!, rules: ['triton'] }], DEFAULT_OPTIONS);
  assert.deepEqual(seen(live).filter((s) => /^(2|3|8) /.test(s)), ['2 triton info', '3 triton info', '8 cuda-device-string error']);
  // importlib.util.find_spec("triton") is an optional probe too
  const spec = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/__init__.py': LAZY_DISPATCH(['import importlib.util', 'SUPPORT_TRITON = importlib.util.find_spec("triton") is not None']) });
  assert.deepEqual(spec.seen(kernels).filter((s) => /^(2|3) /.test(s)), ['2 triton info', '3 triton info']);
});

test('counter-tests: a package named by a string keeps its Triton errors when the naming module needs Triton itself, does not probe it, or when an import statement outside the package loads it', async () => {
  const kernels = 'pkg/dispatch/triton_kernels/rms_norm.py';
  const errors = (t: Awaited<ReturnType<typeof scanTree>>) => t.seen(kernels).filter((s) => /^(2|3) /.test(s));
  // the naming module imports triton unconditionally: it does not run without Triton either
  const needs = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/__init__.py': LAZY_DISPATCH(['import triton', 'SUPPORT_TRITON = True']) });
  assert.deepEqual(errors(needs), ['2 triton error', '3 triton error']);
  // no probe of Triton in the naming module: nothing says it runs where Triton is missing
  const unprobed = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/__init__.py': LAZY_DISPATCH(['SUPPORT_TRITON = True']) });
  assert.deepEqual(errors(unprobed), ['2 triton error', '3 triton error']);
  // another module imports the package with an import statement (at column 0): loaded wherever that module is
  const imported = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/__init__.py': LAZY_DISPATCH(TRY_TRITON), 'pkg/model.py': 'from pkg.dispatch.triton_kernels import rms_norm_forward\n' });
  assert.deepEqual(errors(imported), ['2 triton error', '3 triton error']);
  // a module of the package that does not import Triton itself loads anywhere: not folded
  const plain = await scanTree({ ...KERNEL_PACKAGE, 'pkg/dispatch/triton_kernels/rms_norm.py': lines('import torch', 'def f():', '    return torch.empty(4, device="cuda")'), 'pkg/dispatch/__init__.py': LAZY_DISPATCH(TRY_TRITON) });
  assert.deepEqual(plain.seen(kernels), ['3 cuda-device-string error']);
});

/**
 * A device selection without an NPU branch (a CUDA test choosing between the CUDA device and another path) is one
 * porting point, its test's: the port adds the NPU branch there. The test is a warning that names the CUDA device it
 * selects; the device is information pointing at the test, and keeps its fixes.
 */
const seriousLines = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'warning' || f.severity === 'error').map((f) => `${f.range.start.line + 1} ${f.rule}`);

test('torchtune: `if torch.cuda.is_available(): device = "cuda" else: device = "cpu"` is one warning at the guard', async () => {
  const src = lines(
    'import torch',
    'def _get_device_type_from_env() -> str:',
    '    if torch.cuda.is_available():',
    '        device = "cuda"',
    '    else:',
    '        device = "cpu"',
    '    return device',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seriousLines(findings), ['3 torch-cuda-api']);
  assert.equal(formatMessage(at(findings, 3, 'torch-cuda-api').message), 'torch.cuda.is_available() selects the device with no NPU branch: an NPU host takes the other path instead of "cuda" (line 4)');
  // the test points at the device it selects, the device (information) at the test of its selection
  assert.deepEqual([3, 4].map((line) => relatedLines(at(findings, line, line === 3 ? 'torch-cuda-api' : 'cuda-device-string'))), [[4], [3]]);
  assert.equal(at(findings, 4, 'cuda-device-string').severity, 'info');
  // the fixes stay where they were: the device's on its (information) finding, which Fix All applies too
  assert.equal(at(findings, 4, 'cuda-device-string').fixes[0]?.replacement, 'DEVICE.type');
});

test('lm-evaluation-harness: a conditional expression over several lines folds into its test', async () => {
  const src = lines(
    'import torch',
    'class HFLM:',
    '    def __init__(self):',
    '        self._device = (',
    '            torch.device("cuda")',
    '            if torch.cuda.is_available()',
    '            else torch.device("cpu")',
    '        )',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['5 cuda-device-string info', '6 torch-cuda-api warning']);
  assert.deepEqual(relatedLines(at(findings, 6, 'torch-cuda-api')), [5]);
  assert.deepEqual(relatedLines(at(findings, 5, 'cuda-device-string')), [6]);
});

test('mmcv: an imported availability flag (IS_CUDA_AVAILABLE) that selects the device gets the selection\'s finding', async () => {
  const src = lines(
    'from mmcv.utils import IS_CUDA_AVAILABLE, IS_MLU_AVAILABLE, IS_MPS_AVAILABLE',
    'def get_device() -> str:',
    '    if IS_CUDA_AVAILABLE:',
    "        return 'cuda'",
    '    elif IS_MLU_AVAILABLE:',
    "        return 'mlu'",
    '    elif IS_MPS_AVAILABLE:',
    "        return 'mps'",
    '    else:',
    "        return 'cpu'",
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['3 cuda-device-string warning', '4 cuda-device-string info']);
  const guard = at(findings, 3, 'cuda-device-string');
  assert.equal(formatMessage(guard.message), "IS_CUDA_AVAILABLE selects the device with no NPU branch: an NPU host takes the other path instead of 'cuda' (line 4)");
  assert.deepEqual([guard.range.start.column, guard.range.end.column], [7, 24], 'at the test');
  assert.deepEqual(relatedLines(guard), [4]);
  assert.deepEqual(relatedLines(at(findings, 4, 'cuda-device-string')), [3]);
});

test('counter-tests: a selection with an NPU branch, a device outside any selection, a one-line choice, a user severity', async () => {
  // the NPU branch is there: nothing to port at the test, the CUDA device is information (as before)
  const withNpu = await findingsOf(lines(
    'import torch',
    'def get_device():',
    '    if torch.npu.is_available():',
    '        return "npu"',
    '    elif torch.cuda.is_available():',
    '        return "cuda"',
    '    return "cpu"',
  ));
  assert.deepEqual(seriousLines(withNpu), []);
  // a CUDA device chosen with no test at all, and one used by a call under the test: the device is the finding
  const unguarded = await findingsOf(lines(
    'import torch',
    'device = torch.device("cuda")',
    'def load(model):',
    '    if torch.cuda.is_available():',
    '        model.to("cuda")',
    '    else:',
    '        model.to("cpu")',
    '    return model',
  ));
  assert.equal(at(unguarded, 2, 'cuda-device-string').severity, 'error');
  assert.equal(at(unguarded, 4, 'torch-cuda-api').severity, 'info');
  assert.equal(at(unguarded, 5, 'cuda-device-string').severity, 'info');
  // `"cuda" if torch.cuda.is_available() else "cpu"`: already one finding for the whole expression, at the device
  const oneLine = await findingsOf(lines(
    'import torch',
    'device = "cuda" if torch.cuda.is_available() else "cpu"',
    "dev = 'cuda' if use_cuda else 'cpu'",
  ));
  assert.deepEqual(seen(oneLine), ['2 cuda-device-string error', '3 cuda-device-string error']);
  // a severity the user set for the rule stays as set
  const set = await findingsOf(lines(
    'import torch',
    'if torch.cuda.is_available():',
    '    device = "cuda"',
    'else:',
    '    device = "cpu"',
  ), { rules: { 'cuda-device-string': 'error' } });
  assert.deepEqual(seen(set), ['2 torch-cuda-api info', '3 cuda-device-string error']);
});
