import * as vscode from 'vscode';
import { FIX_STYLES, type AnalysisOptions, type FixStyle, type Severity } from '../../core/python/types';

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
      rules,
    },
    exclude: [...config.get<string[]>('exclude', []), ...Object.entries(filesExclude).filter(([, on]) => on).map(([glob]) => glob)],
    maxFileSizeKB: config.get<number>('scan.maxFileSizeKB', 2048),
  };
}

export function affectsPythonSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return ['npuPort.rules', 'npuPort.fix', 'npuPort.exclude', 'npuPort.scan', 'files.exclude'].some((s) => event.affectsConfiguration(s));
}
