import { NpuPortError } from '../errors';
import type { Message } from '../l10n';

/**
 * A model file that cannot be decoded (truncated, corrupt, hostile) or a tensor that cannot be read
 * (external file missing or outside the model folder). `offset` is the byte offset in the model file
 * where the problem was found, when there is one.
 */
export class OnnxDecodeError extends NpuPortError {
  readonly offset: number | undefined;
  readonly file: string | undefined;
  /**
   * When the bytes end before a field that the file's own length fields promise: the size the file
   * would have at least (a truncated download or copy). Undefined for other problems.
   */
  readonly needs: number | undefined;

  constructor(detail: Message, facts: { offset?: number; file?: string; needs?: number; cause?: unknown } = {}) {
    super(detail, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.offset = facts.offset;
    this.file = facts.file;
    this.needs = facts.needs;
  }
}

/** A target profile that cannot be loaded (unreadable file, invalid JSON, wrong shape) or an unknown target id. */
export class ProfileError extends NpuPortError {
  readonly file: string | undefined;

  constructor(detail: Message, facts: { file?: string; cause?: unknown } = {}) {
    super(detail, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.file = facts.file;
  }
}
