import type { Node, Tree } from 'web-tree-sitter';
import type { ImportTable } from './symbols';
import { callArguments, callOfArgument } from './syntax';

/**
 * Where a device value goes: a scope-aware def-use search over one file, asked one value at a time.
 *
 * From an expression holding a device (a "cuda" literal, the ternary around it) it follows the value
 * through the constructs that pass it on unchanged or extend it (parentheses, ternary branches, `+`,
 * f-string interpolation, str()), into bindings (names, tuple targets, `self.x` / `args.x` attributes,
 * parameters through their defaults and through calls of functions of the same file, argparse options
 * through `add_argument(..., default=...)` and `args.<dest>`, return values through calls of the
 * function) and from each binding to its reads, until a read is used as a device: `.to(x)`, `device=x`,
 * `map_location=x`, `torch.device(x)`, `torch.Generator(x)`, `.cuda(x)`, `torch.set_default_device(x)`.
 *
 * Names resolve as Python does (a name assigned or a parameter in a function is local to it unless
 * declared `global`; other reads see the enclosing function's or the module's binding). The search is
 * flow-insensitive (any read of a binding counts, wherever it is in the scope) and works from text hits
 * of the name inside the scope's text, so its cost follows the number of reads, not the size of the tree
 * (node accessors are the expensive part of web-tree-sitter). One instance per analysis (memoized).
 */
export class DeviceFlow {
  private readonly results = new Map<string, Reach>();
  /** The searches under way (a cycle), with their depth in the stack of searches. */
  private readonly active = new Map<string, number>();
  /** The shallowest search under way that the current one leaned on (see memo). */
  private lowest = Infinity;
  private readonly locals = new Map<string, boolean>();
  private readonly definitions = new Map<string, Node | null>();
  private depth = 0;
  /** Every name, attribute and function name the searches looked up (an edit elsewhere cannot change their answers). */
  readonly names = new Set<string>();

  constructor(private readonly tree: Tree, private readonly text: string, private readonly imports: ImportTable) {}

  /** True when the value of `expr` reaches a device use. */
  reaches(expr: Node): boolean {
    return this.follow(expr) === 'device';
  }

  /**
   * The binding `expr` is assigned to when nothing in this file reads it but it is visible outside its
   * function (a module-level name, an attribute, an argparse option, a function's return value): its
   * readers are elsewhere. Returns the bound name (the caller decides by the name), otherwise undefined.
   */
  unreadExport(expr: Node): string | undefined {
    const target = valueTarget(expr);
    if (!target) return undefined;
    if (target.kind === 'name' && inClassBody(target.node)) return this.attributeNamed(target.node.text, this.tree.rootNode) === 'unread' ? target.node.text : undefined;
    if (target.kind === 'name') {
      const scope = this.scopeOf(target.node, target.node.text);
      if (scope.type !== 'module') return undefined;
      return this.binding(scope, target.node.text) === 'unread' ? target.node.text : undefined;
    }
    if (target.kind === 'attribute') {
      const field = target.node.childForFieldName('attribute')?.text;
      return field && this.attribute(target.node) === 'unread' ? field : undefined;
    }
    if (target.kind === 'option') return this.attributeNamed(target.dest, this.tree.rootNode) === 'unread' ? target.dest : undefined;
    if (target.kind === 'return') {
      const name = target.fn.childForFieldName('name')?.text;
      return name && this.returned(target.fn) === 'unread' ? name : undefined;
    }
    return undefined;
  }

  private follow(expr: Node): Reach {
    if (this.depth > MAX_DEPTH) {
      this.lowest = -1; // cut short: whatever depends on this is not known for certain
      return 'other';
    }
    this.depth++;
    try {
      return this.followValue(expr);
    } finally {
      this.depth--;
    }
  }

  private followValue(expr: Node): Reach {
    let cur = expr;
    for (;;) {
      const parent = cur.parent;
      if (!parent) return 'other';
      switch (parent.type) {
        case 'parenthesized_expression':
          cur = parent;
          continue;
        case 'conditional_expression':
          if (parent.namedChildren[1]?.id === cur.id) return 'other'; // the condition
          cur = parent;
          continue;
        case 'binary_operator':
          if (parent.childForFieldName('operator')?.type !== '+') return 'other';
          cur = parent;
          continue;
        case 'interpolation': {
          const str = parent.parent;
          if (str?.type !== 'string') return 'other';
          cur = str;
          continue;
        }
        case 'argument_list':
        case 'keyword_argument': {
          const arg = callOfArgument(cur);
          if (!arg) return 'other';
          if (this.isDeviceUse(arg)) return 'device';
          const fn = arg.call.childForFieldName('function');
          if (passesThrough(fn, arg)) {
            cur = arg.call;
            continue;
          }
          if (arg.keyword === 'default' && fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_argument') {
            const dest = optionDest(arg.call);
            return dest ? this.attributeNamed(dest, this.tree.rootNode) : 'other';
          }
          return this.intoCall(arg);
        }
        case 'assignment':
          if (parent.childForFieldName('right')?.id !== cur.id) return 'other';
          return this.intoTarget(parent.childForFieldName('left'));
        case 'expression_list':
        case 'tuple': {
          // a, dev = 1, "cuda": the element's place in the target pattern
          const assignment = parent.parent;
          if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== parent.id) return 'other';
          const left = assignment.childForFieldName('left');
          if (!left || !PATTERNS.has(left.type)) return 'other';
          const index = parent.namedChildren.findIndex((c) => c?.id === cur.id);
          const targets = left.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
          if (targets.length !== parent.namedChildren.length) return 'other';
          return this.intoTarget(targets[index] ?? null);
        }
        case 'default_parameter':
        case 'typed_default_parameter': {
          if (parent.childForFieldName('value')?.id !== cur.id) return 'other';
          const name = parent.childForFieldName('name');
          const fn = parent.parent?.parent;
          if (!name || name.type !== 'identifier' || fn?.type !== 'function_definition') return 'other';
          return this.binding(fn, name.text);
        }
        case 'return_statement': {
          const fn = enclosingFunction(parent);
          return fn ? this.returned(fn) : 'other';
        }
        default:
          return 'other';
      }
    }
  }

  /** `.to(x)`, `device=x`, `torch.device(x)`, `torch.Generator(x)`, `.cuda(x)`, ... */
  private isDeviceUse(arg: { call: Node; index: number; keyword?: string }): boolean {
    const { call, index, keyword } = arg;
    if (keyword && isDeviceKeyword(keyword)) return true;
    const fn = call.childForFieldName('function');
    if (fn?.type === 'attribute') {
      const method = fn.childForFieldName('attribute')?.text;
      if (method && DEVICE_METHODS.has(method) && index === 0) return true;
    }
    const qualified = this.imports.qualify(fn);
    return qualified !== undefined && DEVICE_CALLS.has(qualified) && index === 0;
  }

  /** An argument of a call of a function defined in this file: where its parameter goes. */
  private intoCall(arg: { call: Node; index: number; keyword?: string }): Reach {
    const fn = arg.call.childForFieldName('function');
    const name = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'self' ? fn.childForFieldName('attribute')?.text : undefined;
    if (!name) return 'other';
    // a function of this file, or the __init__ of a class of this file (GPUMemoryMonitor("cuda"))
    const def = this.definitionOf(name, fn!.type === 'attribute') ?? (fn!.type === 'identifier' ? this.constructorOf(name) : undefined);
    if (!def) return 'other';
    const params = parameterNames(def);
    const isMethod = fn!.type === 'attribute' || enclosingClass(def) !== null;
    const param = arg.keyword ?? params[arg.index + (isMethod && params[0] === 'self' ? 1 : 0)];
    if (!param || !params.includes(param)) return 'other';
    return this.binding(def, param);
  }

  /** The function definition named `name` (a method of any class when `method`), by text search. */
  private definitionOf(name: string, method: boolean): Node | undefined {
    this.names.add(name);
    const key = `${method ? '.' : ''}${name}`;
    let def = this.definitions.get(key);
    if (def === undefined) this.definitions.set(key, (def = this.findDefinition(name, method) ?? null));
    return def ?? undefined;
  }

  /** The `__init__` of the class named `name` defined in this file (a top-level or nested class), by text search. */
  private constructorOf(name: string): Node | undefined {
    const key = `class ${name}`;
    let def = this.definitions.get(key);
    if (def === undefined) this.definitions.set(key, (def = this.findConstructor(name) ?? null));
    return def ?? undefined;
  }

  private findConstructor(name: string): Node | undefined {
    for (const node of this.declared(name, 'class')) {
      const cls = node.parent;
      if (cls?.type !== 'class_definition' || cls.childForFieldName('name')?.id !== node.id) continue;
      for (const statement of cls.childForFieldName('body')?.namedChildren ?? []) {
        const fn = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
        if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === '__init__') return fn;
      }
      return undefined;
    }
    return undefined;
  }

  private findDefinition(name: string, method: boolean): Node | undefined {
    for (const node of this.declared(name, 'def')) {
      const def = node.parent;
      if (def?.type === 'function_definition' && def.childForFieldName('name')?.id === node.id && (method === (enclosingClass(def) !== null))) return def;
    }
    return undefined;
  }

  /** The nodes at the words `name` written after `keyword` and blanks (`def name`, `class name`), by text search. */
  private *declared(name: string, keyword: 'def' | 'class'): Generator<Node> {
    for (const at of wordsAt(this.text, name, 0, this.text.length)) {
      let before = at;
      while (before > 0 && (this.text[before - 1] === ' ' || this.text[before - 1] === '\t')) before--;
      if (before === at || this.text.slice(before - keyword.length, before) !== keyword) continue;
      const node = this.tree.rootNode.descendantForIndex(at, at + name.length);
      if (node) yield node;
    }
  }

  private intoTarget(target: Node | null): Reach {
    if (!target) return 'other';
    // class Config: device = "cuda" is read as Config.device or self.device
    if (target.type === 'identifier' && inClassBody(target)) return this.attributeNamed(target.text, this.tree.rootNode);
    if (target.type === 'identifier') return this.binding(this.scopeOf(target, target.text), target.text);
    if (target.type === 'attribute') return this.attribute(target);
    return 'other';
  }

  /** The reads of name `name` bound in `scope` (a function or the module). */
  private binding(scope: Node, name: string): Reach {
    this.names.add(name);
    return this.memo(`${scope.type === 'module' ? 'module' : scope.startIndex}:${name}`, () => this.readsOf(scope, name));
  }

  /**
   * The reads of the name that `target` (an identifier bound in a function, as an assignment target) binds there;
   * undefined for a name of the module or a class body, whose readers may be elsewhere.
   */
  localReads(target: Node): Node[] | undefined {
    if (target.type !== 'identifier' || inClassBody(target)) return undefined;
    this.names.add(target.text);
    const scope = this.scopeOf(target, target.text);
    return scope.type === 'module' ? undefined : [...this.reads(scope, target.text)];
  }

  /** The identifiers that read the binding of `name` in `scope` (a function or the module). */
  private *reads(scope: Node, name: string): Generator<Node> {
    const [start, end] = scope.type === 'module' ? [0, this.text.length] : [scope.startIndex, scope.endIndex];
    for (const at of wordsAt(this.text, name, start, end)) {
      const node = this.tree.rootNode.descendantForIndex(at, at + name.length);
      if (node?.type !== 'identifier' || node.text !== name || !isRead(node)) continue;
      if (this.scopeOf(node, name).startIndex !== scope.startIndex) continue;
      yield node;
    }
  }

  private readsOf(scope: Node, name: string): Reach {
    let result: Reach = 'unread';
    for (const node of this.reads(scope, name)) {
      const reach = this.follow(node);
      if (reach === 'device') {
        result = 'device';
        break;
      }
      result = 'other';
    }
    return result;
  }

  /**
   * One search, asked once: a search that meets itself (a cycle, `x = x + 1`) counts that read as
   * going nowhere new. A result that leaned on a search further up the stack, or was cut short by the
   * depth limit, depends on the order questions were asked in: it is returned but not kept, so that
   * every literal gets the same answer whatever else was asked before (incremental = full analysis).
   */
  private memo(key: string, search: () => Reach): Reach {
    const known = this.results.get(key);
    if (known !== undefined) return known;
    const running = this.active.get(key);
    if (running !== undefined) {
      this.lowest = Math.min(this.lowest, running);
      return 'other';
    }
    const position = this.active.size;
    this.active.set(key, position);
    const outer = this.lowest;
    this.lowest = Infinity;
    let result: Reach = 'other';
    try {
      result = search();
    } finally {
      this.active.delete(key);
    }
    if (result === 'device' || this.lowest >= position) this.results.set(key, result);
    this.lowest = Math.min(outer, this.lowest);
    return result;
  }

  /** The reads of an attribute: `self.x` within its class, any other `obj.x` in the whole file. */
  private attribute(target: Node): Reach {
    const field = target.childForFieldName('attribute')?.text;
    if (!field) return 'other';
    const cls = target.childForFieldName('object')?.text === 'self' ? enclosingClass(target) : null;
    return this.attributeNamed(field, cls ?? this.tree.rootNode, cls !== null);
  }

  private attributeNamed(field: string, scope: Node, selfOnly = false): Reach {
    this.names.add(field);
    return this.memo(`${scope.type === 'module' ? 'module' : scope.startIndex}.${selfOnly ? 'self.' : ''}${field}`, () => this.attributeReads(field, scope, selfOnly));
  }

  private attributeReads(field: string, scope: Node, selfOnly: boolean): Reach {
    let result: Reach = 'unread';
    for (const at of wordsAt(this.text, field, scope.startIndex, scope.endIndex)) {
      let before = at - 1;
      while (before > 0 && /\s/.test(this.text[before]!)) before--;
      if (this.text[before] !== '.') continue;
      const node = this.tree.rootNode.descendantForIndex(at, at + field.length);
      const attr = node?.parent;
      if (attr?.type !== 'attribute' || attr.childForFieldName('attribute')?.id !== node!.id) continue;
      if (selfOnly && attr.childForFieldName('object')?.text !== 'self') continue;
      if (isAssignmentTarget(attr)) continue;
      // torch.device(...), np.random: a module's attribute; obj.device(...): a method, not a string
      if (this.imports.qualify(attr.childForFieldName('object')) !== undefined) continue;
      if (attr.parent?.type === 'call' && attr.parent.childForFieldName('function')?.id === attr.id) continue;
      const reach = this.follow(attr);
      if (reach === 'device') {
        result = 'device';
        break;
      }
      result = 'other';
    }
    return result;
  }

  /** Where the calls of a function take its return value. */
  private returned(fn: Node): Reach {
    return this.memo(`${fn.startIndex}()`, () => this.callsOf(fn));
  }

  private callsOf(fn: Node): Reach {
    const name = fn.childForFieldName('name')?.text;
    let result: Reach = 'unread';
    if (name) {
      this.names.add(name);
      for (const at of wordsAt(this.text, name, 0, this.text.length)) {
        let after = at + name.length;
        while (after < this.text.length && (this.text[after] === ' ' || this.text[after] === '\t')) after++;
        if (this.text[after] !== '(') continue;
        const node = this.tree.rootNode.descendantForIndex(at, at + name.length);
        if (node?.type !== 'identifier') continue;
        const callee = node.parent?.type === 'attribute' && node.parent.childForFieldName('attribute')?.id === node.id ? node.parent : node;
        const call = callee.parent;
        if (call?.type !== 'call' || call.childForFieldName('function')?.id !== callee.id) continue;
        const reach = this.follow(call);
        if (reach === 'device') {
          result = 'device';
          break;
        }
        result = 'other';
      }
    }
    return result;
  }

  /** The function (or the module) whose binding of `name` a use at `node` sees. */
  private scopeOf(node: Node, name: string): Node {
    for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
      if (this.isLocal(fn, name)) return fn;
    }
    return this.tree.rootNode;
  }

  /** `name` is a parameter of `fn` or assigned in its body (and not declared global there). */
  private isLocal(fn: Node, name: string): boolean {
    const key = `${fn.startIndex}:${name}`;
    const known = this.locals.get(key);
    if (known !== undefined) return known;
    let local = parameterNames(fn).includes(name);
    if (!local) {
      const body = this.text.slice(fn.startIndex, fn.endIndex);
      const declared = (body.includes('global') || body.includes('nonlocal')) && new RegExp(`\\b(?:global|nonlocal)\\b[^\\n]*${WORD_START}${escape(name)}${WORD_END}`).test(body);
      if (!declared) {
        for (const at of wordsAt(this.text, name, fn.startIndex, fn.endIndex)) {
          const node = this.tree.rootNode.descendantForIndex(at, at + name.length);
          if (node?.type === 'identifier' && node.text === name && isBindingName(node) && enclosingFunction(node)?.id === fn.id) {
            local = true;
            break;
          }
        }
      }
    }
    this.locals.set(key, local);
    return local;
  }
}

/** device: some read is used as a device; other: read, never as a device; unread: no read in this file. */
type Reach = 'device' | 'other' | 'unread';

const MAX_DEPTH = 12;
const DEVICE_KEYWORDS = new Set(['device', 'map_location', 'device_type', 'device_map']);
/**
 * A keyword argument that takes a device: device=, map_location=, device_type=, device_map=, and a name ending in
 * _device (torchtitan's init_weights(buffer_device=...), to_empty-style init_device=, offload_device=).
 */
export const isDeviceKeyword = (name: string): boolean => DEVICE_KEYWORDS.has(name) || /^[A-Za-z]\w*_device$/.test(name);
const DEVICE_METHODS = new Set(['to', 'to_empty', 'cuda']);
const DEVICE_CALLS = new Set(['torch.device', 'torch.set_default_device', 'torch.Generator', 'torch.random.Generator', 'torch.autocast', 'torch.amp.autocast']);
const PATTERNS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern']);

/**
 * Calls whose result is (or may be) the argument: str(x), os.getenv(k, x), os.environ.get(k, x),
 * cfg.get(k, x), getattr(o, name, x).
 */
function passesThrough(fn: Node | null, arg: { index: number; keyword?: string }): boolean {
  if (fn?.type === 'identifier') return (fn.text === 'str' && arg.index === 0) || (fn.text === 'getattr' && arg.index === 2);
  if (fn?.type !== 'attribute') return false;
  const method = fn.childForFieldName('attribute')?.text;
  return (method === 'get' || method === 'getenv' || method === 'pop' || method === 'setdefault') && (arg.index === 1 || arg.keyword === 'default');
}

/** `name = ...` directly in a class body (a class attribute, a dataclass field). */
function inClassBody(target: Node): boolean {
  const statement = target.parent?.parent;
  return target.parent?.type === 'assignment' && statement?.type === 'expression_statement' && statement.parent?.type === 'block' && statement.parent.parent?.type === 'class_definition';
}

/** What an expression holding a value is bound to, if anything (for unreadExport). */
function valueTarget(expr: Node):
  | { kind: 'name' | 'attribute'; node: Node }
  | { kind: 'option'; dest: string }
  | { kind: 'return'; fn: Node }
  | undefined {
  let cur = expr;
  while (cur.parent?.type === 'parenthesized_expression') cur = cur.parent;
  const parent = cur.parent;
  if (!parent) return undefined;
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === cur.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return { kind: 'name', node: left };
    if (left?.type === 'attribute') return { kind: 'attribute', node: left };
    return undefined;
  }
  if (parent.type === 'keyword_argument') {
    const arg = callOfArgument(cur);
    const fn = arg?.call.childForFieldName('function');
    if (arg?.keyword === 'default' && fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_argument') {
      const dest = optionDest(arg.call);
      return dest ? { kind: 'option', dest } : undefined;
    }
    return undefined;
  }
  if (parent.type === 'return_statement') {
    const fn = enclosingFunction(parent);
    return fn ? { kind: 'return', fn } : undefined;
  }
  return undefined;
}

/** `add_argument("-d", "--device-name", ...)` → device_name (or `dest=`). */
function optionDest(call: Node): string | undefined {
  const { positional, keywords } = callArguments(call);
  const dest = keywords.get('dest');
  const literal = (n: Node | undefined) => (n?.type === 'string' ? n.text.replace(/^[A-Za-z]*(['"]{1,3})([^]*)\1$/, '$2') : undefined);
  if (dest) return literal(dest);
  const names = positional.map(literal).filter((s): s is string => s !== undefined);
  const long = names.find((s) => s.startsWith('--')) ?? names.find((s) => !s.startsWith('-')) ?? names[0];
  return long?.replace(/^-+/, '').replace(/-/g, '_') || undefined;
}

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

function enclosingClass(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'class_definition') return p;
  return null;
}

function parameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  const out: string[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'identifier') out.push(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') out.push(p.childForFieldName('name')?.text ?? '');
    else if (p.type === 'typed_parameter') out.push(p.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '');
  }
  return out;
}

/** An identifier that binds its name: an assignment / for / with / walrus target, a parameter, a def or class name. */
function isBindingName(node: Node): boolean {
  let cur = node;
  while (cur.parent && PATTERNS.has(cur.parent.type)) cur = cur.parent;
  const parent = cur.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'assignment':
    case 'augmented_assignment':
    case 'for_statement':
    case 'for_in_clause':
      return parent.childForFieldName('left')?.id === cur.id;
    case 'as_pattern_target':
    case 'parameters':
    case 'lambda_parameters':
      return true;
    case 'named_expression':
      return parent.childForFieldName('name')?.id === cur.id;
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'function_definition':
    case 'class_definition':
      return parent.childForFieldName('name')?.id === cur.id;
    case 'typed_parameter':
      return true;
    default:
      return false;
  }
}

/** An identifier that reads its name (not a binding target, an attribute field or a keyword name). */
function isRead(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) return false;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === node.id) return false;
  if (parent.type === 'augmented_assignment') return true; // d += x reads d
  return !isBindingName(node);
}

function isAssignmentTarget(node: Node): boolean {
  let cur = node;
  while (cur.parent && PATTERNS.has(cur.parent.type)) cur = cur.parent;
  const parent = cur.parent;
  return (parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === cur.id;
}

// identifiers may hold non-ASCII letters, which \b does not know
const WORD_START = '(?<![\\w\\u0080-\\uffff])';
const WORD_END = '(?![\\w\\u0080-\\uffff])';

/**
 * Offsets of `name` as a whole identifier in text[start, end). indexOf, not a regular expression: a
 * fresh RegExp runs in V8's bytecode interpreter at first, which costs tenths of a millisecond per
 * search over a 5,000-line file.
 */
function wordsAt(text: string, name: string, start: number, end: number): number[] {
  const out: number[] = [];
  if (!name) return out;
  for (let at = text.indexOf(name, start); at !== -1 && at + name.length <= end; at = text.indexOf(name, at + name.length)) {
    if (at > 0 && isIdentifierChar(text.charCodeAt(at - 1))) continue;
    if (isIdentifierChar(text.charCodeAt(at + name.length))) continue;
    out.push(at);
  }
  return out;
}

function isIdentifierChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 0x80;
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
