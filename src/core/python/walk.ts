import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { msg, type Message } from '../l10n';

/** Files the Python scan looks at. */
export function isScanTarget(name: string): boolean {
  return /\.(py|pyi|cu|cuh)$/i.test(name) || /^requirements.*\.txt$/i.test(name) || name === 'pyproject.toml';
}

/** A glob (`**`, `*`, `?`, `{a,b}`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close === -1) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map((p) => p.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** .gitignore lines as matchers relative to the directory of the .gitignore (negations are not supported). */
function gitignoreMatchers(text: string): RegExp[] {
  const out: RegExp[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const dirOnly = line.endsWith('/');
    let pattern = dirOnly ? line.slice(0, -1) : line;
    const anchored = pattern.includes('/');
    pattern = pattern.replace(/^\//, '');
    const glob = anchored ? pattern : `**/${pattern}`;
    out.push(globToRegExp(glob));
    out.push(globToRegExp(`${glob}/**`));
  }
  return out;
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
  const scoped: { root: string; matchers: RegExp[] }[] = [];
  for (let i = 0; i < parts.length; i++) {
    try {
      scoped.push({ root: dir, matchers: gitignoreMatchers(await fsp.readFile(path.join(dir, '.gitignore'), 'utf8')) });
    } catch {
      // no (readable) .gitignore here
    }
    const full = path.join(dir, parts[i]!);
    if (scoped.some((g) => g.matchers.some((m) => m.test(path.relative(g.root, full).split(path.sep).join('/'))))) return true;
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
  const excludes = options.exclude.map(globToRegExp);
  const excluded = (rel: string) => excludes.some((r) => r.test(rel));

  const visit = async (dir: string, base: string, ignores: { root: string; matchers: RegExp[] }[]): Promise<void> => {
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
      try {
        scoped = [...ignores, { root: dir, matchers: gitignoreMatchers(await fsp.readFile(path.join(dir, '.gitignore'), 'utf8')) }];
      } catch {
        // an unreadable .gitignore ignores nothing
      }
    }
    const ignored = (full: string) => scoped.some((g) => {
      const rel = path.relative(g.root, full).split(path.sep).join('/');
      return g.matchers.some((m) => m.test(rel));
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(base, full).split(path.sep).join('/');
      if (entry.name === '.git' || excluded(rel) || ignored(full)) continue;
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
