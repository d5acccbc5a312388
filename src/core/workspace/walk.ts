import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { msg, type Message } from '../l10n';

/** Files the Python scan looks at. */
export function isScanTarget(name: string): boolean {
  return /\.(py|pyi|cu|cuh)$/i.test(name) || /^requirements.*\.txt$/i.test(name) || name === 'pyproject.toml';
}

/**
 * Glob patterns (`npuPort.exclude`: `**`, `*`, `?`, `{a,b}`, `[...]`) as one test over `/`-separated
 * paths relative to the workspace folder. Dot files match as in VS Code's own globs.
 */
export function globMatcher(globs: readonly string[]): (relative: string) => boolean {
  return globs.length ? picomatch([...globs], { dot: true }) : () => false;
}

/** The rules of one .gitignore, which apply to paths under its folder. */
interface IgnoreScope {
  readonly root: string;
  readonly rules: Ignore;
}

async function readIgnoreScope(dir: string): Promise<IgnoreScope | undefined> {
  try {
    return { root: dir, rules: ignore().add(await fsp.readFile(path.join(dir, '.gitignore'), 'utf8')) };
  } catch {
    return undefined; // no (readable) .gitignore here: it ignores nothing
  }
}

/**
 * Whether git would ignore `full` (a folder when `isDir`) under the .gitignore files in `scopes`,
 * outermost first: the innermost file that has a say decides, so `!pattern` in a nested .gitignore
 * re-includes what an outer one ignores. A folder found ignored is never entered, as with git.
 */
function ignoredBy(scopes: readonly IgnoreScope[], full: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const rel = path.relative(scope.root, full).split(path.sep).join('/') + (isDir ? '/' : '');
    const verdict = scope.rules.test(rel);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/**
 * True when the workspace scan would leave `file` out because of a .gitignore between `root` and the
 * file, or because it is under `.git` (the watcher's check for a single changed file; same rules as
 * walkTargets: a matching folder hides everything under it).
 */
export async function isGitIgnored(root: string, file: string): Promise<boolean> {
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] === '..' || path.isAbsolute(parts[0] ?? '')) return false;
  if (parts.includes('.git')) return true;
  let dir = root;
  const scopes: IgnoreScope[] = [];
  for (let i = 0; i < parts.length; i++) {
    const scope = await readIgnoreScope(dir);
    if (scope) scopes.push(scope);
    const full = path.join(dir, parts[i]!);
    if (ignoredBy(scopes, full, i < parts.length - 1)) return true;
    dir = full;
  }
  return false;
}

export interface WalkProblem {
  readonly file: string;
  readonly message: Message;
}

export interface WalkOptions {
  readonly exclude: readonly string[];
  readonly gitignore: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The scan targets under `roots` (files or folders). Follows symbolic links once (a link back to a
 * folder already visited is a loop: reported and skipped); unreadable folders are reported.
 */
export async function walkTargets(roots: readonly string[], options: WalkOptions): Promise<{ files: string[]; problems: WalkProblem[] }> {
  const files: string[] = [];
  const problems: WalkProblem[] = [];
  const visited = new Set<string>();
  const excluded = globMatcher(options.exclude);

  const visit = async (dir: string, base: string, ignores: readonly IgnoreScope[]): Promise<void> => {
    options.signal?.throwIfAborted();
    let real: string;
    try {
      real = await fsp.realpath(dir);
    } catch (error) {
      problems.push({ file: dir, message: msg('Cannot read this folder: {0}', errorCode(error)) });
      return;
    }
    if (visited.has(real)) {
      problems.push({ file: dir, message: msg('Symbolic link loop: this folder was already scanned as {0}', real) });
      return;
    }
    visited.add(real);
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: dir, message: msg('Cannot read this folder: {0}', errorCode(error)) });
      return;
    }
    let scoped = ignores;
    if (options.gitignore && entries.some((e) => e.name === '.gitignore')) {
      const scope = await readIgnoreScope(dir);
      if (scope) scoped = [...ignores, scope];
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(base, full).split(path.sep).join('/');
      if (entry.name === '.git' || excluded(rel) || ignoredBy(scoped, full, entry.isDirectory())) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = await fsp.stat(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (error) {
          problems.push({ file: full, message: msg('Broken symbolic link: {0}', errorCode(error)) });
          continue;
        }
      }
      if (entry.isSymbolicLink() && isDir && ignoredBy(scoped, full, true)) continue; // a link to an ignored folder name
      if (isDir) await visit(full, base, scoped);
      else if (isFile && isScanTarget(entry.name)) files.push(full);
    }
  };

  for (const root of roots) {
    let st;
    try {
      st = await fsp.stat(root);
    } catch (error) {
      problems.push({ file: root, message: msg('Cannot read this path: {0}', errorCode(error)) });
      continue;
    }
    if (st.isDirectory()) await visit(root, root, []);
    else files.push(root);
  }
  return { files: [...new Set(files)], problems };
}

export function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(error));
}
