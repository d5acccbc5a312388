import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { planFixes, writePlans } from '../../../src/core/workspace/fixPlan';
import { analyzeRequirements, fixRequirements } from '../../../src/core/dependencies/requirements';
import { DEFAULT_OPTIONS } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { loadParser } from './parser';

/** A diffusion project's pyproject.toml: PEP 621 arrays with comments, optional dependencies, Poetry tables, an index (also the bench's typical document). */
const PYPROJECT = readFileSync(path.join(REPO_ROOT, 'test/fixtures/python/pyproject/pyproject.toml'), 'utf8');

test('pyproject.toml: dependency arrays, optional dependencies, Poetry tables and indexes; other strings are not dependencies', () => {
  const findings = analyzeRequirements(PYPROJECT, 'pyproject.toml', DEFAULT_OPTIONS);
  assert.deepEqual(findings.map((f) => `${f.range.start.line + 1}:${f.range.start.column + 1} ${f.original} ${f.fixes.length}`), [
    '8:6 torch==2.1.2+cu118 1',
    '10:6 flash-attn>=2.5; platform_system == \'Linux\' 1',
    '11:6 xformers 1',
    '15:11 bitsandbytes>=0.41 1',
    '15:47 triton 1',
    '22:28 0.16.2+cu118 1',
    '23:1 nvidia-cudnn-cu12 1',
    '28:8 https://download.pytorch.org/whl/cu118 0',
  ]);
});

const EXPECTED = PYPROJECT
  .replace('"torch==2.1.2+cu118",', '"torch==2.1.2",')
  .replace(`    "flash-attn>=2.5; platform_system == 'Linux'",  # attention kernels`, `    # removed for NPU (CUDA only): "flash-attn>=2.5; platform_system == 'Linux'",  # attention kernels`)
  .replace(`    'xformers',`, `    # removed for NPU (CUDA only): 'xformers',`)
  .replace('quant = ["bitsandbytes>=0.41", "accelerate", "triton"]', 'quant = ["accelerate"]')
  .replace('"0.16.2+cu118"', '"0.16.2"')
  .replace('nvidia-cudnn-cu12 = "^8.9"', '# removed for NPU (CUDA only): nvidia-cudnn-cu12 = "^8.9"');

test('pyproject fix-all edits the text in place: comments and layout stay, CUDA-only entries become comments or go', () => {
  const result = fixRequirements(PYPROJECT, 'pyproject.toml', DEFAULT_OPTIONS);
  assert.equal(result.text, EXPECTED);
  assert.equal(result.fixed.length, 7);
  assert.deepEqual(result.createFiles, []);
  // what is left is the CUDA wheel index, which needs a decision (manual)
  assert.deepEqual(analyzeRequirements(result.text, 'pyproject.toml', DEFAULT_OPTIONS).map((f) => [f.original, f.fixes.length]), [['https://download.pytorch.org/whl/cu118', 0]]);
});

const PYTHON = '/usr/bin/python3';
const hasTomllib = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import tomllib'], { stdio: 'ignore' }).status === 0;

test('the fixed pyproject.toml is valid TOML with the expected dependency lists (Python tomllib)', { skip: !hasTomllib && 'needs /usr/bin/python3 >= 3.11' }, async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/python-pyproject');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pyproject.toml');
  writeFileSync(file, PYPROJECT);
  const plans = planFixes(await loadParser(), [{ file, text: PYPROJECT }], DEFAULT_OPTIONS);
  await writePlans(plans);
  assert.equal(readFileSync(file, 'utf8'), EXPECTED);
  const read = execFileSync(PYTHON, ['-c', [
    'import json, sys, tomllib',
    'd = tomllib.load(open(sys.argv[1], "rb"))',
    'print(json.dumps([d["project"]["dependencies"], d["project"]["optional-dependencies"], sorted(d["tool"]["poetry"]["dependencies"]), d["tool"]["poetry"]["dependencies"]["torchvision"]["version"], d["build-system"]["requires"]]))',
  ].join('\n'), file], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(read), [
    ['torch==2.1.2', 'diffusers>=0.25'],
    { quant: ['accelerate'] },
    ['numpy', 'python', 'torchvision'],
    '0.16.2',
    ['setuptools>=61', 'wheel'],
  ]);
});

test('pyproject: single-line arrays, CRLF line ends, ignore comments, dependency groups', () => {
  const text = '[project]\r\ndependencies = ["flash-attn"]\r\n[dependency-groups]\r\ngpu = ["xformers", "cupy-cuda12x"]  # npu-port: ignore\r\ndev = ["pytest", "triton"]\r\n';
  const result = fixRequirements(text, 'pyproject.toml', DEFAULT_OPTIONS);
  assert.equal(result.text, '[project]\r\ndependencies = []\r\n[dependency-groups]\r\ngpu = ["xformers", "cupy-cuda12x"]  # npu-port: ignore\r\ndev = ["pytest"]\r\n');
});
