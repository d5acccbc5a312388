/**
 * The webview's side of the message envelope both webviews share (src/shared/webviewMessages.ts):
 * posts typed messages, correlates requests with their responses by id, and dispatches the host's
 * other messages, checked by the view's parser, to one handler.
 */
import { parseResponseMessage, type TypedMessage } from '../src/shared/webviewMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * One per webview (VS Code hands out its API once). `ToHost`: the messages this view sends, requests
 * among them with a `requestId`; `Results`: the result type per request type.
 */
export class WebviewChannel<ToHost extends TypedMessage, FromHost extends TypedMessage, Results> {
  private readonly api = acquireVsCodeApi();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(parse: (raw: unknown) => FromHost | undefined, onMessage: (message: FromHost) => void) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const response = parseResponseMessage(event.data);
      if (response) {
        const waiting = this.pending.get(response.requestId);
        if (!waiting) return;
        this.pending.delete(response.requestId);
        if (response.ok) waiting.resolve(response.result);
        else waiting.reject(new Error(response.error ?? 'request failed'));
        return;
      }
      const message = parse(event.data);
      if (message) onMessage(message);
    });
  }

  /** A message that expects no answer. */
  post(message: Exclude<ToHost, { requestId: number }>): void {
    this.api.postMessage(message);
  }

  /** A request: resolves with the host's result, rejects with its error text. */
  request<K extends keyof Results & string>(body: Omit<Extract<ToHost, { type: K }>, 'requestId'>): Promise<Results[K]> {
    const requestId = this.nextId++;
    return new Promise<Results[K]>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ ...body, requestId });
    });
  }

  /** What the view saved with `saveState` (unchecked JSON: parse it before use). */
  get state(): unknown {
    return this.api.getState();
  }

  protected setState(state: unknown): void {
    this.api.setState(state);
  }
}
