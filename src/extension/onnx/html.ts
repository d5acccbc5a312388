/** The viewer's HTML shell: strict CSP with a per-load nonce, no inline handlers, no remote resources. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'viewer.js'));
  const worker = webview.asWebviewUri(vscode.Uri.joinPath(root, 'layout.worker.js'));
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // components style themselves through constructable style sheets; no inline style attributes from model data
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
    // the layout worker is fetched from the extension's own resources and started from a blob
    `connect-src ${webview.cspSource}`,
    `worker-src blob:`,
  ].join('; ');
  const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>ONNX</title>
</head>
<body data-worker-url="${attr(worker.toString())}">
<div id="app"></div>
<script nonce="${nonce}" src="${attr(script.toString())}"></script>
</body>
</html>`;
}
