/**
 * The network off, explicitly, for a test inside the extension host: every TCP connection to an address
 * other than the loopback is refused (ENETUNREACH) and recorded while the guard is on. Node's http,
 * https, fetch (undici), tls and net all connect through net.Socket.prototype.connect; local pipes and
 * unix sockets (VS Code's own channels) and 127.0.0.1/::1/localhost pass.
 *
 * Also: which resources an HTML page would load from the network (img, script, stylesheet, frame,
 * media, object, CSS url(), a refresh or <base>), for pages rendered in a webview.
 */
import * as net from 'node:net';

export interface OfflineGuard {
  /** Hosts (host:port) that something tried to reach while the guard was on. */
  readonly attempts: readonly string[];
  restore(): void;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

export function disableNetwork(): OfflineGuard {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
    const first = args[0] as unknown;
    const options = (Array.isArray(first) ? first[0] : first) as { host?: string; port?: number; path?: string } | number | string;
    let host: string | undefined;
    let port: number | undefined;
    if (typeof options === 'number') {
      port = options;
      host = typeof args[1] === 'string' ? args[1] : 'localhost';
    } else if (typeof options === 'object' && options !== null && options.path === undefined) {
      host = options.host ?? 'localhost';
      port = options.port;
    }
    if (host !== undefined && !LOOPBACK.test(host.replace(/^\[|\]$/g, ''))) {
      attempts.push(`${host}:${port ?? '?'}`);
      const error = Object.assign(new Error(`network disabled by the test: connect ${host}:${port ?? '?'}`), { code: 'ENETUNREACH' });
      process.nextTick(() => this.destroy(error));
      return this;
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    return original.apply(this, args as never);
  } as typeof original;
  return {
    attempts,
    restore: () => {
      net.Socket.prototype.connect = original;
    },
  };
}

/** Network addresses (http, https, protocol-relative, ws) that rendering `html` would fetch, not links a person may click. */
export function remoteResources(html: string): string[] {
  const remote = /^\s*(?:https?:|wss?:|ftp:|\/\/)/i;
  const found: string[] = [];
  const add = (url: string) => {
    if (remote.test(url)) found.push(url.trim());
  };
  for (const tag of html.matchAll(/<([a-z][a-z0-9-]*)\b([^>]*)>/gi)) {
    const name = tag[1]!.toLowerCase();
    const attrs = tag[2]!;
    const attr = (n: string) => [...attrs.matchAll(new RegExp(`(?:^|\\s)${n}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'gi'))].map((m) => m[2] ?? m[3] ?? m[4] ?? '');
    for (const n of ['src', 'poster', 'data', 'background', 'action', 'formaction']) attr(n).forEach(add);
    for (const set of attr('srcset')) set.split(',').forEach((part) => add(part.trim().split(/\s+/)[0] ?? ''));
    if (name === 'link' || name === 'base') attr('href').forEach(add);
    if (name === 'meta') for (const c of attr('content')) { const url = /url\s*=\s*(.+)$/i.exec(c)?.[1]; if (url) add(url); }
    for (const style of attr('style')) for (const u of style.matchAll(/url\(\s*['"]?([^'")]+)/gi)) add(u[1]!);
  }
  for (const block of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    for (const u of block[1]!.matchAll(/url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)/gi)) add(u[1] ?? u[2]!);
  }
  return found;
}
