import { NpuPortError } from '../errors';
import type { Message } from '../l10n';

/** Every error of the remote domain: carries the host name (when known) and the remote exit code (when there is one). */
export class RemoteError extends NpuPortError {
  readonly host: string | undefined;
  readonly exitCode: number | undefined;

  constructor(detail: Message, facts: { host?: string; exitCode?: number; cause?: unknown } = {}) {
    super(detail, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.host = facts.host;
    this.exitCode = facts.exitCode;
  }
}

/** The SSH link could not be made or broke: unreachable, authentication, dropped connection. */
export class ConnectionError extends RemoteError {}

/** Authentication failed or needs a secret: `needs` says which one to ask the user for. */
export class AuthenticationError extends ConnectionError {
  constructor(
    detail: Message,
    readonly needs: 'passphrase' | 'password',
    facts: { host?: string; cause?: unknown } = {},
  ) {
    super(detail, facts);
  }
}

/** The host's key is unknown and was not accepted, or differs from the recorded one. */
export class HostKeyError extends RemoteError {
  constructor(
    detail: Message,
    readonly fingerprint: string,
    readonly status: 'unknown' | 'changed' | 'revoked',
    facts: { host?: string } = {},
  ) {
    super(detail, facts);
  }
}
