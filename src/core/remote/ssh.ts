/**
 * SSH sessions over the `ssh2` package: host key verification (known_hosts + own store + a prompt
 * for unknown keys), keep-alive (one reused connection per host is sshPool.ts), command execution with
 * streamed output and cancellation that kills the remote process tree, and transfers that upload
 * only changed content and never leave a partial file where a good one was.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { msg } from '../l10n';
import { silentLogger, type Logger } from '../log';
import { AuthenticationError, ConnectionError, HostKeyError, RemoteError } from './errors';
import { expandHome, type HostConfig } from './hosts';
import { appendKnownHost, readKnownHostsFiles, verifyHostKey } from './knownHosts';
import { sha256File } from './fileHash';
import { isAbsoluteRemotePath, PGID_MARKER, posixJob, powerShellJob, SETSID_AFTER_KILL, SETUP_FAILED_MARKER, SetupError } from './jobScript';
import { powerShellEncodedCommand, powerShellLiteral, quoteCommand, quotePosixWord } from './quote';

export interface UnknownHostKey {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
}

/** What to do with a key seen for the first time: trust it for this connection, save it, or refuse. */
export type UnknownKeyDecision = 'accept-once' | 'accept-save' | 'reject';

export interface HostKeyPolicy {
  /** OpenSSH known_hosts files to trust (typically ~/.ssh/known_hosts); missing files are empty. */
  readonly knownHostsFiles: readonly string[];
  /** The own store (known_hosts format): read like the others, and where accepted keys are saved. */
  readonly ownStore?: string;
  /** Asked for a key that no store knows. Absent: unknown keys are refused. */
  readonly onUnknownKey?: (key: UnknownHostKey) => Promise<UnknownKeyDecision>;
}

export interface SshCredentials {
  /** Passphrase of the identity file. */
  readonly passphrase?: string;
  readonly password?: string;
  /** Agent socket (default: SSH_AUTH_SOCK). */
  readonly agent?: string;
}

export interface ConnectOptions {
  readonly hostKeys: HostKeyPolicy;
  readonly credentials?: SshCredentials;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly keepaliveIntervalMs?: number;
  readonly readyTimeoutMs?: number;
}

export interface ExecResult {
  /** Exit status of the remote program; null when it was ended by a signal. */
  readonly exitCode: number | null;
  readonly signal?: string;
}

export interface ExecOptions {
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
  readonly signal?: AbortSignal;
  /** The SSH channel once it is open (to close it). */
  readonly onChannel?: (channel: ClientChannel) => void;
}

export interface TransferResult {
  /** Bytes sent or received; 0 when the remote copy already had the same content. */
  readonly bytes: number;
  readonly skipped: boolean;
  readonly sha256?: string;
}

/**
 * SFTP transfer shape: OpenSSH's sftp-server accepts writes up to 256 KiB - 1 KiB
 * (limits@openssh.com); 32 such requests in flight measured fastest on loopback (bench/remote-ssh.mjs),
 * against 64 × 32 KiB (ssh2's default) at about half the throughput.
 */
const TRANSFER = { concurrency: 32, chunkSize: 256 * 1024 - 1024 };

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** One authenticated SSH connection to one host. */
export class SshSession {
  private closed = false;
  private closeReason: RemoteError | undefined;
  private readonly closeListeners = new Set<(error: RemoteError) => void>();
  private sftpChannel: Promise<SFTPWrapper> | undefined;

  private constructor(
    readonly host: HostConfig,
    private readonly client: Client,
    private readonly logger: Logger,
  ) {
    const onGone = (cause?: unknown) => {
      if (this.closed) return;
      this.closed = true;
      this.closeReason = new ConnectionError(msg('The connection to {0} was lost.', host.name), { host: host.name, cause });
      this.logger.warn(`ssh ${host.name}: connection closed${cause ? ` (${String(cause)})` : ''}`);
      for (const listener of this.closeListeners) listener(this.closeReason);
    };
    client.on('error', (error) => onGone(error));
    client.on('close', () => onGone());
    client.on('end', () => onGone());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Connects and authenticates; host key problems throw HostKeyError, everything else ConnectionError. */
  static async connect(host: HostConfig, options: ConnectOptions): Promise<SshSession> {
    const logger = options.logger ?? silentLogger;
    options.signal?.throwIfAborted();
    const entries = await readKnownHostsFiles([...options.hostKeys.knownHostsFiles, ...(options.hostKeys.ownStore ? [options.hostKeys.ownStore] : [])]);
    let keyProblem: HostKeyError | undefined;
    let privateKey: Buffer | undefined;
    if (host.identityFile) {
      try {
        privateKey = await fsp.readFile(expandHome(host.identityFile));
      } catch (error) {
        throw new ConnectionError(msg('Cannot read the identity file {0} of host "{1}".', host.identityFile, host.name), { host: host.name, cause: error });
      }
    }
    const client = new Client();
    // The handshake timeout is ours, not ssh2's: it stops while the user reads a host key fingerprint
    // (ssh2's readyTimeout would drop the connection 20 s after connecting, answer or not).
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    let pauseTimeout = () => {};
    let restartTimeout = () => {};
    const config: ConnectConfig = {
      host: host.host,
      port: host.port,
      username: host.user,
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        const verdict = verifyHostKey(entries, host.host, host.port, key);
        logger.debug(`ssh ${host.name}: host key ${verdict.keyType} ${verdict.fingerprint} is ${verdict.status}`);
        if (verdict.status === 'known') return verify(true);
        if (verdict.status === 'changed') {
          keyProblem = new HostKeyError(
            msg('The host key of {0} ({1}:{2}) has CHANGED: it is now {3} {4}. This may be an attack; the connection was refused. If the host was reinstalled, remove its old key from known_hosts.', host.name, host.host, host.port, verdict.keyType, verdict.fingerprint),
            verdict.fingerprint,
            'changed',
            { host: host.name },
          );
          return verify(false);
        }
        if (verdict.status === 'revoked') {
          keyProblem = new HostKeyError(msg('The host key {0} of {1} is marked as revoked in known_hosts; the connection was refused.', verdict.fingerprint, host.name), verdict.fingerprint, 'revoked', { host: host.name });
          return verify(false);
        }
        const refuseUnknown = () => {
          keyProblem = new HostKeyError(
            msg('The host key of {0} ({1}:{2}) is not known: {3} {4}. Check the fingerprint with the host owner, then accept it.', host.name, host.host, host.port, verdict.keyType, verdict.fingerprint),
            verdict.fingerprint,
            'unknown',
            { host: host.name },
          );
          verify(false);
        };
        const ask = options.hostKeys.onUnknownKey;
        if (!ask) return refuseUnknown();
        pauseTimeout();
        ask({ host: host.host, port: host.port, keyType: verdict.keyType, fingerprint: verdict.fingerprint }).then(
          async (decision) => {
            restartTimeout();
            if (decision === 'reject') return refuseUnknown();
            if (decision === 'accept-save' && options.hostKeys.ownStore) await appendKnownHost(options.hostKeys.ownStore, host.host, host.port, key);
            verify(true);
          },
          () => {
            restartTimeout();
            refuseUnknown();
          },
        );
      },
    };
    if (privateKey) config.privateKey = privateKey;
    if (options.credentials?.passphrase) config.passphrase = options.credentials.passphrase;
    const password = options.credentials?.password;
    if (password) {
      config.password = password;
      // Servers that take the password only through keyboard-interactive (PAM): answer its hidden
      // prompts with it, in the first round that asks something (a wrong password is not sent again).
      config.tryKeyboard = true;
      let answered = false;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        if (!prompts.length) return finish([]);
        if (answered || prompts.some((p) => p.echo)) return finish([]);
        answered = true;
        finish(prompts.map(() => password));
      });
    }
    // Windows' OpenSSH agent listens on a named pipe and sets no SSH_AUTH_SOCK.
    const agent = options.credentials?.agent ?? process.env.SSH_AUTH_SOCK ?? (process.platform === 'win32' ? '\\\\.\\pipe\\openssh-ssh-agent' : undefined);
    if (agent) config.agent = agent;

    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        client.end();
        done(abortError());
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      restartTimeout = () => {
        clearTimeout(timer);
        if (readyTimeoutMs > 0) {
          timer = setTimeout(() => {
            client.destroy();
            done(new ConnectionError(msg('Cannot connect to {0} ({1}:{2}): {3}', host.name, host.host, host.port, `no SSH handshake within ${readyTimeoutMs} ms`), { host: host.name }));
          }, readyTimeoutMs);
        }
      };
      pauseTimeout = () => clearTimeout(timer);
      restartTimeout();
      let settled = false;
      const done = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        client.removeListener('ready', onReady);
        client.removeListener('error', onError);
        // A failed attempt's client may still report its socket's end: nobody listens any more.
        if (error) client.on('error', () => undefined);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onError = (error: Error & { level?: string }) => {
        client.end();
        if (keyProblem) return done(keyProblem);
        if (/passphrase/i.test(error.message) && host.identityFile) {
          const detail = options.credentials?.passphrase
            ? msg('The passphrase for the identity file {0} is wrong.', host.identityFile)
            : msg('The identity file {0} is encrypted: its passphrase is needed.', host.identityFile);
          return done(new AuthenticationError(detail, 'passphrase', { host: host.name, cause: error }));
        }
        if (error.level === 'client-authentication') {
          return done(new AuthenticationError(msg('Authentication as "{0}" on {1} failed (tried: key file, agent, password as configured).', host.user, host.name), 'password', { host: host.name, cause: error }));
        }
        const code = (error as NodeJS.ErrnoException).code;
        done(new ConnectionError(msg('Cannot connect to {0} ({1}:{2}): {3}', host.name, host.host, host.port, code ?? error.message), { host: host.name, cause: error }));
      };
      client.once('ready', onReady);
      client.once('error', onError);
      try {
        client.connect(config);
      } catch (error) {
        onError(error as Error);
      }
    });
    // Commands are short request/response exchanges: without TCP_NODELAY, Nagle + delayed ACKs add
    // tens of milliseconds to every exec (ssh2 leaves it on; OpenSSH's ssh turns it off for sessions).
    client.setNoDelay(true);
    logger.info(`ssh ${host.name}: connected to ${host.user}@${host.host}:${host.port}`);
    return new SshSession(host, client, logger);
  }

  private assertOpen(): void {
    if (this.closed) throw this.closeReason ?? new ConnectionError(msg('The connection to {0} was lost.', this.host.name), { host: this.host.name });
  }

  /** Calls `listener` when the connection drops; returns a function that removes it. */
  onClose(listener: (error: RemoteError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Raw exec of a command line (already quoted for the remote shell). Rejects only on connection problems. */
  execRaw(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen();
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error) return reject(new ConnectionError(msg('Cannot start a command on {0}: {1}', this.host.name, error.message), { host: this.host.name, cause: error }));
        options.onChannel?.(channel);
        this.pump(channel, options, resolve, reject);
      });
    });
  }

  private pump(channel: ClientChannel, options: ExecOptions, resolve: (r: ExecResult) => void, reject: (e: unknown) => void): void {
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    let exitCode: number | null = null;
    let exitSignal: string | undefined;
    let settled = false;
    const removeClose = this.onClose((error) => finish(error));
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      removeClose();
      if (error) reject(error);
      else resolve(exitSignal ? { exitCode, signal: exitSignal } : { exitCode });
    };
    channel.on('data', (chunk: Buffer) => options.onStdout?.(out.write(chunk)));
    channel.stderr.on('data', (chunk: Buffer) => options.onStderr?.(err.write(chunk)));
    channel.on('exit', (code: number | null, signal?: string) => {
      exitCode = code ?? null;
      if (signal) exitSignal = signal;
    });
    channel.on('close', () => {
      const restOut = out.end();
      const restErr = err.end();
      if (restOut) options.onStdout?.(restOut);
      if (restErr) options.onStderr?.(restErr);
      // A channel closed by a dropped link ends without an exit status; the close listener reports it.
      setImmediate(() => (this.closed ? finish(this.closeReason) : finish()));
    });
  }

  /**
   * Runs one program (an argument array) on the host in its shell, after the host's `setup`,
   * streaming output. Cancelling through `signal` kills the whole remote process tree (the
   * program runs in its own session / process group, or under taskkill /T on Windows), then
   * rejects with an AbortError. A dropped connection rejects with ConnectionError.
   */
  run(argv: readonly string[], options: ExecOptions & { cwd?: string } = {}): Promise<ExecResult> {
    return this.runCommandText(quoteCommand(this.host.shell, argv), true, options);
  }

  /** Like {@link run} for a script in the host's shell language (probes written by this program, never user text). */
  runScript(script: string, options: ExecOptions & { cwd?: string } = {}): Promise<ExecResult> {
    return this.runCommandText(script, false, options);
  }

  private async runCommandText(commandText: string, execIt: boolean, options: ExecOptions & { cwd?: string }): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    const command = this.host.shell === 'posix' ? posixJob(commandText, execIt, this.host.setup, options.cwd) : powerShellJob(commandText, this.host.setup, options.cwd);
    let processGroup: number | undefined;
    let setupFailed: number | undefined;
    let aborted = false;
    let killing: Promise<void> | undefined;
    // The job announces its process group and a failed set-up on marker lines (starting with
    // U+001E) in its stderr; they are taken out, everything else streams through unchanged.
    let pending = '';
    let atLineStart = true;
    const onMarker = (line: string) => {
      if (line.startsWith(PGID_MARKER)) {
        processGroup = Number(line.slice(PGID_MARKER.length));
        // Cancelled before the job said where it runs: kill it now that we know.
        if (aborted && !killing) killing = this.killProcessTree(processGroup);
      }
      else if (line.startsWith(SETUP_FAILED_MARKER)) setupFailed = Number(line.slice(SETUP_FAILED_MARKER.length));
      else return false;
      return true;
    };
    const onStderr = (text: string) => {
      let rest = pending + text;
      pending = '';
      let out = '';
      while (rest) {
        const newline = rest.indexOf('\n');
        if (atLineStart && rest.startsWith('\u001e')) {
          if (newline < 0) {
            pending = rest;
            break;
          }
          const line = rest.slice(0, newline).replace(/\r$/, '');
          if (!onMarker(line)) out += rest.slice(0, newline + 1);
          rest = rest.slice(newline + 1);
          continue;
        }
        if (newline < 0) {
          // after a cancel, a line that may be setsid's complaint waits for its end (stderr comes in pieces)
          if (aborted && atLineStart && (rest.startsWith('setsid:') || 'setsid:'.startsWith(rest))) {
            pending = rest;
            break;
          }
          out += rest;
          atLineStart = false;
          break;
        }
        // the job killed on cancel: util-linux `setsid -w` reports its child's signal ("setsid: child 123
        // did not exit normally: Success"); that is the cancellation itself, not the tool's output
        const complaint = aborted ? SETSID_AFTER_KILL.exec(rest.slice(0, newline)) : null;
        out += complaint ? (complaint.index > 0 ? `${rest.slice(0, complaint.index)}\n` : '') : rest.slice(0, newline + 1);
        atLineStart = true;
        rest = rest.slice(newline + 1);
      }
      if (out) options.onStderr?.(out);
    };
    let channel: ClientChannel | undefined;
    let fallback: NodeJS.Timeout | undefined;
    const onAbort = () => {
      aborted = true;
      if (processGroup !== undefined) killing = this.killProcessTree(processGroup);
      // A job that never announced itself (stuck in the login shell or set-up): drop its channel.
      fallback = setTimeout(() => channel?.close(), 5000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.execRaw(command, { onStdout: options.onStdout, onStderr, onChannel: (c) => (channel = c) });
      if (pending && !onMarker(pending.replace(/\r$/, '')) && !(aborted && SETSID_AFTER_KILL.test(pending))) options.onStderr?.(pending);
      if (aborted) {
        await killing;
        throw abortError();
      }
      if (setupFailed !== undefined) {
        throw new SetupError(msg('The environment set-up of host "{0}" failed with exit code {1}: {2}', this.host.name, setupFailed, this.host.setup ?? ''), {
          host: this.host.name,
          exitCode: setupFailed,
        });
      }
      return result;
    } finally {
      clearTimeout(fallback);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async killProcessTree(processGroup: number | undefined): Promise<void> {
    if (processGroup === undefined || !Number.isInteger(processGroup) || processGroup <= 1 || this.closed) return;
    this.logger.info(`ssh ${this.host.name}: cancelling, killing remote process group ${processGroup}`);
    const command =
      this.host.shell === 'posix'
        ? `kill -TERM -- -${processGroup} 2>/dev/null; i=0; while kill -0 -- -${processGroup} 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; kill -KILL -- -${processGroup} 2>/dev/null; true`
        : powerShellEncodedCommand(`taskkill /T /F /PID ${processGroup} | Out-Null; exit 0`);
    try {
      await this.execRaw(command);
    } catch (error) {
      this.logger.warn(`ssh ${this.host.name}: could not kill process group ${processGroup}: ${String(error)}`);
    }
  }

  private sftp(): Promise<SFTPWrapper> {
    this.assertOpen();
    if (this.sftpChannel) return this.sftpChannel;
    const opening: Promise<SFTPWrapper> = new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => {
        const forget = () => {
          if (this.sftpChannel === opening) this.sftpChannel = undefined;
        };
        if (error) {
          forget();
          return reject(new ConnectionError(msg('Cannot open SFTP on {0}: {1}', this.host.name, error.message), { host: this.host.name, cause: error }));
        }
        sftp.on('close', forget);
        resolve(sftp);
      });
    });
    this.sftpChannel = opening;
    return opening;
  }

  /**
   * SHA-256 (hex) of a remote file, or undefined when it does not exist. `createDirs` are created
   * in the same exec (one round trip before an upload instead of two).
   */
  async remoteSha256(remotePath: string, createDirs: readonly string[] = []): Promise<string | undefined> {
    let stdout = '';
    const q = quotePosixWord(remotePath);
    const command =
      this.host.shell === 'posix'
        ? `${createDirs.length ? `mkdir -p -- ${createDirs.map(quotePosixWord).join(' ')}; ` : ''}sha256sum -- ${q} 2>/dev/null || shasum -a 256 -- ${q} 2>/dev/null || true`
        : powerShellEncodedCommand(
            `${createDirs.map((d) => `New-Item -ItemType Directory -Force -Path ${powerShellLiteral(d)} | Out-Null; `).join('')}$h = Get-FileHash -Algorithm SHA256 -LiteralPath ${powerShellLiteral(remotePath)} -ErrorAction SilentlyContinue; if ($h) { $h.Hash }`,
          );
    await this.execRaw(command, { onStdout: (t) => (stdout += t) });
    return /^\s*([0-9a-fA-F]{64})\b/.exec(stdout)?.[1]?.toLowerCase();
  }

  private resolvedWorkdir: Promise<string> | undefined;

  /**
   * The host's work folder as an absolute path, resolved once per connection: a relative `workdir`
   * (the default `npu-port`) or one starting with `~/` is taken from the remote home folder. Uploads
   * (SFTP), the tools' arguments and their current folder then all name the same place.
   */
  workdir(): Promise<string> {
    this.resolvedWorkdir ??= this.resolveWorkdir();
    this.resolvedWorkdir.catch(() => (this.resolvedWorkdir = undefined));
    return this.resolvedWorkdir;
  }

  private async resolveWorkdir(): Promise<string> {
    const dir = this.host.shell === 'posix' ? this.host.workdir : this.host.workdir.replace(/\\/g, '/');
    if (isAbsoluteRemotePath(dir)) return dir;
    let home = '';
    const command = this.host.shell === 'posix' ? `printf '%s' "$HOME"` : powerShellEncodedCommand('[Console]::Out.Write($HOME)');
    const result = await this.execRaw(command, { onStdout: (t) => (home += t) });
    home = home.trim().replace(/\\/g, '/');
    if (result.exitCode !== 0 || !isAbsoluteRemotePath(home)) {
      throw new RemoteError(msg('Cannot find the home folder on {0} to place the work folder "{1}"; set an absolute workdir for this host.', this.host.name, this.host.workdir), { host: this.host.name });
    }
    const rest = dir === '~' ? '' : dir.replace(/^~\//, '');
    const joined = path.posix.join(home, rest);
    return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
  }

  async ensureRemoteDir(dir: string): Promise<void> {
    if (dir === '' || dir === '.' || dir === '/') return;
    const command =
      this.host.shell === 'posix'
        ? `mkdir -p -- ${quotePosixWord(dir)}`
        : powerShellEncodedCommand(`New-Item -ItemType Directory -Force -Path ${powerShellLiteral(dir)} | Out-Null`);
    const result = await this.execRaw(command);
    if (result.exitCode !== 0) throw new RemoteError(msg('Cannot create the folder {0} on {1}.', dir, this.host.name), { host: this.host.name, exitCode: result.exitCode ?? undefined });
  }

  /**
   * Uploads `localPath` to `remotePath` unless the remote file already has the same SHA-256
   * (`force`: always). `foldersExist`: the caller made the remote folders already.
   * The bytes go to a temporary name beside the target, which is renamed into place at the end.
   */
  async upload(localPath: string, remotePath: string, options: { signal?: AbortSignal; force?: boolean; alsoCreate?: readonly string[]; foldersExist?: boolean } = {}): Promise<TransferResult> {
    options.signal?.throwIfAborted();
    const dir = path.posix.dirname(remotePath);
    const localHashing = sha256File(localPath);
    localHashing.catch(() => undefined);
    const dirs = options.foldersExist ? [] : [...(dir === '.' ? [] : [dir]), ...(options.alsoCreate ?? [])];
    // force: no comparison; with foldersExist too, the transfer is SFTP only (no exec round trip).
    const remoteHash = options.force ? await Promise.all(dirs.map((d) => this.ensureRemoteDir(d))).then(() => undefined) : await this.remoteSha256(remotePath, dirs);
    // No remote copy: nothing to compare, the transfer starts at once while the local hash finishes.
    if (remoteHash !== undefined) {
      const localHash = await localHashing;
      if (remoteHash === localHash) {
        this.logger.info(`ssh ${this.host.name}: ${remotePath} is up to date (sha256 ${localHash.slice(0, 12)}), not uploaded`);
        return { bytes: 0, skipped: true, sha256: localHash };
      }
    }
    options.signal?.throwIfAborted();
    const sftp = await this.sftp();
    const temp = `${remotePath}.npu-port-${randomBytes(4).toString('hex')}.part`;
    const { size } = await fsp.stat(localPath);
    try {
      await this.withAbort(sftp, options.signal, (done) => sftp.fastPut(localPath, temp, TRANSFER, done));
      options.signal?.throwIfAborted();
      await this.renameRemote(sftp, temp, remotePath);
    } catch (error) {
      // A cancelled transfer closed its SFTP channel: remove the partial file through a new one.
      if (this.isOpen) {
        const cleaner = await this.sftp().catch(() => undefined);
        await new Promise<void>((resolve) => (cleaner ? cleaner.unlink(temp, () => resolve()) : resolve()));
      }
      throw this.transferError(error, msg('Upload of {0} to {1} failed: {2}', localPath, this.host.name, String((error as Error)?.message ?? error)));
    }
    return { bytes: size, skipped: false, sha256: await localHashing };
  }

  /**
   * Downloads `remotePath` to `localPath`: into a temporary file beside it, checked against the
   * remote size, then renamed. A failed or cancelled download leaves an existing `localPath` untouched.
   */
  async download(remotePath: string, localPath: string, options: { signal?: AbortSignal } = {}): Promise<TransferResult> {
    options.signal?.throwIfAborted();
    const sftp = await this.sftp();
    const stats = await new Promise<{ size: number }>((resolve, reject) =>
      sftp.stat(remotePath, (error, s) => (error ? reject(new RemoteError(msg('The remote file {0} does not exist on {1}.', remotePath, this.host.name), { host: this.host.name, cause: error })) : resolve(s))),
    );
    await fsp.mkdir(path.dirname(localPath), { recursive: true });
    const temp = path.join(path.dirname(localPath), `.${path.basename(localPath)}.${randomBytes(4).toString('hex')}.part`);
    try {
      await this.withAbort(sftp, options.signal, (done) => sftp.fastGet(remotePath, temp, TRANSFER, done));
      const { size } = await fsp.stat(temp);
      if (size !== stats.size) throw new RemoteError(msg('The download of {0} from {1} is incomplete ({2} of {3} bytes).', remotePath, this.host.name, size, stats.size), { host: this.host.name });
      options.signal?.throwIfAborted();
      await fsp.rename(temp, localPath);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw this.transferError(error, msg('Download of {0} from {1} failed: {2}', remotePath, this.host.name, String((error as Error)?.message ?? error)));
    }
    return { bytes: stats.size, skipped: false };
  }

  private transferError(error: unknown, fallback: ReturnType<typeof msg>): unknown {
    if (error instanceof Error && error.name === 'AbortError') return error;
    if (error instanceof RemoteError) return error;
    if (this.closed) return this.closeReason;
    return new RemoteError(fallback, { host: this.host.name, cause: error });
  }

  private withAbort(sftp: SFTPWrapper, signal: AbortSignal | undefined, start: (done: (error?: Error | null) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      let settled = false;
      const removeClose = this.onClose((error) => settle(error));
      const onAbort = () => {
        settle(abortError());
        // Closing the SFTP channel stops the transfer; the next transfer opens a new channel.
        sftp.end();
        this.sftpChannel = undefined;
      };
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        removeClose();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      start((error) => settle(error ?? undefined));
    });
  }

  private async renameRemote(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    const posixRename = () => new Promise<void>((resolve, reject) => sftp.ext_openssh_rename(from, to, (e) => (e ? reject(e) : resolve())));
    const plainRename = () => new Promise<void>((resolve, reject) => sftp.rename(from, to, (e) => (e ? reject(e) : resolve())));
    try {
      await posixRename();
    } catch {
      // Servers without posix-rename@openssh.com (Windows OpenSSH): plain rename refuses to
      // overwrite, so the old file is removed first.
      await new Promise<void>((resolve) => sftp.unlink(to, () => resolve()));
      await plainRename();
    }
  }

  close(): void {
    this.closed = true;
    this.client.end();
  }
}
