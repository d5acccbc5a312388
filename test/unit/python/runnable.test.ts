// scripts/runnable.mjs: public scripts (test/fixtures/runnable/) run before and after `scan --fix`, on this CPU host and
// on a simulated CUDA host, with Debian's Python. The full check (every case, every style) runs in `npm run accuracy`;
// here two cases (three scripts) in the deviceManager style, beside a deliberately wrong fix the check must catch.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../repo';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const needs = { skip: !hasTorch ? 'needs /usr/bin/python3 with torch (apt-get install python3-torch)' : !existsSync(path.join(REPO_ROOT, 'dist/cli.js')) && 'needs the CLI bundle (npm run build)' };

interface Case {
  name: string; dir: string; repo: string; url: string; commit: string; licence: string; licenceCommit?: string;
  sources: Record<string, string>; steps: string[][]; cudaSteps?: string[][]; prepare?: string[];
}
interface Row { case: string; style: string; originalRuns: boolean; fixError: string; cpu: string; cuda: string; cudaDevices: string }
interface Runnable {
  loadRunnable(only: string[]): Case[];
  runnableChecks(cases: Case[], options: { styles: string[]; fix?: (dir: string, style: string) => Promise<string | undefined> }): Promise<Row[]>;
  runnableTable(cases: Case[], rows: Row[]): string[];
  normalise(out: string, tree: string): string;
}
const load = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/runnable.mjs')).href)) as Runnable;
const fixRun = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/fix-run.mjs')).href)) as { fixTree(dir: string, style: string): Promise<string | undefined> };

/** A wrong fix of the kind the check exists for: the CUDA device becomes the CPU, or the seed changes. */
function wrongFix(dir: string): undefined {
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    assert.ok(text.includes(from), `${file} has ${from}`);
    writeFileSync(path.join(dir, file), text.replace(from, to));
  };
  if (existsSync(path.join(dir, 'makemore.py'))) edit('makemore.py', 'torch.manual_seed(args.seed)', 'torch.manual_seed(args.seed + 1)');
  else edit('main.py', 'device = torch.device("cuda")', 'device = torch.device("cpu")');
  return undefined;
}

/** Every file under DIR, as paths relative to it with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

test('runnable corpus: every case records its repository, commit and licence, ships the licence, and holds exactly the upstream files it lists; its scripts are among them', async () => {
  const { loadRunnable } = await load();
  const cases = loadRunnable([]);
  assert.ok(cases.length >= 8, `${cases.length} cases`);
  for (const c of cases) {
    assert.match(c.repo, /^[\w.-]+\/[\w.-]+$/, `${c.name}: repo`);
    assert.match(c.commit, /^[0-9a-f]{40}$/, `${c.name}: commit`);
    if (c.licenceCommit !== undefined) assert.match(c.licenceCommit, /^[0-9a-f]{40}$/, `${c.name}: licenceCommit`);
    assert.ok(c.url.includes(c.repo) && c.url.includes(c.commit), `${c.name}: url names the repository and commit`);
    assert.ok(c.licence.length > 0, `${c.name}: licence`);
    const listed = Object.values(c.sources).sort();
    assert.deepEqual(filesUnder(path.join(c.dir, 'src')).sort(), listed, `${c.name}: src/ holds exactly the files case.json lists`);
    assert.ok(listed.some((f) => /^LICEN[CS]E/.test(f)), `${c.name}: the licence file is copied`);
    for (const step of [...c.steps, ...(c.cudaSteps ?? [])]) assert.ok(listed.includes(step[0]!), `${c.name}: ${step[0]} is an upstream file`);
  }
});

test('runnable corpus: prepare.py writes every input kind the cases ask for, the same bytes every run', { skip: !hasTorch && 'needs /usr/bin/python3 with numpy (apt-get install python3-torch)' }, async () => {
  const { loadRunnable } = await load();
  const kinds = [...new Set(loadRunnable([]).flatMap((c) => c.prepare ?? []))].sort();
  assert.ok(kinds.includes('cora') && kinds.includes('mnist'), kinds.join(', '));
  const prepare = path.join(REPO_ROOT, 'test/fixtures/runnable/prepare.py');
  const runs = [0, 1].map(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-prepare-'));
    try {
      for (const kind of kinds) {
        const r = spawnSync(PYTHON, [prepare, kind], { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, `prepare.py ${kind}: ${r.stderr}`);
      }
      return Object.fromEntries(filesUnder(dir).sort().map((f) => [f, readFileSync(path.join(dir, f)).toString('base64')]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  assert.ok(Object.keys(runs[0]!).includes('data/mnist/mnist.pkl.gz') && Object.keys(runs[0]!).includes('cora/cora.content'));
  assert.deepEqual(runs[1], runs[0]);
});

test('normalise masks the tree and timings, not the figures a fix could change', async () => {
  const { normalise } = await load();
  assert.equal(normalise('/t/x/out: step 0 | loss 3.1243 | step time 19.21ms\n| ms/batch 11.29 | loss  4.10 | time:  0.27s | mfu -100.00%\n', '/t/x'),
    '<tree>/out: step 0 | loss 3.1243 | step time <ms>\n| ms/batch <ms> | loss  4.10 | time <s> | mfu <mfu>\n');
  // pytorch/examples gat: an epoch's time in parentheses; the losses and accuracies after it, and other parenthesised
  // figures, stay as printed
  assert.equal(normalise('Epoch: 0002 (1.4583s) loss_train: 1.1022 acc_train: 0.2600 (0.5) (3s)\n', '/t/x'),
    'Epoch: 0002 (<s>) loss_train: 1.1022 acc_train: 0.2600 (0.5) (<s>)\n');
});

test('runnable scripts: word_language_model (pytorch/examples) and makemore run the same after the deviceManager fix, on CPU and on a simulated CUDA host; a wrong fix is caught', needs, async () => {
  const { loadRunnable, runnableChecks, runnableTable } = await load();
  const { fixTree } = await fixRun();
  const cases = loadRunnable(['makemore', 'word_language_model']);
  assert.equal(cases.length, 2);
  const rows = await runnableChecks(cases, { styles: ['deviceManager', 'wrong'], fix: async (dir, style) => (style === 'wrong' ? wrongFix(dir) : fixTree(dir, style)) });
  const row = (name: string, style: string) => rows.find((r) => r.case === name && r.style === style)!;
  for (const name of ['makemore', 'word_language_model']) {
    const r = row(name, 'deviceManager');
    assert.ok(r.originalRuns, `${name}: the original runs on CPU`);
    assert.deepEqual([r.fixError, r.cpu, r.cuda], ['', '', ''], `${name} after the deviceManager fix:\n${runnableTable(cases, rows).join('\n')}`);
    assert.match(r.cudaDevices, /cuda/, `${name}: the original asks for CUDA on a CUDA host`);
  }
  // the seed changed: the losses differ on both hosts
  assert.match(row('makemore', 'wrong').cpu, /makemore\.py: output differs at line \d+: "step 0 \| loss/);
  assert.match(row('makemore', 'wrong').cuda, /output differs/);
  // the CUDA device became the CPU: the same on this CPU host (no --cuda), another device on a CUDA host
  assert.equal(row('word_language_model', 'wrong').cpu, '');
  assert.match(row('word_language_model', 'wrong').cuda, /^main\.py: devices asked for on a CUDA host: cpu, cuda became cpu$/);
  const table = runnableTable(cases, rows);
  assert.match(table[0], /2 of 4 case-style pairs differ or fail/);
});
