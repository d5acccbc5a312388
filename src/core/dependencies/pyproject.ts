/**
 * The dependency declarations of a pyproject.toml, read by a TOML parser (core/toml.ts) with their exact
 * positions, so that fixes edit the text itself (comments, order, layout and line ends stay; the TOML is
 * never re-serialised). Tables and keys are matched by their resolved paths, so `[project]` +
 * `dependencies = [...]`, `project.dependencies = [...]` at the top and quoted keys are the same thing.
 *
 * Covered: PEP 621 `project.dependencies` and `project.optional-dependencies`, PEP 735
 * `dependency-groups`, `build-system.requires` (arrays of PEP 508 strings), Poetry's
 * `tool.poetry.dependencies`, `tool.poetry.dev-dependencies` and `tool.poetry.group.<name>.dependencies`
 * (the key is the package, the value a version string, an inline table, a table or an array of
 * constraints), and package index URLs (`url`, `index-url`, `extra-index-url` keys anywhere, e.g.
 * `[[tool.poetry.source]]`, `[[tool.uv.index]]`).
 */
import { parseToml, pathStartsWith, tableKeyPart, tomlItems, type TomlContent, type TomlKeyPart, type TomlKeyValue, type TomlPath, type TomlStringNode, type TomlSyntaxError } from '../toml';

/** A range of the text: offsets of its first character and of the one after it. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A string in the TOML text: the token (quotes included), its content as written (escapes kept), its value. */
export interface TomlString extends Span {
  readonly contentStart: number;
  readonly contentEnd: number;
  readonly content: string;
  readonly value: string;
}

/** What goes when an entry is removed: the syntax that writes it, one or more pieces (dotted keys). */
export interface Removable {
  readonly pieces: readonly RemovablePiece[];
}

interface RemovablePiece extends Span {
  /** The piece is an item of an array or inline table: its siblings (it is `items[index]`), and whether a trailing comma is valid there. */
  readonly list?: { readonly items: readonly Span[]; readonly index: number; readonly trailingComma: boolean };
}

export type PyprojectEntry =
  /** An element of a dependency array: a PEP 508 requirement string. */
  | { readonly kind: 'array'; readonly value: TomlString; readonly remove: Removable }
  /** A Poetry dependency: the package's key (without quotes), what defines it, its version strings. */
  | { readonly kind: 'poetry'; readonly name: string; readonly key: Span; readonly remove: Removable; readonly versions: readonly TomlString[] }
  /** A package index URL. */
  | { readonly kind: 'index'; readonly value: TomlString };

const ARRAYS: readonly TomlPath[] = [['project', 'dependencies'], ['build-system', 'requires']];
const ARRAY_GROUPS: readonly TomlPath[] = [['project', 'optional-dependencies'], ['dependency-groups']];
const INDEX_KEY = /^(?:url|index-url|extra-index-url|index_url|extra_index_url)$/;

/** Where `path` (a value's) names a Poetry dependency table, its length; 0 otherwise. */
function poetryTableLength(path: TomlPath): number {
  if (path[0] !== 'tool' || path[1] !== 'poetry') return 0;
  if (path[2] === 'dependencies' || path[2] === 'dev-dependencies') return 3;
  return path[2] === 'group' && typeof path[3] === 'string' && path[4] === 'dependencies' ? 5 : 0;
}

const samePath = (a: TomlPath, b: TomlPath) => a.length === b.length && pathStartsWith(a, b);

/** Reads the dependency entries of a pyproject.toml, in text order; a text that is not TOML gives its error and no entries. */
export function readPyproject(text: string): { readonly entries: readonly PyprojectEntry[] } | { readonly error: TomlSyntaxError } {
  const parsed = parseToml(text);
  if ('error' in parsed) return parsed;
  const entries: PyprojectEntry[] = [];
  const poetry = new Map<string, { name: string; key: Span; pieces: RemovablePiece[]; versions: TomlString[] }>();
  for (const item of tomlItems(parsed.program)) {
    const { path } = item;
    const depth = poetryTableLength(path);
    if (depth && path.length > depth && typeof path[depth] === 'string' && path[depth].toLowerCase() !== 'python') {
      // a Poetry package: every table or key/value whose own key names it defines it
      const name = path[depth] as string;
      const id = JSON.stringify(path.slice(0, depth + 1));
      const add = (key: TomlKeyPart | undefined, piece: RemovablePiece) => {
        if (!key) return;
        let entry = poetry.get(id);
        if (!entry) poetry.set(id, (entry = { name, key: unquoted(key), pieces: [], versions: [] }));
        entry.pieces.push(piece);
      };
      if (item.kind === 'table' && path.length > depth) add(tableKeyPart(item.node, depth), span(item.node));
      else if (item.kind === 'pair' && item.prefix <= depth) add(item.node.key.keys[depth - item.prefix], pairPiece(item.node));
      else if (item.kind === 'value' && item.node.type === 'TOMLValue' && item.node.kind === 'string') {
        const rest = path.slice(depth + 1);
        if (rest.length === 0 || samePath(rest, ['version']) || (rest.length === 2 && typeof rest[0] === 'number' && rest[1] === 'version')) {
          poetry.get(id)?.versions.push(tomlString(text, item.node));
        }
      }
      continue;
    }
    if (item.kind !== 'value') continue;
    const last = path[path.length - 1];
    if (item.node.type === 'TOMLArray' && (ARRAYS.some((p) => samePath(path, p)) || ARRAY_GROUPS.some((p) => path.length === p.length + 1 && pathStartsWith(path, p)))) {
      const items = item.node.elements.map(span);
      for (const [index, element] of item.node.elements.entries()) {
        if (isString(element)) entries.push({ kind: 'array', value: tomlString(text, element), remove: { pieces: [{ ...span(element), list: { items, index, trailingComma: true } }] } });
      }
    } else if (typeof last === 'string' && INDEX_KEY.test(last)) {
      const strings = isString(item.node) ? [item.node] : item.node.type === 'TOMLArray' ? item.node.elements.filter(isString) : [];
      for (const s of strings) entries.push({ kind: 'index', value: tomlString(text, s) });
    }
  }
  for (const e of poetry.values()) entries.push({ kind: 'poetry', name: e.name, key: e.key, remove: { pieces: e.pieces }, versions: e.versions });
  const at = (e: PyprojectEntry) => (e.kind === 'poetry' ? e.key.start : e.value.start);
  return { entries: entries.sort((a, b) => at(a) - at(b)) };
}

const span = (node: { readonly range: readonly [number, number] }): Span => ({ start: node.range[0], end: node.range[1] });

function isString(node: TomlContent): node is TomlStringNode {
  return node.type === 'TOMLValue' && node.kind === 'string';
}

/** A pair inside an inline table is an item of its list; a pair of a table stands on its own lines. */
function pairPiece(pair: TomlKeyValue): RemovablePiece {
  const parent = pair.parent;
  if (parent.type !== 'TOMLInlineTable') return span(pair);
  return { ...span(pair), list: { items: parent.body.map(span), index: parent.body.indexOf(pair), trailingComma: false } };
}

function unquoted(key: TomlKeyPart): Span {
  return key.type === 'TOMLQuoted' ? { start: key.range[0] + 1, end: key.range[1] - 1 } : span(key);
}

function tomlString(text: string, node: TomlStringNode): TomlString {
  const [start, end] = node.range;
  const quote = node.multiline ? 3 : 1;
  return { start, end, contentStart: start + quote, contentEnd: end - quote, content: text.slice(start + quote, end - quote), value: node.value };
}

/** One replacement of the text (offsets into the original). */
export interface SpanEdit extends Span {
  readonly newText: string;
}

/**
 * The edits that remove an entry. A piece that has its lines to itself (with its comma and a trailing
 * comment) becomes a comment that keeps the original, `# <note> <original>`; an item sharing its line
 * goes with one comma next to it, so the array or inline table stays valid.
 */
export function removalEdits(text: string, entry: Removable, note: string): SpanEdit[] {
  return entry.pieces.flatMap((piece) => pieceRemoval(text, piece, note));
}

function pieceRemoval(text: string, piece: RemovablePiece, note: string): SpanEdit[] {
  const first = lineStart(text, piece.start);
  const end = lineEnd(text, piece.end);
  const after = text.slice(piece.end, end);
  const list = piece.list;
  const alone = text.slice(first, piece.start).trim() === '' && /^\s*(,\s*)?(#.*)?$/.test(after) &&
    (!list || /^\s*,/.test(after) || (list.index === list.items.length - 1 && separator(text, piece.end, text.length) === undefined));
  if (alone) return [{ start: piece.start, end, newText: commentedOut(text.slice(piece.start, end), note) }];
  if (!list) return [{ start: piece.start, end: piece.end, newText: '' }];
  const next = list.items[list.index + 1];
  const prev = list.items[list.index - 1];
  const following = separator(text, piece.end, next?.start ?? text.length);
  const preceding = prev ? separator(text, prev.end, piece.start) : undefined;
  const tight = (from: number, to: number) => /^[ \t]*$/.test(text.slice(from, to));
  // the last item goes with the comma before it (a trailing comma after it stays a trailing comma)
  if (!next && preceding !== undefined && tight(preceding + 1, piece.start)) return [{ start: preceding, end: piece.end, newText: '' }];
  if (following !== undefined && tight(piece.end, following)) {
    // with the comma after it, and the spaces after that comma, or before the item when it ended its line
    const rest = text.slice(following + 1);
    if (/^[ \t]*(#|\r?\n|$)/.test(rest)) return [{ start: piece.start - /[ \t]*$/.exec(text.slice(lineStart(text, piece.start), piece.start))![0].length, end: following + 1, newText: '' }];
    return [{ start: piece.start, end: following + 1 + /^[ \t]*/.exec(rest)![0].length, newText: '' }];
  }
  const item = { start: piece.start, end: piece.end, newText: '' };
  // a comment or line end between the item and a comma: each goes on its own
  if (following !== undefined) return [item, { start: following, end: following + 1, newText: '' }];
  if (preceding !== undefined && !list.trailingComma) return [{ start: preceding, end: preceding + 1, newText: '' }, item];
  return [item];
}

/** The offset of the comma that follows `from` (before `limit`, past whitespace and comments); undefined when the next thing is not a comma. */
function separator(text: string, from: number, limit: number): number | undefined {
  for (let i = from; i < limit; i++) {
    const c = text[i]!;
    if (c === ',') return i;
    if (c === '#') i = lineEnd(text, i);
    else if (!/\s/.test(c)) return undefined;
  }
  return undefined;
}

/** Every line of `original` as a comment: the first one says why, the others keep their indentation. */
function commentedOut(original: string, note: string): string {
  return original.split(/(\r?\n)/).map((part, i) => {
    if (i === 0) return `# ${note} ${part.trim()}`;
    if (i % 2 === 1 || part.trim() === '' || part.trimStart().startsWith('#')) return part; // line ends, blank lines, comments
    const indent = /^[ \t]*/.exec(part)![0];
    return `${indent}# ${part.slice(indent.length)}`;
  }).join('');
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** The end of the line holding `at`, before its \r\n or \n. */
function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  if (nl === -1) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}
