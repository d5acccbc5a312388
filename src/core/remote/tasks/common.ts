import * as path from 'node:path';
import { msg } from '../../l10n';
import { openModel } from '../../onnx/decode';
import { explainDiagnostic } from '../knownErrors';
import { mapDiagnosticsToModel } from '../mapToModel';
import type { SshSession } from '../ssh';
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
    cwd: ctx.session.host.workdir,
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

const ensured = new WeakSet<SshSession>();

export async function ensureWorkdir(session: SshSession): Promise<void> {
  if (ensured.has(session)) return;
  await session.ensureRemoteDir(session.host.workdir);
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
  const target = remotePath(ctx.session.host.workdir, 'models', path.basename(localModel));
  ctx.onStep?.(msg('Uploading {0} to {1}', path.basename(localModel), ctx.session.host.name));
  // The hash check creates the model folder and the task's output folders in the same exec.
  const result = await ctx.session.upload(localModel, target, { alsoCreate: outputDirs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  ensured.add(ctx.session);
  ctx.onStep?.(result.skipped ? msg('{0} is unchanged on the host; nothing uploaded.', path.basename(localModel)) : msg('Uploaded {0} bytes.', result.bytes));
  return target;
}

export async function fetchArtifact(ctx: TaskContext, remote: string, local: string): Promise<string> {
  ctx.onStep?.(msg('Downloading {0}', local));
  await ctx.session.download(remote, local, ctx.signal ? { signal: ctx.signal } : {});
  return local;
}
