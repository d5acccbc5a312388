// `npm run bench [-- NAME...]`: builds, then runs every bench/*.mjs (or those whose name contains NAME),
// one after another so they do not compete for the two cores. Each prints ratios against baselines
// measured in the same run; record the figures in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, ensureNodeModules } from './bootstrap.mjs';

ensureNodeModules();
build();
const filters = process.argv.slice(2);
const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.mjs') && (!filters.length || filters.some((n) => f.includes(n)))).sort();
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'bench', bench)], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
