import type { HostConfig } from './hosts';
import { SshSession, type ConnectOptions } from './ssh';

/**
 * One connection per host, reused while it is open; a dropped connection is replaced on next use.
 * `open` makes a new connection (the CLI and tests pass options; the extension asks for secrets).
 */
export class SshPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();

  constructor(private readonly open: (host: HostConfig, signal?: AbortSignal) => Promise<SshSession>) {}

  /** A pool whose connections all use the same options (host keys, credentials, logger). */
  static withOptions(options: (host: HostConfig) => ConnectOptions): SshPool {
    return new SshPool((host, signal) => SshSession.connect(host, { ...options(host), ...(signal ? { signal } : {}) }));
  }

  /** The host's open connection or a new one; `connectMs` is 0 when it was reused. */
  async get(host: HostConfig, signal?: AbortSignal): Promise<{ session: SshSession; connectMs: number }> {
    const key = `${host.name}\u0000${host.user}@${host.host}:${host.port}`;
    const existing = await this.sessions.get(key)?.catch(() => undefined);
    if (existing?.isOpen) return { session: existing, connectMs: 0 };
    const started = performance.now();
    const created = this.open(host, signal);
    this.sessions.set(key, created);
    try {
      return { session: await created, connectMs: performance.now() - started };
    } catch (error) {
      if (this.sessions.get(key) === created) this.sessions.delete(key);
      throw error;
    }
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.then((s) => s.close(), () => undefined);
    this.sessions.clear();
  }
}
