import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatMessage } from '../../../src/core/l10n';
import { mayHaveFindings } from '../../../src/core/python/analyze';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * ColossalAI's `enable_fused_normalization=True` swaps LayerNorm / RMSNorm for NVIDIA Apex's fused kernels
 * (colossalai/shardformer/layer/normalization.py). The real-port corpus has it as the only miss left
 * (ColossalAI__3acbf6d, examples/language/llama2/benchmark.py: the engineers made it torch.cuda.is_available()).
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
const apex = (findings: readonly Finding[]) => findings.filter((f) => f.rule === 'apex').map((f) => `${f.range.start.line + 1} ${f.severity}`);

test('enable_fused_normalization=True in a ColossalAI plugin or ShardConfig is an apex finding', async () => {
  const src = lines(
    'import torch',
    'from colossalai.booster.plugin import GeminiPlugin, HybridParallelPlugin',
    'from colossalai.shardformer import ShardConfig',
    'import colossalai.booster.plugin as plugins',
    'a = HybridParallelPlugin(',
    '    tp_size=2,',
    '    enable_fused_normalization=True,',
    ')',
    'b = ShardConfig(enable_fused_normalization=True)',
    'c = plugins.GeminiPlugin(enable_fused_normalization=True)',
    '# what the engineers ported it to, a switch of the user, off, and another library with the same keyword',
    'd = HybridParallelPlugin(enable_fused_normalization=torch.cuda.is_available())',
    'e = HybridParallelPlugin(enable_fused_normalization=args.fused_norm)',
    'f = HybridParallelPlugin(enable_fused_normalization=False)',
    'g = OtherPlugin(enable_fused_normalization=True)',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(apex(findings), ['7 warning', '9 warning', '10 warning']);
  assert.match(formatMessage(findings.find((f) => f.rule === 'apex')!.message), /NVIDIA Apex FusedLayerNorm .* torch_npu/);
});

test('a file whose only finding is enable_fused_normalization=True passes the pre-filter', () => {
  const only = 'from colossalai.booster.plugin import HybridParallelPlugin\np = HybridParallelPlugin(enable_fused_normalization=True)\n';
  assert.equal(mayHaveFindings(only, DEFAULT_OPTIONS), true);
});
