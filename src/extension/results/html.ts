/** The results view's HTML shell (see ../webview/html.ts). */
import * as vscode from 'vscode';
import { webviewShellHtml } from '../webview/html';

export function resultsHtml(webview: vscode.Webview, root: vscode.Uri): string {
  return webviewShellHtml(webview, root, { script: 'results.js', title: vscode.l10n.t('Benchmark Results'), appElement: 'main' });
}
