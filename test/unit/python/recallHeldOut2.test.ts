import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/python/types';
import { formatMessage } from '../../../src/core/l10n';
import { findingsOf } from './parser';

/**
 * The kinds of CUDA-specific code that held-out set 2 (test/fixtures/ports, `"heldOutSet": 2` in case.json) showed
 * the scanner missing, each with the look-alikes that must stay quiet. Written after set 2 was measured blind, so set 2
 * is no longer blind for these kinds (docs/accuracy.md, "Held-out set 2").
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);

test('a "cuda" device assigned to a variable passed as a *_device keyword (torchtitan buffer_device)', async () => {
  const src = lines(
    'def build(model, cfg):',
    '    if cfg.offload:',
    '        init_device = "cpu"',
    '        buffer_device = "cuda"',
    '    else:',
    '        buffer_device = None',
    '    model.to_empty(device=init_device)',
    '    model.init_weights(buffer_device=buffer_device)',
    '    model.init_weights(offload_device="cuda")',
  );
  assert.deepEqual(seen(await findingsOf(src)), ['4 cuda-device-string error', '9 cuda-device-string error']);
});

test('look-alikes of a *_device keyword stay quiet: "cuda" as a backend name, a non-device keyword, a device name nobody passes', async () => {
  const src = lines(
    'def build(model, cfg):',
    '    backend_name = "cuda"',
    '    model.configure(kind=backend_name)',
    '    model.log(device_name="cuda")',
    '    model.init_weights(buffer_device=None)',
    '    label = "cuda"',
    '    print(label)',
  );
  assert.deepEqual(seen(await findingsOf(src)), []);
});

test('a "cuda" passed to the constructor of a class of this file whose __init__ uses it as a device (torchtitan GPUMemoryMonitor)', async () => {
  const src = lines(
    'import torch',
    'class GPUMemoryMonitor:',
    '    def __init__(self, device: str = "cpu"):',
    '        self.device = torch.device(device)',
    'class Labelled:',
    '    def __init__(self, name: str = "cpu"):',
    '        self.name = name',
    'def build():',
    '    monitor = GPUMemoryMonitor("cuda")',
    '    other = Labelled("cuda")',
    '    third = Unknown("cuda")',
    '    return monitor, other, third',
  );
  // line 10: Labelled only stores the name; line 11: a class not defined here
  assert.deepEqual(seen(await findingsOf(src)), ['9 cuda-device-string error']);
});

test('mmcv 1.x MMDataParallel / MMDistributedDataParallel (mmocr, mmrotate train and test scripts)', async () => {
  const src = lines(
    'import torch',
    'from mmcv.parallel import MMDataParallel, MMDistributedDataParallel',
    'import mmcv.parallel as par',
    'def wrap(model, cfg, distributed):',
    '    if distributed:',
    '        model = MMDistributedDataParallel(',
    '            model,',
    '            broadcast_buffers=False)',
    '    else:',
    '        model = MMDataParallel(model, device_ids=cfg.gpu_ids)',
    '    return par.MMDataParallel(model, device_ids=[0])',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(seen(findings), ['6 cuda-device-index warning', '10 cuda-device-index warning', '11 cuda-device-index warning']);
  assert.match(formatMessage(findings[0]!.message), /mmcv\.device\.npu\.NPUDistributedDataParallel/);
  assert.match(formatMessage(findings[1]!.message), /mmcv\.device\.npu\.NPUDataParallel/);
});

test('look-alikes of mmcv\'s wrappers stay quiet: mmengine\'s device-neutral wrapper, mmcv\'s NPU wrappers, a class of the same name from elsewhere', async () => {
  const src = lines(
    'from mmengine.model import MMDistributedDataParallel',
    'from mmcv.device.npu import NPUDataParallel, NPUDistributedDataParallel',
    'from mylib.parallel import MMDataParallel',
    'def wrap(model, ids):',
    '    a = MMDistributedDataParallel(module=model)',
    '    b = NPUDataParallel(model, device_ids=ids)',
    '    c = NPUDistributedDataParallel(model, device_ids=ids)',
    '    d = MMDataParallel(model)',
    '    return a, b, c, d',
  );
  assert.deepEqual(seen(await findingsOf(src)), []);
});
