/**
 * "This machine": the remote tasks run on the machine where this program runs (a Snapdragon AI PC
 * with QAIRT, or an Ascend server that VS Code reaches through Remote-SSH), without SSH.
 * - Detection: the toolchain on PATH, its environment variables, or the vendor's default environment
 *   scripts (a pure function of an injected PATH/env/file system, so it is tested in a temp root).
 * - Environment: taken once per transport from the vendor script (`. set_env.sh && env -0`, or the
 *   PowerShell equivalent), then every program starts with it.
 * - Programs: argument arrays started with no shell in between; each one leads its own process group
 *   (POSIX) so that cancelling kills the whole tree, or is killed with `taskkill /T /F` (Windows).
 * - Files: the tools read the user's model where it is; artifacts are renamed into place.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { msg } from '../l10n';
import { silentLogger, type Logger } from '../log';
import { RemoteError } from './errors';
import type { HostConfig, HostKind } from './hosts';
import { powerShellEncodedArgv, powerShellLiteral, quotePosixWord } from './quote';
import { SetupError } from './jobScript';
import type { ExecResult, TransferResult } from './ssh';
import type { LocalFiles, RunOptions, Transport } from './transport';

/** The host name that means "this machine" (in `npuPort.activeHost` and a task's `"host"`). */
export const LOCAL_HOST_NAME = 'local';

/** Where CANN installs its environment script: as root, and for a non-root user (CANN installation guide, "set_env.sh"). */
export const ASCEND_DEFAULT_SCRIPTS = ['/usr/local/Ascend/ascend-toolkit/set_env.sh', '~/Ascend/ascend-toolkit/set_env.sh'];

export interface LocalToolchainProbe {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** Prefix of the absolute default locations (a temp root in tests); absent: the real root. */
  readonly root?: string;
  readonly isFile: (file: string) => boolean;
}

export interface LocalToolchain {
  readonly kind: HostKind;
  /** The vendor script to take the environment from; absent when the environment already has the toolchain. */
  readonly envScript?: string;
  /** What was found, for the log and doctor: `atc on PATH: /usr/bin/atc`. */
  readonly evidence: string;
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** An environment variable (case-insensitive on Windows, as there). */
export function envValue(env: Readonly<Record<string, string | undefined>>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name] || undefined;
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key ? env[key] || undefined : undefined;
}

/** The first file named `tool` (Windows: with a PATHEXT extension) in the PATH folders. */
export function findOnPath(tool: string, p: Pick<LocalToolchainProbe, 'env' | 'platform' | 'isFile'>): string | undefined {
  const api = pathApi(p.platform);
  const windows = p.platform === 'win32';
  const dirs = (envValue(p.env, 'PATH', p.platform) ?? '').split(windows ? ';' : ':').filter(Boolean);
  const exts = windows ? ['', ...(envValue(p.env, 'PATHEXT', p.platform) ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean).map((e) => e.toLowerCase())] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = api.join(dir, tool + ext);
      if (p.isFile(file)) return file;
    }
  }
  return undefined;
}

/**
 * The NPU toolchains this machine has, Ascend first: the compiler on PATH (`atc`, `qnn-onnx-converter`),
 * else its environment variable (`ASCEND_TOOLKIT_HOME`, `QNN_SDK_ROOT`) with the script beside it, else
 * a vendor script at its default place. Reads nothing but `p`.
 */
export function detectLocalToolchains(p: LocalToolchainProbe): LocalToolchain[] {
  const api = pathApi(p.platform);
  const windows = p.platform === 'win32';
  const rooted = (file: string) => (file.startsWith('~/') ? api.join(p.home, file.slice(2)) : p.root ? api.join(p.root, file) : file);
  const found: LocalToolchain[] = [];
  if (!windows) {
    const atc = findOnPath('atc', p);
    const home = envValue(p.env, 'ASCEND_TOOLKIT_HOME', p.platform);
    if (atc) found.push({ kind: 'ascend', evidence: `atc on PATH: ${atc}` });
    else if (home) {
      // ASCEND_TOOLKIT_HOME is <install>/ascend-toolkit/latest; set_env.sh is in <install>/ascend-toolkit.
      const script = [api.join(api.dirname(home), 'set_env.sh'), api.join(home, 'set_env.sh')].find((f) => p.isFile(f));
      found.push({ kind: 'ascend', ...(script ? { envScript: script } : {}), evidence: `ASCEND_TOOLKIT_HOME=${home}` });
    } else {
      const script = ASCEND_DEFAULT_SCRIPTS.map(rooted).find((f) => p.isFile(f));
      if (script) found.push({ kind: 'ascend', envScript: script, evidence: `CANN environment script: ${script}` });
    }
  }
  const qnnKind: HostKind = windows ? 'qnn-windows' : 'qnn-linux';
  const converter = findOnPath('qnn-onnx-converter', p);
  const sdk = envValue(p.env, 'QNN_SDK_ROOT', p.platform);
  if (converter) found.push({ kind: qnnKind, evidence: `qnn-onnx-converter on PATH: ${converter}` });
  else if (sdk) {
    const script = api.join(sdk, 'bin', windows ? 'envsetup.ps1' : 'envsetup.sh');
    found.push({ kind: qnnKind, ...(p.isFile(script) ? { envScript: script } : {}), evidence: `QNN_SDK_ROOT=${sdk}` });
  }
  return found;
}

/** {@link detectLocalToolchains} for the real machine. */
export function detectThisMachine(env: NodeJS.ProcessEnv = process.env): LocalToolchain[] {
  return detectLocalToolchains({ env, platform: process.platform, home: os.homedir(), isFile: isFileSync });
}

export function isFileSync(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The host entry of this machine for a toolchain (the tasks read kind, shell and work folder from it). */
export function localHostConfig(toolchain: Pick<LocalToolchain, 'kind'>, workdir: string, platform: NodeJS.Platform = process.platform): HostConfig {
  return {
    name: LOCAL_HOST_NAME,
    host: os.hostname(),
    port: 0,
    user: os.userInfo().username,
    kind: toolchain.kind,
    shell: platform === 'win32' ? 'powershell' : 'posix',
    workdir: path.resolve(workdir),
  };
}

/**
 * The command that sources a vendor environment script and prints the resulting environment,
 * NUL-separated, on stdout (the script's own output goes to stderr). POSIX: `shell -c '. SCRIPT >&2 && env -0'`;
 * Windows: PowerShell runs `& 'SCRIPT'` (envsetup.ps1 sets `$env:` variables, which are process-wide).
 */
export function envCaptureArgv(script: string, platform: NodeJS.Platform, posixShell = 'sh'): string[] {
  if (platform === 'win32') {
    return powerShellEncodedArgv(
      [
        `$ErrorActionPreference = 'Stop'`,
        `try { & ${powerShellLiteral(script)} 2>&1 | ForEach-Object { [Console]::Error.WriteLine($_) } } catch { [Console]::Error.WriteLine($_); exit 1 }`,
        `[Console]::Out.Write(((Get-ChildItem env:) | ForEach-Object { $_.Name + '=' + $_.Value }) -join [char]0)`,
      ].join('\n'),
    );
  }
  return [posixShell, '-c', `. ${quotePosixWord(script)} >&2 && env -0`];
}

/** `NAME=value` entries separated by NUL (names may start with `=` on Windows: `=C:=C:\`). */
export function parseEnvBlock(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=', 1);
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Ends a process and all its descendants on Windows: `taskkill /pid N /T /F`. */
export function windowsTreeKillArgv(pid: number): string[] {
  if (!Number.isInteger(pid) || pid <= 0) throw new RemoteError(msg('Cannot stop process {0}: not a process id.', String(pid)));
  return ['taskkill', '/pid', String(pid), '/T', '/F'];
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LocalTransportOptions {
  /** Vendor environment script, sourced once (see {@link envCaptureArgv}). */
  readonly envScript?: string;
  /** The environment to start from (default: this process's). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** Runs the tasks' programs on this machine. */
export class LocalTransport implements Transport, LocalFiles {
  readonly local = true;
  private environmentLoad: Promise<NodeJS.ProcessEnv> | undefined;
  private readonly logger: Logger;
  private readonly platform = process.platform;

  constructor(
    readonly host: HostConfig,
    private readonly options: LocalTransportOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  get envScript(): string | undefined {
    return this.options.envScript;
  }

  /** The environment of every program: the base environment, or what the vendor script made of it (once; a failure is tried again next time). */
  environment(signal?: AbortSignal): Promise<NodeJS.ProcessEnv> {
    if (!this.environmentLoad) {
      this.environmentLoad = this.loadEnvironment(signal);
      this.environmentLoad.catch(() => (this.environmentLoad = undefined));
    }
    return this.environmentLoad;
  }

  private posixShell(env: NodeJS.ProcessEnv): string {
    // bash when present: the vendor scripts (CANN's set_env.sh) are written for it.
    return findOnPath('bash', { env, platform: this.platform, isFile: isFileSync }) ? 'bash' : 'sh';
  }

  private async loadEnvironment(signal?: AbortSignal): Promise<NodeJS.ProcessEnv> {
    const base = this.options.baseEnv ?? process.env;
    const script = this.options.envScript;
    if (!script) return { ...base };
    let out = '';
    let err = '';
    const result = await this.spawnTree(envCaptureArgv(script, this.platform, this.posixShell(base)), base, {
      onStdout: (t) => (out += t),
      onStderr: (t) => (err += t),
      ...(signal ? { signal } : {}),
    });
    if (result.exitCode !== 0) {
      const tail = err.trim().split('\n').slice(-3).join('\n');
      throw new SetupError(msg('The environment script {0} failed with exit code {1}: {2}', script, result.exitCode ?? 'signal', tail), {
        host: this.host.name,
        ...(result.exitCode !== null ? { exitCode: result.exitCode } : {}),
      });
    }
    this.logger.info(`local: environment taken from ${script}`);
    return parseEnvBlock(out);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    return this.spawnTree(argv, await this.environment(options.signal), options);
  }

  async runScript(script: string, options: RunOptions = {}): Promise<ExecResult> {
    const env = await this.environment(options.signal);
    return this.spawnTree(this.platform === 'win32' ? powerShellEncodedArgv(script) : [this.posixShell(env), '-c', script], env, options);
  }

  private spawnTree(argv: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    const [program, ...args] = argv;
    if (!program) throw new RemoteError(msg('A command needs at least a program name.'));
    return new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(program, args, {
        cwd: options.cwd,
        env,
        shell: false,
        // POSIX: the child leads a new process group (setsid), so the whole tree can be signalled.
        detached: this.platform !== 'win32',
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const out = new StringDecoder('utf8');
      const err = new StringDecoder('utf8');
      child.stdout.on('data', (chunk: Buffer) => options.onStdout?.(out.write(chunk)));
      child.stderr.on('data', (chunk: Buffer) => options.onStderr?.(err.write(chunk)));
      let aborted = false;
      let killing: Promise<void> | undefined;
      const onAbort = () => {
        aborted = true;
        if (child.pid !== undefined) killing = this.killTree(child.pid);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const settle = (result?: ExecResult, error?: unknown) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        const restOut = out.end();
        const restErr = err.end();
        if (restOut) options.onStdout?.(restOut);
        if (restErr) options.onStderr?.(restErr);
        if (aborted) void (killing ?? Promise.resolve()).then(() => reject(abortError()));
        else if (error) reject(error);
        else resolve(result!);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          // As a shell says it: the task maps 127 to "the tool is not installed".
          options.onStderr?.(`${program}: not found\n`);
          return settle({ exitCode: 127 });
        }
        settle(undefined, new RemoteError(msg('Cannot start {0} on this machine: {1}', program, error.message), { host: this.host.name, cause: error }));
      });
      child.on('close', (code, signal) => settle(signal ? { exitCode: code, signal } : { exitCode: code }));
    });
  }

  /** Kills the process group (POSIX: TERM, then KILL after 3 s) or the process tree (Windows: taskkill /T /F). */
  private async killTree(pid: number): Promise<void> {
    this.logger.info(`local: cancelling, killing the process tree of ${pid}`);
    if (this.platform === 'win32') {
      const [program, ...args] = windowsTreeKillArgv(pid);
      await new Promise<void>((resolve) => {
        const killer = spawn(program!, args, { stdio: 'ignore', windowsHide: true });
        killer.on('error', () => resolve());
        killer.on('close', () => resolve());
      });
      return;
    }
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 30 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  /** This machine's work folder is absolute already (localHostConfig resolves it). */
  workdir(): Promise<string> {
    return Promise.resolve(path.resolve(this.host.workdir));
  }

  async ensureRemoteDir(dir: string): Promise<void> {
    await fsp.mkdir(path.resolve(this.host.workdir, dir), { recursive: true });
  }

  /** A copy into place (temp file + rename); nothing when both names are the same file. */
  async upload(localPath: string, remotePath: string, options: { signal?: AbortSignal; alsoCreate?: readonly string[] } = {}): Promise<TransferResult> {
    options.signal?.throwIfAborted();
    const target = path.resolve(this.host.workdir, remotePath);
    for (const dir of options.alsoCreate ?? []) await this.ensureRemoteDir(dir);
    if (path.resolve(localPath) === target) return { bytes: 0, skipped: true };
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const { size } = await fsp.stat(localPath);
    await moveOrCopy(localPath, target, true);
    return { bytes: size, skipped: false };
  }

  /** Moves a tool's output into place: a rename (a copy to a temporary name beside it, then a rename, across file systems). */
  async download(remotePath: string, localPath: string, options: { signal?: AbortSignal } = {}): Promise<TransferResult> {
    options.signal?.throwIfAborted();
    const source = path.resolve(this.host.workdir, remotePath);
    let size: number;
    try {
      size = (await fsp.stat(source)).size;
    } catch (error) {
      throw new RemoteError(msg('The remote file {0} does not exist on {1}.', source, this.host.name), { host: this.host.name, cause: error });
    }
    if (source === path.resolve(localPath)) return { bytes: size, skipped: true };
    await fsp.mkdir(path.dirname(localPath), { recursive: true });
    await moveOrCopy(source, localPath, false);
    return { bytes: size, skipped: false };
  }
}

/** `from` → `to` without a half-written `to`: rename, or (keep, or another file system) copy to a temp name beside `to` and rename. */
async function moveOrCopy(from: string, to: string, keep: boolean): Promise<void> {
  if (!keep) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
  }
  const temp = path.join(path.dirname(to), `.${path.basename(to)}.npu-port-${randomBytes(4).toString('hex')}.part`);
  try {
    await fsp.copyFile(from, temp);
    await fsp.rename(temp, to);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  if (!keep) await fsp.rm(from, { force: true });
}
