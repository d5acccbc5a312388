// pyproject.toml shapes seen in real projects (PEP 621 with dotted or quoted keys, inline tables, Poetry
// constraint arrays and sub-tables, multi-line strings, CRLF) × what the fix-all writes: the expected texts
// are written by hand, whole, so every byte outside the edited entries is checked; Python's tomllib then
// reads each result as the independent judge of "still valid TOML, with these dependencies".
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeRequirements, fixRequirements } from '../../../src/core/dependencies/requirements';
import { planFixes, writePlans } from '../../../src/core/workspace/fixPlan';
import { DEFAULT_OPTIONS } from '../../../src/core/python/types';
import { formatMessage } from '../../../src/core/l10n';
import { loadParser } from './parser';

interface Shape {
  readonly name: string;
  readonly input: string;
  /** `original` of each finding, in order. */
  readonly findings: readonly string[];
  readonly output: string;
  /** Dotted paths into the data tomllib reads from `output` (keys containing dots are not used) → expected value. */
  readonly data: Readonly<Record<string, unknown>>;
}

const R = 'removed for NPU (CUDA only):';

const SHAPES: readonly Shape[] = [
  {
    name: 'dotted keys at the top level',
    input: 'project.name = "demo"\nproject.dependencies = ["torch==2.1.0+cu118", "xformers>=0.0.22", "numpy"]\nbuild-system.requires = ["setuptools", "torch==2.1.0+cu118"]\n',
    findings: ['torch==2.1.0+cu118', 'xformers>=0.0.22', 'torch==2.1.0+cu118'],
    output: 'project.name = "demo"\nproject.dependencies = ["torch==2.1.0", "numpy"]\nbuild-system.requires = ["setuptools", "torch==2.1.0"]\n',
    data: { 'project.dependencies': ['torch==2.1.0', 'numpy'], 'build-system.requires': ['setuptools', 'torch==2.1.0'] },
  },
  {
    name: 'optional dependencies as an inline table of [project]',
    input: '[project]\nname = "demo"\noptional-dependencies = { gpu = ["xformers", "accelerate"], quant = [\'bitsandbytes>=0.41\'] }\n',
    findings: ['xformers', 'bitsandbytes>=0.41'],
    output: '[project]\nname = "demo"\noptional-dependencies = { gpu = ["accelerate"], quant = [] }\n',
    data: { 'project.optional-dependencies': { gpu: ['accelerate'], quant: [] } },
  },
  {
    name: 'quoted table and dotted quoted key, literal strings, comments, a trailing comma',
    input: [
      '["project"]',
      'name = \'demo\'',
      '"optional-dependencies".gpu = [',
      '    \'xformers==0.0.22\',  # memory-efficient attention',
      '    \'accelerate\',',
      '    # \'triton\', kept as a comment',
      '    \'nvidia-cudnn-cu12\',',
      ']',
      '',
    ].join('\n'),
    findings: ['xformers==0.0.22', 'nvidia-cudnn-cu12'],
    output: [
      '["project"]',
      'name = \'demo\'',
      '"optional-dependencies".gpu = [',
      `    # ${R} 'xformers==0.0.22',  # memory-efficient attention`,
      '    \'accelerate\',',
      '    # \'triton\', kept as a comment',
      `    # ${R} 'nvidia-cudnn-cu12',`,
      ']',
      '',
    ].join('\n'),
    data: { 'project.optional-dependencies.gpu': ['accelerate'] },
  },
  {
    name: 'Poetry dependencies as an inline table of [tool.poetry]',
    input: '[tool.poetry]\nname = "demo"\ndependencies = { python = "^3.10", xformers = "^0.0.22", torch = { version = "2.1.0+cu118", source = "pytorch" } }\n',
    findings: ['xformers', '2.1.0+cu118'],
    output: '[tool.poetry]\nname = "demo"\ndependencies = { python = "^3.10", torch = { version = "2.1.0", source = "pytorch" } }\n',
    data: { 'tool.poetry.dependencies': { python: '^3.10', torch: { version: '2.1.0', source: 'pytorch' } } },
  },
  {
    name: 'Poetry constraint arrays (with a comment), dotted keys, a package table, a group package table',
    input: [
      '[tool.poetry.dependencies]',
      'python = "^3.10"',
      'triton = [',
      '    { version = "2.1.0", markers = "sys_platform == \'linux\'" },',
      '    { version = "2.0.0", markers = "sys_platform == \'darwin\'" },',
      ']',
      'xformers.version = "^0.0.22"',
      'xformers.optional = true',
      'numpy = "*"',
      '',
      '[tool.poetry.dependencies.torch]',
      'version = "2.1.0+cu118"',
      'source = "pytorch"',
      '',
      '[tool.poetry.group.dev.dependencies]',
      'torchvision = [',
      '    # the CUDA build on Linux only',
      '    { version = "0.16.0+cu118", "platform" = "linux", source = "pytorch" },',
      '    { version = "0.16.0", "platform" = "darwin" },',
      ']',
      '',
      '[tool.poetry.group.gpu.dependencies.bitsandbytes]',
      'version = "^0.41"',
      'optional = true',
      '',
    ].join('\n'),
    findings: ['triton', 'xformers', '2.1.0+cu118', '0.16.0+cu118', 'bitsandbytes'],
    output: [
      '[tool.poetry.dependencies]',
      'python = "^3.10"',
      `# ${R} triton = [`,
      '    # { version = "2.1.0", markers = "sys_platform == \'linux\'" },',
      '    # { version = "2.0.0", markers = "sys_platform == \'darwin\'" },',
      '# ]',
      `# ${R} xformers.version = "^0.0.22"`,
      `# ${R} xformers.optional = true`,
      'numpy = "*"',
      '',
      '[tool.poetry.dependencies.torch]',
      'version = "2.1.0"',
      'source = "pytorch"',
      '',
      '[tool.poetry.group.dev.dependencies]',
      'torchvision = [',
      '    # the CUDA build on Linux only',
      '    { version = "0.16.0", "platform" = "linux", source = "pytorch" },',
      '    { version = "0.16.0", "platform" = "darwin" },',
      ']',
      '',
      `# ${R} [tool.poetry.group.gpu.dependencies.bitsandbytes]`,
      '# version = "^0.41"',
      '# optional = true',
      '',
    ].join('\n'),
    data: {
      'tool.poetry.dependencies': { python: '^3.10', numpy: '*', torch: { version: '2.1.0', source: 'pytorch' } },
      'tool.poetry.group': { dev: { dependencies: { torchvision: [{ version: '0.16.0', platform: 'linux', source: 'pytorch' }, { version: '0.16.0', platform: 'darwin' }] } } },
    },
  },
  {
    name: 'a multi-line string that looks like a dependency table is text, not a table',
    input: '[tool.cookiecutter]\ntemplate = """\n[project]\ndependencies = ["xformers"]\n"""\n\n[project]\ndependencies = ["numpy"]\n',
    findings: [],
    output: '[tool.cookiecutter]\ntemplate = """\n[project]\ndependencies = ["xformers"]\n"""\n\n[project]\ndependencies = ["numpy"]\n',
    data: { 'project.dependencies': ['numpy'], 'tool.cookiecutter.template': '[project]\ndependencies = ["xformers"]\n' },
  },
  {
    name: 'a multi-line string element before a CUDA-only one',
    input: '[project]\ndependencies = ["""numpy>=1.24""", "flash-attn>=2.5"]\n',
    findings: ['flash-attn>=2.5'],
    output: '[project]\ndependencies = ["""numpy>=1.24"""]\n',
    data: { 'project.dependencies': ['numpy>=1.24'] },
  },
  {
    name: 'CRLF, comments, an ignore comment, the last element without a comma',
    input: '[project]\r\ndependencies = [\r\n    \'torch==2.1.2+cu118\',  # the CUDA wheel\r\n    "bitsandbytes",  # npu-port: ignore\r\n    "numpy",\r\n    "triton"\r\n]\r\n',
    findings: ['torch==2.1.2+cu118', 'triton'],
    output: `[project]\r\ndependencies = [\r\n    'torch==2.1.2',  # the CUDA wheel\r\n    "bitsandbytes",  # npu-port: ignore\r\n    "numpy",\r\n    # ${R} "triton"\r\n]\r\n`,
    data: { 'project.dependencies': ['torch==2.1.2', 'bitsandbytes', 'numpy'] },
  },
  {
    name: 'a comma on the next line after a comment; elements that end their line',
    input: '[dependency-groups]\ngpu = ["numpy", "xformers" # attention\n    , "scipy"]\ndev = ["pytest", "triton",\n    "ruff"]\n',
    findings: ['xformers', 'triton'],
    output: '[dependency-groups]\ngpu = ["numpy",  # attention\n     "scipy"]\ndev = ["pytest",\n    "ruff"]\n',
    data: { 'dependency-groups': { gpu: ['numpy', 'scipy'], dev: ['pytest', 'ruff'] } },
  },
  {
    name: 'the last key of a Poetry inline table, quoted',
    input: '[tool.poetry.group.gpu]\ndependencies = { accelerate = "*", "bitsandbytes" = "^0.41" }\n',
    findings: ['bitsandbytes'],
    output: '[tool.poetry.group.gpu]\ndependencies = { accelerate = "*" }\n',
    data: { 'tool.poetry.group.gpu.dependencies': { accelerate: '*' } },
  },
  {
    name: 'a CUDA wheel index in an inline table of an array (reported, left for a decision)',
    input: '[tool.uv]\nindex = [{ name = "pytorch-cu121", url = "https://download.pytorch.org/whl/cu121", explicit = true }]\n',
    findings: ['https://download.pytorch.org/whl/cu121'],
    output: '[tool.uv]\nindex = [{ name = "pytorch-cu121", url = "https://download.pytorch.org/whl/cu121", explicit = true }]\n',
    data: { 'tool.uv.index': [{ name: 'pytorch-cu121', url: 'https://download.pytorch.org/whl/cu121', explicit: true }] },
  },
];

for (const shape of SHAPES) {
  test(`pyproject shape: ${shape.name}`, () => {
    assert.deepEqual(analyzeRequirements(shape.input, 'pyproject.toml', DEFAULT_OPTIONS).map((f) => f.original), shape.findings);
    assert.equal(fixRequirements(shape.input, 'pyproject.toml', DEFAULT_OPTIONS).text, shape.output);
  });
}

const PYTHON = '/usr/bin/python3';
const hasTomllib = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import tomllib'], { stdio: 'ignore' }).status === 0;

test('every fixed pyproject shape is valid TOML with the expected data (Python tomllib)', { skip: !hasTomllib && 'needs /usr/bin/python3 >= 3.11' }, () => {
  const outputs = SHAPES.map((s) => fixRequirements(s.input, 'pyproject.toml', DEFAULT_OPTIONS).text);
  const read = spawnSync(PYTHON, ['-c', 'import json, sys, tomllib\nprint(json.dumps([tomllib.loads(t) for t in json.load(sys.stdin)]))'], { input: JSON.stringify(outputs), encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  for (const [i, data] of (JSON.parse(read.stdout) as Record<string, unknown>[]).entries()) {
    for (const [dotted, expected] of Object.entries(SHAPES[i]!.data)) {
      const value = dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
      assert.deepEqual(value, expected, `${SHAPES[i]!.name}: ${dotted}`);
    }
  }
});

const INVALID: readonly { name: string; text: string; line: number }[] = [
  { name: 'an array that is never closed', text: '[project]\ndependencies = [\n    "xformers",\n    "numpy"\n\n[tool.poetry.dependencies]\ntriton = "*"\n', line: 6 },
  { name: 'a key defined twice', text: '[project]\ndependencies = ["xformers"]\ndependencies = ["numpy"]\n', line: 3 },
  { name: 'an inline table over two lines (TOML 1.1 only)', text: '[tool.poetry]\ndependencies = { xformers = "*",\n  numpy = "*" }\n', line: 3 },
];

for (const { name, text, line } of INVALID) {
  test(`a pyproject.toml that is not TOML (${name}): one syntax-error finding where the parser stopped, no fix, the text unchanged`, () => {
    const findings = analyzeRequirements(text, 'pyproject.toml', DEFAULT_OPTIONS);
    assert.deepEqual(findings.map((f) => [f.rule, f.range.start.line + 1, f.fixes.length]), [['syntax-error', line, 0]]);
    assert.match(formatMessage(findings[0]!.message), /^pyproject\.toml is not valid TOML \(.+\): its dependencies are not checked/);
    const fixed = fixRequirements(text, 'pyproject.toml', DEFAULT_OPTIONS);
    assert.equal(fixed.text, text);
    assert.deepEqual(fixed.fixed, []);
    assert.deepEqual(analyzeRequirements(text, 'pyproject.toml', { ...DEFAULT_OPTIONS, rules: { 'syntax-error': 'off' } }), []);
  });
}

test('fix-all over a workspace leaves a pyproject.toml that is not TOML byte for byte as it was', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-pyproject-'));
  try {
    const file = path.join(dir, 'pyproject.toml');
    const text = INVALID[0]!.text.replace(/\n/g, '\r\n');
    writeFileSync(file, text);
    const plans = planFixes(await loadParser(), [{ file, text }], DEFAULT_OPTIONS);
    await writePlans(plans);
    assert.equal(readFileSync(file, 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
