/**
 * Host key verification with OpenSSH `known_hosts` files: plain and hashed (`|1|salt|hmac`) host
 * fields, `[host]:port` for non-default ports, wildcard and negated patterns, `@revoked` markers.
 * The extension's own store uses the same format (one parser, and the user can read it with ssh-keygen).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export interface KnownHostEntry {
  readonly marker?: 'revoked' | 'cert-authority';
  /** Comma-separated patterns, or undefined when hashed. */
  readonly patterns?: readonly string[];
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer };
  readonly keyType: string;
  readonly key: Buffer;
}

export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyVerdict {
  readonly status: HostKeyStatus;
  readonly keyType: string;
  /** `SHA256:...` as printed by `ssh-keygen -lf` and by ssh on first connection. */
  readonly fingerprint: string;
}

/** The name a host has in known_hosts: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprintSha256(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type written at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostEntry['marker'];
    else if (fields[0]?.startsWith('@')) continue;
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length === 0) continue;
    const base = { ...(marker ? { marker } : {}), keyType, key };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) continue;
      entries.push({ ...base, hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') } });
    } else {
      entries.push({ ...base, patterns: hosts.split(',') });
    }
  }
  return entries;
}

function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(text);
}

function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.length === entry.hashed.hash.length && timingSafeEqual(digest, entry.hashed.hash);
  }
  let positive = false;
  for (const pattern of entry.patterns ?? []) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) positive = true;
  }
  return positive;
}

/**
 * The verdict for a presented key, as OpenSSH decides it: a revoked key is refused; a recorded
 * identical key is known; a host recorded with a different key of the same type has changed;
 * otherwise the key is unknown (including hosts recorded only with other key types).
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const keyType = keyTypeOfBlob(keyBlob);
  const fingerprint = fingerprintSha256(keyBlob);
  const name = knownHostsName(host, port);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob))) return { status: 'revoked', keyType, fingerprint };
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(keyBlob))) return { status: 'known', keyType, fingerprint };
  if (plain.some((e) => e.keyType === keyType)) return { status: 'changed', keyType, fingerprint };
  return { status: 'unknown', keyType, fingerprint };
}

/** A known_hosts line for the key; hashed like `ssh-keygen -H` unless `hash` is false. */
export function formatKnownHostsLine(host: string, port: number, keyBlob: Buffer, hash = true): string {
  const name = knownHostsName(host, port);
  let field = name;
  if (hash) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${keyTypeOfBlob(keyBlob)} ${keyBlob.toString('base64')}`;
}

/** Reads known_hosts files that exist (missing files are empty). */
export async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    try {
      all.push(...parseKnownHosts(await fsp.readFile(file, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return all;
}

/** Appends an accepted key to a known_hosts file (the extension's own store, or the CLI's --known-hosts file). */
export async function appendKnownHost(file: string, host: string, port: number, keyBlob: Buffer): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  let prefix = '';
  try {
    const current = await fsp.readFile(file, 'utf8');
    if (current.length > 0 && !current.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  await fsp.appendFile(file, `${prefix}${formatKnownHostsLine(host, port, keyBlob)}\n`, { mode: 0o600 });
}
