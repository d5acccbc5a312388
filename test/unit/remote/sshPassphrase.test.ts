/**
 * Encrypted identity files against the loopback OpenSSH server (key made by `ssh-keygen -N`): no
 * passphrase and a wrong one are AuthenticationErrors asking for the passphrase, with different
 * messages (the extension shows the second under its input box); the right one connects. The CLI
 * (NPU_PORT_SSH_PASSPHRASE) and the extension share this path.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AuthenticationError } from '../../../src/core/remote/errors';
import { SshSession } from '../../../src/core/remote/ssh';
import { sshdAvailable, startLoopbackSshd, type LoopbackSshd } from './loopbackSshd';

const PASSPHRASE = 'unit passphrase "$(x)" ü';
let server: LoopbackSshd;
let key: string;
const skip = !sshdAvailable && 'OpenSSH server (openssh-server) is not installed';

before(async () => {
  if (skip) return;
  server = await startLoopbackSshd();
  key = path.join(server.dir, 'encrypted_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'npu-port-unit-encrypted', '-f', key]);
  appendFileSync(path.join(server.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
});
after(async () => {
  await server?.stop();
});

/** Key file and passphrase only (agent: '' turns the SSH_AUTH_SOCK agent off). */
const connect = (passphrase?: string) =>
  SshSession.connect(
    { ...server.ascendHost, identityFile: key },
    { hostKeys: { knownHostsFiles: [server.knownHosts] }, credentials: { agent: '', ...(passphrase === undefined ? {} : { passphrase }) } },
  );

async function authenticationError(connecting: Promise<SshSession>): Promise<AuthenticationError> {
  const error = await connecting.then(
    (session) => {
      session.close();
      assert.fail('connected without the right passphrase');
    },
    (e: unknown) => e,
  );
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(error.needs, 'passphrase');
  assert.equal(error.message.includes(PASSPHRASE), false);
  return error;
}

test('no passphrase: an AuthenticationError that says the key is encrypted', { skip }, async () => {
  const error = await authenticationError(connect());
  assert.equal(error.message, `The identity file ${key} is encrypted: its passphrase is needed.`);
});

test('a wrong passphrase: an AuthenticationError that says it is wrong', { skip }, async () => {
  const error = await authenticationError(connect('not the passphrase'));
  assert.equal(error.message, `The passphrase for the identity file ${key} is wrong.`);
});

test('the right passphrase connects and runs a command', { skip }, async () => {
  const session = await connect(PASSPHRASE);
  try {
    let stdout = '';
    const result = await session.run(['printf', '%s', 'opened with the passphrase'], { onStdout: (t) => (stdout += t) });
    assert.equal(result.exitCode, 0);
    assert.equal(stdout, 'opened with the passphrase');
  } finally {
    session.close();
  }
});
