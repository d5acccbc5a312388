/** Problems from remote tool logs as diagnostics on the .onnx file, each clickable to reveal its node in the viewer. */
import * as vscode from 'vscode';
import type { TaskDiagnostic } from '../../core/remote/tasks/types';
import { t } from '../l10n';
import { REVEAL_URI_PATH } from '../onnx/services';

const SEVERITY: Record<TaskDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostics(model: vscode.Uri, items: readonly TaskDiagnostic[], extensionId: string): vscode.Diagnostic[] {
  const range = new vscode.Range(0, 0, 0, 0);
  return items.map((item) => {
    const where = item.node ? (item.op ? `${item.node} (${item.op}): ` : `${item.node}: `) : '';
    const text = item.localized ? t(item.localized) : item.message.split('\n')[0]!;
    const parts = [`${where}${text}`];
    if (item.known) parts.push(vscode.l10n.t('Why: {0}', t(item.known.explanation)), vscode.l10n.t('Fix: {0}', t(item.known.fix)));
    const d = new vscode.Diagnostic(range, parts.join('\n'), SEVERITY[item.severity]);
    d.source = `npu-port ${item.tool}`;
    d.code = item.node
      ? {
          value: item.code,
          target: vscode.Uri.from({
            scheme: vscode.env.uriScheme,
            authority: extensionId,
            path: REVEAL_URI_PATH,
            query: `model=${encodeURIComponent(model.toString())}&node=${encodeURIComponent(item.node)}`,
          }),
        }
      : item.code;
    return d;
  });
}
