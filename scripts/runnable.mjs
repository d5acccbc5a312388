// The runnable-script check of the fix invariant (issue 14): public training and sampling scripts that run on CPU in
// seconds (test/fixtures/runnable/<Name>/: case.json, the upstream files under src/), each run before and after
// `npu-port scan --fix --style S` for every style, with Debian's /usr/bin/python3 (torch, no torch_npu):
//   - on this CPU host: the fixed scripts must exit as the originals did and print the same (stdout, normalised:
//     the tree's path, and timings: see normalise);
//   - on a simulated CUDA host (scripts/runnable_run.py: torch.cuda.is_available() is True, device requests are
//     logged and served on the CPU): the fixed scripts must ask for the same device types as the originals (a fix
//     must not turn a CUDA host into a CPU run, or the other way round), exit the same and print the same.
// `npm run accuracy` prints the table (scripts/accuracy.mjs); on its own: node scripts/runnable.mjs [--case NAME]...
// [--style S]... [--json]. Importing this module runs nothing.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cell } from './accuracy-report.mjs';
import { ROOT, run } from './bootstrap.mjs';
import { PYTHON, STYLES, firstDifference, fixTree, noStubAfterFix, pythonJson, rel, walk } from './fix-run.mjs';

export const RUNNABLE = join(ROOT, 'test', 'fixtures', 'runnable');

/** Every case of DIR: its case.json plus name and directory, those named in ONLY (all when empty). */
export function loadRunnable(only = [], dir = RUNNABLE) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'case.json')))
    .map((e) => ({ name: e.name, dir: join(dir, e.name), ...JSON.parse(readFileSync(join(dir, e.name, 'case.json'), 'utf8')) }))
    .filter((c) => !only.length || only.includes(c.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What may differ between two runs of the same script: the tree's path, and timings (a number before `ms`, after
 * `ms/batch`, `time:`/`time` before `s`, seconds in parentheses as pytorch/examples' gat prints an epoch's time,
 * `(1.4583s)`, and nanoGPT/llama2.c's `mfu` figure, which is computed from the time).
 */
export function normalise(out, tree) {
  return out.split(tree).join('<tree>')
    .replace(/-?\d+(\.\d+)?\s?ms\b/g, '<ms>')
    .replace(/ms\/batch\s+\d+(\.\d+)?/g, 'ms/batch <ms>')
    .replace(/\btime:?\s+\d+(\.\d+)?s\b/g, 'time <s>')
    .replace(/\(\d+(\.\d+)?s\)/g, '(<s>)')
    .replace(/\bmfu\s+-?\d+(\.\d+)?%/g, 'mfu <mfu>');
}

/** Copies the case's sources to DIR and, when STYLE is given, fixes them there; returns { fixError, noStub }. */
async function prepareTree(c, dir, style, fix) {
  cpSync(join(c.dir, 'src'), dir, { recursive: true });
  const before = new Set(walk(dir).map((f) => rel(dir, f)));
  const fixError = style ? await fix(dir, style) : undefined;
  const created = walk(dir).map((f) => rel(dir, f)).filter((f) => !before.has(f));
  return { fixError, noStub: noStubAfterFix(created) };
}

/** Runs the case's steps in a copy of the tree DIR (its generated inputs written first); CUDA: simulated CUDA host. */
async function runTree(c, dir, cuda, noStub) {
  const copy = `${dir}-${cuda ? 'cuda' : 'cpu'}`;
  cpSync(dir, copy, { recursive: true });
  for (const kind of c.prepare ?? []) run(PYTHON, [join(RUNNABLE, 'prepare.py'), kind], { cwd: copy, quiet: true });
  const steps = cuda && c.cudaSteps ? c.cudaSteps : c.steps;
  const results = await pythonJson('runnable_run.py', { tree: copy, steps, cuda, path: c.path ?? [], stubs: c.stubs ?? [], noStub });
  return results.map((r, i) => ({ ...r, script: steps[i][0], out: normalise(r.out, copy) }));
}

const deviceTypes = (r) => [...new Set(r.devices)].sort().join(', ') || 'none';

/** Compares the step results of the original (A) with the fixed scripts' (B); returns the first difference or ''. */
export function compareRuns(a, b, cuda) {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    const where = `${x.script}`;
    if (!y) return `${where}: not run (an earlier step failed)`;
    if (x.status !== y.status) return `${where}: exit ${x.status} became exit ${y.status}${y.error ? `: ${y.error}${y.where ? ` at ${y.where}` : ''}` : ''}`;
    if (cuda && deviceTypes(x) !== deviceTypes(y)) return `${where}: devices asked for on a CUDA host: ${deviceTypes(x)} became ${deviceTypes(y)}`;
    if (x.out !== y.out) return `${where}: output differs at ${firstDifference(x.out, y.out)}`;
  }
  return '';
}

/**
 * The check for the cases C over STYLES: one row per case and style, { case, style, cpu, cuda, fixError } where cpu
 * and cuda are '' when the fixed scripts behaved as the originals, else the first difference. FIX(dir, style) fixes a
 * tree (the CLI's `scan --fix` by default; a test passes a deliberately wrong one).
 */
export async function runnableChecks(cases, { styles = STYLES, fix = fixTree } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'npu-port-runnable-'));
  try {
    const rows = [];
    for (const c of cases) {
      const base = join(tmp, c.name, 'original');
      const { noStub } = await prepareTree(c, base, undefined, fix);
      // two Python processes at a time: the machine has two cores
      const [cpu, cuda] = await Promise.all([runTree(c, base, false, noStub), runTree(c, base, true, noStub)]);
      const originals = { cpu, cuda, runs: cpu.length === c.steps.length && cpu.every((r) => r.status === 0) };
      for (const style of styles) {
        const dir = join(tmp, c.name, style);
        const fixed = await prepareTree(c, dir, style, fix);
        const [fcpu, fcuda] = await Promise.all([runTree(c, dir, false, fixed.noStub), runTree(c, dir, true, fixed.noStub)]);
        rows.push({
          case: c.name, style, originalRuns: originals.runs, fixError: fixed.fixError ?? '',
          cpu: compareRuns(cpu, fcpu, false), cuda: compareRuns(originals.cuda, fcuda, true),
          cudaDevices: originals.cuda.map(deviceTypes).join(' / '), original: originals.runs ? '' : cpu.map((r) => r.error).filter(Boolean).join('; '),
        });
      }
    }
    return rows;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The "Runnable scripts" table of docs/accuracy.md's generated section. */
export function runnableTable(cases, rows) {
  const scripts = (name) => cases.find((c) => c.name === name).steps.map((s) => s[0]).join(', ');
  const failed = rows.filter((r) => r.cpu || r.cuda || r.fixError || !r.originalRuns).length;
  return [
    `${cases.length} cases (${new Set(cases.map((c) => c.repo)).size} repositories, ${cases.reduce((n, c) => n + c.steps.length, 0)} scripts), each run on CPU and on a simulated CUDA host before and after each style's fix: ${failed} of ${rows.length} case-style pairs differ or fail.`,
    '',
    '| Case | Scripts | Style | CPU same? | Simulated-CUDA same? | Devices asked for on a CUDA host | Error |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.case} | ${scripts(r.case)} | ${r.style} | ${r.originalRuns ? (r.cpu ? 'no' : 'yes') : 'original fails'} | ${r.cuda ? 'no' : 'yes'} | ${r.cudaDevices} | ${cell([r.original, r.fixError, r.cpu, r.cuda].filter(Boolean).join('; ').slice(0, 300))} |`),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const values = (flag) => argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));
  run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, quiet: true });
  const cases = loadRunnable(values('--case'));
  const styles = values('--style').length ? values('--style') : STYLES;
  const rows = await runnableChecks(cases, { styles });
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${runnableTable(cases, rows).join('\n')}\n`);
}
