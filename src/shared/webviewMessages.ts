/**
 * What both webviews (the ONNX viewer and the benchmark results view) share in talking to the
 * extension: the request/response envelope and the one routine that takes a raw message in, checks
 * it, runs its handler and says what to answer.
 *
 * A webview message that expects an answer carries a `requestId`; the host answers it with exactly
 * one `response` with the same id: ok with the handler's result, or the error's text. Everything a
 * webview sends is untrusted: a message reaches a handler only through the view's own parser, which
 * checks every field. Browser-safe (the webviews import the envelope too).
 */

export interface ResponseMessage {
  readonly type: 'response';
  readonly requestId: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** A message of either direction: a discriminated union member. */
export interface TypedMessage {
  readonly type: string;
}

/** Request ids are the webview's own counter: non-negative safe integers. */
export const isRequestId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A plain object (not null, not an array): what every message check starts from. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A host response (read in the webview), or undefined for any other message. */
export function parseResponseMessage(raw: unknown): ResponseMessage | undefined {
  if (!isObject(raw) || raw.type !== 'response' || !isRequestId(raw.requestId) || typeof raw.ok !== 'boolean') return undefined;
  if (raw.error !== undefined && typeof raw.error !== 'string') return undefined;
  return {
    type: 'response', requestId: raw.requestId, ok: raw.ok,
    ...('result' in raw ? { result: raw.result } : {}),
    ...(typeof raw.error === 'string' ? { error: raw.error } : {}),
  };
}

/** A host message other than a response, checked only for its shape (the host is trusted). */
export function parseTypedMessage<T extends TypedMessage>(raw: unknown): T | undefined {
  return isObject(raw) && typeof raw.type === 'string' && raw.type !== 'response' ? (raw as unknown as T) : undefined;
}

/** What became of one raw message from a webview. */
export type Routed<In extends TypedMessage> =
  /** Not one of the view's message shapes: dropped (`type` says what it claimed to be, for the log). */
  | { readonly kind: 'invalid'; readonly type: string }
  /** Handled; `response` is set when the message was a request. */
  | { readonly kind: 'handled'; readonly message: In; readonly response?: ResponseMessage }
  /** The handler threw; a request still gets its (error) response. */
  | { readonly kind: 'failed'; readonly message: In; readonly error: unknown; readonly errorText: string; readonly response?: ResponseMessage };

/**
 * Parses a raw webview message and runs the handler on it. The handler's return value is the result
 * of a request (ignored for other messages). Never throws: a handler's error becomes a `failed`
 * outcome with its text (`describe`, so the webview sees the same words as the user).
 */
export async function routeWebviewMessage<In extends TypedMessage>(
  raw: unknown,
  parse: (raw: unknown) => In | undefined,
  handle: (message: In) => Promise<unknown> | unknown,
  describe: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error)),
): Promise<Routed<In>> {
  const message = parse(raw);
  if (!message) {
    const type = isObject(raw) ? String(raw.type) : typeof raw;
    return { kind: 'invalid', type: type.length > 64 ? `${type.slice(0, 64)}…` : type };
  }
  const requestId = 'requestId' in message && isRequestId((message as { requestId?: unknown }).requestId) ? (message as unknown as { requestId: number }).requestId : undefined;
  try {
    const result = await handle(message);
    return { kind: 'handled', message, ...(requestId !== undefined ? { response: { type: 'response', requestId, ok: true, result } } : {}) };
  } catch (error) {
    const errorText = describe(error);
    return { kind: 'failed', message, error, errorText, ...(requestId !== undefined ? { response: { type: 'response', requestId, ok: false, error: errorText } } : {}) };
  }
}
