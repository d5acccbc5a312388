import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, fixSource } from '../../../src/core/python/index';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { brief, findingsOf, loadParser } from './parser';

const TRAIN = [
  'import os',
  'import torch',
  'import torch.distributed as dist',
  'from torch.nn.parallel import DistributedDataParallel as DDP',
  '',
  'def main():',
  '    local_rank = int(os.environ["LOCAL_RANK"])',
  '    dist.init_process_group(backend="hccl")',
  '    model = torch.nn.Linear(4, 4).to(f"npu:{local_rank}")',
  '    model = DDP(model, device_ids=[local_rank], output_device=local_rank)',
  '',
].join('\n');

test('DDP with device ids in a file that selects no device: reported at device_ids', async () => {
  const found = (await findingsOf(TRAIN)).filter((f) => f.rule === 'ddp-device-ids');
  assert.deepEqual(brief(found), ['10:24 ddp-device-ids']);
  assert.equal(found[0]!.severity, 'warning');
});

test('DDP device ids are fine once the process selects its device (any spelling), and for other DDP classes', async () => {
  for (const select of ['torch.npu.set_device(local_rank)', 'dm.set_device(local_rank)', 'torch.cuda.set_device(local_rank)']) {
    const text = TRAIN.replace('    dist.init_process_group', `    ${select}\n    dist.init_process_group`);
    assert.deepEqual((await findingsOf(text)).filter((f) => f.rule === 'ddp-device-ids'), [], select);
  }
  // torch.cuda.set_device itself is CUDA: its own finding, with the device-manager call as the fix
  const cuda = (await findingsOf(TRAIN.replace('    dist.init_process_group', '    torch.cuda.set_device(local_rank)\n    dist.init_process_group'))).find((f) => f.rule === 'torch-cuda-api')!;
  assert.equal(cuda.fixes[0]!.replacement, 'dm.set_device(local_rank)');
  const other = 'import torch\nfrom mylib import MyDistributedDataParallelWrapper\nm = MyDistributedDataParallelWrapper(m, device_ids=[0])\n';
  assert.deepEqual((await findingsOf(other)).filter((f) => f.rule === 'ddp-device-ids'), []);
  const noIds = 'import torch\nm = torch.nn.parallel.DistributedDataParallel(m)\n';
  assert.deepEqual((await findingsOf(noIds)).filter((f) => f.rule === 'ddp-device-ids'), []);
});

test('the fix selects the device before init_process_group in the same function, in each style', async () => {
  const parser = await loadParser();
  const fix = (style: AnalysisOptions['style'], text = TRAIN) => fixSource(parser, text, { ...DEFAULT_OPTIONS, style }).text;
  assert.match(fix('deviceManager'), /\n {4}local_rank = int\(os.environ\["LOCAL_RANK"\]\)\n {4}dm\.set_device\(local_rank\)\n {4}dist\.init_process_group/);
  assert.match(fix('deviceManager'), /^from device_utils import dm$/m);
  const npu = fix('torchNpu');
  assert.match(npu, /\n {4}torch\.npu\.set_device\(local_rank\)\n {4}dist\.init_process_group/);
  assert.match(npu, /^import torch\ntry:  # torch_npu is only installed on Ascend hosts\n    import torch_npu  # noqa: F401\nexcept ImportError:$/m);
  // no init_process_group in that function: before the DDP statement, with its indentation
  const inner = 'import torch\n\ndef wrap(model, rank):\n    if True:\n        return torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank])\n';
  assert.equal(fix('deviceManager', inner), 'import torch\nfrom device_utils import dm\n\ndef wrap(model, rank):\n    if True:\n        dm.set_device(rank)\n        return torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank])\n');
});

const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'pass'], { stdio: 'ignore' }).status === 0;

test('after fix-all nothing about DDP is left and the script compiles', { skip: !hasPython && 'needs /usr/bin/python3' }, async () => {
  const parser = await loadParser();
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/python-ddp');
  mkdirSync(dir, { recursive: true });
  for (const style of ['deviceManager', 'torchNpu', 'transferToNpu'] as const) {
    const options = { ...DEFAULT_OPTIONS, style };
    const out = fixSource(parser, TRAIN + 'if __name__ == "__main__":\n    main()\n', options).text;
    assert.deepEqual(analyzeSource(parser, out, options).filter((f) => f.fixes.length).map((f) => f.rule), [], style);
    writeFileSync(path.join(dir, `train_${style}.py`), out);
    execFileSync(PYTHON, ['-m', 'py_compile', path.join(dir, `train_${style}.py`)]);
  }
});

// nanoGPT's and llama2.c's train.py (test/fixtures/runnable/): module-level DDP set-up, init_process_group imported by
// name, the device selected with torch.cuda.set_device(device). The torchNpu fix-all inserted
// `torch.npu.set_device(ddp_local_rank)` above `from torch.distributed import init_process_group` (an import line taken
// for the call), in its second round, where the first had rewritten the set_device call into
// `(torch.npu.set_device if hasattr(torch, "npu") else torch.cuda.set_device)(device)`: every run then failed
// (AttributeError on a host without torch_npu, NameError anywhere: ddp_local_rank is not defined yet).
const MODULE_DDP = [
  'import os',
  'import torch',
  'from torch.nn.parallel import DistributedDataParallel as DDP',
  'from torch.distributed import init_process_group, destroy_process_group',
  '',
  "ddp = int(os.environ.get('RANK', -1)) != -1",
  'if ddp:',
  "    ddp_local_rank = int(os.environ['LOCAL_RANK'])",
  "    init_process_group(backend='nccl')",
  "    device = f'cuda:{ddp_local_rank}'",
  '    torch.cuda.set_device(device)',
  'model = torch.nn.Linear(2, 2)',
  'if ddp:',
  '    model = DDP(model, device_ids=[ddp_local_rank])',
  "print('ok')",
  '',
].join('\n');

test('module-level DDP set-up that selects its device: fix-all inserts no set_device, in any style', async () => {
  const parser = await loadParser();
  for (const style of ['deviceManager', 'torchNpu', 'transferToNpu'] as const) {
    const out = fixSource(parser, MODULE_DDP, { ...DEFAULT_OPTIONS, style }).text;
    const lines = out.split('\n');
    assert.equal(lines.filter((l) => /set_device/.test(l)).length, 1, `${style}: one set_device, the program's own:\n${out}`);
    assert.ok(lines.findIndex((l) => /set_device/.test(l)) > lines.findIndex((l) => /^if ddp:/.test(l)), `${style}: nothing inserted at the top:\n${out}`);
  }
});

test('the inserted set_device goes before the init_process_group call, not before the line that imports it', async () => {
  const parser = await loadParser();
  const text = MODULE_DDP.replace("    device = f'cuda:{ddp_local_rank}'\n    torch.cuda.set_device(device)\n", '');
  const out = fixSource(parser, text, { ...DEFAULT_OPTIONS, style: 'torchNpu' }).text;
  assert.match(out, /\n {4}ddp_local_rank = int\(os\.environ\['LOCAL_RANK'\]\)\n {4}torch\.npu\.set_device\(ddp_local_rank\)\n {4}init_process_group\(backend=/, out);
  assert.match(out, /^from torch\.nn\.parallel import DistributedDataParallel as DDP\nfrom torch\.distributed import init_process_group, destroy_process_group$/m, out);
});
