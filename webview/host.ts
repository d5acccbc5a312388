/**
 * The webview's side of the protocol (src/shared/protocol.ts): posts typed messages, correlates
 * requests with their responses by id, and dispatches the host's other messages to one handler.
 */
import type { HostToWebview, RequestResults, ViewerState, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type RequestBody<K extends keyof RequestResults> = Omit<Extract<WebviewToHost, { type: K }>, 'requestId'>;

export class Host {
  private readonly api = acquireVsCodeApi();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly onMessage: (message: Exclude<HostToWebview, { type: 'response' }>) => void) {
    window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
      const message = event.data;
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
      if (message.type === 'response') {
        const waiting = this.pending.get(message.requestId);
        if (!waiting) return;
        this.pending.delete(message.requestId);
        if (message.ok) waiting.resolve(message.result);
        else waiting.reject(new Error(message.error ?? 'request failed'));
        return;
      }
      this.onMessage(message);
    });
  }

  post(message: Exclude<WebviewToHost, { requestId: number }>): void {
    this.api.postMessage(message);
  }

  request<K extends keyof RequestResults>(body: RequestBody<K>): Promise<RequestResults[K]> {
    const requestId = this.nextId++;
    return new Promise<RequestResults[K]>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ ...body, requestId });
    });
  }

  get state(): unknown {
    return this.api.getState();
  }

  saveState(state: ViewerState): void {
    this.api.setState(state);
  }
}
