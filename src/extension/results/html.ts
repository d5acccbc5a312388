/** The results view's HTML shell: strict CSP with a per-load nonce, script from dist/webview only, no remote resources. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function resultsHtml(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'results.js'));
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // styles come from constructable style sheets (the bundle's CSS and the web components'); no inline style attributes
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attr(vscode.l10n.t('Benchmark Results'))}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${attr(script.toString())}"></script>
</body>
</html>`;
}
