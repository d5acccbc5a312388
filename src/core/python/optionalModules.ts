import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { msg } from '../l10n';
import { isGuardedRule } from './analyze';
import type { ImportSite, ModuleGraph } from './entry';
import { inOptionalImport, nodeAt, redundantBranch } from './guards';
import type { PythonParser } from './parser';
import { parentOf } from './parents';
import { LIBRARY_MODULES, libraryOf } from './rules/libraries';
import { ImportTable } from './symbols';
import { rangeOf } from './syntax';
import { loneCrAsLf } from './text';
import type { AnalysisOptions, Finding, RelatedLocation } from './types';

/**
 * CUDA-only optional modules, a workspace-scan view across files (issue 14).
 *
 * LLaMA-Factory's `flash_llama.py` imports flash-attn and re-raises the ImportError: on its own it needs the library.
 * But its only importer imports it behind the flash-attn switch (`if model_args.flash_attn ...: import ...flash_llama`),
 * so the module runs only where flash-attn is used, and the program has its path without it. A module is such a
 * **CUDA-only optional module** when it has importers in the scanned tree, is no entry script, and every import of it
 * - sits in a branch that runs only with a CUDA-only library or only on CUDA beside another path (guards.ts,
 *   redundantBranch: a library switch, a CUDA test with an else, a dispatch with an NPU branch), or
 * - sits in `try: ... except ImportError:` with a fallback (guards.ts, inOptionalImport) while the module itself
 *   imports a CUDA-only library when it is loaded (at module level, unguarded): on an NPU host that import fails and the
 *   importer takes its fallback. (A module that loads fine without the library would run there: not optional.)
 * Its CUDA findings at warning or error (the rules guard-aware severity applies to) become information, with a related
 * place at the optional import. Severities the user set per rule stay as set.
 *
 * Cost: one pass over the import lines the module graph already read; a syntax tree only for the importers of a
 * module with such findings whose every import line is indented (an import at column 0 runs unconditionally, so
 * one of those settles the module without parsing), each importer parsed at most once. Single-file analysis (the
 * editor's live analysis, the watcher's re-analysis of a changed file) has no view across files: the editor applies
 * the last workspace scan's answer (`asOptionalModule`) until the next scan.
 */
export interface OptionalModuleInput {
  /** Findings by file (absolute paths); the findings of optional modules are replaced. */
  readonly results: Map<string, readonly Finding[]>;
  readonly graph: ModuleGraph;
  readonly options: AnalysisOptions;
  /** A file's text as the scan reads it, or undefined when it cannot be read now. */
  readonly read: (file: string) => Promise<string | undefined>;
  readonly parser: () => Promise<PythonParser>;
}

/** A finding at warning or error of a rule the guard-aware severity applies to, whose severity the user did not set. */
function foldable(f: Finding, options: AnalysisOptions): boolean {
  return (f.severity === 'error' || f.severity === 'warning') && isGuardedRule(f.rule) && !options.rules?.[f.rule];
}

/**
 * The findings of a CUDA-only optional module: its warnings and errors become information with a related place at
 * the optional import. The workspace scan applies it, and the editor to an open module the last scan found optional.
 * Applying it twice changes nothing.
 */
export function asOptionalModule(findings: readonly Finding[], importedAt: RelatedLocation, options: AnalysisOptions, rules?: readonly string[]): readonly Finding[] {
  const folds = (f: Finding) => foldable(f, options) && (!rules || rules.includes(f.rule));
  if (!findings.some(folds)) return findings;
  return findings.map((f) => (folds(f) ? { ...f, severity: 'info', related: [...(f.related ?? []), importedAt] } : f));
}

/** Files parsed at most once each (`trees`: delete them when done). */
function treeCache(input: Pick<OptionalModuleInput, 'read' | 'parser'>) {
  const trees = new Map<string, { tree: Tree; text: string } | null>();
  const parsed = async (file: string) => {
    if (!trees.has(file)) {
      const raw = await input.read(file);
      const text = raw === undefined ? undefined : loneCrAsLf(raw);
      trees.set(file, text === undefined ? null : { tree: (await input.parser()).parse(text), text });
    }
    return trees.get(file) ?? undefined;
  };
  return { parsed, trees };
}

/** Folds the findings of the CUDA-only optional modules in `results`; returns each such module with its optional import. */
export async function foldOptionalModules(input: OptionalModuleInput): Promise<Map<string, RelatedLocation>> {
  const { results, graph, options } = input;
  const optionalModules = new Map<string, RelatedLocation>();
  const candidates = [...results].filter(([file, findings]) => /\.py$/i.test(file) && findings.some((f) => foldable(f, options)));
  if (candidates.length === 0) return optionalModules;
  let sites: Map<string, ImportSite[]> | undefined;
  const { parsed, trees } = treeCache(input);
  try {
    for (const [file, findings] of candidates) {
      sites ??= input.graph.importSites();
      const imports = sites.get(path.resolve(file));
      if (!imports?.length || imports.some((s) => !s.indented) || graph.isEntry(file)) continue;
      let needsLibrary: boolean | undefined;
      let first: { site: ImportSite; node: Node } | undefined;
      let optional = true;
      for (const site of imports) {
        const importer = await parsed(site.file);
        const statement = importer && importStatementAt(importer.tree, site.at);
        if (!statement) {
          optional = false;
          break;
        }
        if (redundantBranch(statement) === undefined) {
          if (!inOptionalImport(statement)) {
            optional = false;
            break;
          }
          if (needsLibrary === undefined) {
            const own = await parsed(file);
            needsLibrary = own !== undefined && loadsCudaLibrary(own.tree, own.text);
          }
          if (!needsLibrary) {
            optional = false;
            break;
          }
        }
        first ??= { site, node: statement };
      }
      if (!optional || !first) continue;
      const related: RelatedLocation = {
        file: first.site.file,
        range: rangeOf(first.node),
        startIndex: first.node.startIndex,
        endIndex: first.node.endIndex,
        message: msg('This module is imported only optionally: behind a CUDA-only library switch or a CUDA-only branch with another path, or with an ImportError fallback, as here'),
      };
      optionalModules.set(path.resolve(file), related);
      results.set(file, asOptionalModule(findings, related, options));
    }
  } finally {
    for (const t of trees.values()) t?.tree.delete();
  }
  return optionalModules;
}

/** A module loaded only by name where a CUDA-only library is optional (foldModulesNamedByString): the rules that fold, and where. */
export interface NamedModuleFold {
  readonly related: RelatedLocation;
  /** Only the findings of these rules fold (the libraries the module loads). */
  readonly rules: readonly string[];
}

/**
 * Modules loaded only by name, behind an optional CUDA-only library (issue 14): xtuner's `triton_kernels` package is
 * named only as `LazyObject('xtuner.model.modules.dispatch.triton_kernels', 'rms_norm_forward')` in a module that
 * probes Triton with `try: import triton ... except ImportError:`. A module M that imports a CUDA-only library L when
 * it is loaded (module level, unguarded) is **loaded only by name where L is optional** when, for M itself or else for
 * its package (the folder of M with an `__init__.py`; the package's own imports of M, at column 0 or not, pass through):
 * - no import statement of a scanned file outside that unit loads a file inside it, and none of its files is an entry
 *   script: the program reaches it only by its dotted name (importlib.import_module('a.b'), mmengine's LazyObject,
 *   transformers-style import-structure tables) or not at all;
 * - scanned files outside the unit write its dotted name (or the name of a module in it) as a string, and every such
 *   file imports L optionally (inside try / except ImportError with a fallback, guards.ts inOptionalImport, or asks
 *   importlib.util.find_spec("L")) and never unconditionally: the code that loads the unit by name is written to run
 *   where L is missing, and the unit cannot be loaded there (M imports L), so it is loaded only where L imports.
 * Only M's findings of L's rule become information (with a related place at the string): on an NPU host without L
 * the program takes its other path; where L exists (triton-ascend on Atlas A2 / A3) M runs on the NPU, so its other
 * CUDA code (a device="cuda" in the launching code) keeps its severity.
 * Cost: one regex pass per file when the module graph is built (quoted dotted names that are workspace modules); a
 * syntax tree only for a module with such findings whose unit is named by a string, and for the files naming it.
 */
export async function foldModulesNamedByString(input: OptionalModuleInput): Promise<Map<string, NamedModuleFold>> {
  const { results, graph, options } = input;
  const folded = new Map<string, NamedModuleFold>();
  const candidates = [...results].filter(([file, findings]) => /\.py$/i.test(file) && findings.some((f) => foldable(f, options) && libraryRule(f.rule)));
  if (candidates.length === 0) return folded;
  const strings = graph.moduleStrings();
  if (strings.size === 0) return folded;
  const sites = graph.importSites();
  const files = graph.pythonFiles();
  const { parsed, trees } = treeCache(input);
  try {
    for (const [file, findings] of candidates) {
      const own = path.resolve(file);
      const dir = path.dirname(own);
      const units: ((f: string) => boolean)[] = [(f) => f === own];
      if (files.includes(path.join(dir, '__init__.py'))) units.push((f) => f.startsWith(dir + path.sep));
      for (const inside of units) {
        const members = files.filter(inside);
        if (members.some((f) => graph.isEntry(f) || (sites.get(f) ?? []).some((s) => !inside(s.file)))) continue;
        const naming = members.flatMap((f) => strings.get(f) ?? []).filter((s) => !inside(s.file));
        if (naming.length === 0) continue;
        const module = await parsed(own);
        const libraries = module ? loadedLibraries(module.tree, module.text) : [];
        if (libraries.length === 0) break;
        let optional = true;
        for (const site of naming) {
          const loader = await parsed(site.file);
          if (!loader || !libraries.every((l) => importsOptionally(loader.tree, loader.text, l))) {
            optional = false;
            break;
          }
        }
        if (!optional) break;
        const first = naming[0]!;
        const loader = (await parsed(first.file))!;
        let literal = loader.tree.rootNode.descendantForIndex(first.at, first.at + 1) ?? loader.tree.rootNode;
        while (literal.type !== 'string' && parentOf(literal) && literal.startIndex === first.at) literal = parentOf(literal)!;
        const related: RelatedLocation = {
          file: first.file,
          range: rangeOf(literal),
          startIndex: literal.startIndex,
          endIndex: literal.endIndex,
          message: msg('This module is loaded only by this name, from a module that imports {0} optionally: it runs only where {0} imports', libraries.join(', ')),
        };
        const rules = [...new Set(libraries.map((l) => libraryOf(l)!))];
        folded.set(own, { related, rules });
        results.set(file, asOptionalModule(findings, related, options, rules));
        break;
      }
    }
  } finally {
    for (const t of trees.values()) t?.tree.delete();
  }
  return folded;
}

function libraryRule(rule: string): boolean {
  return LIBRARY_MODULES.some((m) => libraryOf(m) === rule);
}

/** The CUDA-only libraries (top-level modules) the module imports when it is loaded: outside functions, without a fallback. */
function loadedLibraries(tree: Tree, text: string): string[] {
  return [...new Set(unconditionalImports(tree, text).map((info) => info.module.split('.')[0]!).filter((m) => LIBRARY_MODULES.includes(m)))];
}

function unconditionalImports(tree: Tree, text: string) {
  return new ImportTable(tree, text).imports.filter((info) => {
    const node = nodeAt(tree, info.node);
    if (!node || inOptionalImport(node)) return false;
    for (let n = parentOf(node); n; n = parentOf(n)) if (n.type === 'function_definition' || n.type === 'lambda') return false;
    return true;
  });
}

/** The file imports `library` only optionally: in try / except ImportError with a fallback, or asks find_spec for it; never unconditionally. */
function importsOptionally(tree: Tree, text: string, library: string): boolean {
  const table = new ImportTable(tree, text);
  const of = (info: { module: string }) => info.module.split('.')[0] === library;
  if (unconditionalImports(tree, text).some(of)) return false;
  const probed = table.imports.some((info) => {
    if (!of(info)) return false;
    const node = nodeAt(tree, info.node);
    return node !== null && inOptionalImport(node);
  });
  return probed || new RegExp(`find_spec\\(\\s*(['"])${library}\\1`).test(text);
}

/** The import statement that starts at `at`, if the text there is one (not an import line inside a string). */
function importStatementAt(tree: Tree, at: number): Node | undefined {
  for (let n: Node | null = tree.rootNode.descendantForIndex(at); n && n.startIndex === at; n = parentOf(n)) {
    if (n.type === 'import_statement' || n.type === 'import_from_statement') return n;
  }
  return undefined;
}

/** The module imports a CUDA-only library (flash_attn, xformers, apex, ...) when it is loaded: outside functions, without a fallback. */
function loadsCudaLibrary(tree: Tree, text: string): boolean {
  return loadedLibraries(tree, text).length > 0;
}

/**
 * `DistributedDataParallel(..., device_ids=[device])` in a file that selects no device itself (rules/distributed.ts) while
 * it calls a function of another scanned module that does (open_clip's and timm's `init_distributed_device`, which calls
 * torch.cuda.set_device): the process's device is selected; the finding is information, with a related place at that
 * set_device call (ported there, it selects the NPU). Severities the user set stay as set.
 */
export async function foldDeviceSetters(input: Pick<OptionalModuleInput, 'results' | 'graph' | 'options' | 'read'>): Promise<Map<string, RelatedLocation>> {
  const { results, graph, options } = input;
  const callers = new Map<string, RelatedLocation>();
  if (options.rules?.['ddp-device-ids']) return callers;
  for (const [file, findings] of results) {
    if (!findings.some((f) => f.rule === 'ddp-device-ids' && f.severity !== 'info')) continue;
    const text = await input.read(file);
    const setter = text === undefined ? undefined : graph.deviceSetterCalledBy(file, text);
    if (!setter) continue;
    const related: RelatedLocation = {
      file: setter.file,
      range: { start: { line: setter.line, column: setter.column }, end: { line: setter.line, column: setter.column + 'set_device'.length } },
      startIndex: setter.start,
      endIndex: setter.end,
      message: msg('{0}(), which this file calls, selects the device here', setter.name),
    };
    callers.set(path.resolve(file), related);
    results.set(file, asDeviceSetterCaller(findings, related, options));
  }
  return callers;
}

/** The findings of a file whose device another module selects: `ddp-device-ids` becomes information pointing there. */
function asDeviceSetterCaller(findings: readonly Finding[], setter: RelatedLocation, options: AnalysisOptions): readonly Finding[] {
  if (options.rules?.['ddp-device-ids'] || !findings.some((f) => f.rule === 'ddp-device-ids' && f.severity !== 'info')) return findings;
  return findings.map((f) => (f.rule === 'ddp-device-ids' && f.severity !== 'info' ? { ...f, severity: 'info', related: [...(f.related ?? []), setter] } : f));
}

/** What the workspace scan's view across files says of one file, for the editor's single-file analysis to apply. */
export interface CrossFileFold {
  /** `optionalModule`: a CUDA-only optional module (foldOptionalModules); `deviceSetter`: its device is selected elsewhere (foldDeviceSetters). */
  readonly kind: 'optionalModule' | 'deviceSetter';
  readonly related: RelatedLocation;
  /** An optional module whose findings of these rules only fold (foldModulesNamedByString); all rules when absent. */
  readonly rules?: readonly string[];
}

/** Applies the scan's folds of a file to its findings (the editor: open files, files re-read after a change on disk). */
export function applyCrossFileFolds(findings: readonly Finding[], folds: readonly CrossFileFold[], options: AnalysisOptions): readonly Finding[] {
  return folds.reduce((out, fold) => (fold.kind === 'optionalModule' ? asOptionalModule(out, fold.related, options, fold.rules) : asDeviceSetterCaller(out, fold.related, options)), findings);
}

/** The scan's folds by file (absolute path). */
export function crossFileFolds(optionalModules: ReadonlyMap<string, RelatedLocation>, deviceSetterCallers: ReadonlyMap<string, RelatedLocation>, namedModules: ReadonlyMap<string, NamedModuleFold> = new Map()): Map<string, CrossFileFold[]> {
  const folds = new Map<string, CrossFileFold[]>();
  const add = (file: string, fold: CrossFileFold) => folds.set(file, [...(folds.get(file) ?? []), fold]);
  for (const [file, related] of optionalModules) add(file, { kind: 'optionalModule', related });
  for (const [file, { related, rules }] of namedModules) add(file, { kind: 'optionalModule', related, rules });
  for (const [file, related] of deviceSetterCallers) add(file, { kind: 'deviceSetter', related });
  return folds;
}
