import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatMessage } from '../../../src/core/l10n';
import type { Finding } from '../../../src/core/python/types';
import { findingsOf } from './parser';

/**
 * Guard-aware severity (issue 14, part 4): a device selection without an NPU branch (a CUDA test choosing between the
 * CUDA device and another path) is one porting point, its test's: the port adds the NPU branch there. The test is a
 * warning that names the CUDA device it selects; the device is information pointing at the test, and keeps its fixes.
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
const serious = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'warning' || f.severity === 'error').map((f) => `${f.range.start.line + 1} ${f.rule}`);

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
  const guard = at(findings, 3, 'torch-cuda-api');
  const device = at(findings, 4, 'cuda-device-string');
  assert.equal(guard.severity, 'warning');
  assert.equal(formatMessage(guard.message), 'torch.cuda.is_available() selects the device with no NPU branch: an NPU host takes the other path instead of "cuda" (line 4)');
  assert.deepEqual(relatedLines(guard), [4]);
  assert.equal(device.severity, 'info');
  assert.deepEqual(relatedLines(device), [3], 'the device points at the test of its selection');
  assert.deepEqual(serious(findings), ['3 torch-cuda-api']);
  // the fixes stay where they were: the device's on its (information) finding, which Fix All applies too
  assert.equal(device.fixes[0]?.replacement, 'DEVICE.type');
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
  assert.deepEqual(serious(withNpu), []);
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
