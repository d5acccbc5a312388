import { formatMessage, type Message } from './l10n';

/**
 * Base of every error the core throws on purpose. `detail` is the localizable message; `message`
 * is its English rendering (for logs and stack traces). Faces show `detail`, never a stack.
 * Each domain derives its own class (OnnxDecodeError, RemoteError, ...), in its own folder.
 */
export class NpuPortError extends Error {
  readonly detail: Message;

  constructor(detail: Message, options?: { cause?: unknown }) {
    super(formatMessage(detail), options);
    this.detail = detail;
    this.name = new.target.name;
  }
}

export function isNpuPortError(value: unknown): value is NpuPortError {
  return value instanceof NpuPortError;
}

/** The text of anything thrown: an Error's message, else its string form (for logs and wrapped messages). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
