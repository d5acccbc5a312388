// What the Python benchmarks share: the core's TypeScript bundled for this run (dist/ only holds the CLI,
// the extension and the workers) and the Python files of a corpus folder.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/**
 * Bundles `contents` (export lines with paths relative to the repository root, or to `root`: another
 * checkout, such as an older revision's) into a temporary file:
 * `load()` requires it, `file` can be required by a child process too, `dispose()` removes it.
 */
export async function bundleCore(contents, root = ROOT) {
  const tmp = mkdtempSync(join(tmpdir(), 'npu-port-bench-'));
  const file = join(tmp, 'core.cjs');
  await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: file, logLevel: 'warning', loader: { '.json': 'json' },
  });
  return { file, load: () => require(file), dispose: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Every `.py` file under the folders, in walk order. */
export function pythonFiles(...folders) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.py')) files.push(p);
    }
  };
  for (const folder of folders) walk(folder);
  return files;
}

/**
 * The repository's tree at git revision `rev` in a temporary folder (`git archive`, no worktree), with this
 * checkout's node_modules linked in, to build or bundle the code as it was: `dir`, `dispose()`.
 */
export function treeAt(rev) {
  const dir = mkdtempSync(join(tmpdir(), 'npu-port-bench-rev-'));
  execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', rev, dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
