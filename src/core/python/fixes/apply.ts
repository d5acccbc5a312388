import type { Tree } from 'web-tree-sitter';
import { comparePositions, type Range } from '../../position';
import { ImportTable } from '../symbols';
import { LineIndex, lineBreakOf, loneCrAsLf, withLineBreaks, type LineBreak } from '../text';
import type { AnalysisOptions, FileCreate, Finding, Fix, Requirement, TextEdit } from '../types';
import { helperPlace } from './helperPlace';
import { importLayout, requirementEdits } from './imports';

/**
 * Applies non-overlapping edits (ranges refer to `text`, a lone CR counting as a line break); inserts at one
 * position keep their order. Line breaks in the new text are written as `eol`: by default the file's own
 * style, so a CRLF or CR-only file keeps one style.
 */
export function applyEdits(text: string, edits: readonly TextEdit[], eol: LineBreak = lineBreakOf(text)): string {
  const lines = new LineIndex(loneCrAsLf(text));
  const resolved = edits.map((e, i) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), text: withLineBreaks(e.newText, eol), i }));
  resolved.sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  for (const e of resolved) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function overlaps(a: Range, b: Range): boolean {
  const empty = (r: Range) => comparePositions(r.start, r.end) === 0;
  if (empty(a) || empty(b)) return comparePositions(a.start, b.start) > 0 && comparePositions(a.start, b.end) < 0 || comparePositions(b.start, a.start) > 0 && comparePositions(b.start, a.end) < 0;
  return comparePositions(a.start, b.end) < 0 && comparePositions(b.start, a.end) < 0;
}

const sameEdit = (a: TextEdit, b: TextEdit) => comparePositions(a.range.start, b.range.start) === 0 && comparePositions(a.range.end, b.range.end) === 0 && a.newText === b.newText;

/** The preferred fix of a finding for the configured style (undefined: manual). */
export function preferredFix(finding: Finding, options: AnalysisOptions): Fix | undefined {
  return finding.fixes.find((f) => (f.style === undefined || f.style === options.style) && !f.explicitOnly);
}

export interface FileFix {
  readonly edits: TextEdit[];
  readonly createFiles: FileCreate[];
  /** Findings whose fix is part of the edits. */
  readonly fixed: Finding[];
  /** Findings whose preferred fix changes the interface (Fix.changesInterface): left for the user. */
  readonly interfaceChanges: Finding[];
}

/**
 * Fix-all for one file as one edit set: each finding's preferred fix, overlapping fixes skipped
 * (a later scan finds what is left), imports and statements added once. Fixes that change the program's
 * or model's interface are left out (`interfaceChanges`).
 */
export function fixAllEdits(tree: Tree, text: string, findings: readonly Finding[], options: AnalysisOptions): FileFix {
  const edits: TextEdit[] = [];
  const requires: Requirement[] = [];
  const createFiles: FileCreate[] = [];
  const fixed: Finding[] = [];
  const interfaceChanges: Finding[] = [];
  for (const finding of findings) {
    const fix = preferredFix(finding, options);
    // a fix for the entry script is applied there (fixPlan), not in this module
    if (!fix || fix.inEntryScript) continue;
    if (fix.changesInterface) {
      interfaceChanges.push(finding);
      continue;
    }
    const fresh = fix.coreEdits.filter((e) => !edits.some((d) => sameEdit(d, e)));
    if (fresh.some((e) => edits.some((d) => overlaps(d.range, e.range)))) continue;
    edits.push(...fresh);
    requires.push(...fix.requires);
    for (const file of fix.createFiles) if (!createFiles.some((c) => c.path === file.path)) createFiles.push(file);
    fixed.push(finding);
  }
  const lines = new LineIndex(text);
  edits.push(...requirementEdits(mergeIntoRewrittenImport(edits, requires, helperPlace(options.deviceModule, options.packageDepth).module), importLayout(tree, new ImportTable(tree, text), lines), lines));
  return { edits, createFiles, fixed, interfaceChanges };
}

/**
 * When a fix rewrites an import into `from <helper> import x` (flash-attn → helper), the other helper
 * names go into that same statement instead of a second `from <helper> import` line.
 */
function mergeIntoRewrittenImport(edits: TextEdit[], requires: Requirement[], helper: string): Requirement[] {
  const prefix = `from ${helper} import `;
  const index = edits.findIndex((e) => e.newText.startsWith(prefix) && !e.newText.includes('\n') && !e.newText.includes('('));
  if (index === -1) return requires;
  const present = edits[index]!.newText.slice(prefix.length).split(',').map((s) => s.trim());
  const extra = [...new Set(requires.flatMap((r) => (r.kind === 'from' && r.module === helper && !present.includes(r.name) ? [r.name] : [])))].sort();
  if (extra.length) edits[index] = { ...edits[index]!, newText: `${edits[index]!.newText}, ${extra.join(', ')}` };
  return requires.filter((r) => !(r.kind === 'from' && r.module === helper));
}

/** A `# npu-port: ignore[rule]` comment at the end of the finding's first line (merged into an existing one). */
export function ignoreEdit(text: string, finding: Finding): TextEdit {
  const lines = new LineIndex(text);
  const line = finding.range.start.line;
  const content = lines.lineText(line);
  const existing = /#\s*npu-port:\s*ignore\[([^\]]*)\]/.exec(content);
  if (existing) {
    const at = { line, column: existing.index + existing[0].length - 1 };
    return { range: { start: at, end: at }, newText: `, ${finding.rule}` };
  }
  const end = { line, column: content.length };
  return { range: { start: end, end }, newText: `${content.trimEnd().length ? '  ' : ''}# npu-port: ignore[${finding.rule}]` };
}
