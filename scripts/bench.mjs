// `npm run bench [-- NAME...] [-- --full]`: builds, then runs every bench/*.mjs (or those whose name contains
// NAME), one after another so they do not compete for the two cores; the long ones in their quick mode unless
// --full. Each prints ratios against baselines measured in the same run; record the figures in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, ensureNodeModules } from './bootstrap.mjs';

ensureNodeModules();
build();
const full = process.argv.includes('--full');
const filters = process.argv.slice(2).filter((a) => a !== '--full');
// the everyday run: benches that take many minutes in full run their quick mode unless `-- --full`
const QUICK = { 'layout-vs-dagre-elk.mjs': ['--quick'], 'viewer-host-open.mjs': ['--quick'], 'viewer-open.mjs': ['--rounds=2'] };
const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.mjs') && (!filters.length || filters.some((n) => f.includes(n)))).sort();
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'bench', bench), ...(full ? [] : QUICK[bench] ?? [])], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
