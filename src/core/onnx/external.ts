/**
 * External tensor data (ONNX `data_location = EXTERNAL`): the `location` is a path relative to the
 * model's folder. Anything that could leave that folder is refused: absolute paths, drive or UNC
 * paths, `..` segments that climb out, and symbolic links whose target is outside.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { msg, type Message } from '../l10n';

export interface ExternalResolution {
  readonly path?: string;
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
  return { path: real };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
