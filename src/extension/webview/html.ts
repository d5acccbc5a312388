/**
 * The HTML shell of every webview of the extension: a strict CSP with a per-load nonce, no inline handlers,
 * scripts only from the extension's own `dist/webview`, no remote resources.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  /** Bundle file name in `root` (`viewer.js`, `results.js`). */
  readonly script: string;
  readonly title: string;
  /** Id of the element the bundle mounts into. */
  readonly appElement: 'div' | 'main';
  /** A worker bundle in `root`: fetched from the extension's resources, started from a blob; its URL goes on `<body data-worker-url>`. */
  readonly worker?: string;
  /** `<body data-test-hooks="1">`: the page exposes what the e2e tests read (only when the extension host runs with NPU_PORT_TEST_HOOKS=1). */
  readonly testHooks?: boolean;
}

const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewShellHtml(webview: vscode.Webview, root: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, shell.script));
  const worker = shell.worker ? webview.asWebviewUri(vscode.Uri.joinPath(root, shell.worker)) : undefined;
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // styles come from constructable style sheets (the bundle's CSS and the web components'); no inline style attributes
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:${worker ? ' blob:' : ''}`,
    `font-src ${webview.cspSource}`,
    ...(worker ? [`connect-src ${webview.cspSource}`, `worker-src blob:`] : []),
  ].join('; ');
  const body = `<body${worker ? ` data-worker-url="${attr(worker.toString())}"` : ''}${shell.testHooks ? ' data-test-hooks="1"' : ''}>`;
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attr(shell.title)}</title>
</head>
${body}
<${shell.appElement} id="app"></${shell.appElement}>
<script nonce="${nonce}" src="${attr(script.toString())}"></script>
</body>
</html>`;
}
