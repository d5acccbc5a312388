import * as vscode from 'vscode';
import { loadWorkspaceProfiles, type TargetProfile } from '../../core/onnx/targets';
import { DEFAULT_EXPORT_TARGET_ID, exportTargetOf, type ExportTarget } from '../../core/python/rules/onnxExportTarget';
import { profileOfSetting } from '../onnx/targetSetting';
import { FIX_STYLES, type AnalysisOptions, type FixStyle, type Severity } from '../../core/python/types';
import { t } from '../l10n';
import { getLog } from '../log';

/** Whitelist profiles of the workspace folders (`.npu-port/profiles/*.json`) by id, for npuPort.onnx.target. */
let workspaceProfiles: TargetProfile[] = [];
const exportTargets = new WeakMap<TargetProfile, ExportTarget>();

/** Reads the whitelist profiles of every workspace folder (at start and when a profile file changes). */
export async function loadWorkspaceTargets(): Promise<void> {
  const found = new Map<string, TargetProfile>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    try {
      const { profiles, errors } = await loadWorkspaceProfiles(folder.uri.fsPath);
      for (const p of profiles) if (!found.has(p.id)) found.set(p.id, p);
      for (const error of errors) getLog().warn(`python: ${t(error.detail)}`);
    } catch (error) {
      getLog().warn(`python: cannot read the ONNX profiles of ${folder.uri.fsPath}`, error);
    }
  }
  workspaceProfiles = [...found.values()];
}

/** The target of the onnx-export-* rules: the npuPort.onnx.target profile (built-in, `id@version` or workspace whitelist); undefined when unknown. */
function onnxTarget(config: vscode.WorkspaceConfiguration): ExportTarget | undefined {
  const profile = profileOfSetting(config.get<string>('onnx.target', DEFAULT_EXPORT_TARGET_ID), workspaceProfiles);
  if (!profile) return undefined;
  let target = exportTargets.get(profile);
  if (!target) exportTargets.set(profile, (target = exportTargetOf(profile)));
  return target;
}

/**
 * True when npuPort.onnx.target is set at some level (user, workspace, folder, or for a language): only then do the
 * chip-specific severities (bfloat16 on 310/310P/910) apply; the default target is nobody's choice.
 */
export function targetChosen(config: vscode.WorkspaceConfiguration): boolean {
  const at = config.inspect<string>('onnx.target');
  if (!at) return false;
  return [at.globalValue, at.workspaceValue, at.workspaceFolderValue, at.globalLanguageValue, at.workspaceLanguageValue, at.workspaceFolderLanguageValue].some((v) => v !== undefined);
}

/** The npuPort.* settings the Python feature reads, for one resource. */
export interface PythonSettings {
  readonly analysis: AnalysisOptions;
  readonly exclude: string[];
  readonly maxFileSizeKB: number;
}

export function readSettings(scope?: vscode.Uri): PythonSettings {
  const config = vscode.workspace.getConfiguration('npuPort', scope);
  const style = config.get<string>('fix.style', 'deviceManager');
  const module = config.get<string>('fix.deviceModule', 'device_utils');
  const rules = config.get<Record<string, Severity | 'off'>>('rules', {});
  const filesExclude = vscode.workspace.getConfiguration('files', scope).get<Record<string, boolean>>('exclude', {});
  return {
    analysis: {
      style: FIX_STYLES.includes(style as FixStyle) ? (style as FixStyle) : 'deviceManager',
      deviceModule: /^[A-Za-z_][A-Za-z0-9_]*$/.test(module) ? module : 'device_utils',
      // a plain copy: configuration objects are read-only proxies, which cannot be cloned into the scan workers
      rules: { ...rules },
      onnxTarget: onnxTarget(config),
      ...(targetChosen(config) ? {} : { defaultTarget: true }),
    },
    exclude: [...config.get<string[]>('exclude', []), ...Object.entries(filesExclude).filter(([, on]) => on).map(([glob]) => glob)],
    maxFileSizeKB: config.get<number>('scan.maxFileSizeKB', 2048),
  };
}

export function affectsPythonSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return ['npuPort.rules', 'npuPort.fix', 'npuPort.exclude', 'npuPort.scan', 'npuPort.onnx.target', 'files.exclude'].some((s) => event.affectsConfiguration(s));
}
