import { existsSync, promises as fsp, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { hasUtf8Bom, writeFileAtomic } from '../fs';
import { msg, type Message } from '../l10n';
import { analyzePython } from '../python/analyze';
import { importsTransferToNpu, type ModuleGraph } from '../python/entry';
import { applyEdits, fixAllEdits, preferredFix } from '../python/fixes/apply';
import { helperPackageDepth, packageCache } from '../python/fixes/helperPlace';
import { importLayout, requirementEdits } from '../python/fixes/imports';
import { TRANSFER_TO_NPU_LINES } from '../python/fixes/kit';
import { ImportTable } from '../python/symbols';
import { LineIndex, loneCrAsLf, withoutBom } from '../python/text';
import { fixSource } from '../python/index';
import type { PythonParser } from '../python/parser';
import { fixRequirements } from '../dependencies/requirements';
import type { AnalysisOptions, Finding, TextEdit } from '../python/types';

/** Fix-all for one file: its edits, its new text, and the files to create next to it (absolute paths). */
export interface FilePlan {
  readonly file: string;
  /** The edits of the first pass (empty for requirements files, which only create a file). */
  readonly edits: readonly TextEdit[];
  /** The text after every pass of fix-all. */
  readonly newText: string;
  readonly fixed: readonly Finding[];
  readonly creates: readonly { readonly file: string; readonly content: string }[];
  /** Findings whose fix changes the program's or model's interface: not applied (a plan may hold only these). */
  readonly interfaceChanges: readonly Finding[];
}

/** The note fix-all gives when it left fixes out because they change an interface (Fix.changesInterface). */
export const INTERFACE_CHANGES = (count: number): Message =>
  msg('{0} fixes not applied: they change the interface (an exported model\'s dynamic axes, a command-line option\'s choices). Apply them one at a time as quick fixes if you want them.', count);

/** What fix-all did over plans: findings fixed, files changed, fixes left out because they change an interface. */
export function planTotals(plans: readonly FilePlan[]): { fixed: number; files: number; interfaceChanges: number } {
  return {
    fixed: plans.reduce((n, p) => n + p.fixed.length, 0),
    files: plans.filter((p) => p.fixed.length > 0 || p.edits.length > 0).length,
    interfaceChanges: plans.reduce((n, p) => n + p.interfaceChanges.length, 0),
  };
}

/** What fix-all needs to know about the workspace for the transferToNpu style. */
export interface WorkspaceFixContext {
  /** Every Python file of the workspace and its imports (entry scripts, what they run). */
  readonly graph: ModuleGraph;
  /** The current text of a file (the editor's, or the file on disk). */
  readonly readText: (file: string) => string;
}

/**
 * Plans fix-all over files (Python sources, requirements files, pyproject.toml) from their current text; files
 * with nothing fixable are left out. Created files that already exist are not overwritten.
 * transferToNpu style: the two-line import goes only into entry scripts. A module's findings are fixed
 * by adding it to every entry script of the workspace that runs the module (`workspace.graph`); with no
 * such script they stay open.
 */
export function planFixes(parser: PythonParser, given: readonly { file: string; text: string }[], baseOptions: AnalysisOptions, workspace?: WorkspaceFixContext): FilePlan[] {
  const files = onePerRealFile(given);
  const plans: FilePlan[] = [];
  const creating = new Set<string>();
  /** Modules whose findings need the import in an entry script: file → those findings. */
  const forEntry = new Map<string, Finding[]>();
  const isPackage = packageCache();
  for (const { file, text: raw } of files) {
    const text = withoutBom(raw);
    let options = workspace && baseOptions.style === 'transferToNpu' ? { ...baseOptions, entryScript: workspace.graph.isEntry(file) } : baseOptions;
    // one helper per package tree, imported relatively (fixes/helperPlace.ts)
    if (/\.pyi?$/i.test(file)) {
      const depth = helperPackageDepth(options.style, file, isPackage);
      if (depth > 0) options = { ...options, packageDepth: depth };
    }
    let edits: TextEdit[] = [];
    let fixed: Finding[] = [];
    let interfaceChanges: readonly Finding[] = [];
    let relCreates: { path: string; content: string }[] = [];
    let newText = text;
    if (/\.pyi?$/i.test(file)) {
      const analysed = loneCrAsLf(text);
      const tree = parser.parse(analysed);
      try {
        const plan = fixAllEdits(tree, analysed, analyzePython({ tree, text: analysed, options }), options);
        edits = plan.edits;
      } finally {
        tree.delete();
      }
      const result = fixSource(parser, text, options);
      newText = result.text;
      fixed = [...result.fixed];
      interfaceChanges = result.interfaceChanges;
      const entryFixed = result.findings.filter((f) => preferredFix(f, options)?.inEntryScript);
      if (entryFixed.length) forEntry.set(file, entryFixed);
      relCreates = result.createFiles.map((c) => ({ path: c.path, content: c.content }));
    } else if (/^requirements.*\.txt$/i.test(path.basename(file)) || path.basename(file) === 'pyproject.toml') {
      // requirements*.txt: creates requirements_npu.txt; pyproject.toml: edited in place
      const result = fixRequirements(text, file, options, existsSync(path.join(path.dirname(file), 'requirements_npu.txt')));
      edits = [...result.edits];
      newText = result.text;
      fixed = [...result.fixed];
      relCreates = [...result.createFiles];
    }
    if (fixed.length === 0) {
      if (interfaceChanges.length) plans.push({ file, edits: [], newText: text, fixed: [], creates: [], interfaceChanges });
      continue;
    }
    const creates = relCreates
      .map((c) => ({ file: path.join(path.dirname(file), ...c.path.split('/')), content: c.content }))
      .filter((c) => !existsSync(c.file) && !creating.has(c.file));
    for (const c of creates) creating.add(c.file);
    plans.push({ file, edits, newText, fixed, creates, interfaceChanges });
  }
  if (forEntry.size && workspace) addEntryImports(parser, plans, forEntry, workspace);
  return plans;
}

/**
 * One entry per real file: a symbolic link and the file it points to (both in the workspace) are one
 * file, planned and written once (twice, its findings counted twice and the second write made from the
 * text before the first). The file's own path is kept when it is among `files`, else the first link.
 */
function onePerRealFile<T extends { file: string }>(files: readonly T[]): T[] {
  const real = (file: string) => {
    try {
      return realpathSync(file);
    } catch {
      return path.resolve(file);
    }
  };
  const chosen = new Map<string, T>();
  for (const entry of files) {
    const key = real(entry.file);
    const known = chosen.get(key);
    if (!known || (path.resolve(entry.file) === key && path.resolve(known.file) !== key)) chosen.set(key, entry);
  }
  const kept = new Set(chosen.values());
  return files.filter((f) => kept.has(f));
}

/** Adds the transferToNpu import to the entry scripts that run the modules in `forEntry`; those findings become fixed. */
function addEntryImports(parser: PythonParser, plans: FilePlan[], forEntry: ReadonlyMap<string, Finding[]>, workspace: WorkspaceFixContext): void {
  const entries = new Set<string>();
  for (const [file, findings] of forEntry) {
    const reaching = workspace.graph.entryScriptsReaching(file);
    if (reaching.length === 0) continue;
    for (const e of reaching) entries.add(e);
    const index = plans.findIndex((p) => path.resolve(p.file) === path.resolve(file));
    if (index === -1) plans.push({ file, edits: [], newText: withoutBom(workspace.readText(file)), fixed: findings, creates: [], interfaceChanges: [] });
    else plans[index] = { ...plans[index]!, fixed: [...plans[index]!.fixed, ...findings] };
  }
  for (const entry of [...entries].sort()) {
    const index = plans.findIndex((p) => path.resolve(p.file) === entry);
    const plan = index === -1 ? undefined : plans[index]!;
    const text = plan ? plan.newText : withoutBom(workspace.readText(entry));
    if (importsTransferToNpu(text)) continue;
    const headEdits = transferImportEdits(parser, text);
    const newText = applyEdits(text, headEdits);
    if (plan) plans[index] = { ...plan, edits: plan.edits.length ? plan.edits : headEdits, newText };
    else plans.push({ file: entry, edits: headEdits, newText, fixed: [], creates: [], interfaceChanges: [] });
  }
}

/** The edits adding `import torch_npu` + `from torch_npu.contrib import transfer_to_npu` at the top of an entry script. */
export function transferImportEdits(parser: PythonParser, source: string): TextEdit[] {
  const text = loneCrAsLf(source);
  const tree = parser.parse(text);
  try {
    const lines = new LineIndex(text);
    return requirementEdits([{ kind: 'head', lines: TRANSFER_TO_NPU_LINES }], importLayout(tree, new ImportTable(tree, text), lines), lines);
  } finally {
    tree.delete();
  }
}

/**
 * Writes planned fixes to disk, each file through a temporary file and a rename: its UTF-8 byte order mark
 * (the planned texts have none), permission bits and symbolic link are kept (see writeFileAtomic); the
 * line breaks are the file's own (applyEdits).
 */
export async function writePlans(plans: readonly FilePlan[], signal?: AbortSignal): Promise<void> {
  for (const plan of plans) {
    if (plan.edits.length) {
      const bom = await hasUtf8Bom(plan.file);
      await writeFileAtomic(plan.file, bom ? `\uFEFF${plan.newText}` : plan.newText, { signal });
    }
    for (const c of plan.creates) {
      await fsp.mkdir(path.dirname(c.file), { recursive: true });
      if (!existsSync(c.file)) await writeFileAtomic(c.file, c.content, { signal });
    }
  }
}
