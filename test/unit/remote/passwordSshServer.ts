/**
 * Test helper: an SSH server built with the ssh2 package's Server class (the real SSH protocol, so the
 * real client code runs) that accepts ONE password, through the `password` method or only through
 * `keyboard-interactive` (as PAM-based servers do). OpenSSH could only check a password against a
 * system account, which a test must not create or change. Exec requests run with /bin/sh as the
 * test's own user (so remote tasks work); SFTP is not offered. Listens on 127.0.0.1 at a free port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Server, utils, type Connection } from 'ssh2';
import { formatKnownHostsLine } from '../../../src/core/remote/knownHosts';
import { REPO_ROOT } from '../repo';

/** A fixed, test-only host key (see test/fixtures/remote/keys/README.md): generated keys are not always parseable. */
const HOST_KEY = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'remote', 'keys', 'test_only_host_ed25519'));

export type PasswordMethod = 'password' | 'keyboard-interactive';

export interface PasswordSshServer {
  readonly port: number;
  readonly user: string;
  /** known_hosts with this server's key. */
  readonly knownHosts: string;
  /** Every authentication attempt: method, and the password or keyboard-interactive answers received. */
  readonly attempts: { method: string; secrets: string[] }[];
  /** Commands run through exec. */
  readonly commands: string[];
  stop(): Promise<void>;
}

export async function startPasswordSshServer(options: { password: string; method: PasswordMethod; user?: string }): Promise<PasswordSshServer> {
  const user = options.user ?? 'npu-tester';
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-pwssh-'));
  const attempts: { method: string; secrets: string[] }[] = [];
  const commands: string[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [HOST_KEY] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const allowed: PasswordMethod[] = [options.method];
      if (ctx.username !== user) {
        attempts.push({ method: ctx.method, secrets: [] });
        return ctx.reject(allowed);
      }
      if (options.method === 'password' && ctx.method === 'password') {
        attempts.push({ method: 'password', secrets: [ctx.password] });
        return ctx.password === options.password ? ctx.accept() : ctx.reject(allowed);
      }
      if (options.method === 'keyboard-interactive' && ctx.method === 'keyboard-interactive') {
        return ctx.prompt([{ prompt: 'Password: ', echo: false }], 'npu-port test', '', (answers) => {
          attempts.push({ method: 'keyboard-interactive', secrets: answers });
          if (answers.length === 1 && answers[0] === options.password) ctx.accept();
          else ctx.reject(allowed);
        });
      }
      attempts.push({ method: ctx.method, secrets: [] });
      ctx.reject(allowed);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          commands.push(info.command);
          const channel = acceptExec();
          const child = spawn('/bin/sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
          child.stdout.pipe(channel, { end: false });
          child.stderr.pipe(channel.stderr, { end: false });
          channel.pipe(child.stdin);
          child.on('close', (code) => {
            channel.exit(code ?? 255);
            channel.end();
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const knownHosts = path.join(dir, 'known_hosts');
  const keyBlob = utils.parseKey(HOST_KEY);
  if (keyBlob instanceof Error) throw keyBlob;
  writeFileSync(knownHosts, `${formatKnownHostsLine('127.0.0.1', port, keyBlob.getPublicSSH())}\n`);
  return {
    port,
    user,
    knownHosts,
    attempts,
    commands,
    async stop() {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
