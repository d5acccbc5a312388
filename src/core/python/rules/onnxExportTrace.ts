import type { RuleContext } from '../context';

const MODULE_BASE = /^torch\.nn\.(?:modules\.[\w.]+\.)?[A-Z]\w*$/;
const CLASS_HEADER = /^class[ \t]+(\w+)[ \t]*(?:\(([^)]*)\))?[ \t]*:/;
const TOP_DEF = /^((?:async[ \t]+)?def[ \t]+(\w+))/;

/** A function of the file: where it is (offsets in the text) and what it belongs to. */
export interface FunctionInfo {
  readonly name: string;
  /** Offset of `def` (or `async`). */
  readonly start: number;
  readonly end: number;
  readonly cls?: ClassInfo;
}

interface ClassInfo {
  readonly name: string;
  readonly bases: readonly string[];
  readonly methods: Map<string, FunctionInfo>;
}

/**
 * Which code of a file torch.onnx.export traces: forward of each nn.Module subclass (bases
 * torch.nn.Module, torch.nn.Sequential, ..., through import aliases and local subclasses), the
 * methods forward reaches through `self.name(...)`, the module-level functions reached by name, and
 * functions nested in those. Built from the top-level statements (one cursor pass) and the source
 * text: web-tree-sitter's Node accessors cost too much to walk a large file on every keystroke.
 */
export class TraceIndex {
  private readonly classes = new Map<string, ClassInfo>();
  private readonly topFunctions = new Map<string, FunctionInfo>();
  /** Every method and top-level function, in text order. */
  readonly functions: FunctionInfo[] = [];
  private readonly moduleMemo = new Map<ClassInfo, boolean>();
  private readonly closureMemo = new Map<ClassInfo, Set<FunctionInfo>>();
  private readonly tracedMemo = new Map<FunctionInfo, boolean>();

  constructor(private readonly ctx: RuleContext) {
    const { text } = ctx;
    // Top-level statements start at column 0 (closing brackets and comments do not); the text is
    // enough, and far cheaper than walking the module's children (tens of microseconds a node).
    const starts = [...text.matchAll(/^[^\s#)\]}]/gm)].map((m) => m.index);
    starts.push(text.length);
    for (let i = 0; i + 1 < starts.length; i++) {
      const start = starts[i]!;
      const head = text.slice(start, start + 6);
      if (!head.startsWith('class') && !head.startsWith('def') && !head.startsWith('async')) continue;
      const end = trimEnd(text, starts[i + 1]!);
      const slice = text.slice(start, end);
      const cls = CLASS_HEADER.exec(slice);
      if (cls) this.addClass(cls[1]!, (cls[2] ?? '').split(',').map((b) => b.trim()).filter((b) => b && !b.includes('=')), start, end, slice);
      else {
        const fn = TOP_DEF.exec(slice);
        if (!fn) continue;
        const info = { name: fn[2]!, start, end };
        this.topFunctions.set(info.name, info);
        this.functions.push(info);
      }
    }
  }

  private addClass(name: string, bases: string[], start: number, end: number, slice: string): void {
    const info: ClassInfo = { name, bases, methods: new Map() };
    if (!this.classes.has(name)) this.classes.set(name, info);
    const defs = [...slice.matchAll(/^([ \t]+)((?:async[ \t]+)?def[ \t]+(\w+))/gm)];
    if (defs.length === 0) return;
    const indent = Math.min(...defs.map((d) => d[1]!.length));
    const methods = defs.filter((d) => d[1]!.length === indent);
    methods.forEach((d, i) => {
      const defStart = start + d.index + d[0].length - d[2]!.length;
      const next = methods[i + 1];
      const method = { name: d[3]!, start: defStart, end: next ? start + next.index : end, cls: info };
      if (!info.methods.has(method.name)) info.methods.set(method.name, method);
      this.functions.push(method);
    });
  }

  private qualifyText(dotted: string): string | undefined {
    const [first, ...rest] = dotted.split('.');
    const bound = first ? this.ctx.imports.binding(first) : undefined;
    return bound ? [bound, ...rest].join('.') : undefined;
  }

  isModuleClass(cls: ClassInfo, depth = 0): boolean {
    const known = this.moduleMemo.get(cls);
    if (known !== undefined) return known;
    this.moduleMemo.set(cls, false); // cycles
    const result = depth < 20 && cls.bases.some((b) => {
      if (MODULE_BASE.test(this.qualifyText(b) ?? '')) return true;
      const local = this.classes.get(b);
      return !!local && local !== cls && this.isModuleClass(local, depth + 1);
    });
    this.moduleMemo.set(cls, result);
    return result;
  }

  /** Methods of a class that forward reaches through self.name(...). */
  private closure(cls: ClassInfo): Set<FunctionInfo> {
    let reached = this.closureMemo.get(cls);
    if (reached) return reached;
    reached = new Set();
    const forward = cls.methods.get('forward');
    const work = forward ? [forward] : [];
    while (work.length) {
      const fn = work.pop()!;
      if (reached.has(fn)) continue;
      reached.add(fn);
      for (const m of this.textOf(fn).matchAll(/\bself\.(\w+)\s*\(/g)) {
        const next = cls.methods.get(m[1]!);
        if (next && m[1] !== '__init__') work.push(next);
      }
    }
    this.closureMemo.set(cls, reached);
    return reached;
  }

  textOf(fn: FunctionInfo): string {
    return this.ctx.text.slice(fn.start, fn.end);
  }

  /** The method or top-level function whose text holds `offset`. */
  functionAt(offset: number): FunctionInfo | undefined {
    let lo = 0;
    let hi = this.functions.length - 1;
    let found: FunctionInfo | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.functions[mid]!;
      if (f.start <= offset) {
        if (offset < f.end) found = f;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** True when torch.onnx.export traces this function (once a module of this file is exported). */
  isTraced(fn: FunctionInfo): boolean {
    const known = this.tracedMemo.get(fn);
    if (known !== undefined) return known;
    this.tracedMemo.set(fn, false); // recursion
    const result = fn.cls ? this.isModuleClass(fn.cls) && this.closure(fn.cls).has(fn) : this.calledFromTraced(fn);
    this.tracedMemo.set(fn, result);
    return result;
  }

  /** A module-level function called by name from a traced function. */
  private calledFromTraced(fn: FunctionInfo): boolean {
    const escaped = fn.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const m of this.ctx.text.matchAll(new RegExp(`(?<![\\w.])${escaped}\\s*\\(`, 'g'))) {
      if (m.index >= fn.start && m.index < fn.end) continue;
      const caller = this.functionAt(m.index);
      if (caller && this.isTraced(caller)) return true;
    }
    return false;
  }

  /** Every traced method and top-level function (functions nested in them are part of their text). */
  all(): FunctionInfo[] {
    const out = new Set<FunctionInfo>();
    const add = (fn: FunctionInfo) => {
      if (out.has(fn)) return;
      out.add(fn);
      for (const m of this.textOf(fn).matchAll(/(?<![\w.])(\w+)\s*\(/g)) {
        const top = this.topFunctions.get(m[1]!);
        if (top) add(top);
      }
    };
    for (const cls of this.classes.values()) {
      if (this.isModuleClass(cls)) for (const fn of this.closure(cls)) add(fn);
    }
    return [...out].sort((a, b) => a.start - b.start);
  }
}

/** `end` moved back over trailing blank lines and comments (they belong to no function). */
function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  return e;
}
