import type { Message } from '../l10n';
import type { Range } from '../position';
import type { ExportTarget } from './rules/onnxExportTarget';

/** Severity of a finding; `hint` only comes from the user's `npuPort.rules` setting. */
export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** The three ways a fix can port a script (setting `npuPort.fix.style`). */
export type FixStyle = 'deviceManager' | 'torchNpu' | 'transferToNpu';
export const FIX_STYLES: readonly FixStyle[] = ['deviceManager', 'torchNpu', 'transferToNpu'];

/** A replacement of the text in `range` (0-based lines, UTF-16 columns) by `newText`. */
export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

/** A file a fix creates next to the analysed file (never overwrites an existing file). */
export interface FileCreate {
  /** Path relative to the directory of the analysed file, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

/**
 * Something a fix needs at the top of the file: an import or a statement after the imports.
 * Fix-all gathers these over all fixes of a file so that each is added once.
 */
export type Requirement =
  /** `guarded`: inside try / except ImportError, so that the file still imports where the module is missing. */
  | { readonly kind: 'import'; readonly module: string; readonly guarded?: boolean }
  | { readonly kind: 'from'; readonly module: string; readonly name: string }
  | { readonly kind: 'head'; readonly lines: readonly string[] }
  | { readonly kind: 'statement'; readonly text: string; readonly after: { readonly kind: 'import'; readonly module: string } };

export interface Fix {
  readonly title: Message;
  /** Complete edits for applying this fix alone (its own edits plus the imports it needs). */
  readonly edits: readonly TextEdit[];
  /** The fix's own edits, without imports; fix-all merges these and adds the requirements once. */
  readonly coreEdits: readonly TextEdit[];
  readonly requires: readonly Requirement[];
  readonly createFiles: readonly FileCreate[];
  /** The style this fix belongs to; undefined: valid in every style. */
  readonly style?: FixStyle;
  /** Text the report shows as the replacement. */
  readonly replacement: string;
  /**
   * The fix belongs in the entry script that runs this module, not in this file (transferToNpu style
   * in an imported module): `requires` holds the lines to add there; `edits` are empty.
   */
  readonly inEntryScript?: boolean;
  /**
   * Offered as a code action only: fix-all, `scan --fix` and the preferred quick fix leave it out
   * (it changes results slightly, or holds only under a condition the analysis cannot check).
   */
  readonly explicitOnly?: boolean;
  /**
   * The fix changes what the program or model offers its users (an exported model's dynamic axes, a
   * command-line option's choices): offered as a quick fix, never applied by fix-all or `scan --fix`,
   * which count and name the fixes they left out.
   */
  readonly changesInterface?: boolean;
}

/** Another place that explains a finding: the guard of its CUDA-only branch, or a call that a guard makes an NPU host skip. */
export interface RelatedLocation {
  /** The file of the place when it is not the finding's own (absolute; the workspace scan's optional modules). */
  readonly file?: string;
  readonly range: Range;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly message: Message;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly range: Range;
  /** Offsets (UTF-16) of the range, for incremental updates. */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly message: Message;
  /** The original source text of the flagged construct (for the report). */
  readonly original: string;
  /** Fixes, the preferred one (for the configured style) first. Empty: manual work. */
  readonly fixes: readonly Fix[];
  /** Places in the same file that explain the finding (a folded finding and its guard point at each other). */
  readonly related?: readonly RelatedLocation[];
}

export interface AnalysisOptions {
  readonly style: FixStyle;
  /** Module name of the generated helper (`npuPort.fix.deviceModule`). */
  readonly deviceModule: string;
  /** Rule id → severity or 'off' (`npuPort.rules`). */
  readonly rules?: Readonly<Record<string, Severity | 'off'>>;
  /** The file is an entry script (named in pyproject.toml); undefined: decided from its text (see entry.ts). */
  readonly entryScript?: boolean;
  /** An entry script that runs this module imports transfer_to_npu: CUDA calls are redirected at run time. */
  readonly runsUnderTransferToNpu?: boolean;
  /**
   * Package levels between the file and the top of its package tree (see fixes/helperPlace.ts): where the
   * deviceManager helper goes and how the file imports it. 0 or undefined: a script, the helper beside it.
   */
  readonly packageDepth?: number;
  /** ONNX target profile for the onnx-export-* rules (`npuPort.onnx.target`); undefined: those rules are off. */
  readonly onnxTarget?: ExportTarget;
  /**
   * onnxTarget is only the default (no `--target` given, npuPort.onnx.target set at no level): the onnx-export-*
   * rules check it, but findings whose severity depends on the chip (bfloat16, Triton) do not assume that nobody's
   * choice is the user's chip. Undefined: the target was chosen.
   */
  readonly defaultTarget?: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { style: 'deviceManager', deviceModule: 'device_utils' };
