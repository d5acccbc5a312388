/**
 * Where in the workspace's PyTorch sources an exported ONNX node comes from. torch.onnx.export names
 * nodes after the module attribute path from the root module (`/mask_decoder/transformer/layers.0/
 * self_attn/q_proj/MatMul`): each segment is the attribute a parent module assigned in its `__init__`
 * (`self.transformer = TwoWayTransformer(...)`), with container items as `layers.0` (ModuleList items,
 * named after the list) or `output_upscaling.0` under `output_upscaling` (children of a called
 * Sequential, named after the Sequential's attribute). The locator follows that chain through the
 * classes it finds (`class MaskDecoder(nn.Module)` → attribute `transformer` → `class TwoWayTransformer`
 * → ...) and ranks places to open: the line in the deepest class that spells the node's op, that class's
 * `forward`, its definition, the assignment that created the module, and where the parent calls it.
 *
 * Pure: the caller hands in file texts; files are parsed only when their text can matter (a `class`
 * statement), and each file's classes are kept until its text changes.
 */
import type { Node } from 'web-tree-sitter';
import { modulePathOf } from '../../shared/layout/modules';
import type { PythonParser } from '../python/parser';

export interface PythonSource {
  readonly file: string;
  readonly text: string;
}

/** A module built in `__init__`: a class (by name), a container of them, or something else. */
type ModuleExpr =
  /** `Foo(...)`; `torch: true` for `nn.Foo(...)` / `torch.nn.Foo(...)`, PyTorch's own modules (never a workspace class). */
  | { readonly kind: 'call'; readonly callee: string; readonly torch?: boolean }
  | { readonly kind: 'container'; readonly callee: string; readonly items: readonly ModuleExpr[]; readonly keys?: readonly string[]; readonly repeated?: ModuleExpr }
  /** `self.transformer = transformer`: a constructor parameter (its annotation, else what callers pass). */
  | { readonly kind: 'param'; readonly name: string; readonly annotation?: string }
  | { readonly kind: 'unknown' };

interface Place {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

interface AttributeInfo extends Place {
  readonly name: string;
  readonly value: ModuleExpr;
}

interface MethodInfo extends Place {
  readonly name: string;
  readonly startLine: number;
  readonly endLine: number;
  /** The method's source lines (for finding op spellings and calls). */
  readonly lines: readonly string[];
}

export interface ClassInfo extends Place {
  readonly name: string;
  readonly bases: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeInfo>;
  readonly methods: readonly MethodInfo[];
  readonly endLine: number;
}

export type SourceCandidateKind = 'op' | 'forward' | 'class' | 'assignment' | 'call';

export interface SourceCandidate {
  readonly kind: SourceCandidateKind;
  /** Absolute or workspace path as given in PythonSource.file. */
  readonly file: string;
  /** 0-based line and UTF-16 column. */
  readonly line: number;
  readonly column: number;
  /** The class the place belongs to. */
  readonly className: string;
  /** The module path this place stands for (`mask_decoder/transformer/layers.0`). */
  readonly modulePath: string;
  /** The source line, trimmed. */
  readonly text: string;
  /** Higher is better. */
  readonly score: number;
}

export interface SourceLocation {
  /** Ranked, best first; empty when no class in the workspace has the first attribute. */
  readonly candidates: readonly SourceCandidate[];
  /** Module path segments of the node name. */
  readonly segments: readonly string[];
  /** How many of them the best chain resolved to an attribute in a workspace class. */
  readonly resolved: number;
  /** Leading segments the best chain skipped (a wrapper module the workspace does not connect to the rest). */
  readonly skipped: number;
}

/** The module segments and the op of a node name (`/a/b.0/MatMul_3` → [a, b.0], MatMul); module paths (no op) as `/a/b.0`. */
export function splitNodeName(name: string, isModulePath = false): { segments: string[]; op: string | undefined } {
  if (isModulePath) return { segments: name.split('/').filter((p) => p.length > 0), op: undefined };
  const last = name.slice(name.lastIndexOf('/') + 1);
  return { segments: modulePathOf(name), op: last ? opOfName(last) : undefined };
}

function opOfName(last: string): string | undefined {
  const match = /^([A-Z][A-Za-z0-9]*?)(?:_\d+)?$/.exec(last);
  return match?.[1];
}

/** How ops are spelled in PyTorch code (what the exporter turns into them), for the 'op' candidate. */
const OP_SPELLINGS: Readonly<Record<string, RegExp>> = {
  Abs: /\babs\(|\.abs\(/,
  Sin: /\bsin\(/,
  Cos: /\bcos\(/,
  Erf: /\bgelu\(|\bGELU\(|\berf\(/,
  Tanh: /\btanh\(/,
  Sigmoid: /\bsigmoid\(/,
  Relu: /\brelu\(|\bReLU\(/,
  Softmax: /\bsoftmax\(/,
  Sqrt: /\bsqrt\(|\brsqrt\(/,
  Pow: /\bpow\(|\*\*/,
  MatMul: /\s@\s|\bmatmul\(|\bbmm\(/,
  Squeeze: /\.squeeze\(/,
  Unsqueeze: /\.unsqueeze\(|\[\s*(?:[:.]+\s*,\s*)*None\b/,
  Equal: /==|\.eq\(/,
  Concat: /\bcat\(|\bconcat\(|\bstack\(/,
  Transpose: /\.transpose\(|\.permute\(|\.T\b/,
  Reshape: /\.reshape\(|\.view\(|\.flatten\(/,
  Flatten: /\.flatten\(/,
  CumSum: /\.cumsum\(/,
  ReduceMean: /\.mean\(/,
  ReduceSum: /\.sum\(/,
  Clip: /\bclamp\(|\bclip\(/,
  Where: /\bwhere\(/,
  Expand: /\.expand\(|\.repeat\(/,
  Gather: /\[[^\]]*\b\d+\s*[,\]]|\.shape\b|\.size\(\)/,
  Shape: /\.shape\b|\.size\(/,
  Cast: /\.to\(|\.float\(\)|\.bool\(\)|\.int\(\)|\.long\(\)/,
};

const CONTAINERS = new Set(['ModuleList', 'Sequential', 'ModuleDict']);

/**
 * The classes of a set of Python files. A file is parsed only when a lookup's text search says it can
 * matter (it mentions the attribute, defines the class, or calls the constructor), once per file text:
 * the first "Go to PyTorch Source" in a big workspace parses a handful of files, not all of them.
 */
export class PythonClassIndex {
  private readonly files = new Map<string, { text: string; read?: FileClasses }>();
  private readonly memo = new Map<string, unknown>();

  constructor(private readonly parser: PythonParser) {}

  /** Adds or refreshes a file (parsed later, when a lookup needs it). */
  update(source: PythonSource): void {
    const known = this.files.get(source.file);
    if (known && known.text === source.text) return;
    this.files.set(source.file, { text: source.text });
    this.memo.clear();
  }

  /** Keeps only these files (others were deleted or excluded). */
  retain(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const file of this.files.keys()) {
      if (keep.has(file)) continue;
      this.files.delete(file);
      this.memo.clear();
    }
  }

  /** Files whose text passes `test`, read for classes. */
  private *readWhere(test: (text: string) => boolean): IterableIterator<FileClasses> {
    for (const [file, entry] of this.files) {
      if (!test(entry.text)) continue;
      // a file matters when it defines classes or builds modules with keyword arguments (build_sam.py)
      entry.read ??= /^[ \t]*class[ \t]+\w/m.test(entry.text) || /\b[A-Z]\w*\([^()]*\b\w+\s*=\s*[\w.]*[A-Z]\w*\(/.test(entry.text)
        ? readFile(this.parser, { file, text: entry.text }) : { classes: [], injections: [] };
      yield entry.read;
    }
  }

  private memoized<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  /** Every class (parses every file). */
  *classes(): IterableIterator<ClassInfo> {
    for (const read of this.readWhere(() => true)) yield* read.classes;
  }

  /** Classes that assign `self.<attribute>` (or add_module it). */
  classesWithAttribute(attribute: string): ClassInfo[] {
    return this.memoized(`attr:${attribute}`, () => {
      const needles = [`self.${attribute}`, `'${attribute}'`, `"${attribute}"`];
      return [...this.readWhere((text) => needles.some((n) => text.includes(n)))].flatMap((r) => r.classes.filter((c) => c.attributes.has(attribute)));
    });
  }

  classesNamed(name: string): ClassInfo[] {
    return this.memoized(`class:${name}`, () => {
      const pattern = new RegExp(`\\bclass\\s+${escapeRegExp(name)}\\b`);
      return [...this.readWhere((text) => pattern.test(text))].flatMap((r) => r.classes.filter((c) => c.name === name));
    });
  }

  /** True when some class builds a module of this class (it is not a root). */
  isHeld(className: string): boolean {
    return this.memoized(`held:${className}`, () => {
      for (const read of this.readWhere((text) => text.includes(`${className}(`))) {
        if (read.classes.some((c) => [...c.attributes.values()].some((a) => calleesOf(a.value).includes(className)))) return true;
        if (read.injections.some((i) => calleesOf(i.value).includes(className))) return true;
      }
      return false;
    });
  }

  /** What callers pass for a constructor parameter: `MaskDecoder(transformer=TwoWayTransformer(...))`. */
  injected(className: string, param: string): ModuleExpr | undefined {
    return this.memoized(`inject:${className}.${param}`, () => {
      for (const read of this.readWhere((text) => text.includes(`${className}(`) && text.includes(param))) {
        for (const i of read.injections) if (i.callee === className && i.param === param) return i.value;
      }
      return undefined;
    });
  }
}

interface FileClasses {
  readonly classes: ClassInfo[];
  readonly injections: Injection[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Injection {
  readonly callee: string;
  readonly param: string;
  readonly value: ModuleExpr;
}

/** Parses the files into the index and locates the node (or module path). */
export function locateModuleSource(index: PythonClassIndex, nodeName: string, options: { isModulePath?: boolean } = {}): SourceLocation {
  const { segments, op } = splitNodeName(nodeName, options.isModulePath);
  if (segments.length === 0) return { candidates: [], segments, resolved: 0, skipped: 0 };
  // chains from the root; when none reaches the end, also from later segments: a wrapper the workspace
  // cannot follow (`self.model = model` with the model built elsewhere) leaves `/model/mask_decoder/...`
  const chains: Chain[] = [];
  for (let offset = 0; offset < segments.length; offset++) {
    const first = segments[offset]!.split('.')[0]!;
    for (const start of index.classesWithAttribute(first)) chains.push(resolveChain(start, segments, index, offset));
    if (chains.some((c) => c.offset + c.resolved === segments.length)) break;
  }
  if (chains.length === 0) return { candidates: [], segments, resolved: 0, skipped: 0 };
  // deepest first (from the root, on a tie); then the chain that ends in a workspace class; then chains
  // starting at a root (a class no other class holds as a module), as the exported model's root is
  const rank = (chain: Chain) => (chain.offset + chain.resolved) * 8 + (chain.offset === 0 ? 4 : 0) + (chain.end ? 2 : 0) + (index.isHeld(chain.start.name) ? 0 : 1);
  chains.sort((a, b) => rank(b) - rank(a));
  const best = chains[0]!;
  const candidates: SourceCandidate[] = [];
  const seen = new Set<string>();
  const add = (kind: SourceCandidateKind, place: Place, className: string, modulePath: string, score: number) => {
    const key = `${place.file}:${place.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    candidates.push({ kind, file: place.file, line: place.line, column: place.column, className, modulePath, text: place.text, score });
  };
  for (const [k, chain] of chains.entries()) {
    // the best chain gives every kind of place; other chains (the same attribute name elsewhere) their assignment only
    const base = rank(chain) * 10;
    const depth = chain.offset + chain.resolved;
    const path = segments.slice(0, depth).join('/');
    if (k > 0) {
      const last = chain.steps[chain.steps.length - 1];
      if (last) add('assignment', last.attribute, last.owner.name, path, base + 1);
      continue;
    }
    const last = best.steps[best.steps.length - 1]!;
    if (best.end) {
      const opLine = op ? findOpLine(best.end, op, index) : undefined;
      if (opLine) add('op', opLine, best.end.name, path, base + 9);
      const forward = methodOf(best.end, 'forward', index);
      if (forward) add('forward', forward.method, forward.owner.name, path, base + 8);
      add('class', best.end, best.end.name, path, base + 7);
      add('assignment', last.attribute, last.owner.name, path, base + 6);
    } else {
      add('assignment', last.attribute, last.owner.name, path, base + 8);
      const call = findCall(last.owner, last.attribute.name);
      if (call) add('call', call, last.owner.name, path, base + 7);
      const opLine = op && depth < segments.length ? findOpLine(last.owner, op, index) : undefined;
      if (opLine) add('op', opLine, last.owner.name, segments.slice(0, depth - 1).join('/'), base + 5);
      const forward = methodOf(last.owner, 'forward', index);
      if (forward) add('forward', forward.method, forward.owner.name, segments.slice(0, depth - 1).join('/'), base + 4);
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  return { candidates, segments, resolved: best.resolved, skipped: best.offset };
}

interface Step {
  readonly owner: ClassInfo;
  readonly attribute: AttributeInfo;
}

interface Chain {
  readonly start: ClassInfo;
  /** Index of the segment the chain starts at (0: the root's first attribute). */
  readonly offset: number;
  readonly steps: Step[];
  /** Segments resolved (each segment to an attribute, a container item, or a class). */
  resolved: number;
  /** The workspace class the last resolved segment is an instance of (undefined: outside the workspace, e.g. nn.Linear). */
  end: ClassInfo | undefined;
}

function resolveChain(start: ClassInfo, all: readonly string[], index: PythonClassIndex, offset: number): Chain {
  const segments = all.slice(offset);
  const chain: Chain = { start, offset, steps: [], resolved: 0, end: start };
  // the module the next segment is looked up in: a class, or a container just called (Sequential)
  let owner: ClassInfo | undefined = start;
  let container: { readonly name: string; readonly value: ModuleExpr } | undefined;
  for (const segment of segments) {
    const parts = segment.split('.');
    let value: ModuleExpr | undefined;
    if (container && parts[0] === container.name && parts.length > 1) {
      // children of a called Sequential: `output_upscaling.0` under `output_upscaling`
      value = container.value;
      parts.shift();
    } else {
      const member: Member | undefined = owner ? memberOf(owner, parts[0]!, index) : undefined;
      if (!owner || !member) break;
      chain.steps.push({ owner: member.owner, attribute: member.attribute });
      const assigned: ModuleExpr = member.attribute.value;
      value = assigned.kind === 'param' ? paramModule(assigned, owner, index, member.owner) : assigned;
      container = { name: parts.shift()!, value };
    }
    for (const part of parts) {
      // `layers.0`: an item; `model.mask_decoder` (a root that holds the model): an attribute of a class
      let item: ModuleExpr | undefined = value ? itemOf(value, part) : undefined;
      const cls: ClassInfo | undefined = !item && value?.kind === 'call' && !value.torch ? pickClass(index.classesNamed(value.callee), chain.steps[chain.steps.length - 1]?.owner) : undefined;
      const member: Member | undefined = cls ? memberOf(cls, part, index) : undefined;
      if (cls && member) {
        chain.steps.push({ owner: member.owner, attribute: member.attribute });
        item = member.attribute.value.kind === 'param' ? paramModule(member.attribute.value, cls, index, member.owner) : member.attribute.value;
      }
      if (!item) { value = undefined; break; }
      value = item;
    }
    if (!value) break;
    chain.resolved++;
    if (value.kind === 'container') {
      owner = undefined;
      container = { name: segment.split('.').pop()!, value };
      chain.end = undefined;
      continue;
    }
    container = undefined;
    owner = value.kind === 'call' && !value.torch ? pickClass(index.classesNamed(value.callee), chain.steps[chain.steps.length - 1]?.owner) : undefined;
    chain.end = owner;
    if (!owner) break;
  }
  if (chain.resolved === 0) chain.end = undefined;
  return chain;
}

interface Member {
  readonly owner: ClassInfo;
  readonly attribute: AttributeInfo;
}

/** The attribute as a class or its bases (in the workspace) assign it, with the class that does. */
function memberOf(cls: ClassInfo, name: string, index: PythonClassIndex, depth = 0): Member | undefined {
  const own = cls.attributes.get(name);
  if (own) return { owner: cls, attribute: own };
  if (depth >= 8) return undefined;
  for (const base of baseClasses(cls, index)) {
    const found = memberOf(base, name, index, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The method as a class or its bases define it (forward of a subclass that only overrides __init__). */
function methodOf(cls: ClassInfo, name: string, index: PythonClassIndex, depth = 0): { owner: ClassInfo; method: MethodInfo } | undefined {
  const own = cls.methods.find((m) => m.name === name);
  if (own) return { owner: cls, method: own };
  if (depth >= 8) return undefined;
  for (const base of baseClasses(cls, index)) {
    const found = methodOf(base, name, index, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function baseClasses(cls: ClassInfo, index: PythonClassIndex): ClassInfo[] {
  const out: ClassInfo[] = [];
  for (const base of cls.bases) {
    const name = /([A-Za-z_]\w*)\s*(?:\[.*\])?$/.exec(base)?.[1];
    if (!name || name === cls.name || GENERIC_ANNOTATIONS.has(name) || /^(?:torch\.)?nn\.|^torch\./.test(base)) continue;
    const found = pickClass(index.classesNamed(name), cls);
    if (found && found !== cls) out.push(found);
  }
  return out;
}

/** Annotations that name no particular module class (`transformer: nn.Module`). */
const GENERIC_ANNOTATIONS = new Set(['Module', 'Optional', 'Any', 'Callable', 'Type', 'Union']);

/** A module passed to the constructor: what callers pass, else the parameter's annotation when it names a class. */
function paramModule(param: Extract<ModuleExpr, { kind: 'param' }>, owner: ClassInfo, index: PythonClassIndex, definer: ClassInfo = owner): ModuleExpr {
  // callers build the class that holds the module (a subclass passes the argument on to its base)
  const injected = index.injected(owner.name, param.name) ?? (definer !== owner ? index.injected(definer.name, param.name) : undefined);
  if (injected) return injected;
  if (param.annotation && !GENERIC_ANNOTATIONS.has(param.annotation) && index.classesNamed(param.annotation).length > 0) return { kind: 'call', callee: param.annotation };
  return param;
}

/** Of several classes with one name, the one in the same file as the class that uses it. */
function pickClass(classes: readonly ClassInfo[] | undefined, near: ClassInfo | undefined): ClassInfo | undefined {
  if (!classes?.length) return undefined;
  if (!near) return classes[0];
  // the same file, else the one sharing the longest folder path with the class that uses it
  const shared = (file: string) => {
    const a = file.split(/[\\/]/);
    const b = near.file.split(/[\\/]/);
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return file === near.file ? Infinity : n;
  };
  return classes.reduce((best, c) => (shared(c.file) > shared(best.file) ? c : best));
}

function itemOf(value: ModuleExpr, key: string): ModuleExpr | undefined {
  if (value.kind !== 'container') return undefined;
  if (value.keys) {
    const k = value.keys.indexOf(key);
    return k >= 0 ? value.items[k] : value.repeated;
  }
  const i = Number(key);
  if (!Number.isInteger(i) || i < 0) return undefined;
  return value.items[i] ?? value.repeated;
}

function calleesOf(value: ModuleExpr): string[] {
  if (value.kind === 'call') return [value.callee];
  if (value.kind === 'container') return [...value.items.flatMap(calleesOf), ...(value.repeated ? calleesOf(value.repeated) : [])];
  return [];
}

/** The class and its workspace bases, nearest first. */
function lineage(cls: ClassInfo, index: PythonClassIndex): ClassInfo[] {
  const out: ClassInfo[] = [];
  const queue = [cls];
  while (queue.length && out.length < 8) {
    const c = queue.shift()!;
    if (out.includes(c)) continue;
    out.push(c);
    queue.push(...baseClasses(c, index));
  }
  return out;
}

function findOpLine(start: ClassInfo, op: string, index: PythonClassIndex): Place | undefined {
  for (const cls of lineage(start, index)) {
    const found = findOpLineIn(cls, op);
    if (found) return found;
  }
  return undefined;
}

function findOpLineIn(cls: ClassInfo, op: string): Place | undefined {
  const pattern = OP_SPELLINGS[op];
  if (!pattern) return undefined;
  // forward first, then the other methods (helpers it calls), __init__ last
  const order = [...cls.methods].sort((a, b) => weight(a.name) - weight(b.name));
  for (const method of order) {
    const lines = method.lines;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      const code = line.replace(/#.*$/, '');
      const match = pattern.exec(code);
      if (match) return { file: cls.file, line: method.startLine + k, column: match.index, text: line.trim() };
    }
  }
  return undefined;
}

function weight(method: string): number {
  return method === 'forward' ? 0 : method === '__init__' ? 2 : 1;
}

function findCall(cls: ClassInfo, attribute: string): Place | undefined {
  const pattern = new RegExp(`\\bself\\.${escapeRegExp(attribute)}\\b(?!\\s*=[^=])`);
  const order = [...cls.methods].filter((m) => m.name !== '__init__').sort((a, b) => weight(a.name) - weight(b.name));
  for (const method of order) {
    for (let k = 1; k < method.lines.length; k++) {
      const line = method.lines[k]!;
      const match = pattern.exec(line.replace(/#.*$/, ''));
      if (match) return { file: cls.file, line: method.startLine + k, column: match.index, text: line.trim() };
    }
  }
  return undefined;
}

// ------------------------------------------------------------------ reading classes

function readFile(parser: PythonParser, source: PythonSource): { classes: ClassInfo[]; injections: Injection[] } {
  const tree = parser.parse(source.text);
  try {
    const lines = source.text.split(/\r?\n/);
    const classes: ClassInfo[] = [];
    for (const node of tree.rootNode.descendantsOfType('class_definition')) {
      if (node) classes.push(readClass(node, source.file, lines));
    }
    const injections: Injection[] = [];
    for (const call of tree.rootNode.descendantsOfType('call')) {
      const callee = call ? calleeName(call.childForFieldName('function')!) : undefined;
      if (!call || !callee || !/^[A-Z]/.test(callee)) continue;
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
        if (arg?.type !== 'keyword_argument') continue;
        const param = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (!param || !value) continue;
        const expr = moduleExpr(value);
        if (expr.kind === 'call' || expr.kind === 'container') injections.push({ callee, param, value: expr });
      }
    }
    return { classes, injections };
  } finally {
    tree.delete();
  }
}

function place(file: string, node: Node, lines: readonly string[]): Place {
  return { file, line: node.startPosition.row, column: node.startPosition.column, text: (lines[node.startPosition.row] ?? '').trim() };
}

function readClass(node: Node, file: string, lines: readonly string[]): ClassInfo {
  const name = node.childForFieldName('name')?.text ?? '';
  const bases = (node.childForFieldName('superclasses')?.namedChildren ?? []).filter((c): c is Node => c !== null).map((c) => c.text);
  const body = node.childForFieldName('body');
  const methods: MethodInfo[] = [];
  const attributes = new Map<string, AttributeInfo>();
  for (const child of body?.namedChildren ?? []) {
    if (!child) continue;
    const fn = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (!fn || fn.type !== 'function_definition') continue;
    const methodName = fn.childForFieldName('name')?.text ?? '';
    const startLine = fn.startPosition.row;
    const endLine = fn.endPosition.row;
    methods.push({ ...place(file, fn, lines), name: methodName, startLine, endLine, lines: lines.slice(startLine, endLine + 1) });
    const fnBody = fn.childForFieldName('body');
    if (!fnBody) continue;
    const params = methodName === '__init__' ? parameters(fn) : new Map<string, string | undefined>();
    for (const a of ownDescendants(fnBody, 'assignment')) readAssignment(a, file, lines, attributes, params);
    for (const c of ownDescendants(fnBody, 'call')) readAddModule(c, file, lines, attributes);
    for (const c of ownDescendants(fnBody, 'call')) readAppend(c, attributes);
  }
  return { ...place(file, node, lines), name, bases, attributes, methods, endLine: node.endPosition.row };
}

/** Descendants of a type, not inside nested classes. */
function ownDescendants(root: Node, type: string): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === type) out.push(node);
    if (node.type === 'class_definition') continue;
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
  return out;
}

/** `self.x = Foo(...)` and `self.x: Foo = Foo(...)`; the first assignment of a name wins (later ones re-bind). */
function readAssignment(node: Node, file: string, lines: readonly string[], attributes: Map<string, AttributeInfo>, params: ReadonlyMap<string, string | undefined>): void {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || left.type !== 'attribute' || left.childForFieldName('object')?.text !== 'self') return;
  const attr = left.childForFieldName('attribute')?.text;
  if (!attr) return;
  let value: ModuleExpr = right ? moduleExpr(right) : { kind: 'unknown' };
  if (right?.type === 'identifier' && params.has(right.text)) {
    const annotation = params.get(right.text);
    value = { kind: 'param', name: right.text, ...(annotation ? { annotation } : {}) };
  }
  const existing = attributes.get(attr);
  // a module assignment replaces a placeholder (`self.x = None` then `self.x = Foo()`)
  if (existing && existing.value.kind !== 'unknown') return;
  if (existing && value.kind === 'unknown') return;
  attributes.set(attr, { ...place(file, node, lines), name: attr, value });
}

/** `__init__`'s parameters with the class name of their annotation (`transformer: TwoWayTransformer`). */
function parameters(fn: Node): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'identifier') out.set(p.text, undefined);
    else if (p.type === 'typed_parameter' || p.type === 'typed_default_parameter' || p.type === 'default_parameter') {
      const name = p.type === 'typed_parameter' ? p.namedChildren.find((c) => c?.type === 'identifier')?.text : p.childForFieldName('name')?.text;
      const type = p.childForFieldName('type');
      const annotation = type ? calleeName(type.namedChild(0) ?? type) ?? undefined : undefined;
      if (name) out.set(name, annotation);
    }
  }
  return out;
}

/** `self.add_module("x", Foo())` and `setattr(self, "x", Foo())`. */
function readAddModule(node: Node, file: string, lines: readonly string[], attributes: Map<string, AttributeInfo>): void {
  const fn = node.childForFieldName('function')?.text;
  const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => c !== null);
  let nameArg: Node | undefined;
  let valueArg: Node | undefined;
  if (fn === 'self.add_module' || fn === 'self.register_module') [nameArg, valueArg] = args;
  else if (fn === 'setattr' && args[0]?.text === 'self') [, nameArg, valueArg] = args;
  else return;
  const name = nameArg ? stringValue(nameArg) : undefined;
  if (!name || !valueArg || attributes.has(name)) return;
  attributes.set(name, { ...place(file, node, lines), name, value: moduleExpr(valueArg) });
}

/** `self.layers.append(Block(...))` (SAM's TwoWayTransformer fills an empty ModuleList in a loop). */
function readAppend(node: Node, attributes: Map<string, AttributeInfo>): void {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'append') return;
  const target = fn.childForFieldName('object');
  if (target?.type !== 'attribute' || target.childForFieldName('object')?.text !== 'self') return;
  const existing = attributes.get(target.childForFieldName('attribute')?.text ?? '');
  const arg = node.childForFieldName('arguments')?.namedChild(0);
  if (!existing || existing.value.kind !== 'container' || existing.value.repeated || !arg) return;
  attributes.set(existing.name, { ...existing, value: { ...existing.value, repeated: moduleExpr(arg) } });
}

function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const match = /^[rRuU]?(['"])(.*)\1$/s.exec(node.text);
  return match?.[2];
}

function calleeName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

function moduleExpr(node: Node): ModuleExpr {
  while (node.type === 'parenthesized_expression' && node.namedChild(0)) node = node.namedChild(0)!;
  if (node.type === 'conditional_expression') {
    // `Foo() if cond else nn.Identity()`: the first branch
    const first = node.namedChild(0);
    return first ? moduleExpr(first) : { kind: 'unknown' };
  }
  if (node.type !== 'call') return { kind: 'unknown' };
  const callee = calleeName(node.childForFieldName('function')!);
  if (!callee) return { kind: 'unknown' };
  const fn = node.childForFieldName('function')!;
  const qualifier = fn.type === 'attribute' ? fn.childForFieldName('object')?.text ?? '' : '';
  if (!CONTAINERS.has(callee)) return /^(?:torch\.)?nn$|^torch$/.test(qualifier) ? { kind: 'call', callee, torch: true } : { kind: 'call', callee };
  const argsNode = node.childForFieldName('arguments');
  const args = (argsNode?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
  if (argsNode?.type === 'generator_expression') return { kind: 'container', callee, items: [], repeated: repeatedOf(argsNode) };
  if (callee === 'ModuleDict') {
    const dict = args[0];
    if (dict?.type === 'dictionary') {
      const keys: string[] = [];
      const items: ModuleExpr[] = [];
      for (const pair of dict.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        const k = key ? stringValue(key) : undefined;
        if (k === undefined || !value) continue;
        keys.push(k);
        items.push(moduleExpr(value));
      }
      return { kind: 'container', callee, items, keys };
    }
    return { kind: 'container', callee, items: [], keys: [] };
  }
  // ModuleList([...]) / ModuleList(x for ...) / Sequential(a, b, *[...]) / Sequential(OrderedDict(...))
  const items: ModuleExpr[] = [];
  let repeated: ModuleExpr | undefined;
  const spread = (list: Node) => {
    if (list.type === 'list' || list.type === 'tuple') {
      for (const item of list.namedChildren) if (item && item.type !== 'comment') items.push(item.type === 'list_splat' ? { kind: 'unknown' } : moduleExpr(item));
    } else if (list.type === 'list_comprehension' || list.type === 'generator_expression') repeated = repeatedOf(list);
  };
  if (callee === 'ModuleList') {
    if (args[0]) spread(args[0]);
  } else {
    for (const arg of args) {
      if (arg.type === 'keyword_argument') continue;
      if (arg.type === 'list_splat') {
        const inner = arg.namedChild(0);
        if (inner) spread(inner);
      } else items.push(moduleExpr(arg));
    }
  }
  return { kind: 'container', callee, items, ...(repeated ? { repeated } : {}) };
}

function repeatedOf(comprehension: Node): ModuleExpr {
  const body = comprehension.childForFieldName('body') ?? comprehension.namedChild(0);
  return body ? moduleExpr(body) : { kind: 'unknown' };
}
