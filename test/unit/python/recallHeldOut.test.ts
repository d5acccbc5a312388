import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * The kinds of CUDA-specific code that the held-out real ports (test/fixtures/ports, `heldOut` in case.json)
 * showed the scanner missing (issue 14, part 3), each with the look-alikes that must stay quiet.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
/** `line rule severity` (1-based line). */
const seen = (findings: readonly Finding[]) => findings.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);

test('an argparse default "cuda" beside choices, read as a device_map (xtuner merge.py)', async () => {
  const src = lines(
    'import argparse',
    'from transformers import AutoModelForCausalLM',
    'parser = argparse.ArgumentParser()',
    "parser.add_argument('--device', default='cuda', choices=('cuda', 'cpu', 'auto'))",
    "parser.add_argument('--other', default='cuda', choices=('cuda', 'cpu'))",
    'args = parser.parse_args()',
    "model = AutoModelForCausalLM.from_pretrained('x', device_map=args.device)",
    'print(args.other)',
  );
  const findings = await findingsOf(src);
  // line 5: the option is read, but never as a device: only its choices are reported
  assert.deepEqual(seen(findings), ['4 cuda-device-string error', '4 cuda-device-string warning', '5 cuda-device-string warning']);
  // the default changes with the choices (the command line): offered, never applied by fix-all
  const fix = findings[0]!.fixes[0]!;
  assert.equal(fix.changesInterface, true);
});

test('"nccl" as the default of a lookup whose key names a backend (OpenRLHF vllm_sync_backend)', async () => {
  const src = lines(
    'import os',
    'def setup(args, cfg):',
    '    backend = getattr(args, "vllm_sync_backend", "nccl")',
    '    dist = cfg.get("dist_backend", "nccl")',
    '    env = os.environ.get("DIST_BACKEND", default="nccl")',
    '    name = getattr(args, "library", "nccl")',
    '    label = cfg.get("name", "nccl")',
    '    return backend, dist, env, name, label',
  );
  const findings = await findingsOf(src);
  // lines 6 and 7: the keys name no backend
  assert.deepEqual(seen(findings), ['3 nccl-backend error', '4 nccl-backend error', '5 nccl-backend error']);
  assert.equal(findings[0]!.fixes[0]!.coreEdits[0]!.newText, 'dm.dist_backend');
});
