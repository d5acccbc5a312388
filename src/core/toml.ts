/**
 * TOML read with the source range of every key, value and table (toml-eslint-parser, TOML 1.0), so that
 * callers can edit the text itself: comments, layout and line ends stay, the TOML is never re-serialised.
 */
import type * as Toml from 'toml-eslint-parser' with { 'resolution-mode': 'import' };

// An ECMAScript-module-only package: esbuild bundles it into the CommonJS bundles, and Node (>= 20.19)
// loads it through require where the compiled sources run unbundled (the unit tests).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser = require('toml-eslint-parser') as typeof Toml;

export type TomlProgram = Toml.AST.TOMLProgram;
export type TomlTable = Toml.AST.TOMLTable;
export type TomlKeyValue = Toml.AST.TOMLKeyValue;
export type TomlContent = Toml.AST.TOMLContentNode;
export type TomlStringNode = Toml.AST.TOMLStringValue;
export type TomlKeyPart = Toml.AST.TOMLBare | Toml.AST.TOMLQuoted;

/** A key path from the root: table and key names, array positions as numbers (`[[x]]` tables too). */
export type TomlPath = readonly (string | number)[];

/** Where and why a text is not TOML 1.0: offset, 0-based line and column, the parser's message (English). */
export interface TomlSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Parses TOML 1.0 (what Python's tomllib and pip read); a text that is not TOML gives its first error. */
export function parseToml(text: string): { readonly program: TomlProgram } | { readonly error: TomlSyntaxError } {
  try {
    return { program: parser.parseTOML(text, { tomlVersion: '1.0' }) };
  } catch (e) {
    if (e instanceof parser.ParseError) return { error: { offset: e.index, line: e.lineNumber - 1, column: e.column, message: e.message } };
    throw e;
  }
}

export type TomlItem =
  /** A `[table]` or `[[array.table]]` header with its key/value pairs; `path` is its resolved key. */
  | { readonly kind: 'table'; readonly path: TomlPath; readonly node: TomlTable }
  /**
   * A `key = value` pair (also inside an inline table); `path` is the path of its value and the first
   * `prefix` components come from the table or value that holds the pair, the rest are its dotted key.
   */
  | { readonly kind: 'pair'; readonly path: TomlPath; readonly prefix: number; readonly node: TomlKeyValue }
  /** A value, also an element of an array or a value inside an inline table, at `path`. */
  | { readonly kind: 'value'; readonly path: TomlPath; readonly node: TomlContent };

/** Every table, key/value pair and value of a document, in text order, with its path. */
export function* tomlItems(program: TomlProgram): Generator<TomlItem> {
  for (const item of program.body[0].body) {
    if (item.type === 'TOMLTable') {
      yield { kind: 'table', path: item.resolvedKey, node: item };
      for (const pair of item.body) yield* pairItems(pair, item.resolvedKey);
    } else {
      yield* pairItems(item, []);
    }
  }
}

function* pairItems(pair: TomlKeyValue, prefix: TomlPath): Generator<TomlItem> {
  const path = [...prefix, ...pair.key.keys.map(keyName)];
  yield { kind: 'pair', path, prefix: prefix.length, node: pair };
  yield* valueItems(pair.value, path);
}

function* valueItems(node: TomlContent, path: TomlPath): Generator<TomlItem> {
  yield { kind: 'value', path, node };
  if (node.type === 'TOMLArray') {
    for (const [i, element] of node.elements.entries()) yield* valueItems(element, [...path, i]);
  } else if (node.type === 'TOMLInlineTable') {
    for (const pair of node.body) yield* pairItems(pair, path);
  }
}

export function keyName(part: TomlKeyPart): string {
  return part.type === 'TOMLBare' ? part.name : part.value;
}

/** The key part of a table header that names component `index` of its resolved key (`[[x]]` positions have none). */
export function tableKeyPart(table: TomlTable, index: number): TomlKeyPart | undefined {
  if (typeof table.resolvedKey[index] !== 'string') return undefined;
  const names = table.resolvedKey.slice(0, index).filter((k) => typeof k === 'string').length;
  return table.key.keys[names];
}

/** True when `path` starts with `prefix`. */
export function pathStartsWith(path: TomlPath, prefix: TomlPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}
