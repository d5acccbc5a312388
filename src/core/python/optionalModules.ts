import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { msg } from '../l10n';
import { isGuardedRule } from './analyze';
import type { ImportSite, ModuleGraph } from './entry';
import { inOptionalImport, nodeAt, redundantBranch } from './guards';
import type { PythonParser } from './parser';
import { parentOf } from './parents';
import { LIBRARY_MODULES } from './rules/libraries';
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
export function asOptionalModule(findings: readonly Finding[], importedAt: RelatedLocation, options: AnalysisOptions): readonly Finding[] {
  if (!findings.some((f) => foldable(f, options))) return findings;
  return findings.map((f) => (foldable(f, options) ? { ...f, severity: 'info', related: [...(f.related ?? []), importedAt] } : f));
}

/** Folds the findings of the CUDA-only optional modules in `results`; returns each such module with its optional import. */
export async function foldOptionalModules(input: OptionalModuleInput): Promise<Map<string, RelatedLocation>> {
  const { results, graph, options } = input;
  const optionalModules = new Map<string, RelatedLocation>();
  const candidates = [...results].filter(([file, findings]) => /\.py$/i.test(file) && findings.some((f) => foldable(f, options)));
  if (candidates.length === 0) return optionalModules;
  let sites: Map<string, ImportSite[]> | undefined;
  const trees = new Map<string, { tree: Tree; text: string } | null>();
  const parsed = async (file: string) => {
    if (!trees.has(file)) {
      const raw = await input.read(file);
      const text = raw === undefined ? undefined : loneCrAsLf(raw);
      trees.set(file, text === undefined ? null : { tree: (await input.parser()).parse(text), text });
    }
    return trees.get(file) ?? undefined;
  };
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

/** The import statement that starts at `at`, if the text there is one (not an import line inside a string). */
function importStatementAt(tree: Tree, at: number): Node | undefined {
  for (let n: Node | null = tree.rootNode.descendantForIndex(at); n && n.startIndex === at; n = parentOf(n)) {
    if (n.type === 'import_statement' || n.type === 'import_from_statement') return n;
  }
  return undefined;
}

/** The module imports a CUDA-only library (flash_attn, xformers, apex, ...) when it is loaded: outside functions, without a fallback. */
function loadsCudaLibrary(tree: Tree, text: string): boolean {
  return new ImportTable(tree, text).imports.some((info) => {
    if (!LIBRARY_MODULES.includes(info.module.split('.')[0]!)) return false;
    const node = nodeAt(tree, info.node);
    if (!node || inOptionalImport(node)) return false;
    for (let n = parentOf(node); n; n = parentOf(n)) if (n.type === 'function_definition' || n.type === 'lambda') return false;
    return true;
  });
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
}

/** Applies the scan's folds of a file to its findings (the editor: open files, files re-read after a change on disk). */
export function applyCrossFileFolds(findings: readonly Finding[], folds: readonly CrossFileFold[], options: AnalysisOptions): readonly Finding[] {
  return folds.reduce((out, fold) => (fold.kind === 'optionalModule' ? asOptionalModule(out, fold.related, options) : asDeviceSetterCaller(out, fold.related, options)), findings);
}

/** The scan's folds by file (absolute path). */
export function crossFileFolds(optionalModules: ReadonlyMap<string, RelatedLocation>, deviceSetterCallers: ReadonlyMap<string, RelatedLocation>): Map<string, CrossFileFold[]> {
  const folds = new Map<string, CrossFileFold[]>();
  const add = (file: string, fold: CrossFileFold) => folds.set(file, [...(folds.get(file) ?? []), fold]);
  for (const [file, related] of optionalModules) add(file, { kind: 'optionalModule', related });
  for (const [file, related] of deviceSetterCallers) add(file, { kind: 'deviceSetter', related });
  return folds;
}
