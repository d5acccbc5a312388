/**
 * The workspace target setting `npuPort.onnx.target`: a built-in id (optionally `id@version`) or the
 * name of a whitelist profile in `.npu-port/profiles`. Shared by the viewer, the ONNX commands and the
 * Python onnx-export rules, so one value means the same target everywhere.
 */
import * as vscode from 'vscode';
import { builtinTarget } from '../../core/onnx/targets';
import type { TargetProfile } from '../../core/onnx/targets/profile';
import { errorMessage } from '../l10n';
import { getLog } from '../log';

export const DEFAULT_TARGET = 'ascend310p';
const warned = new Set<string>();
/** Built-in lookups by setting value: `id@version` builds a profile, so the same value gives the same object. */
const builtins = new Map<string, TargetProfile | undefined>();

export function targetSetting(scope?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('npuPort', scope).get<string>('onnx.target', DEFAULT_TARGET) || DEFAULT_TARGET;
}

/**
 * The profile the setting names among the built-ins (with `@version`) and `workspaceProfiles`;
 * undefined, with one warning per value, when it names neither.
 */
export function profileOfSetting(setting: string, workspaceProfiles: readonly TargetProfile[]): TargetProfile | undefined {
  let found: TargetProfile | undefined;
  let problem: string | undefined;
  try {
    if (!builtins.has(setting)) builtins.set(setting, builtinTarget(setting));
    found = builtins.get(setting) ?? workspaceProfiles.find((p) => p.id === setting);
  } catch (error) {
    problem = errorMessage(error);
  }
  if (!found && !warned.has(setting)) {
    warned.add(setting);
    const text = problem ?? vscode.l10n.t('The setting npuPort.onnx.target is "{0}", which is neither a built-in target nor a profile in .npu-port/profiles. ONNX models are checked against {1} and the onnx-export rules are off until it names a target.', setting, DEFAULT_TARGET);
    getLog().warn(`npuPort.onnx.target: ${text}`);
    void vscode.window.showWarningMessage(text);
  }
  return found;
}
