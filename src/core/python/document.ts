import type { Tree } from 'web-tree-sitter';
import { comparePositions, type Position, type Range } from '../position';
import { analyzePython } from './analyze';
import type { PythonParser } from './parser';
import { endOfInsertion, LineIndex } from './text';
import type { AnalysisOptions, Finding, Fix, TextEdit } from './types';

/** An edit as editors report it: the range in the text before this change, and the new text. */
export interface ContentChange {
  readonly range: Range;
  readonly text: string;
}

/** Edits that can change what other lines mean (imports, device variables, libraries): re-analyse everything. */
const GLOBAL_EFFECT = /\bimport\b|\bfrom\b|cuda|nccl|flash|xformers|apex|bitsandbytes|triton|transfer_to_npu|diffusers|device|map_location|\.to\s*\(|"""|'''/i;

interface Shift {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
  readonly startPos: Position;
  readonly oldEndPos: Position;
  readonly newEndPos: Position;
}

/**
 * One open Python document: its text, its syntax tree (edited in place and re-parsed incrementally
 * with `tree.edit` + parse(old tree)), and its findings. After an edit only the changed statements
 * are re-analysed; findings elsewhere move with the text.
 */
export class PythonDocument {
  private tree: Tree;
  private lines: LineIndex;
  private current: Finding[];
  /** How the last update was done (tests and the benchmark look at it). */
  lastUpdate: 'full' | 'partial' = 'full';

  constructor(private readonly parser: PythonParser, private textValue: string, private options: AnalysisOptions) {
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

  get syntaxTree(): Tree {
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
    let kept = this.current.filter((f) => f.rule !== 'syntax-error');
    for (const change of changes) {
      const start = this.lines.offsetAt(change.range.start);
      const oldEnd = this.lines.offsetAt(change.range.end);
      const startPos = this.lines.positionAt(start);
      const oldEndPos = this.lines.positionAt(oldEnd);
      const newEndPos = endOfInsertion(startPos, change.text);
      const shift: Shift = { start, oldEnd, newEnd: start + change.text.length, startPos, oldEndPos, newEndPos };
      const removed = this.textValue.slice(start, oldEnd);
      if (GLOBAL_EFFECT.test(removed) || GLOBAL_EFFECT.test(change.text) || this.touchesHeader(start)) full = true;
      this.tree.edit({ startIndex: start, oldEndIndex: oldEnd, newEndIndex: shift.newEnd, startPosition: toPoint(startPos), oldEndPosition: toPoint(oldEndPos), newEndPosition: toPoint(newEndPos) });
      this.textValue = this.textValue.slice(0, start) + change.text + this.textValue.slice(oldEnd);
      this.lines = new LineIndex(this.textValue);
      const next: Finding[] = [];
      for (const f of kept) {
        const moved = shiftFinding(f, shift);
        if (moved === 'dirty') continue;
        if (moved === 'fix-dirty') full = true;
        else next.push(moved);
      }
      kept = next;
      if (dirtyEnd >= 0) {
        dirtyStart = shiftOffset(dirtyStart, shift);
        dirtyEnd = shiftOffset(dirtyEnd, shift);
      }
      dirtyStart = Math.min(dirtyStart, start);
      dirtyEnd = Math.max(dirtyEnd, shift.newEnd);
    }
    const old = this.tree;
    this.tree = this.parser.parse(this.textValue, old);
    for (const r of this.tree.getChangedRanges(old)) {
      dirtyStart = Math.min(dirtyStart, r.startIndex);
      dirtyEnd = Math.max(dirtyEnd, r.endIndex);
    }
    old.delete();
    if (full) {
      this.lastUpdate = 'full';
      this.current = this.analyzeAll();
      return this.current;
    }
    this.lastUpdate = 'partial';
    const { start, end } = this.expand(dirtyStart, dirtyEnd);
    const outside = kept.filter((f) => f.endIndex < start || f.startIndex > end);
    const fresh = analyzePython({ tree: this.tree, text: this.textValue, lines: this.lines, options: this.options, within: { start, end } });
    const keys = new Set(outside.map(key));
    this.current = [...outside, ...fresh.filter((f) => f.rule === 'syntax-error' || !keys.has(key(f)))].sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex);
    return this.current;
  }

  dispose(): void {
    this.tree.delete();
  }

  private analyzeAll(): Finding[] {
    return analyzePython({ tree: this.tree, text: this.textValue, lines: this.lines, options: this.options });
  }

  /** Edits at or above the last top-level import change where fixes insert imports. */
  private touchesHeader(offset: number): boolean {
    for (const child of this.tree.rootNode.namedChildren) {
      if (!child) continue;
      if (child.startIndex > offset + 1) return false;
      const isImport = child.type === 'import_statement' || child.type === 'import_from_statement' || child.type === 'future_import_statement';
      const isDocstring = child.type === 'expression_statement' && child.namedChildren[0]?.type === 'string';
      if ((isImport || isDocstring) && child.endIndex + 1 >= offset) return true;
    }
    return false;
  }

  /**
   * The dirty range grown to the top-level statements around its ends. Work after that is
   * proportional to the candidate words inside the range, not to its size.
   */
  private expand(start: number, end: number): { start: number; end: number } {
    let s = this.lines.lineStart(this.lines.positionAt(start).line);
    let e = this.lines.lineEnd(this.lines.positionAt(Math.min(end, this.textValue.length)).line);
    for (const child of this.tree.rootNode.children) {
      if (!child || child.endIndex < s) continue;
      if (child.startIndex > e) break;
      s = Math.min(s, child.startIndex);
      e = Math.max(e, child.endIndex);
    }
    return { start: s, end: e };
  }
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
  const moved = f.startIndex >= s.oldEnd ? s.newEnd - s.oldEnd : 0;
  return { ...f, range, startIndex: f.startIndex + moved, endIndex: f.endIndex + moved, fixes };
}
