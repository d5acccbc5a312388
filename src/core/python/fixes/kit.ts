import type { Node } from 'web-tree-sitter';
import { msg, type Message } from '../../l10n';
import type { Range } from '../../position';
import { rangeOf, stringLiteral, type Span } from '../syntax';
import type { LineIndex } from '../text';
import type { AnalysisOptions, FileCreate, Fix, FixStyle, Requirement, TextEdit } from '../types';
import { parentOf } from '../parents';
import { deviceHelperSource } from './deviceHelper';
import { helperPlace, type HelperPlace } from './helperPlace';
import { requirementEdits, type ImportLayout } from './imports';

/** True where torch_npu is imported (it adds torch.npu). */
export const NPU_PRESENT = 'hasattr(torch, "npu")';

/** NPU_PRESENT at the start of `text`, in either quotes (inside an f-string a fix writes the other quote). */
export const startsWithNpuPresent = (text: string): boolean => /^\(*hasattr\(torch, (['"])npu\1\)/.test(text);

/** NPU_PRESENT anywhere in `text`, in either quotes. */
export const hasNpuPresent = (text: string): boolean => /hasattr\(torch, (['"])npu\1\)/.test(text);

/**
 * The quote characters that string literals written at `node` must not use, and whether a line break is allowed there:
 * inside an f-string's replacement field, Python before 3.12 ends the f-string at its own quote and rejects a line
 * break in a single-quoted one. Undefined outside strings.
 */
function stringContext(node: Node): { forbidden: Set<string>; lineBreaks: boolean } | undefined {
  let forbidden: Set<string> | undefined;
  let lineBreaks = true;
  for (let parent = parentOf(node); parent; parent = parentOf(parent)) {
    const lit = parent.type === 'string' ? stringLiteral(parent) : undefined;
    if (!lit) continue;
    (forbidden ??= new Set()).add(lit.quote[0]!);
    if (lit.quote.length === 1) lineBreaks = false;
  }
  return forbidden && { forbidden, lineBreaks };
}

/**
 * `text`, to be written inside an f-string's replacement field, with every string literal in a quote character that is
 * not in `forbidden` (`"npu"` → `'npu'` inside `f"..."`); undefined when that cannot be done (a literal holds the other
 * quote too, both are taken, or the text has a backslash, which Python before 3.12 rejects there).
 */
export function requote(text: string, forbidden: ReadonlySet<string>): string | undefined {
  if (text.includes('\\')) return undefined;
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c !== '"' && c !== "'") {
      out += c;
      i++;
      continue;
    }
    const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    let end = i + quote.length;
    while (end < text.length && !text.startsWith(quote, end)) end++;
    const body = text.slice(i + quote.length, end);
    i = Math.min(end + quote.length, text.length);
    if (!forbidden.has(c)) {
      out += quote + body + quote;
      continue;
    }
    const other = c === '"' ? "'" : '"';
    if (forbidden.has(other) || body.includes(other)) return undefined;
    out += other.repeat(quote.length) + body + other.repeat(quote.length);
  }
  return out;
}

/** A node the fix can wrap in a conditional expression (not an attribute's name, a parameter, a target). */
function isExpression(node: Node): boolean {
  if (!EXPRESSIONS.has(node.type)) return false;
  const parent = parentOf(node);
  if (!parent) return false;
  if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) return false;
  if ((parent.type === 'assignment' || parent.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === node.id) return false;
  return parent.type !== 'keyword_argument' || parent.childForFieldName('value')?.id === node.id;
}

const EXPRESSIONS = new Set(['attribute', 'call', 'string', 'concatenated_string', 'identifier', 'subscript']);

export const TRANSFER_TO_NPU_LINES = ['import torch_npu', 'from torch_npu.contrib import transfer_to_npu'] as const;

/** Builds fixes for one file: plain text edits plus the imports they need and the files they create. */
export class FixKit {
  constructor(
    private readonly lines: LineIndex,
    private readonly layout: ImportLayout,
    readonly options: AnalysisOptions,
    /** The file is an entry script: the transferToNpu import goes here, not in the script that runs it. */
    readonly entryScript = true,
  ) {
    this.place = helperPlace(options.deviceModule, options.packageDepth);
  }

  /** Where the device helper is for this file and the module name that imports it. */
  readonly place: HelperPlace;

  get style(): FixStyle {
    return this.options.style;
  }

  /** `from <deviceModule> import name` (relative inside a package). */
  helper(name: string): Requirement {
    return { kind: 'from', module: this.place.module, name };
  }

  /** torch_npu, imported guarded: the fixed file still imports on CUDA and CPU hosts. */
  readonly torchNpu: Requirement = { kind: 'import', module: 'torch_npu', guarded: true };

  /** Edits whose text cannot be written where they go (see `requote`); a fix holding one is not offered. */
  private readonly unwritable = new WeakSet<TextEdit>();

  /** False for a fix with an edit that cannot be written inside the f-string it lands in (see `requote`). */
  writable(fix: Fix): boolean {
    return !fix.coreEdits.some((e) => this.unwritable.has(e));
  }

  /** An edit over `target`; inside an f-string's replacement field, string literals of `newText` take the other quote. */
  replace(target: Span | Range, newText: string): TextEdit {
    if (!('startIndex' in target)) return { range: target, newText };
    const context = 'type' in target ? stringContext(target as Node) : undefined;
    if (!context) return { range: rangeOf(target), newText };
    const text = context.lineBreaks || !newText.includes('\n') ? requote(newText, context.forbidden) : undefined;
    const edit = { range: rangeOf(target), newText: text ?? newText };
    if (text === undefined) this.unwritable.add(edit);
    return edit;
  }

  /** A range from the start of one node to the end of another. */
  span(from: Node, to: Node): Range {
    return { start: rangeOf(from).start, end: rangeOf(to).end };
  }

  make(title: Message, coreEdits: TextEdit[], requires: Requirement[], replacement: string, style: FixStyle | undefined = this.style, createHelper = false): Fix {
    const createFiles: FileCreate[] = createHelper || requires.some((r) => r.kind === 'from' && r.module === this.place.module)
      ? [{ path: this.place.path, content: deviceHelperSource() }]
      : [];
    const edits = [...coreEdits, ...requirementEdits(requires, this.layout, this.lines)];
    return { title, edits, coreEdits, requires, createFiles, style, replacement };
  }

  /** "Replace with X": one edit over `target`. */
  replaceWith(target: Span | Range, newText: string, requires: Requirement[], title?: Message): Fix {
    // torchNpu style: torch.npu, "npu" devices, Tensor.npu and the "hccl" backend exist only with torch_npu, which is
    // imported guarded; the original is kept beside the NPU form for hosts without it, so the module still imports
    // there and CUDA and CPU hosts keep their paths (an NPU-only rewrite sent a CUDA host to "cpu": torchtune's get_device)
    if (this.style === 'torchNpu' && 'type' in target && isExpression(target as Node) && /npu|hccl/i.test(newText) && !hasNpuPresent(newText)) {
      const text = `(${newText} if ${NPU_PRESENT} else ${(target as Node).text})`;
      return this.make(title ?? msg('Replace with {0}', newText), [this.replace(target, text)], [{ kind: 'import', module: 'torch' }, ...requires], text);
    }
    return this.make(title ?? msg('Replace with {0}', newText), [this.replace(target, newText)], requires, newText);
  }

  /**
   * The transferToNpu style: the two-line import at the top of the entry script, nothing else changes.
   * In a module that an entry script imports, the fix points to that script (see entry.ts).
   */
  transfer(): Fix {
    if (!this.entryScript) {
      return {
        title: msg('Import torch_npu and transfer_to_npu in the entry script that runs this module'),
        edits: [],
        coreEdits: [],
        requires: [{ kind: 'head', lines: TRANSFER_TO_NPU_LINES }],
        createFiles: [],
        style: 'transferToNpu',
        replacement: TRANSFER_TO_NPU_LINES.join('; '),
        inEntryScript: true,
      };
    }
    return this.make(
      msg('Import torch_npu and transfer_to_npu at the top of the file'),
      [],
      [{ kind: 'head', lines: TRANSFER_TO_NPU_LINES }],
      TRANSFER_TO_NPU_LINES.join('; '),
      'transferToNpu',
    );
  }
}
