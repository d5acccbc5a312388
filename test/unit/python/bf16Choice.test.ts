import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { exportTargetOf } from '../../../src/core/python/rules/onnxExportTarget';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * bfloat16 on a target without it (310P): a dtype fixed in the code is a warning, a dtype the code already
 * chooses (by the user's option, by a bf16 support check, on a CPU-only branch) is not. The shapes are those of
 * the real-port corpus (docs/accuracy.md), where these were judged false alarms: timm's --amp-dtype, ColossalAI's
 * precision argument, diffusers' mixed_precision, LLaMA-Factory's _is_bf16_available, ms-swift's
 * is_torch_bf16_gpu_available() and offloaded bf16 weights, mmengine's CPU autocast.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
const seen = (findings: readonly Finding[]) => findings.filter((f) => f.rule === 'fixed-dtype').map((f) => `${f.range.start.line + 1} ${f.severity}`);
const on310p = { onnxTarget: exportTargetOf(builtinProfiles().find((p) => p.id === 'ascend310p')!) };

test('bf16 chosen by an option, a bf16 check or a CPU-only branch is not a 310P warning', async () => {
  const src = lines(
    'import torch',
    'def pick(args, precision, state, weight, weight_info, model_dtype, device_type, dtype):',
    '    if precision == "fp16":',
    '        md = torch.float16',
    '    elif precision == "bf16":',
    '        md = torch.bfloat16',
    '    if args.amp_dtype == \'bfloat16\':',
    '        amp = torch.bfloat16',
    '    amp2 = torch.bfloat16 if args.amp_dtype == "bfloat16" else torch.float16',
    '    if args.bf16:',
    '        if not torch.cuda.is_bf16_supported():',
    '            raise ValueError("no bf16")',
    '        cd = torch.bfloat16',
    '    if _is_bf16_available and model_dtype == torch.bfloat16:',
    '        return torch.bfloat16',
    '    if is_torch_bf16_gpu_available():',
    '        return torch.bfloat16',
    '    if state.mixed_precision == "bf16" and state.distributed_type in [1, 2]:',
    '        return torch.autocast(device_type="npu", dtype=torch.bfloat16)',
    '    if weight_info["dtype"] == "bfloat16":',
    '        weight = weight.view(torch.bfloat16)',
    '    half = torch.float16 if not args.bf16 else torch.bfloat16',
    '    if device_type == "cpu":',
    '        if dtype is None:',
    '            dtype = torch.bfloat16',
    '    return weight',
  );
  assert.deepEqual(seen(await findingsOf(src, on310p)), []);
});

test('bf16 fixed in the code stays a 310P warning, also beside a branch or under a test that does not select it', async () => {
  const src = lines(
    'import torch',
    'def fixed(args, x, model, is_actor):',
    '    param_dtype = torch.bfloat16',
    '    model.to(torch.bfloat16)',
    '    if x.dtype != torch.bfloat16:',
    '        x = x.to(torch.bfloat16)',
    '    if not args.bf16:',
    '        y = torch.bfloat16',
    '    if args.bf16 or args.fp16:',
    '        z = torch.bfloat16',
    '    d = torch.float32 if is_actor else torch.bfloat16',
    '    if is_actor:',
    '        e = torch.bfloat16',
    '    def inner(dtype=torch.bfloat16):',
    '        return dtype',
    '    if device_type != "cpu":',
    '        f = torch.bfloat16',
    '    return x.bfloat16()',
  );
  assert.deepEqual(seen(await findingsOf(src, on310p)), [
    '3 warning', '4 warning', '6 warning', '8 warning', '10 warning', '11 warning', '13 warning', '14 warning', '17 warning', '18 warning',
  ]);
});

test('torch_dtype=torch.bfloat16 under a bf16 selector is not a 310P warning; fixed, it is', async () => {
  const src = lines(
    'import torch',
    'from transformers import AutoModel',
    'if args.bf16:',
    '    m = AutoModel.from_pretrained("x", torch_dtype=torch.bfloat16)',
    'n = AutoModel.from_pretrained("x", torch_dtype=torch.bfloat16)',
  );
  assert.deepEqual(seen(await findingsOf(src, on310p)), ['5 warning']);
});

test('the default target nobody chose: bf16 is information naming the chips without it; the chosen 310P keeps its warning', async () => {
  // a training repository meant for Atlas A2 (DiffSynth-Studio, OpenRLHF in the held-out set) scanned without --target
  const src = lines(
    'import torch',
    'from transformers import AutoModel',
    'param_dtype = torch.bfloat16',
    'n = AutoModel.from_pretrained("x", torch_dtype=torch.bfloat16)',
    'h = AutoModel.from_pretrained("x", torch_dtype=torch.float16)',
    'if args.bf16:',
    '    cd = torch.bfloat16',
  );
  const unchosen = await findingsOf(src, { ...on310p, defaultTarget: true });
  assert.deepEqual(seen(unchosen), ['3 info', '4 info']);
  for (const f of unchosen.filter((x) => x.rule === 'fixed-dtype')) {
    assert.equal(f.message.args[1], 'Ascend 310 (Atlas 200/300/500 inference), Ascend 310P (Atlas inference series), Ascend 910 (Atlas training series)');
    assert.match(f.message.key, /no target chosen/);
  }
  assert.deepEqual(seen(await findingsOf(src, on310p)), ['3 warning', '4 warning']);
});

test('the chosen Atlas A2 target reports no bf16; the default target is not taken for it', async () => {
  const src = lines('import torch', 'param_dtype = torch.bfloat16');
  const on910b = { onnxTarget: exportTargetOf(builtinProfiles().find((p) => p.id === 'ascend910b')!) };
  assert.deepEqual(seen(await findingsOf(src, on910b)), []);
  assert.deepEqual(seen(await findingsOf(src, { ...on910b, defaultTarget: true })), []);
});
