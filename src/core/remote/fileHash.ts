/** SHA-256 of local files, to skip uploads the host already has. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';

/** Local SHA-256 per file identity (device, inode, size, mtime): unchanged models are not re-read. */
const localHashes = new Map<string, Promise<string>>();

export async function sha256File(file: string): Promise<string> {
  const st = await fsp.stat(file);
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${file}`;
  let hashing = localHashes.get(key);
  if (!hashing) {
    hashing = hashFile(file);
    localHashes.set(key, hashing);
    hashing.catch(() => localHashes.delete(key));
    if (localHashes.size > 256) localHashes.delete(localHashes.keys().next().value!);
  }
  return hashing;
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
