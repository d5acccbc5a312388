import type { Node } from 'web-tree-sitter';
import { msg, type Message } from '../../l10n';
import type { Range } from '../../position';
import { rangeOf, type Span } from '../syntax';
import type { LineIndex } from '../text';
import type { AnalysisOptions, FileCreate, Fix, FixStyle, Requirement, TextEdit } from '../types';
import { parentOf } from '../parents';
import { deviceHelperSource } from './deviceHelper';
import { helperPlace, type HelperPlace } from './helperPlace';
import { requirementEdits, type ImportLayout } from './imports';

/** True where torch_npu is imported (it adds torch.npu). */
export const NPU_PRESENT = 'hasattr(torch, "npu")';

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

/**
 * True when the code at `node` runs when its module is imported: module level (outside `if __name__ == "__main__":`),
 * class bodies, decorators and default values, but not function or lambda bodies.
 */
export function runsAtImport(node: Node): boolean {
  for (let child = node, parent = parentOf(node); parent; child = parent, parent = parentOf(parent)) {
    if ((parent.type === 'function_definition' || parent.type === 'lambda') && parent.childForFieldName('body')?.id === child.id) return false;
    if (parent.type === 'if_statement' && parentOf(parent)?.type === 'module' && /^__name__\s*==\s*(['"])__main__\1$/.test(parent.childForFieldName('condition')?.text ?? '')) return false;
  }
  return true;
}

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

  replace(target: Span | Range, newText: string): TextEdit {
    return { range: 'startIndex' in target ? rangeOf(target) : target, newText };
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
    // torchNpu style, code that runs when the module is imported: torch.npu and "npu" devices exist only with
    // torch_npu, which is imported guarded; keep the original where it is missing, so the module still imports
    if (this.style === 'torchNpu' && 'type' in target && isExpression(target as Node) && /npu/.test(newText) && !newText.includes(NPU_PRESENT) && runsAtImport(target as Node)) {
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
