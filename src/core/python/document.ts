import type { Node, Tree } from 'web-tree-sitter';
import { comparePositions, type Position, type Range } from '../position';
import { analyzePython } from './analyze';
import { besideNpuScope, outermostCudaIf } from './guards';
import { importLayout, type ImportLayout } from './fixes/imports';
import { ImportTable } from './symbols';
import type { Span } from './syntax';
import type { PythonParser } from './parser';
import { endOfInsertion, LineIndex } from './text';
import type { AnalysisOptions, Finding, Fix, RelatedLocation, TextEdit } from './types';

/** An edit as editors report it: the range in the text before this change, and the new text. */
export interface ContentChange {
  readonly range: Range;
  readonly text: string;
}

/**
 * Edits that can change what other lines mean: imports, device variables, libraries, and quotes,
 * comment signs and backslashes (they change how everything after them is read): re-analyse everything.
 */
const GLOBAL_EFFECT = /\bimport\b|\bfrom\b|cuda|nccl|flash|xformers|apex|bitsandbytes|triton|transfer_to_npu|diffusers|device|map_location|\.to\s*\(|["'#\\]/i;

interface Shift {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
  readonly startPos: Position;
  readonly oldEndPos: Position;
  readonly newEndPos: Position;
}

/**
 * Wall time an update may spend in tree-sitter's incremental re-parse. When a keystroke breaks the syntax,
 * error recovery can take tens of milliseconds on a large file; past this budget the update keeps the
 * edited previous tree and the moved findings, and settle() (run when typing pauses) finishes the parse
 * and re-analyses the file.
 */
export const KEYSTROKE_PARSE_BUDGET_MS = 3;

/**
 * One open Python document: its text, its syntax tree (edited in place and re-parsed incrementally
 * with `tree.edit` + parse(old tree)), and its findings. After an edit only the changed statements
 * are re-analysed; findings elsewhere move with the text.
 */
export class PythonDocument {
  private tree: Tree;
  private lines: LineIndex;
  private current: Finding[];
  /**
   * Device literals whose finding depends on code elsewhere (data flow: where the name they are assigned
   * to is read); a partial update looks at them again, wherever the edit is.
   */
  private flowLiterals: { start: number; end: number }[] = [];
  /** The names those data-flow searches looked up: a partial update re-checks the literals only when its edit touches one. */
  private flowNames = new Set<string>();
  /** The imports as of the last full analysis, moved with every edit since. */
  private imports: ImportTable | undefined;
  /** End offset of the last top-level import or the module docstring. */
  private headerEnd = 0;
  /** Where fixes put imports; valid while edits stay below the header (partial updates). */
  private layout: ImportLayout | undefined;
  /** End of the last `from M import` statement the layout points at. */
  private layoutEnd = 0;
  /** How the last update was done (tests and the benchmark look at it); deferred: the re-parse ran over budget. */
  lastUpdate: 'full' | 'partial' | 'deferred' = 'full';
  /** The tree is the previous one, edited but not re-parsed (a deferred update): settle() re-parses it. */
  private staleTree = false;
  private readonly parseBudgetMs: number;
  private pendingFull = false;
  /** Why the last full update was full (benchmark and tests). */
  fullReason: 'text' | 'header' | 'fix' | 'import' | '' = '';
  /** Length of the text re-analysed by the last partial update. */
  lastSpan = 0;
  /** Time of the last update's incremental re-parse (tree-sitter, with getChangedRanges), for the benchmark. */
  parseMs = 0;

  /** `parseBudgetMs`: see KEYSTROKE_PARSE_BUDGET_MS (Infinity: always finish the re-parse on the keystroke). */
  constructor(private readonly parser: PythonParser, private textValue: string, private options: AnalysisOptions, limits: { parseBudgetMs?: number } = {}) {
    this.parseBudgetMs = limits.parseBudgetMs ?? KEYSTROKE_PARSE_BUDGET_MS;
    this.tree = parser.parse(textValue);
    this.lines = new LineIndex(textValue);
    this.current = this.analyzeAll();
  }

  get text(): string {
    return this.textValue;
  }

  get findings(): readonly Finding[] {
    return this.current;
  }

  /** The syntax tree of the current text (finishes a deferred re-parse first). */
  get syntaxTree(): Tree {
    this.settleTree();
    return this.tree;
  }

  setOptions(options: AnalysisOptions): void {
    this.options = options;
    this.current = this.analyzeAll();
  }

  /** Applies editor changes in order and updates the findings. */
  update(changes: readonly ContentChange[]): readonly Finding[] {
    if (changes.length === 0) return this.current;
    let full = false;
    let dirtyStart = Number.MAX_SAFE_INTEGER;
    let dirtyEnd = -1;
    let kept = [...this.current];
    /** The identifiers the edits changed, as they were before (with the edited text, they decide whether flow literals are re-checked). */
    let editedWords = '';
    for (const change of changes) {
      const start = this.lines.offsetAt(change.range.start);
      const oldEnd = this.lines.offsetAt(change.range.end);
      const startPos = this.lines.positionAt(start);
      const oldEndPos = this.lines.positionAt(oldEnd);
      const newEndPos = endOfInsertion(startPos, change.text);
      const shift: Shift = { start, oldEnd, newEnd: start + change.text.length, startPos, oldEndPos, newEndPos };
      const removed = this.textValue.slice(start, oldEnd);
      editedWords += ' ' + wordsAround(this.textValue, start, oldEnd);
      if (GLOBAL_EFFECT.test(removed) || GLOBAL_EFFECT.test(change.text)) (full = true), (this.fullReason = 'text');
      else if (this.touchesHeader(start)) (full = true), (this.fullReason = 'header');
      this.tree.edit({ startIndex: start, oldEndIndex: oldEnd, newEndIndex: shift.newEnd, startPosition: toPoint(startPos), oldEndPosition: toPoint(oldEndPos), newEndPosition: toPoint(newEndPos) });
      this.textValue = this.textValue.slice(0, start) + change.text + this.textValue.slice(oldEnd);
      this.lines = this.lines.edited(this.textValue, start, oldEnd, change.text);
      const next: Finding[] = [];
      for (const f of kept) {
        const moved = shiftFinding(f, shift);
        if (moved === 'dirty') continue;
        if (moved === 'fix-dirty') (full = true), (this.fullReason = 'fix');
        else next.push(moved);
      }
      kept = next;
      // a literal the edit touches is in the dirty range (re-analysed, and recorded again if it still depends on flow)
      this.flowLiterals = this.flowLiterals.filter((l) => l.end < start || l.start > oldEnd).map((l) => (l.start >= oldEnd ? { start: l.start + shift.newEnd - oldEnd, end: l.end + shift.newEnd - oldEnd } : l));
      if (!full) {
        this.imports = this.imports?.moved((span) => shiftSpan(span, shift));
        if (!this.imports) (full = true), (this.fullReason = 'import');
      }
      if (dirtyEnd >= 0) {
        dirtyStart = shiftOffset(dirtyStart, shift);
        dirtyEnd = shiftOffset(dirtyEnd, shift);
      }
      dirtyStart = Math.min(dirtyStart, start);
      dirtyEnd = Math.max(dirtyEnd, shift.newEnd);
    }
    const old = this.tree;
    const oldHadErrors = old.rootNode.hasError;
    const wasStale = this.staleTree;
    const parseStart = performance.now();
    const parsed = Number.isFinite(this.parseBudgetMs) ? this.parser.parseWithin(this.textValue, old, this.parseBudgetMs) : this.parser.parse(this.textValue, old);
    if (!parsed) {
      // Error recovery ran over budget: the edited previous tree stays (positions moved, structure old),
      // the findings away from the edit stay; settle() finishes the parse when typing pauses.
      this.parseMs = performance.now() - parseStart;
      this.staleTree = true;
      this.pendingFull = true;
      this.lastUpdate = 'deferred';
      this.current = kept;
      return this.current;
    }
    this.tree = parsed;
    this.staleTree = false;
    for (const r of this.tree.getChangedRanges(old)) {
      dirtyStart = Math.min(dirtyStart, r.startIndex);
      dirtyEnd = Math.max(dirtyEnd, r.endIndex);
    }
    old.delete();
    this.parseMs = performance.now() - parseStart;
    if (full) {
      this.pendingFull = false;
      this.lastUpdate = 'full';
      this.current = this.analyzeAll();
      return this.current;
    }
    this.lastUpdate = 'partial';
    // Error recovery is not local: with broken code an edit can regroup code far from it. The partial
    // result is shown at once; settle() (run when typing pauses) re-analyses the whole file. The same
    // after a deferred update, whose dropped findings near that edit only a full pass brings back.
    if (oldHadErrors || this.tree.rootNode.hasError || wasStale) this.pendingFull = true;
    const { start, end } = this.expand(dirtyStart, dirtyEnd, editedWords);
    this.lastSpan = end - start;
    // The re-parse may have turned text far from the edit into (or out of) an import statement.
    if (!this.imports || this.textValue.slice(start, end).includes('import')) {
      this.imports = new ImportTable(this.tree, this.textValue);
      this.updateHeaderEnd();
    }
    // otherwise the header did not change: partial updates are edits below it (touchesHeader); the
    // import layout also points at `from M import` statements further down, which may have moved
    else if (start <= this.layoutEnd) this.updateHeaderEnd();
    // literals whose finding depends on data flow are looked at again when the edit touches a name their search followed
    const flowOutside = this.flowLiterals.filter((l) => l.end < start || l.start > end);
    const edited = this.textValue.slice(start, end) + editedWords;
    const recheck = flowOutside.length > 0 && [...this.flowNames].some((name) => edited.includes(name)) ? flowOutside : [];
    const inRecheck = (f: Finding) => recheck.some((l) => f.startIndex >= l.start && f.endIndex <= l.end);
    const outside = kept.filter((f) => (f.endIndex < start || f.startIndex > end) && !inRecheck(f));
    const flowLiterals: { start: number; end: number }[] = [];
    const fresh = analyzePython({ tree: this.tree, text: this.textValue, lines: this.lines, options: this.options, within: { start, end }, recheck, flowDependent: flowLiterals, flowNames: this.flowNames, imports: this.imports, layout: this.layout });
    this.flowLiterals = recheck.length > 0 ? flowLiterals : [...flowOutside, ...flowLiterals];
    const keys = new Set(outside.map(key));
    this.current = [...outside, ...fresh.filter((f) => !keys.has(key(f)))].sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex);
    return this.current;
  }

  /** True when the findings came from a partial update of a file with syntax errors (see settle). */
  get unsettled(): boolean {
    return this.pendingFull;
  }

  /** Runs the full re-analysis a partial update over broken code left pending; returns the findings. */
  settle(): readonly Finding[] {
    this.settleTree();
    if (this.pendingFull) {
      this.pendingFull = false;
      this.current = this.analyzeAll();
    }
    return this.current;
  }

  dispose(): void {
    this.tree.delete();
  }

  /** Finishes a deferred re-parse (no budget). */
  private settleTree(): void {
    if (!this.staleTree) return;
    const old = this.tree;
    this.tree = this.parser.parse(this.textValue, old);
    old.delete();
    this.staleTree = false;
    this.pendingFull = true;
  }

  private analyzeAll(): Finding[] {
    this.settleTree();
    this.imports = new ImportTable(this.tree, this.textValue);
    this.updateHeaderEnd();
    this.flowLiterals = [];
    this.flowNames = new Set();
    return analyzePython({ tree: this.tree, text: this.textValue, lines: this.lines, options: this.options, imports: this.imports, flowDependent: this.flowLiterals, flowNames: this.flowNames });
  }

  /** Where fixes insert imports and statements: edits before the last of these places re-analyse everything. */
  private updateHeaderEnd(): void {
    const layout = importLayout(this.tree, this.imports ?? new ImportTable(this.tree, this.textValue), this.lines);
    this.layout = layout;
    this.layoutEnd = Math.max(0, ...[...layout.fromStatements.values()].map((f) => f.lastName.endIndex));
    // torch_npu goes after `import torch` only in the torchNpu / transferToNpu styles
    const anchors = [...layout.afterModule].filter(([module]) => module !== 'torch' || this.options.style !== 'deviceManager').map(([, at]) => at);
    this.headerEnd = Math.max(layout.head, layout.imports, ...anchors);
  }

  /** Edits at or above the end of the last top-level import (or the docstring) change where fixes insert imports. */
  private touchesHeader(offset: number): boolean {
    return offset <= this.headerEnd + 1;
  }

  /**
   * The dirty range grown to the statements around its ends (the innermost nodes that sit directly
   * in a block or the module: a line in a method re-analyses that statement, not the class).
   */
  private expand(start: number, end: number, editedWords = ''): { start: number; end: number } {
    let s = this.lines.lineStart(this.lines.positionAt(start).line);
    let e = this.lines.lineEnd(this.lines.positionAt(Math.min(end, this.textValue.length)).line);
    const root = this.tree.rootNode;
    const length = this.textValue.length;
    // With syntax errors the result is provisional anyway (settle() re-analyses the file when typing
    // pauses), so the statements around the changed ranges are enough here too; re-analysing whole
    // top-level statements (a class of a thousand lines) made the keystroke slow.
    const stopAt = STATEMENT_PARENTS;
    // a CUDA-only branch and its guard are reported together (analyze.ts, foldIntoGuards): an edit in either, or
    // right after the if (a branch that returns has the code after it as its other path), re-analyses the whole if
    const grow: Node[] = [];
    let last = s - 1;
    while (last >= 0 && /\s/.test(this.textValue[last]!)) last--;
    for (const at of [last, s, e - 1]) {
      const node = length > 0 && at >= 0 ? root.descendantForIndex(Math.min(at, length - 1)) : null;
      if (!node) continue;
      const before = statementOf(node, stopAt)?.previousNamedSibling;
      const cudaIf = outermostCudaIf(node) ?? (before ? outermostCudaIf(before) : undefined);
      if (cudaIf) grow.push(cudaIf);
      // a decorator, or a flag read beside an NPU term, decides findings lines away (guards.ts, besideNpuScope)
      const scope = besideNpuScope(node, this.textValue, editedWords);
      if (scope) grow.push(scope);
    }
    for (const at of [s, Math.max(s, e - 1)]) {
      if (length === 0) break;
      const node = statementOf(root.descendantForIndex(Math.min(at, length - 1)), stopAt);
      if (!node || node.type === 'module') continue;
      s = Math.min(s, node.startIndex);
      e = Math.max(e, node.endIndex);
    }
    for (const node of grow) {
      s = Math.min(s, node.startIndex);
      e = Math.max(e, node.endIndex);
    }
    return { start: s, end: e };
  }
}

const STATEMENT_PARENTS = new Set(['block', 'module']);

/** The statement (a node directly in a block or the module) that holds `node`. */
function statementOf(node: Node | null, stopAt: ReadonlySet<string>): Node | null {
  let n: Node | null = node;
  while (n && n.parent && !stopAt.has(n.parent.type)) n = n.parent;
  return n;
}

const IDENTIFIER_CHAR = /[\w\u0080-\uffff]/;

/** The text of [start, end) grown to whole identifiers on both sides. */
function wordsAround(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s > 0 && IDENTIFIER_CHAR.test(text[s - 1]!)) s--;
  while (e < text.length && IDENTIFIER_CHAR.test(text[e]!)) e++;
  return text.slice(s, e);
}

function toPoint(p: Position): { row: number; column: number } {
  return { row: p.line, column: p.column };
}

const key = (f: Finding) => `${f.rule}:${f.startIndex}:${f.endIndex}`;

function shiftOffset(offset: number, s: Shift): number {
  if (offset <= s.start) return offset;
  if (offset >= s.oldEnd) return offset + (s.newEnd - s.oldEnd);
  return s.newEnd;
}

function shiftPosition(p: Position, s: Shift): Position {
  if (p.line > s.oldEndPos.line) return { line: p.line + (s.newEndPos.line - s.oldEndPos.line), column: p.column };
  return { line: s.newEndPos.line, column: p.column - s.oldEndPos.column + s.newEndPos.column };
}

/** A range moved by an edit, or undefined when the edit touches it (adjacent counts: typing extends tokens). */
function shiftRange(r: Range, s: Shift): Range | undefined {
  if (comparePositions(r.end, s.startPos) < 0) return r;
  if (comparePositions(r.start, s.oldEndPos) > 0) return { start: shiftPosition(r.start, s), end: shiftPosition(r.end, s) };
  return undefined;
}

/** A span moved by an edit (the same object when it ends before the edit), or undefined when the edit touches it. */
function shiftSpan(span: Span, s: Shift): Span | undefined {
  const end = span.endPosition;
  if (end.row < s.startPos.line || (end.row === s.startPos.line && end.column < s.startPos.column)) return span;
  const range = shiftRange({ start: { line: span.startPosition.row, column: span.startPosition.column }, end: { line: span.endPosition.row, column: span.endPosition.column } }, s);
  if (!range) return undefined;
  const moved = span.startIndex >= s.oldEnd ? s.newEnd - s.oldEnd : 0;
  return {
    startIndex: span.startIndex + moved,
    endIndex: span.endIndex + moved,
    startPosition: { row: range.start.line, column: range.start.column },
    endPosition: { row: range.end.line, column: range.end.column },
    text: span.text,
  };
}

function shiftFinding(f: Finding, s: Shift): Finding | 'dirty' | 'fix-dirty' {
  const range = shiftRange(f.range, s);
  if (!range) return 'dirty';
  const fixes: Fix[] = [];
  for (const fix of f.fixes) {
    const move = (edits: readonly TextEdit[]) => edits.map((e) => ({ ...e, range: shiftRange(e.range, s) }));
    const edits = move(fix.edits);
    const coreEdits = move(fix.coreEdits);
    if ([...edits, ...coreEdits].some((e) => !e.range)) return 'fix-dirty';
    fixes.push({ ...fix, edits: edits as TextEdit[], coreEdits: coreEdits as TextEdit[] });
  }
  let related = f.related;
  if (related) {
    const next: RelatedLocation[] = [];
    for (const r of related) {
      const at = shiftRange(r.range, s);
      // the edit touched the guard or a folded finding: both are re-analysed (expand grows the edit to the CUDA-only if)
      if (!at) return 'dirty';
      const by = r.startIndex >= s.oldEnd ? s.newEnd - s.oldEnd : 0;
      next.push({ ...r, range: at, startIndex: r.startIndex + by, endIndex: r.endIndex + by });
    }
    related = next;
  }
  const moved = f.startIndex >= s.oldEnd ? s.newEnd - s.oldEnd : 0;
  return { ...f, range, startIndex: f.startIndex + moved, endIndex: f.endIndex + moved, fixes, ...(related ? { related } : {}) };
}
