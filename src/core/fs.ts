import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes `data` to `target` without ever leaving a half-written file there: the bytes go to a
 * temporary file beside the target, are flushed, and the temporary file is renamed over the target.
 * On any failure (full disk, cancellation) the temporary file is removed and the target is untouched.
 * An existing target keeps its permission bits (an executable script stays executable), and a symbolic
 * link is written through: the file it points to gets the bytes, the link stays a link.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { signal?: AbortSignal; mode?: number } = {},
): Promise<void> {
  const target = await linkTarget(file);
  const existingMode = await fsp.stat(target).then((st) => st.mode & 0o7777, () => undefined);
  const mode = options.mode ?? existingMode ?? 0o644;
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    options.signal?.throwIfAborted();
    handle = await fsp.open(temp, 'wx', mode);
    // the mode given to open is reduced by the umask; an existing file's mode is kept exactly
    if (existingMode !== undefined && options.mode === undefined) await handle.chmod(existingMode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    options.signal?.throwIfAborted();
    await fsp.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The file a path finally names: through every symbolic link (also a dangling one), or the path itself. */
async function linkTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = await fsp.readlink(current);
    } catch {
      // not a link (or missing): resolve the links among its parent folders, if any
      return await fsp.realpath(current).catch(() => current);
    }
    current = path.resolve(path.dirname(current), link);
  }
  return current;
}

/** True when the file starts with a UTF-8 byte order mark (false when it cannot be read). */
export async function hasUtf8Bom(file: string): Promise<boolean> {
  const handle = await fsp.open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    return bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  } finally {
    await handle.close();
  }
}
