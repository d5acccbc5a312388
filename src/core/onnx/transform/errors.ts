import { NpuPortError } from '../../errors';
import type { Message } from '../../l10n';

/**
 * A transform that cannot be done as asked: an unknown tensor or module, a cut that leaves a value without
 * a producer, a model that cannot be encoded (payload over 2 GiB), a rewrite refused by verification.
 * `names` are the tensors or nodes concerned, when there are some.
 */
export class TransformError extends NpuPortError {
  readonly names: readonly string[];

  constructor(detail: Message, facts: { names?: readonly string[]; cause?: unknown } = {}) {
    super(detail, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.names = facts.names ?? [];
  }
}
