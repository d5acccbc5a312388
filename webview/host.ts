/**
 * The viewer's channel to the extension (protocol: src/shared/protocol.ts; envelope and request
 * correlation: webview/channel.ts, shared with the results view).
 */
import type { HostToWebview, RequestResults, ViewerState, WebviewToHost } from '../src/shared/protocol';
import { parseTypedMessage } from '../src/shared/webviewMessages';
import { WebviewChannel } from './channel';

export class Host extends WebviewChannel<WebviewToHost, Exclude<HostToWebview, { type: 'response' }>, RequestResults> {
  constructor(onMessage: (message: Exclude<HostToWebview, { type: 'response' }>) => void) {
    super(parseTypedMessage, onMessage);
  }

  saveState(state: ViewerState): void {
    this.setState(state);
  }
}
