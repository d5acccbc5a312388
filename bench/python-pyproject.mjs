// pyproject.toml analysis (issue 13): the reader on a TOML parser (core/toml.ts) against the regular-expression
// reader it replaced, same documents, same run, interleaved rounds. Baseline: the core as it was in the parent
// of the commit that added src/core/toml.ts (bench/lib treeAt), or at REV.
// Documents: a typical pyproject.toml (test/fixtures/python/pyproject: PEP 621 + Poetry + an index, 28 lines) and a large one (2,000
// dependency strings and 500 Poetry entries). Per document: analyzeRequirements (what the editor runs on each
// change of an open pyproject.toml) and fixRequirements (fix-all, passes until nothing is left).
// usage: node bench/python-pyproject.mjs [--baseline REV]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, bundleCore, treeAt } from './lib/core.mjs';

const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const at = process.argv.indexOf('--baseline');
const baseline = at > 0 ? process.argv[at + 1] : `${git('log', '--diff-filter=A', '--format=%H', '-1', '--', 'src/core/toml.ts')}^`;
const ENTRY = "export { analyzeRequirements, fixRequirements } from './src/core/dependencies/requirements'; export { DEFAULT_OPTIONS } from './src/core/python/types';";
const load = async (root) => {
  const bundled = await bundleCore(ENTRY, root);
  const core = bundled.load();
  bundled.dispose();
  return core;
};
const current = await load();
const old = treeAt(baseline);
const before = await load(old.dir);
old.dispose();

const TYPICAL = readFileSync(join(ROOT, 'test/fixtures/python/pyproject/pyproject.toml'), 'utf8');
const big = ['[project]', 'name = "big"', 'dependencies = ['];
for (let i = 0; i < 2000; i++) big.push(`    "${i % 50 === 0 ? 'xformers' : `package-${i}`}>=1.${i}",  # entry ${i}`);
big.push(']', '', '[tool.poetry.dependencies]', 'python = "^3.10"');
for (let i = 0; i < 500; i++) big.push(i % 50 === 0 ? `triton-${i} = { version = "2.${i}+cu118" }` : `poetry-${i} = { version = "^1.${i}", optional = true }`);
const LARGE = big.join('\n') + '\n';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

console.log(`baseline: the core at ${git('rev-parse', '--short', baseline)} (the regular-expression reader)`);
for (const [label, text, rounds] of [['typical (28 lines)', TYPICAL, 400], ['large (2,500 entries)', LARGE, 15]]) {
  for (const [what, run] of [
    ['analyse', (core) => core.analyzeRequirements(text, 'pyproject.toml', core.DEFAULT_OPTIONS)],
    ['fix-all', (core) => core.fixRequirements(text, 'pyproject.toml', core.DEFAULT_OPTIONS)],
  ]) {
    run(current);
    run(before); // warm-up
    const ours = [];
    const theirs = [];
    for (let r = 0; r < rounds; r++) {
      // interleaved, the order alternating, so load on the shared cores falls on both alike
      if (r % 2) { ours.push(time(() => run(current))); theirs.push(time(() => run(before))); }
      else { theirs.push(time(() => run(before))); ours.push(time(() => run(current))); }
    }
    const [a, b] = [median(ours), median(theirs)];
    const findings = (core) => { const r = run(core); return Array.isArray(r) ? r.length : r.fixed.length; };
    console.log(`${label} ${what}: TOML parser ${a.toFixed(3)} ms, regular expressions ${b.toFixed(3)} ms, ratio ${(a / b).toFixed(2)}× (findings or fixes: ${findings(current)} vs ${findings(before)})`);
  }
}
