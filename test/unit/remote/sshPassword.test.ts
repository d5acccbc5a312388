/**
 * Password authentication of SshSession against an ssh2 Server (real SSH protocol, real client code;
 * OpenSSH would need a system account with a password): the `password` method, and servers that take
 * the password only through `keyboard-interactive`. A missing or wrong password is an
 * AuthenticationError asking for the password (what makes the extension ask), and a wrong one is
 * sent once per connection, never looped. No message carries the password.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AuthenticationError } from '../../../src/core/remote/errors';
import type { HostConfig } from '../../../src/core/remote/hosts';
import { SshSession, type SshCredentials } from '../../../src/core/remote/ssh';
import { startPasswordSshServer, type PasswordMethod, type PasswordSshServer } from './passwordSshServer';

const PASSWORD = 'pw "with" $(spaces) ü';

function hostOf(server: PasswordSshServer): HostConfig {
  return { name: 'pw-host', host: '127.0.0.1', port: server.port, user: server.user, kind: 'ascend', shell: 'posix', workdir: '/tmp' };
}

/** Connects with only a password (agent: '' turns the SSH_AUTH_SOCK agent off). */
function connect(server: PasswordSshServer, password?: string): Promise<SshSession> {
  const credentials: SshCredentials = { agent: '', ...(password === undefined ? {} : { password }) };
  return SshSession.connect(hostOf(server), { hostKeys: { knownHostsFiles: [server.knownHosts] }, credentials, readyTimeoutMs: 10_000 });
}

async function withServer(method: PasswordMethod, body: (server: PasswordSshServer) => Promise<void>): Promise<void> {
  const server = await startPasswordSshServer({ password: PASSWORD, method });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

async function rejectsAskingForPassword(connecting: Promise<SshSession>): Promise<AuthenticationError> {
  const error = await connecting.then(
    (session) => {
      session.close();
      assert.fail('connected without the right password');
    },
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(error.needs, 'password');
  assert.equal(String(error.message).includes(PASSWORD), false);
  return error;
}

for (const method of ['password', 'keyboard-interactive'] as const) {
  test(`${method}: the right password connects and runs a command`, async () => {
    await withServer(method, async (server) => {
      const session = await connect(server, PASSWORD);
      try {
        let stdout = '';
        const result = await session.run(['printf', '%s', 'hello from the password host'], { onStdout: (t) => (stdout += t) });
        assert.equal(result.exitCode, 0);
        assert.equal(stdout, 'hello from the password host');
      } finally {
        session.close();
      }
      assert.deepEqual(
        server.attempts.filter((a) => a.method === method),
        [{ method, secrets: [PASSWORD] }],
      );
    });
  });

  test(`${method}: a wrong password is refused once, as an AuthenticationError that asks for the password`, async () => {
    await withServer(method, async (server) => {
      const error = await rejectsAskingForPassword(connect(server, 'not-the-password'));
      assert.match(error.message, /Authentication as "npu-tester" on pw-host failed/);
      // Sent once; a keyboard-interactive server that asks again gets no answer (no loop).
      assert.deepEqual(
        server.attempts.filter((a) => a.secrets.length).map((a) => a.secrets),
        [['not-the-password']],
      );
    });
  });

  test(`${method}: no password at all is an AuthenticationError that asks for the password`, async () => {
    await withServer(method, async (server) => {
      await rejectsAskingForPassword(connect(server));
      assert.equal(server.attempts.some((a) => a.method === method && a.secrets.length), false);
    });
  });
}
