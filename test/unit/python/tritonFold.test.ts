import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { builtinProfiles } from '../../../src/core/onnx/targets';
import { formatMessage } from '../../../src/core/l10n';
import { exportTargetOf } from '../../../src/core/python/rules/onnxExportTarget';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { PythonDocument } from '../../../src/core/python/document';
import { findingsOf, loadParser } from './parser';

/**
 * Issue 14 part 4, Triton: in a module that imports Triton unconditionally, the porting decision is that import
 * (analyze.ts, foldIntoTritonImport). Its kernels and host-side triton.* helpers are information naming it.
 */

const lines = (...l: string[]) => l.join('\n') + '\n';
const target = (id: string) => exportTargetOf(builtinProfiles().find((p) => p.id === id)!);
/** `line severity` of the triton findings (1-based lines). */
const triton = (findings: readonly Finding[]) => findings.filter((f) => f.rule === 'triton').map((f) => `${f.range.start.line + 1} ${f.severity}`);

/** torchtitan's norms.py (85f6853's parent): a module-level import, two autotuned kernels, host-side next_power_of_2. */
const NORMS = lines(
  'import torch',
  'import triton',
  'import triton.language as tl',
  '',
  'def build_norm(norm_type, dim):',
  '    if norm_type == "rmsnorm":',
  '        return RMSNorm(dim)',
  '    elif norm_type == "fused_rmsnorm":',
  '        return FusedRMSNorm(dim)',
  '',
  '@triton.autotune(',
  '    configs=[triton.Config({}, num_warps=1), triton.Config({}, num_warps=2)],',
  '    key=["N"],',
  ')',
  '@triton.jit',
  'def _fwd_kernel(X, Y, N, block_N: tl.constexpr):',
  '    row = tl.program_id(0)',
  '',
  'class TritonFusedRMSNorm(torch.autograd.Function):',
  '    @staticmethod',
  '    def forward(ctx, x):',
  '        block_N = triton.next_power_of_2(x.shape[-1])',
  '        _fwd_kernel[(x.shape[0],)](x, x, x.shape[-1], block_N)',
);

test('in a module that imports Triton unconditionally, its kernels and host-side triton.* calls are information naming that import; the imports keep the target\'s severity', async () => {
  const findings = await findingsOf(NORMS);
  assert.deepEqual(triton(findings).filter((s) => /^(2|3|11|22) /.test(s)), ['2 error', '3 error', '11 info', '22 info'], triton(findings).join());
  for (const line of [11, 22]) {
    const f = findings.find((x) => x.rule === 'triton' && x.range.start.line === line - 1)!;
    assert.match(formatMessage(f.message), /runs only where this module's unconditional Triton import \(line 2\) succeeds: reported at that import$/);
    assert.deepEqual(f.related?.map((r) => [r.range.start.line + 1, formatMessage(r.message)]), [[2, 'This module imports Triton here, unconditionally: its Triton code is ported with this import']]);
    assert.equal(f.related?.[0]?.file, undefined, 'the related place is in the same file');
  }
  // the import keeps following the target: a warning where triton-ascend runs (Atlas A2), an error on the 310P
  const on910b = await findingsOf(NORMS, { onnxTarget: target('ascend910b') });
  assert.deepEqual(triton(on910b).filter((s) => /^(2|3|11|22) /.test(s)), ['2 warning', '3 warning', '11 info', '22 info']);
  const on310p = await findingsOf(NORMS, { onnxTarget: target('ascend310p') });
  assert.deepEqual(triton(on310p).filter((s) => /^(2|3|11|22) /.test(s)), ['2 error', '3 error', '11 info', '22 info']);
  // an edit inside the kernel (a partial re-analysis that does not re-read the import) gives the same answer
  const parser = await loadParser();
  const doc = new PythonDocument(parser, NORMS, DEFAULT_OPTIONS);
  try {
    const line = 16; // 0-based: '    row = tl.program_id(0)'
    const updated = doc.update([{ range: { start: { line, column: 4 }, end: { line, column: 7 } }, text: 'pid' }]);
    assert.deepEqual(triton(updated), triton(findings));
  } finally {
    doc.dispose();
  }
});

test('an import in a module-level try whose handler only raises again (whisper\'s triton_ops.py) is unconditional too', async () => {
  const src = lines(
    'import torch',
    'try:',
    '    import triton',
    '    import triton.language as tl',
    'except ImportError:',
    '    raise RuntimeError("triton import failed; try `pip install --pre triton`")',
    '@triton.jit',
    'def median_kernel(x_ptr, BLOCK: tl.constexpr):',
    '    pid = tl.program_id(0)',
    'def median_filter_cuda(x):',
    '    median_kernel[(triton.cdiv(x.numel(), 128),)](x, BLOCK=128)',
  );
  const findings = await findingsOf(src);
  assert.deepEqual(triton(findings).filter((s) => /^(3|4|7|11) /.test(s)), ['3 error', '4 error', '7 info', '11 info']);
  assert.match(formatMessage(findings.find((f) => f.rule === 'triton' && f.range.start.line === 6)!.message), /import \(line 3\) succeeds/);
  // a handler that falls back (or a second handler that does) makes the import optional: the kernel keeps its error
  const fallback = await findingsOf(src.replace('except ImportError:\n    raise RuntimeError("triton import failed; try `pip install --pre triton`")', 'except ImportError:\n    raise\nexcept Exception:\n    triton = None'));
  assert.deepEqual(triton(fallback).filter((s) => /^(9|13) /.test(s)), ['9 error', '13 error']);
});

test('counter-tests: a guarded, optional or function-local Triton import, an ignored import line and a severity the user set leave the kernels and helpers as they were', async () => {
  const body = [
    '@triton.jit',
    'def kernel(X, BLOCK: tl.constexpr):',
    '    pid = tl.program_id(0)',
    '',
    'def launch(x):',
    '    kernel[(triton.cdiv(x.numel(), 128),)](x, BLOCK=128)',
  ];
  // try/except ImportError with a fallback: the import is information, the kernel and the helper keep their errors
  const optional = await findingsOf(lines('try:', '    import triton', '    import triton.language as tl', '    HAS_TRITON = True', 'except ImportError:', '    HAS_TRITON = False', ...body));
  assert.deepEqual(triton(optional).filter((s) => /^(2|3|7|12) /.test(s)), ['2 info', '3 info', '7 error', '12 error']);
  // an import under an if (no fallback): conditional, not the module's unconditional dependency
  const underIf = await findingsOf(lines('import os', 'if os.environ.get("USE_TRITON"):', '    import triton', '    import triton.language as tl', ...body));
  assert.deepEqual(triton(underIf).filter((s) => /^(5|10) /.test(s)), ['5 error', '10 error']);
  // imported inside a function only: the module-level kernel does not depend on that import
  const local = await findingsOf(lines('def setup():', '    import triton', ...body));
  assert.deepEqual(triton(local).filter((s) => /^(3|8) /.test(s)), ['3 error', '8 error']);
  // the import line's finding ignored: nothing to fold into
  const ignored = await findingsOf(lines('import triton  # npu-port: ignore', 'import triton.language as tl  # npu-port: ignore[triton]', ...body));
  assert.deepEqual(triton(ignored).filter((s) => /^(3|8) /.test(s)), ['3 error', '8 error']);
  // another rule's ignore comment does not remove the Triton finding: the fold stays
  const otherIgnored = await findingsOf(lines('import triton  # npu-port: ignore[apex]', 'import triton.language as tl', ...body));
  assert.deepEqual(triton(otherIgnored).filter((s) => /^(1|3|8) /.test(s)), ['1 error', '3 info', '8 info']);
  // a severity the user set stays as set
  const userSet = await findingsOf(lines('import triton', 'import triton.language as tl', ...body), { rules: { triton: 'warning' } });
  assert.deepEqual(triton(userSet).filter((s) => /^(1|3|8) /.test(s)), ['1 warning', '3 warning', '8 warning']);
});
