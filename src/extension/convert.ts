import * as vscode from 'vscode';
import type { Position, Range } from '../core/position';

/** The one place where core positions (0-based, UTF-16 columns) become VS Code positions. */
export function toVsPosition(position: Position): vscode.Position {
  return new vscode.Position(position.line, position.column);
}

export function toVsRange(range: Range): vscode.Range {
  return new vscode.Range(toVsPosition(range.start), toVsPosition(range.end));
}

export function fromVsPosition(position: vscode.Position): Position {
  return { line: position.line, column: position.character };
}

export function fromVsRange(range: vscode.Range): Range {
  return { start: fromVsPosition(range.start), end: fromVsPosition(range.end) };
}
