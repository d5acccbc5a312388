/**
 * Positions in the core are 0-based lines and 0-based columns counted in UTF-16 code units (the unit
 * of JavaScript strings and of VS Code). The faces convert once at their edge: the extension builds
 * `vscode.Range` in `src/extension/convert.ts`; the CLI prints 1-based lines and columns.
 */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.column - b.column;
}
