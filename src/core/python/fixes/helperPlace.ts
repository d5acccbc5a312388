import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FixStyle } from '../types';

/**
 * Where the deviceManager helper goes for one file, and how the file imports it.
 *
 * A file outside any package (a script, run with its own folder on sys.path) gets the helper next to it
 * and `from device_utils import ...`. A module of a package (its folder has `__init__.py`, or is a namespace
 * package: a folder without one whose modules import relatively, as DiffSynth-Studio's diffsynth/models) gets one helper
 * in the top package of that tree (the highest folder of an unbroken chain of `__init__.py` folders) and
 * imports it relatively: `from .device_utils import` in the top package, `from ..device_utils import` one
 * level below, and so on. Every module of a package then shares one helper, and `import pkg.sub.mod`
 * keeps working wherever it did (a top-level `from device_utils import` inside a package only works when
 * the package folder itself happens to be on sys.path).
 */
export interface HelperPlace {
  /** The module name in the import statement: device_utils, .device_utils, ..device_utils. */
  readonly module: string;
  /** The helper file, relative to the folder of the file that imports it, with `/` separators. */
  readonly path: string;
}

export function helperPlace(deviceModule: string, packageDepth = 0): HelperPlace {
  if (packageDepth <= 0) return { module: deviceModule, path: `${deviceModule}.py` };
  return { module: '.'.repeat(packageDepth) + deviceModule, path: `${'../'.repeat(packageDepth - 1)}${deviceModule}.py` };
}

/**
 * How many package levels lie between `file` and the top of its package tree: 0 for a file whose folder
 * has no `__init__.py`, 1 for a module of a top-level package, 2 one level below, ... `isPackage` (a
 * folder has `__init__.py`) is cached by the callers that ask for many files (`packageCache`).
 */
export function packageDepth(file: string, isPackage: (dir: string) => boolean = packageCache()): number {
  let depth = 0;
  for (let dir = path.dirname(path.resolve(file)); isPackage(dir); dir = path.dirname(dir)) {
    depth++;
    if (path.dirname(dir) === dir) break;
  }
  return depth;
}

/**
 * The helper module's place depends on the package for the styles that write one (deviceManager; torchNpu for
 * its flash-attn shim); transferToNpu writes none.
 */
export function helperPackageDepth(style: FixStyle, file: string, isPackage?: (dir: string) => boolean): number {
  return style === 'transferToNpu' ? 0 : packageDepth(file, isPackage);
}

/** A statement `from . import x` / `from .mod import x` / `from ..mod import x` at the start of a line. */
const RELATIVE_IMPORT = /^[ \t]*from[ \t]+\.+[ \t\w]/m;

/**
 * `dir` is a package: it has an `__init__.py`, or one of its modules imports relatively, which only works in a
 * package (a namespace package has no `__init__.py`; a folder of scripts has no relative imports, since a script
 * run by path has no parent package). Asked once per folder.
 */
export function packageCache(): (dir: string) => boolean {
  const known = new Map<string, boolean>();
  return (dir) => {
    let is = known.get(dir);
    if (is === undefined) known.set(dir, (is = existsSync(path.join(dir, '__init__.py')) || importsRelatively(dir)));
    return is;
  };
}

function importsRelatively(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((name) => {
    if (!name.endsWith('.py')) return false;
    try {
      return RELATIVE_IMPORT.test(readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      return false; // a folder named *.py, an unreadable file
    }
  });
}
