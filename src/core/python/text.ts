import type { Position } from '../position';

/** Offsets (UTF-16) ↔ 0-based line/column for one text. */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string, starts?: number[]) {
    if (starts) {
      this.starts = starts;
      return;
    }
    const found = [0];
    let i = text.indexOf('\n');
    while (i !== -1) {
      found.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.starts = found;
  }

  /** The index of the text after replacing [start, oldEnd) with `inserted` (no rescan of the whole text). */
  edited(newText: string, start: number, oldEnd: number, inserted: string): LineIndex {
    const delta = inserted.length - (oldEnd - start);
    const firstAfter = this.positionAt(start).line + 1;
    let lastRemoved = firstAfter;
    while (lastRemoved < this.starts.length && this.starts[lastRemoved]! <= oldEnd) lastRemoved++;
    const starts = this.starts.slice(0, firstAfter);
    for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) starts.push(start + i + 1);
    for (let i = lastRemoved, n = this.starts.length; i < n; i++) starts.push(this.starts[i]! + delta);
    return new LineIndex(newText, starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]!;
  }

  /** End of the line's text, before its line break. */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1]! - 1;
    return next > 0 && this.text[next - 1] === '\r' ? next - 1 : next;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo]! };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.starts.length) return this.text.length;
    return Math.min(this.lineStart(position.line) + position.column, this.text.length);
  }
}

/** The end position of `text` inserted at `start`. */
export function endOfInsertion(start: Position, text: string): Position {
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak === -1) return { line: start.line, column: start.column + text.length };
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return { line: start.line + lines, column: text.length - lastBreak - 1 };
}

/** A file's line-break style. */
export type LineBreak = '\n' | '\r\n' | '\r';

/**
 * The line break a file mostly uses (LF when it has none): inserted lines use it, so a CRLF or CR-only
 * (classic Mac) file keeps one style.
 */
export function lineBreakOf(text: string): LineBreak {
  if (!text.includes('\r')) return '\n';
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) === 10) crlf++;
    else cr++;
  }
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lf++;
  lf -= crlf;
  if (crlf >= lf && crlf >= cr) return '\r\n';
  return cr > lf ? '\r' : '\n';
}

/**
 * The text tree-sitter and the rules see: each lone CR (a CR-only line break, which Python accepts)
 * becomes LF. Same length, so every offset stays valid for the original text.
 */
export function loneCrAsLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** `text` with every line break written as `eol`. */
export function withLineBreaks(text: string, eol: LineBreak): string {
  if (eol === '\n' && !text.includes('\r')) return text;
  return text.replace(/\r\n|\r|\n/g, eol);
}

/** `text` without a leading byte order mark (the write puts back the file's own, see writePlans). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
