/**
 * Remote host definitions: the JSON of the `npuPort.hosts` setting and of `.npu-port/hosts.json`
 * (same shape), validated into `HostConfig`, plus hosts offered from `~/.ssh/config`.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { msg, type Message } from '../l10n';
import { RemoteError } from './errors';
import type { RemoteShell } from './quote';

export type HostKind = 'ascend' | 'qnn-windows' | 'qnn-linux';
export const HOST_KINDS: readonly HostKind[] = ['ascend', 'qnn-windows', 'qnn-linux'];

export interface HostConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key file; `~` is expanded. Absent: agent and/or password. */
  readonly identityFile?: string;
  readonly kind: HostKind;
  readonly shell: RemoteShell;
  /** Remote folder for uploads and outputs. */
  readonly workdir: string;
  /** Run before every tool in the same remote shell, e.g. `. /usr/local/Ascend/ascend-toolkit/set_env.sh`. */
  readonly setup?: string;
}

export const DEFAULT_HOSTS_FILE = path.join('.npu-port', 'hosts.json');

export class HostConfigError extends RemoteError {}

/** Validates the JSON array of hosts. Errors name the entry and the key. */
export function parseHosts(json: unknown): HostConfig[] {
  if (!Array.isArray(json)) throw new HostConfigError(msg('The hosts file must hold a JSON array of host objects.'));
  const seen = new Set<string>();
  return json.map((entry, index) => {
    const host = parseHost(entry, index);
    if (seen.has(host.name)) throw new HostConfigError(msg('Host "{0}" is defined twice.', host.name));
    seen.add(host.name);
    return host;
  });
}

function parseHost(entry: unknown, index: number): HostConfig {
  const where = String(index + 1);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new HostConfigError(msg('Host entry {0} is not an object.', where));
  }
  const e = entry as Record<string, unknown>;
  const fail = (message: Message): never => {
    throw new HostConfigError(message);
  };
  const str = (key: string, required: boolean): string | undefined => {
    const v = e[key];
    if (v === undefined || v === null || v === '') return required ? fail(msg('Host entry {0}: "{1}" is required.', where, key)) : undefined;
    if (typeof v !== 'string') return fail(msg('Host entry {0}: "{1}" must be a string.', where, key));
    return v;
  };
  const name = str('name', true)!;
  const kind = (str('kind', false) ?? 'ascend') as HostKind;
  if (!HOST_KINDS.includes(kind)) fail(msg('Host entry {0}: "kind" must be ascend, qnn-windows or qnn-linux.', where));
  const shell = (str('shell', false) ?? (kind === 'qnn-windows' ? 'powershell' : 'posix')) as RemoteShell;
  if (shell !== 'posix' && shell !== 'powershell') fail(msg('Host entry {0}: "shell" must be posix or powershell.', where));
  const portValue = e.port ?? 22;
  const port = typeof portValue === 'string' && /^\d+$/.test(portValue) ? Number(portValue) : portValue;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail(msg('Host entry {0}: "port" must be a port number (1-65535).', where));
  const identityFile = str('identityFile', false);
  const setup = str('setup', false);
  return {
    name,
    host: str('host', true)!,
    port: port as number,
    user: str('user', false) ?? os.userInfo().username,
    kind,
    shell,
    // Relative to the login folder (SFTP and both shells start there).
    workdir: str('workdir', false) ?? 'npu-port',
    ...(identityFile ? { identityFile } : {}),
    ...(setup ? { setup } : {}),
  };
}

export async function readHostsFile(file: string): Promise<HostConfig[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    throw new HostConfigError(msg('Cannot read the hosts file {0}: {1}', file, (error as NodeJS.ErrnoException).code ?? String(error)));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HostConfigError(msg('The hosts file {0} is not valid JSON: {1}', file, (error as Error).message));
  }
  return parseHosts(json);
}

export function findHost(hosts: readonly HostConfig[], name: string): HostConfig {
  const host = hosts.find((h) => h.name === name);
  if (!host) throw new HostConfigError(msg('No host named "{0}". Known hosts: {1}', name, hosts.map((h) => h.name).join(', ') || '-'));
  return host;
}

export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' ? home : file.startsWith('~/') || file.startsWith('~\\') ? path.join(home, file.slice(2)) : file;
}

/** A concrete host from `~/.ssh/config` (patterns with wildcards are not offered). */
export interface SshConfigHost {
  readonly alias: string;
  readonly hostName: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFile?: string;
}

/**
 * Reads the `Host` blocks of an OpenSSH client config: keywords are case-insensitive, `Key value`
 * or `Key=value`, quoted values allowed, first value wins (as in ssh). `Match` blocks and `Include`
 * are skipped: the result is a list of suggestions, not a reimplementation of ssh_config.
 */
export function parseSshConfig(text: string): SshConfigHost[] {
  const hosts: { aliases: string[]; options: Map<string, string> }[] = [];
  let current: { aliases: string[]; options: Map<string, string> } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const values = splitConfigValues(m[2]!);
    if (key === 'host') {
      current = { aliases: values, options: new Map() };
      hosts.push(current);
    } else if (key === 'match') {
      current = undefined;
    } else if (current && values[0] !== undefined && !current.options.has(key)) {
      current.options.set(key, values[0]);
    }
  }
  const out: SshConfigHost[] = [];
  for (const block of hosts) {
    for (const alias of block.aliases) {
      if (/[*?!]/.test(alias)) continue;
      const port = block.options.get('port');
      const user = block.options.get('user');
      const identityFile = block.options.get('identityfile');
      out.push({
        alias,
        hostName: (block.options.get('hostname') ?? alias).replace(/%h/g, alias),
        ...(port && /^\d+$/.test(port) ? { port: Number(port) } : {}),
        ...(user ? { user } : {}),
        ...(identityFile ? { identityFile } : {}),
      });
    }
  }
  return out;
}

function splitConfigValues(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

export async function readSshConfigHosts(file = path.join(os.homedir(), '.ssh', 'config')): Promise<SshConfigHost[]> {
  try {
    return parseSshConfig(await fsp.readFile(file, 'utf8'));
  } catch {
    return [];
  }
}

/** A host as typed in the Add Remote Host wizard: `host`, `user@host`, `host:port`, `user@[ipv6]:port`, `ssh://…`. */
export interface HostSpec {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

/** The message for a port that is not 1-65535, or undefined. */
export function portError(text: string): Message | undefined {
  return /^\d{1,5}$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535 ? undefined : msg('"{0}" is not a port: a number from 1 to 65535.', text.trim());
}

/**
 * Splits what the user typed into user, host and port (IPv6 in brackets when a port follows; a bare
 * IPv6 address is a host). Returns the reason in the user's terms when it is not a host.
 */
export function parseHostSpec(text: string): HostSpec | { readonly error: Message } {
  let rest = text.trim().replace(/^ssh:\/\//i, '').replace(/\/$/, '');
  if (!rest) return { error: msg('A host is required.') };
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!user) return { error: msg('The user name before "@" is empty.') };
  }
  let host = rest;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if (rest.startsWith('[')) {
    return { error: msg('"{0}" has no closing "]".', rest) };
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  }
  if (!host) return { error: msg('A host is required.') };
  if (/[\s/@]/.test(host)) return { error: msg('"{0}" is not a host name or IP address.', host) };
  if (portText !== undefined) {
    const bad = portError(portText);
    if (bad) return { error: bad };
  }
  return { host, ...(user ? { user } : {}), ...(portText !== undefined ? { port: Number(portText) } : {}) };
}
