/**
 * The user action "fix every finding" (`npu-port scan --fix`, NPU: Fix All in Workspace): the plan of
 * every file (edits, the device helper and requirements_npu.txt to create, the entry scripts that get
 * the transfer_to_npu import), and its totals. The CLI asks for the plans to be written (temp file +
 * rename); the editor applies them itself as one undoable edit.
 */
import type { PythonParser } from '../python/parser';
import type { AnalysisOptions } from '../python/types';
import { planFixes, planTotals, writePlans, type FilePlan, type WorkspaceFixContext } from '../workspace/fixPlan';
import { checkAnalysisOptions } from './scan';
import type { OperationRequest } from './types';

export interface FixRequest extends OperationRequest {
  readonly parser: PythonParser;
  /** The files to fix and their current text (the editor's, or the file on disk). */
  readonly files: readonly { readonly file: string; readonly text: string }[];
  readonly analysis: AnalysisOptions;
  /** The workspace's module graph, for fixes that belong in the entry scripts (transferToNpu). */
  readonly workspace?: WorkspaceFixContext;
  /** Write the plans to disk here (default false: the face applies them). */
  readonly write?: boolean;
}

export interface FixResult {
  readonly plans: readonly FilePlan[];
  readonly totals: ReturnType<typeof planTotals>;
}

export async function fix(request: FixRequest): Promise<FixResult> {
  checkAnalysisOptions(request.analysis);
  request.signal?.throwIfAborted();
  const plans = planFixes(request.parser, request.files, request.analysis, request.workspace);
  if (request.write) await writePlans(plans, request.signal);
  return { plans, totals: planTotals(plans) };
}
