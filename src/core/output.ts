/**
 * Text that leaves the program for a person or a report: the one place that makes it safe to print and
 * bounded in size, whatever a model, a file name or a remote tool put into it.
 *
 * - `escapeControls` is applied at the output layer (the CLI's stdout/stderr writers, the extension's log
 *   channel), never per call site. Control characters are shown escaped, as `git` and `ls` do: C0 (except
 *   `\n`, `\t` and the `\r` of a CRLF) as `\x1b`; DEL, C1 and the bidirectional/line-separator format
 *   characters (Trojan Source, CVE-2021-42574) as `\u009b`, `\u202e`. The `\u` form is also a JSON escape
 *   of the same character, and JSON.stringify never emits a raw C0 character, so JSON and SARIF that pass
 *   through the same writer stay valid and parse to exactly the same values.
 * - `boundString` / `stringifyBounded` keep every string that reaches a report below a fixed size, with a
 *   marker that gives the full length, so output and memory stay O(model) with a small constant.
 */

/** Characters longer than this in a report string are cut, followed by `…(N chars)`. */
export const MAX_REPORT_STRING = 4096;

/** `s` itself when short enough; otherwise its first `max` characters, `…` and the full length. */
export function boundString(s: string, max = MAX_REPORT_STRING): string {
  if (s.length <= max) return s;
  let end = max;
  // Never cut a surrogate pair in half.
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}…(${s.length} chars)`;
}

/** The first `max` items of a list, and how many were left out. */
export function boundList<T>(list: readonly T[], max: number): { items: readonly T[]; omitted: number } {
  return list.length <= max ? { items: list, omitted: 0 } : { items: list.slice(0, max), omitted: list.length - max };
}

/**
 * JSON (2-space indent) of a report with every string value bounded by `boundString`. Object keys built
 * from model data must be bounded by their producer (a replacer cannot rename keys). `replacer` runs first.
 */
export function stringifyBounded(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    const replaced = replacer ? replacer(key, v) : v;
    return typeof replaced === 'string' ? boundString(replaced) : replaced;
  }, 2);
}

/**
 * A list made item by item while it is written: `writeBounded` writes it as a JSON array without ever
 * holding all its items (25,000 SARIF results); JSON.stringify sees the whole array (toJSON).
 */
export class StreamedList<T> implements Iterable<T> {
  constructor(private readonly make: () => Iterable<T>) {}
  [Symbol.iterator](): Iterator<T> {
    return this.make()[Symbol.iterator]();
  }
  toJSON(): T[] {
    return [...this];
  }
}

/**
 * A value `writeBounded` writes on one line (no indent, no line breaks) inside an indented document: one
 * entry of a 60,000-node list is one line, not five (JSON.stringify sees the value itself: toJSON).
 */
export class OneLine<T> {
  constructor(readonly value: T) {}
  toJSON(): T {
    return this.value;
  }
}

/**
 * The same text as `stringifyBounded(value, replacer)`, handed to `write` in pieces of about `chunk`
 * characters instead of one string: a report with 60,000 results is never one 150 MB string (plus its
 * UTF-8 copy) in memory. Same semantics as JSON.stringify with a replacer and a 2-space indent: `toJSON`
 * first, then the replacer (with the holder as `this`), members whose value becomes undefined, a
 * function or a symbol are left out of objects and become null in arrays, a bigint throws. `compact`:
 * no indent and no line breaks (JSON.stringify without `space`); a `OneLine` value is written so even in
 * an indented document (the one difference from `stringifyBounded`).
 */
export function writeBounded(value: unknown, write: (text: string) => void, replacer?: (key: string, value: unknown) => unknown, chunk = 64 * 1024, compact = false): void {
  let parts: string[] = [];
  let size = 0;
  const emit = (text: string) => {
    parts.push(text);
    size += text.length;
    if (size >= chunk) {
      write(parts.join(''));
      parts = [];
      size = 0;
    }
  };
  const prepare = (holder: unknown, key: string, v: unknown): unknown => {
    let x = v;
    if (x instanceof StreamedList || x instanceof OneLine) return replacer ? replacer.call(holder, key, x) : x;
    if (x !== null && (typeof x === 'object' || typeof x === 'bigint') && typeof (x as { toJSON?: unknown }).toJSON === 'function') {
      x = (x as { toJSON(k: string): unknown }).toJSON(key);
    }
    if (replacer) x = replacer.call(holder, key, x);
    return typeof x === 'string' ? boundString(x) : x;
  };
  const skipped = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
  const stack: unknown[] = [];
  const put = (x: unknown, indent: string, flat = compact): void => {
    if (x instanceof OneLine) {
      const v: unknown = x.value;
      put(typeof v === 'string' ? boundString(v) : v, indent, true);
      return;
    }
    if (x === null || typeof x !== 'object') {
      emit(JSON.stringify(x));
      return;
    }
    if (x instanceof Number || x instanceof String || x instanceof Boolean) {
      emit(JSON.stringify(x));
      return;
    }
    if (stack.includes(x)) throw new TypeError('Converting circular structure to JSON');
    stack.push(x);
    const inner = flat ? '' : `${indent}  `;
    const nl = flat ? '' : '\n';
    const end = flat ? '' : `\n${indent}`;
    if (Array.isArray(x) || x instanceof StreamedList) {
      let i = 0;
      for (const element of x as Iterable<unknown>) {
        emit(i ? `,${nl}${inner}` : `[${nl}${inner}`);
        const item = prepare(x, String(i), element);
        if (skipped(item)) emit('null');
        else put(item, inner, flat);
        i++;
      }
      emit(i ? `${end}]` : '[]');
    } else {
      let first = true;
      for (const k of Object.keys(x)) {
        const item = prepare(x, k, (x as Record<string, unknown>)[k]);
        if (skipped(item)) continue;
        emit(first ? `{${nl}${inner}` : `,${nl}${inner}`);
        first = false;
        emit(flat ? `${JSON.stringify(k)}:` : `${JSON.stringify(k)}: `);
        put(item, inner, flat);
      }
      emit(first ? '{}' : `${end}}`);
    }
    stack.pop();
  };
  const root = prepare({ '': value }, '', value);
  if (!skipped(root)) put(root, '');
  if (parts.length) write(parts.join(''));
}

// C0 except \t and \n; \r unless it starts a CRLF; DEL and C1; Arabic letter mark, LRM/RLM, LRE..RLO,
// LRI..PDI, line and paragraph separators.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\r(?!\n)/g;
const HAS_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\r(?!\n)/;

/** `text` with control and bidirectional formatting characters shown escaped (see the file comment). */
export function escapeControls(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A byte count for a person: 512 B, 1.20 MiB, 18.7 MiB (binary units, as `ls -lh` and the CLI print them). */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
