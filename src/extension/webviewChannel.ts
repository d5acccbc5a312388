/**
 * The extension's side of a webview's messages, the same for both webviews (the ONNX viewer and the
 * benchmark results view): every raw message goes through the view's parser, invalid ones are logged
 * and dropped, a request is answered with exactly one response (its result or its error's text), and
 * a failed message that is not a request is logged and, where the view says so, shown to the user.
 * The routing itself is pure and unit-tested (src/shared/webviewMessages.ts).
 */
import * as vscode from 'vscode';
import { routeWebviewMessage, type ResponseMessage, type TypedMessage } from '../shared/webviewMessages';
import { errorMessage } from './l10n';
import { getLog } from './log';

export interface WebviewChannelOptions<In extends TypedMessage> {
  /** Names the view in the log. */
  readonly name: string;
  readonly parse: (raw: unknown) => In | undefined;
  /** Handles one checked message; for a request, the return value is the response's result. */
  readonly handle: (message: In) => Promise<unknown> | unknown;
  /** A handler's failure, besides the log and the error response (e.g. a notification for a button's action). */
  readonly onFailure?: (message: In, errorText: string) => void;
}

export class WebviewChannel<In extends TypedMessage, Out extends TypedMessage> implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, private readonly options: WebviewChannelOptions<In>) {
    this.subscription = webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
  }

  /** Posts a message to the webview (resolves false when the webview is gone). */
  post(message: Out | ResponseMessage): Thenable<boolean> {
    return this.webview.postMessage(message);
  }

  /** Handles one raw message from the webview. */
  async receive(raw: unknown): Promise<void> {
    const routed = await routeWebviewMessage(raw, this.options.parse, this.options.handle, errorMessage);
    if (routed.kind === 'invalid') {
      getLog().warn(`${this.options.name}: ignored an invalid message from the webview (${routed.type})`);
      return;
    }
    if (routed.kind === 'failed') {
      if (routed.response) getLog().warn(`${this.options.name}: ${routed.message.type}: ${routed.errorText}`);
      else getLog().error(`${this.options.name}: ${routed.message.type}`, routed.error);
      this.options.onFailure?.(routed.message, routed.errorText);
    }
    if (routed.response) await this.post(routed.response);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
