/**
 * External tensor data (ONNX `data_location = EXTERNAL`): the `location` is a path relative to the
 * model's folder. Anything that could leave that folder is refused: absolute paths, drive or UNC
 * paths, `..` segments that climb out, symbolic links whose target is outside, and anything that is not a
 * regular file (folders, named pipes, sockets, devices: reading them fails or blocks forever).
 */
import { constants, promises as fsp, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { msg, type Message } from '../l10n';
import { OnnxDecodeError } from './errors';

export interface ExternalResolution {
  readonly path?: string;
  /** Size of the resolved file in bytes. */
  readonly size?: number;
  readonly problem?: Message;
}

export function resolveExternalLocation(baseDir: string, location: string): ExternalResolution {
  if (location === '') return { problem: msg('External data location is empty.') };
  if (location.includes('\0')) return { problem: msg('External data location "{0}" contains a NUL character.', location.replace(/\0/g, '\\0')) };
  if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[A-Za-z]:/.test(location)) {
    return { problem: msg('External data location "{0}" is an absolute path; only paths inside the model folder are read.', location) };
  }
  const segments = location.split(/[\\/]+/);
  const candidate = path.resolve(baseDir, ...segments);
  const root = path.resolve(baseDir);
  if (!isInside(root, candidate)) {
    return { problem: msg('External data location "{0}" leaves the model folder; it is refused.', location) };
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // The folder itself is gone: the file check below reports it.
  }
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return { path: candidate, problem: msg('External data file "{0}" does not exist next to the model.', location) };
  }
  if (!isInside(realRoot, real)) {
    return { problem: msg('External data location "{0}" is a link to a file outside the model folder; it is refused.', location) };
  }
  let size: number;
  try {
    const stat = statSync(real);
    if (!stat.isFile()) return { problem: externalNotRegular(location) };
    size = stat.size;
  } catch {
    return { path: candidate, problem: msg('External data file "{0}" does not exist next to the model.', location) };
  }
  return { path: real, size };
}

/** The problem of external data that is not a regular file. */
export function externalNotRegular(location: string): Message {
  return msg('External data location "{0}" is not a regular file (a folder, a named pipe, a socket or a device); it is refused.', location);
}

/** External data that does not fit in its file: said plainly, with the file's real size. */
export function externalBeyondEnd(tensor: string, location: string, offset: number, length: number, fileBytes: number): Message {
  return offset >= fileBytes && length > 0
    ? msg('External data of tensor "{0}" lies beyond the end of "{1}": it starts at byte {2}, but the file holds only {3} bytes.', tensor, location, offset, fileBytes)
    : msg('External data of tensor "{0}" runs past the end of "{1}": it needs bytes {2} to {3}, but the file holds only {4} bytes.', tensor, location, offset, offset + length, fileBytes);
}

/** Non-blocking open (Linux/macOS): opening a named pipe that replaced a checked file must not hang. */
const READ_FLAGS = process.platform === 'win32' ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Opens `file` for reading only if it is a regular file (checked on the open handle, so a file swapped for
 * a pipe or a folder after an earlier check is still refused). `notAFile` is the error's message.
 */
export async function openRegularFile(file: string, notAFile: () => Message): Promise<{ handle: fsp.FileHandle; size: number }> {
  const handle = await fsp.open(file, READ_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new OnnxDecodeError(notAFile(), { file });
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
