/**
 * Errors in the user's terms: what each CLI command says when an input file is missing, a folder,
 * empty, unreadable, not an ONNX model or cut short, and how `main` turns anything a command threw
 * into one line on stderr and an exit code (a stack trace only with --verbose). Every such message
 * lives here.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { isNpuPortError } from '../core/errors';
import { msg, type Message } from '../core/l10n';
import { openModel } from '../core/onnx/decode';
import { modelFileProblem, modelFileProblemMessage } from '../core/onnx/fileProblem';
import type { Model } from '../core/onnx/model';
import { readNpyValues } from '../core/onnx/run/files';
import type { ArrayValue } from '../core/onnx/run/values';
import { isScanTarget } from '../core/workspace/walk';
import { displayPath } from '../core/report/scanResults';
import { EXIT_ERROR, UsageError, type CliContext } from './context';

/** The message for a file-system error code on `shown` (the path as the user gave it), or undefined for other codes. */
function fileSystemMessage(code: string | undefined, shown: string): Message | undefined {
  switch (code) {
    case 'ENOENT': return msg('{0}: no such file or folder.', shown);
    case 'ENOTDIR': return msg('{0}: a part of this path is a file, not a folder.', shown);
    case 'EACCES': case 'EPERM': return msg('{0}: permission denied.', shown);
    case 'EISDIR': return msg('{0} is a folder; give a file.', shown);
    case 'ENOSPC': return msg('{0}: no space left on the device.', shown);
    case 'EROFS': return msg('{0}: the file system is read-only.', shown);
    case 'ELOOP': return msg('{0}: too many symbolic links (a loop?).', shown);
    default: return undefined;
  }
}

function errnoOf(error: unknown): NodeJS.ErrnoException | undefined {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as NodeJS.ErrnoException) : undefined;
}

/**
 * A path the user named, checked before a command reads it: it exists, it is a file (or a folder, when
 * `folder` allows one) and it can be opened for reading. Returns the absolute path and its size.
 */
export async function inputPath(ctx: CliContext, given: string, options: { folder?: boolean } = {}): Promise<{ file: string; size: number; isFolder: boolean }> {
  const file = path.resolve(ctx.cwd, given);
  let stat;
  try {
    stat = await fsp.stat(file);
  } catch (error) {
    throw new UsageError(fileSystemMessage(errnoOf(error)?.code, given) ?? msg('Cannot read {0}: {1}', given, String(error)), { cause: error });
  }
  if (stat.isDirectory() && !options.folder) throw new UsageError(msg('{0} is a folder; give a file.', given));
  try {
    if (stat.isDirectory()) await fsp.readdir(file);
    else await (await fsp.open(file, 'r')).close();
  } catch (error) {
    throw new UsageError(fileSystemMessage(errnoOf(error)?.code, given) ?? msg('Cannot read {0}: {1}', given, String(error)), { cause: error });
  }
  return { file, size: stat.size, isFolder: stat.isDirectory() };
}

/**
 * Opens the ONNX model the user named. A file that is missing, a folder, empty or unreadable, a text
 * file, a model cut short or anything else that does not decode fails with a message that names the file
 * and says what is wrong in the user's terms; the decoder's own detail is the error's cause (--verbose).
 */
export async function openInputModel(ctx: CliContext, given: string): Promise<Model> {
  const { file, size } = await inputPath(ctx, given);
  if (size === 0) throw new UsageError(modelFileProblemMessage(given, { kind: 'empty' }, ctx.t));
  try {
    return await openModel(file, { signal: ctx.signal });
  } catch (error) {
    const problem = await modelFileProblem(file, size, error);
    if (!problem) throw error;
    throw new UsageError(modelFileProblemMessage(given, problem, ctx.t), { cause: error });
  }
}

/**
 * What `main` prints for an error a command threw (one line, in the user's terms) and the exit code.
 * With `verbose`, the technical detail follows: the cause's message, and the stack of an unexpected error.
 */
export function describeError(ctx: CliContext, error: unknown, verbose: boolean): { text: string; code: number } {
  const lines: string[] = [];
  const cause = error instanceof Error ? error.cause : undefined;
  const detail = () => {
    if (!verbose || cause === undefined) return;
    lines.push(isNpuPortError(cause) ? ctx.t(cause.detail) : cause instanceof Error ? cause.stack ?? cause.message : String(cause));
  };
  if (error instanceof UsageError || isNpuPortError(error)) {
    lines.push(`${ctx.t(msg('error'))}: ${ctx.t(error.detail)}`);
    detail();
  } else if (error instanceof Error && error.name === 'AbortError') {
    lines.push(ctx.t(msg('Cancelled.')));
  } else {
    const errno = errnoOf(error);
    const known = errno?.path ? fileSystemMessage(errno.code, displayPath(errno.path, ctx.cwd)) : undefined;
    if (known) {
      lines.push(`${ctx.t(msg('error'))}: ${ctx.t(known)}`);
      if (verbose) lines.push(errno!.stack ?? errno!.message);
    } else if (verbose) {
      lines.push(ctx.t(msg('Internal error: {0}', error instanceof Error ? (error.stack ?? error.message) : String(error))));
    } else {
      lines.push(ctx.t(msg('Internal error: {0}', error instanceof Error ? error.message : String(error))));
      lines.push(ctx.t(msg('Run again with --verbose for the details.')));
    }
  }
  return { text: lines.join('\n') + '\n', code: EXIT_ERROR };
}

/**
 * A path given to `npu-port scan`: a folder, or a file the scan reads (Python, CUDA source, requirements,
 * pyproject.toml). Anything else is an input error that says what to use instead, not a silent pass.
 */
export async function scanInputPath(ctx: CliContext, given: string): Promise<string> {
  const { file, isFolder } = await inputPath(ctx, given, { folder: true });
  if (isFolder || isScanTarget(path.basename(file))) return file;
  throw new UsageError(/\.onnx$/i.test(file)
    ? msg('{0} is not scanned: npu-port scan reads Python files (.py, .pyi), CUDA sources (.cu, .cuh), requirements*.txt and pyproject.toml. For an ONNX model use "npu-port onnx check {0}".', given)
    : msg('{0} is not scanned: npu-port scan reads Python files (.py, .pyi), CUDA sources (.cu, .cuh), requirements*.txt and pyproject.toml.', given));
}

/** The .npy file or folder of .npy files the user named (`npu-port compare`), by tensor name. */
export async function readNpyInput(ctx: CliContext, given: string): Promise<Record<string, ArrayValue>> {
  const { file, size, isFolder } = await inputPath(ctx, given, { folder: true });
  if (!isFolder && size === 0) throw new UsageError(msg('{0} is empty (0 bytes): it is not a .npy file.', given));
  const values = await readNpyValues(file);
  if (isFolder && Object.keys(values).length === 0) throw new UsageError(msg('{0} holds no .npy files.', given));
  return values;
}
