import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
// `require` (not `import`) so that bundlers pick the package's CommonJS build: its ES build reads import.meta.url.
import TreeSitter = require('web-tree-sitter');

const { Language, Parser } = TreeSitter;
type Parser = TreeSitter.Parser;
type Language = TreeSitter.Language;
import { errorText, NpuPortError } from '../errors';
import { msg } from '../l10n';

export class PythonParserError extends NpuPortError {}

/** A text the parser stopped on because its tree would not fit the parser's memory: the file is skipped. */
export class ParserLimitError extends PythonParserError {}

/** UTF-16 code units handed to tree-sitter per read. */
const PARSE_CHUNK = 2048;

/**
 * The wasm memory of tree-sitter's runtime: ours (emscripten's `wasmMemory` option), so a parse can see it
 * grow. Its maximum is the runtime's own (32,768 pages, 2 GiB). At the maximum, malloc fails and the C code
 * calls abort(): the runtime printed `Aborted()` to stderr and was dead from then on (every later parse
 * aborted too): a 40 MB file of plain lines did it, and a 2 MB file of nested brackets takes 760 MB.
 */
const WASM_MEMORY = new (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer } } }).WebAssembly.Memory({ initial: 512, maximum: 32768 });

/**
 * A parse stops when it grows the wasm memory beyond this (1.5 GiB): the heap grows at most 20 % or
 * 96 MiB at a time and the progress callback runs every few hundred parser steps, so the runtime stays
 * below its 2 GiB maximum.
 */
export const PARSER_MEMORY_LIMIT = 1.5 * 2 ** 30;

/** What tree-sitter's runtime would have printed (emscripten `printErr`): kept for an error, never printed raw. */
let runtimeMessage = '';

/** Whether an error is the runtime's abort (`RuntimeError: Aborted(...)`), after which it cannot parse again. */
function isAbort(error: unknown): boolean {
  return error instanceof Error && /^Aborted\(/.test(error.message);
}

/**
 * The tree-sitter Python parser. The wasm files are loaded from `wasmDir` (the extension's dist/,
 * the folder of dist/cli.js, or node_modules in tests); never from the network.
 */
export class PythonParser {
  /** Set when the runtime aborted: it cannot parse again in this process. */
  private static dead: PythonParserError | undefined;

  private constructor(private readonly parser: Parser, readonly language: Language, private readonly memoryLimit = PARSER_MEMORY_LIMIT) {}

  /** The same parser with another memory limit (tests: a limit a small text reaches). */
  withMemoryLimit(bytes: number): PythonParser {
    return new PythonParser(this.parser, this.language, bytes);
  }

  /**
   * Parses `text`; with `oldTree` (already edited with `tree.edit`) the parse is incremental. A text whose
   * tree would not fit the parser's memory: ParserLimitError (the parser stays usable).
   */
  parse(text: string, oldTree?: Tree | null): Tree {
    const tree = this.run(text, oldTree ?? null, Infinity);
    if (!tree) throw new PythonParserError(msg('The Python parser stopped without a result.'));
    return tree;
  }

  /**
   * A parse that gives up after `budgetMs` of wall time (tree-sitter's progress callback, which the parser
   * calls periodically as it works): undefined when it gave up. The parser is reset then, so the next
   * parse starts afresh (from the caller's old tree). Over the memory limit: ParserLimitError, as `parse`.
   */
  parseWithin(text: string, oldTree: Tree | null, budgetMs: number): Tree | undefined {
    return this.run(text, oldTree, performance.now() + budgetMs);
  }

  private run(text: string, oldTree: Tree | null, deadline: number): Tree | undefined {
    if (PythonParser.dead) throw PythonParser.dead;
    // A parse stops when it grows the memory while the memory is over the limit. Only growth counts: the
    // memory never shrinks, and space freed by earlier trees is used again without growing.
    const start = WASM_MEMORY.buffer.byteLength;
    let overMemory = false;
    const timed = Number.isFinite(deadline);
    const progressCallback = () => {
      const size = WASM_MEMORY.buffer.byteLength;
      if (size > start && size > this.memoryLimit) overMemory = true;
      return overMemory || (timed && performance.now() > deadline);
    };
    let tree: Tree | null;
    try {
      // A callback with small chunks, not the string itself: for a string, web-tree-sitter copies up to
      // 10 KB into the wasm heap on every read, and the lexer reads at every reused subtree. Measured on a
      // 5,000-line file: full parse 3× faster, incremental re-parse p95 about halved.
      tree = this.parser.parse((index) => text.slice(index, index + PARSE_CHUNK), oldTree, { progressCallback });
    } catch (error) {
      if (!isAbort(error)) throw error;
      PythonParser.dead = new PythonParserError(msg('The Python parser ran out of memory ({0}) and cannot parse again until the program restarts.', runtimeMessage || errorText(error)), { cause: error });
      throw PythonParser.dead;
    }
    if (tree) return tree;
    this.parser.reset();
    if (overMemory) {
      throw new ParserLimitError(msg('Skipped: too large for the Python parser ({0} characters; its syntax tree would need more than {1} MiB)', text.length, Math.round(this.memoryLimit / 2 ** 20)));
    }
    return undefined;
  }

  private static loading = new Map<string, Promise<PythonParser>>();
  private static initialized: Promise<void> | undefined;

  /** One parser per wasm directory and thread (tree-sitter parsers are not re-entrant, JS is single-threaded). */
  static load(wasmDir: string): Promise<PythonParser> {
    const key = path.resolve(wasmDir);
    let found = this.loading.get(key);
    if (!found) {
      found = this.create(key);
      this.loading.set(key, found);
      found.catch(() => this.loading.delete(key));
    }
    return found;
  }

  private static async create(dir: string): Promise<PythonParser> {
    const runtime = locate(dir, 'tree-sitter.wasm', 'web-tree-sitter');
    const grammar = locate(dir, 'tree-sitter-python.wasm', 'tree-sitter-python');
    try {
      // Our memory (see WASM_MEMORY); what the runtime prints goes into an error, never raw to stderr.
      this.initialized ??= Parser.init({
        locateFile: () => runtime,
        wasmMemory: WASM_MEMORY,
        print: (text: string) => (runtimeMessage = text),
        printErr: (text: string) => (runtimeMessage = text),
      } as object);
      await this.initialized;
      const language = await Language.load(grammar);
      const parser = new Parser();
      parser.setLanguage(language);
      return new PythonParser(parser, language);
    } catch (error) {
      this.initialized = undefined;
      throw new PythonParserError(msg('Cannot load the Python parser from {0}: {1}', dir, errorText(error)), { cause: error });
    }
  }
}

/** `dir/name`, or `dir/pkg/name` when `dir` is a node_modules folder. */
function locate(dir: string, name: string, pkg: string): string {
  const direct = path.join(dir, name);
  return path.basename(dir) === 'node_modules' ? path.join(dir, pkg, name) : direct;
}
