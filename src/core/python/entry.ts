import * as path from 'node:path';
import { parseToml, pathStartsWith, tomlItems, type TomlPath } from '../toml';

/**
 * Entry scripts and the modules they run.
 *
 * `torch_npu.contrib.transfer_to_npu` patches torch for the whole process, so Ascend's migration guide
 * adds it once, to the script that is run, not to every module. A Python file is an **entry script** when
 * - it has a top-level `if __name__ == "__main__":` block (either operand order, either quote), or
 * - its first line is a `#!` line naming python (an executable script), or
 * - it is a package's `__main__.py` (`python -m package`), or
 * - a pyproject.toml of the workspace names it as an entry point: `[project.scripts]`,
 *   `[project.gui-scripts]` or `[tool.poetry.scripts]` (`name = "package.module:function"`).
 * A module is **run by** an entry script when the script imports it, directly or through other
 * workspace modules. Imports are resolved the way Python does for a script: relative to the script's
 * folder (sys.path[0]), to the workspace folder, and to its `src/` folder; relative imports against the
 * importing package. Imports are read from the text (every `import` / `from ... import` line, also
 * inside functions), which is cheap and errs on the side of "reached".
 */

const MAIN_GUARD = /^if\s+\(?\s*(?:__name__\s*==\s*(['"])__main__\1|(['"])__main__\2\s*==\s*__name__)\s*\)?\s*:/m;
const PYTHON_SHEBANG = /^#![^\n]*python/;
const TRANSFER_IMPORT = /^[ \t]*(?:from[ \t]+torch_npu\.contrib[ \t]+import[ \t]+[^\n]*\btransfer_to_npu\b|import[ \t]+torch_npu\.contrib\.transfer_to_npu\b|from[ \t]+torch_npu\.contrib\.transfer_to_npu[ \t]+import\b)/m;
const IMPORT_LINE = /^[ \t]*(?:import[ \t]+([^\n#;]+)|from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)?|[^\n#;]+))/gm;

/** True for an entry script by its own text (see above); pyproject entry points are known to the caller. */
export function isEntryScript(text: string, fileName?: string): boolean {
  if (fileName && path.basename(fileName) === '__main__.py') return true;
  return PYTHON_SHEBANG.test(text) || MAIN_GUARD.test(text);
}

/** Files that run code at top level without being programs of their own (setup, test and documentation configs). */
const NOT_A_PROGRAM = new Set(['setup.py', 'conftest.py', 'conf.py', '__init__.py']);
const TRIPLE_QUOTED = /"""[\s\S]*?"""|'''[\s\S]*?'''/g;
/** A statement at column 0 that does something when the file runs: a call (`main()`, `print(...)`, `model.fit(...)`) or a loop. */
const TOP_LEVEL_RUN = /^(?:(?!(?:if|elif|while|for|with|assert|return|raise|del|not|await|yield|lambda)\b)[A-Za-z_][\w.]*\s*\(|(?:for|while|with)\b)/m;

/**
 * A plain script: code at top level that does the work (pytorch/tutorials' `nn_tutorial.py`: `print(...)`, a training
 * loop, no `__main__` block). Counted as an entry script only when no module of the workspace imports the file
 * (ModuleGraph): a module that others import runs as part of them.
 */
export function isPlainScript(text: string, fileName?: string): boolean {
  if (fileName && (NOT_A_PROGRAM.has(path.basename(fileName)) || /^test_|_test\.py$/.test(path.basename(fileName)))) return false;
  return TOP_LEVEL_RUN.test(text.replace(TRIPLE_QUOTED, ''));
}

/** The file imports torch_npu.contrib.transfer_to_npu itself. */
export function importsTransferToNpu(text: string): boolean {
  return text.includes('transfer_to_npu') && TRANSFER_IMPORT.test(text);
}

/**
 * Modules named as entry points in a pyproject.toml: `[project.scripts]`, `[project.gui-scripts]`,
 * `[tool.poetry.scripts]` (`name = "pkg.module:function"`, or Poetry's `{ reference = "...", ... }`), however
 * the tables are written (headers, dotted keys, inline tables). A file that is not TOML names none.
 */
export function entryPointModules(pyproject: string): string[] {
  const parsed = parseToml(pyproject);
  if ('error' in parsed) return [];
  const modules: string[] = [];
  for (const item of tomlItems(parsed.program)) {
    if (item.kind !== 'value' || item.node.type !== 'TOMLValue' || item.node.kind !== 'string') continue;
    const table = SCRIPT_TABLES.find((t) => pathStartsWith(item.path, t));
    const rest = table && item.path.slice(table.length);
    if (!rest || !(rest.length === 1 || (rest.length === 2 && rest[1] === 'reference' && table[0] === 'tool'))) continue;
    const m = /^\s*([\w.]+)\s*(?::\s*[\w.]+\s*)?(?:\[[^\]]*\]\s*)?$/.exec(item.node.value); // module:object [extras]
    if (m) modules.push(m[1]!);
  }
  return modules;
}

const SCRIPT_TABLES: readonly TomlPath[] = [['project', 'scripts'], ['project', 'gui-scripts'], ['tool', 'poetry', 'scripts']];

export interface PythonSource {
  readonly file: string;
  readonly text: string;
}

/** A module named by an import statement: `relative` leading dots; `at` the statement's offset; `indented` not at column 0. */
interface ImportedModule {
  readonly relative: number;
  readonly module: string;
  readonly at: number;
  readonly indented: boolean;
}

/** An import statement of a workspace file that imports a module of the workspace (ModuleGraph.importSites). */
export interface ImportSite {
  readonly file: string;
  /** Offset of the import statement in the file's text. */
  readonly at: number;
  /** Not at column 0: inside a block (try, if, def, ...), which only the syntax tree can tell about. */
  readonly indented: boolean;
}

interface ModuleFile {
  readonly file: string;
  /** Modules this file imports (with their parent packages and `from X import name` submodule candidates). */
  readonly imports: readonly ImportedModule[];
  readonly entry: boolean;
  readonly transfer: boolean;
  /** Functions of this file that call set_device (the process's device), with the call's place. */
  readonly setters: readonly DeviceSetter[];
  /** Quoted dotted names of workspace modules in this file (`'pkg.sub.mod'`), with the string's offset. */
  readonly named: readonly { readonly module: string; readonly at: number }[];
}

/** A string literal of a workspace file that names a workspace module by its dotted name (ModuleGraph.moduleStrings). */
export interface ModuleString {
  readonly file: string;
  /** Offset of the string (its opening quote) in the file's text. */
  readonly at: number;
}

/** A quoted dotted name: `'a.b'`, `"a.b.c"` (one segment is a plain word, not a module path). */
const DOTTED_STRING = /(['"])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\1/g;

/** A function that selects the process's device: `def init_distributed_device(args): ... torch.cuda.set_device(device)`. */
export interface DeviceSetter {
  readonly file: string;
  readonly name: string;
  /** The set_device call: 0-based line and column, offset and end offset in the file. */
  readonly line: number;
  readonly column: number;
  readonly start: number;
  readonly end: number;
}

/** The workspace's Python modules and their imports, to find the entry scripts that run a module. */
export class ModuleGraph {
  private readonly files = new Map<string, ModuleFile>();
  /** Module name → file, per root (workspace folder and its src/). */
  private readonly byModule = new Map<string, string>();

  /**
   * `sources`: every Python file of the workspace (their text is read once, not kept); `roots`: the
   * workspace folders; `entryModules`: modules named as entry points in pyproject.toml files.
   */
  constructor(sources: Iterable<PythonSource>, roots: readonly string[], entryModules: readonly string[] = []) {
    const rootList = roots.map((r) => path.resolve(r));
    const pending: { file: string; text: string }[] = [];
    for (const { file, text } of sources) {
      const abs = path.resolve(file);
      pending.push({ file: abs, text });
      const root = rootList.filter((r) => abs.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
      if (!root) continue;
      for (const base of [root, path.join(root, 'src')]) {
        if (!abs.startsWith(base + path.sep)) continue;
        const name = moduleName(path.relative(base, abs));
        if (name && !this.byModule.has(name)) this.byModule.set(name, abs);
      }
    }
    const entryFiles = new Set(entryModules.map((m) => this.byModule.get(m)).filter((f): f is string => !!f));
    const plain = new Set<string>();
    for (const { file, text } of pending) {
      const entry = entryFiles.has(file) || isEntryScript(text, file);
      if (!entry && isPlainScript(text, file)) plain.add(file);
      this.files.set(file, { file, imports: importsOf(text), entry, transfer: importsTransferToNpu(text), setters: deviceSetters(file, text), named: this.moduleNamesIn(text) });
    }
    // a plain script that no workspace module imports is run on its own: an entry script
    if (plain.size) {
      const imported = new Set(this.importSites().keys());
      for (const file of plain) if (!imported.has(file)) this.files.set(file, { ...this.files.get(file)!, entry: true });
    }
  }

  /** The dotted names of workspace modules that `text` writes as strings ('a.b.c': a lazy import, a registry entry). */
  private moduleNamesIn(text: string): { module: string; at: number }[] {
    const out: { module: string; at: number }[] = [];
    for (const m of text.matchAll(DOTTED_STRING)) if (this.byModule.has(m[2]!)) out.push({ module: m[2]!, at: m.index });
    return out;
  }

  /**
   * The strings of workspace files that name a workspace module by its dotted name, by the file of that module
   * (`'pkg.kernels'` → pkg/kernels/__init__.py): modules loaded by name (importlib.import_module, mmengine's
   * LazyObject, import-structure tables), which no import statement shows.
   */
  moduleStrings(): Map<string, ModuleString[]> {
    const out = new Map<string, ModuleString[]>();
    for (const info of this.files.values()) {
      for (const { module, at } of info.named) {
        const target = this.byModule.get(module)!;
        if (target === info.file) continue;
        const list = out.get(target);
        if (list) list.push({ file: info.file, at });
        else out.set(target, [{ file: info.file, at }]);
      }
    }
    return out;
  }

  /** The workspace's Python files (absolute paths). */
  pythonFiles(): string[] {
    return [...this.files.keys()];
  }

  isEntry(file: string): boolean {
    return this.files.get(path.resolve(file))?.entry ?? false;
  }

  /** Entry scripts of the workspace, sorted. */
  entryScripts(): string[] {
    return [...this.files.values()].filter((f) => f.entry).map((f) => f.file).sort();
  }

  /** Files the entry script runs (itself included), following workspace imports. */
  reachableFrom(entry: string): Set<string> {
    const start = path.resolve(entry);
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length) {
      const file = queue.pop()!;
      for (const target of this.resolveImports(file, start)) {
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    return seen;
  }

  /** Entry scripts that run `file` (the file itself when it is one), sorted. */
  entryScriptsReaching(file: string): string[] {
    const target = path.resolve(file);
    return this.entryScripts().filter((e) => this.reachableFrom(e).has(target));
  }

  /** Files run by an entry script that imports transfer_to_npu (CUDA calls there are redirected at run time). */
  runUnderTransferToNpu(): Set<string> {
    const covered = new Set<string>();
    for (const f of this.files.values()) if (f.entry && f.transfer) for (const r of this.reachableFrom(f.file)) covered.add(r);
    return covered;
  }

  /**
   * A function of another workspace module that `file` runs (directly or through its imports) and calls by name in
   * `text` (its own text), which selects the process's device with set_device; undefined when there is none.
   */
  deviceSetterCalledBy(file: string, text: string): DeviceSetter | undefined {
    const own = path.resolve(file);
    const calls = text.replace(/^\s*(?:async\s+)?def\s+\w+/gm, '');
    for (const reached of this.reachableFrom(own)) {
      if (reached === own) continue;
      for (const setter of this.files.get(reached)?.setters ?? []) {
        if (new RegExp(`\\b${setter.name}\\s*\\(`).test(calls)) return setter;
      }
    }
    return undefined;
  }

  /**
   * Every import statement of the workspace by the workspace file it imports (a package's `__init__.py` too: importing
   * `a.b` runs `a/__init__.py`). Without an entry script: an absolute import is looked for next to the importing file,
   * then from the workspace folders and their `src/`. One pass over the imports.
   */
  importSites(): Map<string, ImportSite[]> {
    const sites = new Map<string, ImportSite[]>();
    for (const info of this.files.values()) {
      const ownDir = path.dirname(info.file);
      let last: { target: string; at: number } | undefined;
      for (const { relative, module, at, indented } of info.imports) {
        const target = this.resolve(ownDir, relative, module);
        if (!target || target === info.file || (last?.target === target && last.at === at)) continue;
        last = { target, at };
        const list = sites.get(target);
        if (list) list.push({ file: info.file, at, indented });
        else sites.set(target, [{ file: info.file, at, indented }]);
      }
    }
    return sites;
  }

  private resolve(ownDir: string, relative: number, module: string, entryDir?: string): string | undefined {
    if (relative > 0) {
      let dir = ownDir;
      for (let i = 1; i < relative; i++) dir = path.dirname(dir);
      return this.fileFor(dir, module);
    }
    // a script's own folder is sys.path[0]; modules next to the running entry script or the importer
    return (entryDir !== undefined ? this.fileFor(entryDir, module) : undefined) ?? (ownDir !== entryDir ? this.fileFor(ownDir, module) : undefined) ?? this.byModule.get(module);
  }

  private resolveImports(file: string, entry: string): string[] {
    const info = this.files.get(file);
    if (!info) return [];
    const out: string[] = [];
    const entryDir = path.dirname(entry);
    const ownDir = path.dirname(file);
    for (const { relative, module } of info.imports) {
      const found = this.resolve(ownDir, relative, module, entryDir);
      if (found && found !== file) out.push(found);
    }
    return out;
  }

  /** `dir/a/b.py` or `dir/a/b/__init__.py` for module `a.b` (the package itself for an empty module). */
  private fileFor(dir: string, module: string): string | undefined {
    const parts = module ? module.split('.') : [];
    for (const candidate of [path.join(dir, ...parts) + '.py', path.join(dir, ...parts, '__init__.py')]) {
      if (parts.length === 0 && !candidate.endsWith('__init__.py')) continue;
      if (this.files.has(candidate)) return candidate;
    }
    return undefined;
  }
}

const SET_DEVICE = /\bset_device\s*\(/;

/**
 * The functions of a file that call set_device (by indentation: the defs around the call), with the call's place, and
 * the functions of the file that call those (timm's init_distributed_device calls init_distributed_device_so, which
 * calls torch.cuda.set_device).
 */
function deviceSetters(file: string, text: string): DeviceSetter[] {
  if (!SET_DEVICE.test(text)) return [];
  const out = new Map<string, DeviceSetter>();
  const defs: { indent: number; name: string; from: number; to: number }[] = [];
  const open: typeof defs = [];
  let offset = 0;
  /** Open brackets before the line: a continuation line (`):` closing a signature) opens or closes no block. */
  let depth = 0;
  const lines = text.split('\n');
  for (let line = 0; line < lines.length; offset += lines[line]!.length + 1, line++) {
    const l = lines[line]!;
    const code = l.trimStart();
    if (!code || code.startsWith('#')) continue;
    const indent = l.length - code.length;
    const continued = depth > 0;
    for (const c of code.replace(/(["'])(?:\\.|(?!\1).)*\1|#.*$/g, '')) depth = Math.max(0, depth + (c === '(' || c === '[' || c === '{' ? 1 : c === ')' || c === ']' || c === '}' ? -1 : 0));
    if (!continued) while (open.length && open[open.length - 1]!.indent >= indent) open.pop();
    for (const d of open) d.to = offset + l.length;
    const def = continued ? null : /^(?:async\s+)?def\s+(\w+)/.exec(code);
    if (def) {
      const d = { indent, name: def[1]!, from: offset, to: offset + l.length };
      defs.push(d);
      open.push(d);
    }
    const call = SET_DEVICE.exec(l);
    if (call) {
      const column = call.index;
      for (const { name } of open) if (!out.has(name)) out.set(name, { file, name, line, column, start: offset + column, end: offset + column + 'set_device'.length });
    }
  }
  // callers in the same file, until none is added
  for (let added = true; added; ) {
    added = false;
    for (const d of defs) {
      if (out.has(d.name)) continue;
      const body = text.slice(d.from, d.to).replace(/^\s*(?:async\s+)?def\s+\w+/, '');
      const callee = [...out.values()].find((setter) => new RegExp(`\\b${setter.name}\\s*\\(`).test(body));
      if (callee) {
        out.set(d.name, { ...callee, name: d.name });
        added = true;
      }
    }
  }
  return [...out.values()];
}

/** `pkg/sub/mod.py` → `pkg.sub.mod`, `pkg/__init__.py` → `pkg`. */
function moduleName(relative: string): string | undefined {
  const parts = relative.split(path.sep);
  const last = parts.pop()!;
  const stem = last.replace(/\.pyi?$/, '');
  if (stem !== '__init__') parts.push(stem);
  if (parts.length === 0 || parts.some((p) => !/^[A-Za-z_]\w*$/.test(p))) return undefined;
  return parts.join('.');
}

/** Imported modules from the text: each module, its parent packages, and `from X import name` as X.name too. */
function importsOf(text: string): ImportedModule[] {
  if (!text.includes('import')) return [];
  const out: ImportedModule[] = [];
  let at = 0;
  let indented = false;
  const add = (relative: number, module: string) => {
    const parts = module ? module.split('.') : [''];
    for (let i = 1; i <= parts.length; i++) out.push({ relative, module: parts.slice(0, i).join('.'), at, indented });
  };
  for (const m of text.matchAll(IMPORT_LINE)) {
    const indent = /^[ \t]*/.exec(m[0])![0].length;
    at = m.index + indent;
    indented = indent > 0;
    if (m[1] !== undefined) {
      for (const item of m[1].split(',')) {
        const name = item.trim().split(/\s+as\s+/)[0]!.trim();
        if (/^[\w.]+$/.test(name)) add(0, name);
      }
      continue;
    }
    const relative = m[2]!.length;
    const base = m[3]!;
    if (base || relative) add(relative, base);
    for (const item of m[4]!.replace(/[()\\]/g, ' ').split(',')) {
      const name = item.trim().split(/\s+as\s+/)[0]!.trim();
      if (/^\w+$/.test(name)) out.push({ relative, module: base ? `${base}.${name}` : name, at, indented });
    }
  }
  return out;
}
