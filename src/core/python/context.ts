import type { Node, Tree } from 'web-tree-sitter';
import type { Message } from '../l10n';
import type { RuleId } from './catalog';
import type { FixKit } from './fixes/kit';
import type { DeviceFlow } from './flow';
import type { ImportTable } from './symbols';
import type { Span } from './syntax';
import type { AscendChip } from './rules/chips';
import type { LineIndex } from './text';
import type { Fix, Severity } from './types';

/** What a rule sees of the file, and how it reports. */
export interface RuleContext {
  readonly text: string;
  readonly lines: LineIndex;
  readonly tree: Tree;
  readonly imports: ImportTable;
  readonly kit: FixKit;
  /** Where values go in this file (device strings assigned to names, attributes, parameters). */
  readonly flow: DeviceFlow;
  /** The finding at this literal depends on code elsewhere in the file (incremental updates re-check it). */
  dependsOnFlow(literal: Node): void;
  /** The file imports torch_npu.contrib.transfer_to_npu: CUDA calls are redirected at run time. */
  readonly transferToNpu: boolean;
  /** The file imports diffusers (the attention fallback is an environment variable there). */
  readonly usesDiffusers: boolean;
  /**
   * The Ascend chip of the selected target (npuPort.onnx.target / scan --target); undefined: none or not Ascend, or
   * the target is only the default (see chipsLacking).
   */
  readonly chip?: AscendChip;
  /**
   * The target is only the default (nobody chose it): rules that depend on the chip report what every chip without
   * the feature lacks, at information severity (AnalysisOptions.defaultTarget).
   */
  readonly unchosenChip?: AscendChip;
  report(node: Span, rule: RuleId, message: Message, fixes: readonly Fix[], severity?: Severity): void;
}
