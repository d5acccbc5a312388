import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { msg } from '../../l10n';
import { openModel } from '../../onnx/decode';
import { explainDiagnostic } from '../knownErrors';
import { mapDiagnosticsToModel } from '../mapToModel';
import { isLocalTransport, type Transport } from '../transport';
import type { ToolDiagnostic } from '../toolchains/diagnostics';
import type { TaskContext, TaskDiagnostic } from './types';

export interface ToolRun {
  readonly exitCode: number | null;
  /** stdout and stderr as one text, in arrival order (the parsers read both). */
  readonly log: string;
}

/** Runs one tool in the host's work folder, streaming and keeping its output for the parsers. */
export async function runTool(ctx: TaskContext, argv: readonly string[]): Promise<ToolRun> {
  let log = '';
  ctx.onStep?.(msg('Running {0} on {1}', argv[0]!, ctx.session.host.name));
  await ensureWorkdir(ctx.session);
  const result = await ctx.session.run(argv, {
    cwd: await ctx.session.workdir(),
    onStdout: (text) => {
      log += text;
      ctx.onOutput(text, 'stdout');
    },
    onStderr: (text) => {
      log += text;
      ctx.onOutput(text, 'stderr');
    },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { exitCode: result.exitCode, log };
}

const ensured = new WeakSet<Transport>();

export async function ensureWorkdir(session: Transport): Promise<void> {
  if (ensured.has(session)) return;
  await session.ensureRemoteDir(await session.workdir());
  ensured.add(session);
}

/** Node names and op types checked against the local ONNX model (when it decodes). */
export async function onModel<T extends ToolDiagnostic>(ctx: TaskContext, modelFile: string, diagnostics: T[]): Promise<T[]> {
  if (!diagnostics.some((d) => d.node || d.op) || !modelFile.toLowerCase().endsWith('.onnx')) return diagnostics;
  try {
    return mapDiagnosticsToModel(await openModel(modelFile, ctx.signal ? { signal: ctx.signal } : {}), diagnostics);
  } catch (error) {
    ctx.logger?.warn(`cannot map tool messages to the nodes of ${modelFile}: ${String(error)}`);
    return diagnostics;
  }
}

export function withKnowledge(tool: string, diagnostics: readonly ToolDiagnostic[]): TaskDiagnostic[] {
  return diagnostics.map((d) => {
    const known = explainDiagnostic(d);
    return { ...d, tool, ...(known ? { known } : {}) };
  });
}

/** Remote paths are POSIX-style on every host (SFTP and PowerShell both accept `/`). */
export function remotePath(...parts: string[]): string {
  return path.posix.join(...parts);
}

/** File name without the last extension: `m.v2.onnx` → `m.v2`. */
export function stem(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Uploads a local model to `<workdir>/models/<name>` unless the remote copy has the same content,
 * and makes sure the output folders exist.
 */
export async function uploadModel(ctx: TaskContext, localModel: string, outputDirs: readonly string[] = []): Promise<string> {
  if (isLocalTransport(ctx.session)) {
    // This machine: the tool reads the model where it is (no copy of a large model).
    for (const dir of outputDirs) await ctx.session.ensureRemoteDir(dir);
    return path.resolve(localModel);
  }
  const target = remotePath(await ctx.session.workdir(), 'models', path.basename(localModel));
  ctx.onStep?.(msg('Uploading {0} to {1}', path.basename(localModel), ctx.session.host.name));
  // The hash check creates the model folder and the task's output folders in the same exec.
  const result = await ctx.session.upload(localModel, target, { alsoCreate: outputDirs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  ensured.add(ctx.session);
  ctx.onStep?.(result.skipped ? msg('{0} is unchanged on the host; nothing uploaded.', path.basename(localModel)) : msg('Uploaded {0} bytes.', result.bytes));
  return target;
}

export async function fetchArtifact(ctx: TaskContext, remote: string, local: string): Promise<string> {
  ctx.onStep?.(isLocalTransport(ctx.session) ? msg('Saving {0}', local) : msg('Downloading {0}', local));
  await ctx.session.download(remote, local, ctx.signal ? { signal: ctx.signal } : {});
  return local;
}

/**
 * Where a tool writes the output whose final place is `local` (`base` + `suffix`, as atc's --output gets
 * `.om` appended): over SSH the host's work folder (`remoteBase`), downloaded after; on this machine a
 * hidden temporary name beside `local`, renamed into place after. `discard` removes what a failed or
 * cancelled tool left at the temporary name.
 */
export function outputPlace(ctx: TaskContext, remoteBase: string, local: string, suffix: string): { base: string; file: string; discard: () => Promise<void> } {
  if (!isLocalTransport(ctx.session)) return { base: remoteBase, file: remoteBase + suffix, discard: async () => undefined };
  const base = path.join(path.dirname(local), `.${path.basename(local, suffix)}.npu-port-${randomBytes(4).toString('hex')}`);
  return { base, file: base + suffix, discard: () => fsp.rm(base + suffix, { force: true }) };
}
