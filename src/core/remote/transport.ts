/**
 * What the remote tasks need from the machine that runs the toolchain: run a program (an argument
 * array) or a probe script with streamed output and tree-killing cancellation, make folders, and move
 * files there and back. `SshSession` (ssh.ts) is one implementation; `LocalTransport` (local.ts),
 * "This machine", is the other.
 */
import type { HostConfig } from './hosts';
import type { ExecOptions, ExecResult, TransferResult } from './ssh';

export interface RunOptions extends ExecOptions {
  /** Folder the program starts in (the host's work folder). */
  readonly cwd?: string;
}

export interface Transport {
  readonly host: HostConfig;
  /** Runs one program; cancelling through `signal` kills its whole process tree, then rejects with an AbortError. */
  run(argv: readonly string[], options?: RunOptions): Promise<ExecResult>;
  /** A script in the host's shell language (probes written by this program, never user text). */
  runScript(script: string, options?: RunOptions): Promise<ExecResult>;
  ensureRemoteDir(dir: string): Promise<void>;
  /** The work folder as an absolute path (a relative `workdir` of an SSH host is taken from its home folder). */
  workdir(): Promise<string>;
  upload(localPath: string, remotePath: string, options?: { signal?: AbortSignal; force?: boolean; alsoCreate?: readonly string[]; foldersExist?: boolean }): Promise<TransferResult>;
  download(remotePath: string, localPath: string, options?: { signal?: AbortSignal }): Promise<TransferResult>;
}

/** The local transport: the tool sees the user's files where they are (no upload, no download). */
export interface LocalFiles {
  readonly local: true;
  /** The vendor script the environment was taken from. */
  readonly envScript?: string | undefined;
}

export function isLocalTransport(t: Transport): t is Transport & LocalFiles {
  return (t as Partial<LocalFiles>).local === true;
}
