/** The viewer's HTML shell (see ../webview/html.ts): its bundle and the layout worker. */
import type * as vscode from 'vscode';
import { webviewShellHtml } from '../webview/html';

export function webviewHtml(webview: vscode.Webview, root: vscode.Uri): string {
  return webviewShellHtml(webview, root, { script: 'viewer.js', worker: 'layout.worker.js', title: 'ONNX', appElement: 'div', testHooks: process.env.NPU_PORT_TEST_HOOKS === '1' });
}
