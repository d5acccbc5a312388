import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scanWorkspace, ScanCache, type ScanOptions } from '../../../src/core/workspace/scan';
import { DEFAULT_OPTIONS } from '../../../src/core/python/types';
import { globMatcher, isGitIgnored } from '../../../src/core/workspace/walk';
import { REPO_ROOT } from '../repo';
import { WASM_DIR } from './parser';

const WORKER = path.join(REPO_ROOT, 'out/src/core/workspace/scan.worker.js');

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const base: ScanOptions = { analysis: DEFAULT_OPTIONS, wasmDir: WASM_DIR, maxFileSizeKB: 2048 };
const brief = (r: Awaited<ReturnType<typeof scanWorkspace>>, dir: string) =>
  r.reports.flatMap((x) => x.findings.map((f) => `${path.relative(dir, x.file)}:${f.range.start.line + 1} ${f.rule}`));

test('worker threads give the same findings as the main thread; the cache skips unchanged files', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) files[`pkg/m${i}.py`] = `import torch\nx = torch.zeros(${i}).cuda()\nprint("no finding ${i}")\n`;
  files['pkg/clean.py'] = 'print("hello")\n';
  const dir = tree('scan-workers', files);
  const local = await scanWorkspace([dir], base);
  const cache = new ScanCache();
  const threaded = await scanWorkspace([dir], { ...base, workerScript: WORKER, workers: 2, cache });
  assert.deepEqual(brief(threaded, dir), brief(local, dir));
  assert.equal(brief(threaded, dir).length, 12);
  assert.equal(threaded.stats.parsed, 12);
  assert.equal(threaded.stats.skippedByPrefilter, 1);
  const again = await scanWorkspace([dir], { ...base, workerScript: WORKER, workers: 2, cache });
  assert.equal(again.stats.fromCache, 13);
  assert.equal(again.stats.parsed, 0);
  assert.deepEqual(brief(again, dir), brief(local, dir));
});

test('exclude globs and .gitignore leave files out; .cu sources are reported', async () => {
  const dir = tree('scan-exclude', {
    '.gitignore': 'build/\n*.generated.py\n',
    'a.py': 'x.cuda()\n',
    'build/b.py': 'x.cuda()\n',
    'c.generated.py': 'x.cuda()\n',
    'venv/lib/d.py': 'x.cuda()\n',
    'kernels/add.cu': '__global__ void add(float* x) {}\n',
  });
  const result = await scanWorkspace([dir], { ...base, exclude: ['**/venv/**'] });
  assert.deepEqual(brief(result, dir), ['a.py:1 cuda-tensor-method', 'kernels/add.cu:1 cuda-extension']);
});

test('globs', () => {
  assert.ok(globMatcher(['**/venv/**'])('a/venv/x.py'));
  assert.ok(globMatcher(['**/venv/**'])('venv/x.py'));
  assert.ok(!globMatcher(['*.py'])('a/b.py'));
  assert.ok(globMatcher(['**/*.{py,txt}'])('a/b.txt'));
  assert.ok(globMatcher(['**/.venv/**'])('.venv/lib/x.py'), 'dot folders match as in VS Code');
  assert.ok(globMatcher(['**/exp[0-9]/**'])('runs/exp3/x.py'), 'character classes');
  assert.ok(!globMatcher(['**/exp[0-9]/**'])('runs/expA/x.py'));
  assert.ok(!globMatcher([])('a.py'));
});

test('.gitignore negations and character classes: the scan and the single-file check agree with git', async () => {
  const dir = tree('scan-gitignore-negation', {
    '.gitignore': '*.py\n!keep.py\nrun[0-9]/\n',
    'keep.py': 'x.cuda()\n',
    'drop.py': 'x.cuda()\n',
    'run1/a/keep.py': 'x.cuda()\n',
    'runA/b.txt': 'x\n',
    'src/.gitignore': '!*.py\nold_*.py\n',
    'src/model.py': 'x.cuda()\n',
    'src/old_model.py': 'x.cuda()\n',
  });
  const result = await scanWorkspace([dir], base);
  assert.deepEqual(brief(result, dir), ['keep.py:1 cuda-tensor-method', 'src/model.py:1 cuda-tensor-method']);
  const ignored = (rel: string) => isGitIgnored(dir, path.join(dir, ...rel.split('/')));
  assert.equal(await ignored('keep.py'), false, '!keep.py re-includes it');
  assert.equal(await ignored('drop.py'), true);
  assert.equal(await ignored('run1/a/keep.py'), true, 'a folder matched by run[0-9]/ hides everything under it, even a negated name');
  assert.equal(await ignored('src/model.py'), false, 'a nested !*.py overrides the outer *.py');
  assert.equal(await ignored('src/old_model.py'), true);
  // git itself is the reference: the same tree under `git check-ignore` gives the same answers.
  const git = (rel: string) => spawnSync('git', ['-C', dir, 'check-ignore', '-q', rel]).status === 0;
  if (spawnSync('git', ['init', '-q', dir]).status === 0) {
    for (const rel of ['keep.py', 'drop.py', 'run1/a/keep.py', 'src/model.py', 'src/old_model.py']) assert.equal(await ignored(rel), git(rel), rel);
  }
});

test('isGitIgnored: the .gitignore rules of the scan for one file (nested .gitignore, ignored folders, .git)', async () => {
  const root = path.join(REPO_ROOT, 'test/fixtures/generated/python-gitignored');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'build', 'lib'), { recursive: true });
  mkdirSync(path.join(root, 'src', 'gen'), { recursive: true });
  writeFileSync(path.join(root, '.gitignore'), 'build/\n*.tmp.py\n');
  writeFileSync(path.join(root, 'src', '.gitignore'), 'gen\n');
  const ignored = (rel: string) => isGitIgnored(root, path.join(root, ...rel.split('/')));
  assert.equal(await ignored('build/lib/x.py'), true);
  assert.equal(await ignored('a.tmp.py'), true);
  assert.equal(await ignored('src/gen/x.py'), true);
  assert.equal(await ignored('.git/hooks/x.py'), true);
  assert.equal(await ignored('src/train.py'), false);
  assert.equal(await ignored('gen/x.py'), false, 'src/.gitignore applies under src only');
});

test('a file past the analysis budget is reported as too complex and skipped, on the main thread and in the workers; the others are scanned', async () => {
  const chain = `import torch\ny = ${Array.from({ length: 2000 }, (_, i) => `x${i}.cuda()`).join(' + ')}\n`;
  const files: Record<string, string> = { 'chain.py': chain };
  for (let i = 0; i < 9; i++) files[`m${i}.py`] = 'import torch\nx = torch.zeros(1).cuda()\n';
  const dir = tree('scan-budget', files);
  for (const options of [{ ...base, analysisBudgetMs: 0 }, { ...base, analysisBudgetMs: 0, workerScript: WORKER, workers: 2 }]) {
    const result = await scanWorkspace([dir], options);
    const problem = result.problems.find((p) => p.file.endsWith('chain.py'));
    assert.equal(problem?.kind, 'skipped');
    assert.equal(problem?.message.key, 'Skipped: too complex to analyse within {0} s');
    assert.ok(!result.reports.some((r) => r.file.endsWith('chain.py')));
  }
  // with the default budget the chain is analysed: one finding per term
  const result = await scanWorkspace([dir], base);
  assert.equal(result.reports.find((r) => r.file.endsWith('chain.py'))?.findings.length, 2000);
});
