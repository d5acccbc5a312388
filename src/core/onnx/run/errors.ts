import { NpuPortError } from '../../errors';
import type { Message } from '../../l10n';

/**
 * Local inference that cannot run: onnxruntime-node missing for the platform, a model onnxruntime refuses,
 * a missing or mistyped input, an unreadable .npy file (`file`, byte `offset` when known).
 */
export class RunError extends NpuPortError {
  readonly file: string | undefined;
  readonly offset: number | undefined;

  constructor(detail: Message, facts: { file?: string; offset?: number; cause?: unknown } = {}) {
    super(detail, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.file = facts.file;
    this.offset = facts.offset;
  }
}
