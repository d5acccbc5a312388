import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/python/types';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../../src/core/python/types';
import { fixSource } from '../../../src/core/python/index';
import { findingsOf, loadParser } from './parser';

/**
 * The kinds of CUDA-specific code that held-out set 3 (test/fixtures/ports, `"heldOutSet": 3` in case.json) showed
 * the scanner missing, each with the look-alikes that must stay quiet. Written after set 3 was measured blind, so set 3
 * is no longer blind for these kinds (docs/accuracy.md, "Held-out set 3").
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);
const fixAllOf = async (src: string, style: AnalysisOptions['style']) => fixSource(await loadParser(), src, { ...DEFAULT_OPTIONS, style }).text;

test("a CUDA device built by str.format or % formatting ('cuda:{}'.format(i), 'cuda:%d' % i) is a device (wenet)", async () => {
  const src = lines(
    'import torch',
    'def pick(device):',
    '    if device >= 0:',
    "        device = 'cuda:{}'.format(device)",
    '    else:',
    "        device = 'cpu'",
    '    return torch.device(device)',
    'def other(rank):',
    "    x = torch.zeros(2).to('cuda:%d' % rank)",
    "    y = torch.zeros(2).to('cuda:%d' % (rank,))",
    '    return x, y',
  );
  const found = await findingsOf(src);
  assert.deepEqual(seen(found), ['4 cuda-device-string error', '9 cuda-device-string error', '10 cuda-device-string error']);
  assert.match(found[0]!.message.args?.[0] as string ?? '', /^cuda:\{device\}$/);
});

test('look-alikes of a formatted device stay quiet: other templates, keyword formats, a log line', async () => {
  const src = lines(
    'import logging',
    'def f(device, i):',
    "    name = 'cuda:{} of {}'.format(device, i)",
    "    label = 'cuda:{rank}'.format(rank=i)",
    "    logging.info('cuda:{}'.format(i))",
    "    return name, label, 'gpu:{}'.format(i)",
  );
  assert.deepEqual(seen(await findingsOf(src)), []);
});

test("deviceManager Fix All turns a formatted CUDA device into the helper's device, stored as a string", async () => {
  const src = lines(
    'import torch',
    'def pick(device):',
    '    if device >= 0:',
    "        device = 'cuda:{}'.format(device)",
    '    return torch.device(device)',
  );
  const fixed = await fixAllOf(src, 'deviceManager');
  assert.match(fixed, /device = str\(dm\.device_for\(device\)\)/);
  assert.doesNotMatch(fixed, /'cuda:\{\}'/);
});

test('argparse choices of backends with "nccl" and no "hccl" are reported; the fix adds "hccl" and is never applied by Fix All (wenet)', async () => {
  const src = lines(
    'import argparse',
    'p = argparse.ArgumentParser()',
    "p.add_argument('--ddp.dist_backend', dest='dist_backend', default='nccl', choices=['nccl', 'gloo'], help='distributed backend')",
    "p.add_argument('--other_backend', choices=['nccl', 'gloo', 'hccl'])",
    "p.add_argument('--mode', choices=['nccl_tests', 'gloo'])",
    "p.add_argument('--kind', choices=['nccl', 'fast'])",
  );
  const found = await findingsOf(src);
  // line 3: the default (a backend) and the choices; line 4 already lists hccl; 5: not a backend name; 6: one backend
  // name in a list of something else, and the call does not mention a backend
  assert.deepEqual(seen(found), ['3 nccl-backend error', '3 nccl-backend warning']);
  const choice = found.find((f) => f.severity === 'warning')!;
  assert.equal(choice.fixes.length, 1);
  assert.equal(choice.fixes[0]!.explicitOnly, true);
  assert.equal(choice.fixes[0]!.replacement, "'nccl', 'hccl'");
  for (const style of ['deviceManager', 'torchNpu'] as const) {
    assert.match(await fixAllOf(src, style), /choices=\['nccl', 'gloo'\]/, `${style}: Fix All leaves the choices (the program's interface) as they are`);
  }
});

test('a variable named device that holds an int(...) is an integer device (wenet LOCAL_RANK); other names and non-int values stay quiet', async () => {
  const src = lines(
    'import os',
    'def batch_forward(model, batch):',
    "    device = int(os.environ.get('LOCAL_RANK', 0))",
    '    return model(batch, device)',
    'class Runner:',
    '    def __init__(self, args):',
    '        self.device = int(args.gpu)',
    "        self.devices = int(os.environ.get('WORLD_SIZE', 1))",
    "        device_count = int(os.environ.get('WORLD_SIZE', 1))",
    "        self.name = int(args.gpu)",
    '        device = args.device',
  );
  const found = await findingsOf(src);
  assert.deepEqual(seen(found), ['3 cuda-device-index warning', '7 cuda-device-index warning']);
  assert.ok(found.every((f) => f.fixes.length === 0), 'no fix: the value may be used as a number elsewhere');
});
