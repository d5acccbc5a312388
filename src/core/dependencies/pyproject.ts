/**
 * The dependency declarations of a pyproject.toml, read from its text with their exact positions, so
 * that fixes edit the text itself (comments, order and layout stay; the TOML is never re-serialised).
 *
 * Covered: PEP 621 `[project] dependencies` and `[project.optional-dependencies]`, PEP 735
 * `[dependency-groups]`, `[build-system] requires` (arrays of PEP 508 strings), Poetry's
 * `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and
 * `[tool.poetry.group.<name>.dependencies]` (the key is the package, the value a version string or an
 * inline table), and package index URLs (`url`, `index-url`, `extra-index-url` keys, e.g.
 * `[[tool.poetry.source]]`, `[[tool.uv.index]]`).
 */

/** A string in the TOML text: offsets of the quotes, and its content (escapes are kept as written). */
export interface TomlString {
  readonly start: number;
  readonly end: number;
  readonly content: string;
}

export type PyprojectEntry =
  /** An element of a dependency array: a PEP 508 requirement string. */
  | { readonly kind: 'array'; readonly value: TomlString; readonly table: string }
  /** A Poetry dependency `name = "^1.0"` / `name = { version = "..." }`: the whole `key = value` line. */
  | { readonly kind: 'poetry'; readonly name: string; readonly keyStart: number; readonly lineEnd: number; readonly version?: TomlString; readonly table: string }
  /** A package index URL. */
  | { readonly kind: 'index'; readonly value: TomlString; readonly table: string };

const ARRAY_TABLES: readonly [RegExp, RegExp][] = [
  [/^project$/, /^dependencies$/],
  [/^project\.optional-dependencies$/, /.*/],
  [/^dependency-groups$/, /.*/],
  [/^build-system$/, /^requires$/],
];
const POETRY_TABLE = /^tool\.poetry\.(?:dependencies|dev-dependencies|group\.[^.]+\.dependencies)$/;
const INDEX_KEY = /^(?:url|index-url|extra-index-url|index_url|extra_index_url)$/;

/** Reads the dependency entries of a pyproject.toml (malformed parts are skipped, never thrown on). */
export function pyprojectEntries(text: string): PyprojectEntry[] {
  const out: PyprojectEntry[] = [];
  let table = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lineEnd = endOfLine(text, i);
    const lineStart = i;
    const content = text.slice(i, lineEnd);
    const trimmed = content.trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(trimmed);
    if (header) {
      table = header[1]!.split('.').map((p) => p.trim().replace(/^["']|["']$/g, '')).join('.');
      i = next(text, lineEnd);
      continue;
    }
    const kv = /^(\s*)("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*/.exec(content);
    if (!kv || trimmed.startsWith('#')) {
      i = next(text, lineEnd);
      continue;
    }
    const key = kv[2]!.replace(/^["']|["']$/g, '');
    const valueStart = lineStart + kv[0].length;
    if (ARRAY_TABLES.some(([t, k]) => t.test(table) && k.test(key)) && text[valueStart] === '[') {
      const { strings, end } = readArray(text, valueStart);
      for (const value of strings) out.push({ kind: 'array', value, table });
      i = next(text, endOfLine(text, end));
      continue;
    }
    if (POETRY_TABLE.test(table) && key !== 'python') {
      const version = text[valueStart] === '"' || text[valueStart] === "'" ? readString(text, valueStart) : inlineVersion(text, valueStart, lineEnd);
      out.push({ kind: 'poetry', name: key, keyStart: lineStart + kv[1]!.length, lineEnd, version, table });
    } else if (INDEX_KEY.test(key)) {
      if (text[valueStart] === '[') {
        for (const value of readArray(text, valueStart).strings) out.push({ kind: 'index', value, table });
      } else {
        const value = readString(text, valueStart);
        if (value) out.push({ kind: 'index', value, table });
      }
    }
    i = next(text, lineEnd);
  }
  return out;
}

function endOfLine(text: string, from: number): number {
  const at = text.indexOf('\n', from);
  return at === -1 ? text.length : at > 0 && text[at - 1] === '\r' ? at - 1 : at;
}

function next(text: string, lineEnd: number): number {
  if (lineEnd >= text.length) return text.length;
  return text[lineEnd] === '\r' ? lineEnd + 2 : lineEnd + 1;
}

/** A basic ("...", with escapes) or literal ('...') single-line string at `at`. */
function readString(text: string, at: number): TomlString | undefined {
  const quote = text[at];
  if (quote !== '"' && quote !== "'") return undefined;
  if (text.startsWith(quote.repeat(3), at)) return undefined; // multi-line strings are not dependency specs
  for (let j = at + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\n') return undefined;
    if (quote === '"' && c === '\\') {
      j++;
      continue;
    }
    if (c === quote) return { start: at, end: j + 1, content: text.slice(at + 1, j) };
  }
  return undefined;
}

/** The strings of an array starting at `[` (nested arrays and inline tables are skipped), and the offset after `]`. */
function readArray(text: string, open: number): { strings: TomlString[]; end: number } {
  const strings: TomlString[] = [];
  let depth = 0;
  let j = open;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '#') {
      j = endOfLine(text, j);
      continue;
    }
    if (c === '"' || c === "'") {
      const s = readString(text, j);
      if (!s) return { strings, end: j };
      if (depth === 1) strings.push(s);
      j = s.end;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { strings, end: j + 1 };
    }
    j++;
  }
  return { strings, end: text.length };
}

/** `{ version = "2.1.0+cu118", source = "pytorch" }` → the version string. */
function inlineVersion(text: string, at: number, lineEnd: number): TomlString | undefined {
  if (text[at] !== '{') return undefined;
  const m = /\bversion\s*=\s*/.exec(text.slice(at, lineEnd));
  return m ? readString(text, at + m.index + m[0].length) : undefined;
}
