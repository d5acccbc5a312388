import type { Node } from 'web-tree-sitter';
import type { Range } from '../position';
import { parentOf } from './parents';

/** Helpers over tree-sitter-python nodes. */

/** The operators of a comparison (`a == b` → ['=='], `a < b <= c` → ['<', '<='], `x not in y` → ['not in']). */
export function comparisonOperators(node: Node): string[] {
  return node.children.filter((c): c is Node => c !== null && !c.isNamed).map((c) => c.type);
}

/** What findings and fixes need of a node; a plain copy outlives its tree (see ImportTable). */
export interface Span {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly endPosition: { readonly row: number; readonly column: number };
  readonly text: string;
}

export function snapshot(node: Node): Span {
  return { startIndex: node.startIndex, endIndex: node.endIndex, startPosition: { ...node.startPosition }, endPosition: { ...node.endPosition }, text: node.text };
}

export function rangeOf(node: Span): Range {
  return {
    start: { line: node.startPosition.row, column: node.startPosition.column },
    end: { line: node.endPosition.row, column: node.endPosition.column },
  };
}

export interface StringLiteral {
  /** Prefix letters (f, r, b, ...), lower-cased. */
  readonly prefix: string;
  /** The text between the quotes, escapes untouched. */
  readonly content: string;
  readonly quote: string;
  /** f-string interpolations, in order. */
  readonly interpolations: Node[];
}

/** A `string` node's parts; undefined for other nodes. */
export function stringLiteral(node: Node): StringLiteral | undefined {
  if (node.type !== 'string') return undefined;
  const text = node.text;
  const match = /^([A-Za-z]*)('''|"""|'|")/.exec(text);
  if (!match) return undefined;
  const prefix = match[1]!.toLowerCase();
  const quote = match[2]!;
  const content = text.length >= match[0].length + quote.length ? text.slice(match[0].length, text.length - quote.length) : '';
  const interpolations = prefix.includes('f') ? node.namedChildren.filter((c): c is Node => c !== null && c.type === 'interpolation') : [];
  return { prefix, content, quote, interpolations };
}

/** Skips wrapping parentheses upwards. */
export function unparenthesizedParent(node: Node): { node: Node; parent: Node | null } {
  let current = node;
  let parent = parentOf(node);
  while (parent && parent.type === 'parenthesized_expression') {
    current = parent;
    parent = parentOf(parent);
  }
  return { node: current, parent };
}

/** The call whose argument list holds `arg` directly, with the argument's position or keyword. */
export function callOfArgument(arg: Node): { call: Node; index: number; keyword?: string } | undefined {
  const parent = parentOf(arg);
  if (!parent) return undefined;
  if (parent.type === 'keyword_argument') {
    const list = parentOf(parent);
    const call = parentOf(list);
    if (list?.type !== 'argument_list' || call?.type !== 'call') return undefined;
    return { call, index: -1, keyword: parent.childForFieldName('name')?.text };
  }
  if (parent.type !== 'argument_list' || parentOf(parent)?.type !== 'call') return undefined;
  let index = 0;
  for (const child of parent.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.id === arg.id) return { call: parentOf(parent)!, index };
    if (child.type === 'keyword_argument' || child.type === 'dictionary_splat' || child.type === 'list_splat') continue;
    index++;
  }
  return undefined;
}

/** Arguments of a call: positional nodes and keyword name → value node. */
export function callArguments(call: Node): { positional: Node[]; keywords: Map<string, Node>; list: Node | null } {
  const list = call.childForFieldName('arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  if (list?.type === 'argument_list') {
    for (const child of list.namedChildren) {
      if (!child || child.type === 'comment') continue;
      if (child.type === 'keyword_argument') {
        const name = child.childForFieldName('name')?.text;
        const value = child.childForFieldName('value');
        if (name && value) keywords.set(name, value);
      } else if (child.type !== 'dictionary_splat' && child.type !== 'list_splat') positional.push(child);
    }
  }
  return { positional, keywords, list };
}

/** The last name of a callee: `a.b.c(...)` → c, `f(...)` → f. */
export function calleeName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text;
  return undefined;
}

const GUARD_PARENTS = new Set(['not_operator', 'boolean_operator', 'parenthesized_expression']);

/** True when `expr` is (part of) the condition of an if / elif / while / ternary / assert. */
export function isGuard(expr: Node): boolean {
  let current = expr;
  let parent = parentOf(expr);
  while (parent && GUARD_PARENTS.has(parent.type)) {
    current = parent;
    parent = parentOf(parent);
  }
  if (!parent) return false;
  switch (parent.type) {
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      return parent.childForFieldName('condition')?.id === current.id;
    case 'conditional_expression':
      return parent.namedChildren[1]?.id === current.id;
    case 'assert_statement':
      return true;
    default:
      return false;
  }
}

/** One-line excerpt of a node's text for reports. */
export function excerpt(text: string, max = 100): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
