import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConnectionError, HostKeyError } from '../../../src/core/remote/errors';
import { formatKnownHostsLine, parseKnownHosts, verifyHostKey } from '../../../src/core/remote/knownHosts';
import { SshSession, type HostKeyPolicy, type UnknownHostKey } from '../../../src/core/remote/ssh';
import { SshPool } from '../../../src/core/remote/sshPool';
import { processGone, sshdAvailable, startLoopbackSshd, type LoopbackSshd } from './loopbackSshd';
import { waitFor } from '../wait';

let server: LoopbackSshd;
let local: string;
const skip = !sshdAvailable && 'OpenSSH server (openssh-server) is not installed';

before(async () => {
  if (skip) return;
  server = await startLoopbackSshd();
  local = mkdtempSync(path.join(tmpdir(), 'npu-port-ssh-local-'));
});
after(async () => {
  await server?.stop();
  if (local) rmSync(local, { recursive: true, force: true });
});

const trusted = (): HostKeyPolicy => ({ knownHostsFiles: [server.knownHosts] });

async function collect(session: SshSession, argv: string[], signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const result = await session.run(argv, { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t), ...(signal ? { signal } : {}) });
  return { ...result, stdout, stderr };
}

test('hostile arguments arrive intact at the remote program and run nothing else', { skip }, async () => {
  const session = await SshSession.connect(server.ascendHost, { hostKeys: trusted() });
  try {
    const sentinel = path.join(server.dir, 'injected');
    const hostile = ['a b', "it's", 'x"y', `$(touch ${sentinel})`, `\`touch ${sentinel}\``, `; touch ${sentinel}`, 'l1\nl2', '模型 文件.onnx', '', '*', '$HOME'];
    const r = await collect(session, [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...hostile]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), hostile);
    assert.equal(existsSync(sentinel), false);
  } finally {
    session.close();
  }
});

test('output streams while the program runs; the exit code comes back; set-up applies', { skip }, async () => {
  const session = await SshSession.connect(server.ascendHost, { hostKeys: trusted() });
  try {
    const chunks: string[] = [];
    let firstChunkAt = 0;
    const started = Date.now();
    const result = await session.run(['sh', '-c', 'echo one; sleep 0.6; echo two; echo "$NPU_PORT_STANDIN_DIR" >&2; exit 3'], {
      onStdout: (t) => {
        if (!chunks.length) firstChunkAt = Date.now() - started;
        chunks.push(t);
      },
      onStderr: (t) => chunks.push(`ERR:${t}`),
    });
    assert.equal(result.exitCode, 3);
    assert.ok(chunks.length >= 2, 'several chunks');
    assert.equal(chunks[0], 'one\n');
    assert.ok(firstChunkAt < Date.now() - started, 'first output arrived before the end');
    assert.ok(chunks.some((c) => c === `ERR:${server.standinDir}\n`), `stderr without the markers: ${JSON.stringify(chunks)}`);
  } finally {
    session.close();
  }
});

test('cancellation kills the remote process and its children, quietly (no setsid complaint on stderr)', { skip }, async () => {
  const session = await SshSession.connect(server.ascendHost, { hostKeys: trusted() });
  try {
    server.setScenario('atc', 'slow');
    const controller = new AbortController();
    const pidsFile = path.join(server.standinDir, 'atc.pids');
    rmSync(pidsFile, { force: true });
    let stderr = '';
    const running = session.run(['atc', '--framework=5'], { signal: controller.signal, onStdout: () => undefined, onStderr: (t) => (stderr += t) });
    await waitFor(() => existsSync(pidsFile) || undefined, 'the stand-in atc to start');
    const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
    assert.equal(pids.length, 2);
    assert.ok(pids.every((p) => !processGone(p)), 'tool and child run before the cancel');
    controller.abort();
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    for (let i = 0; i < 40 && !pids.every(processGone); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(pids.filter((p) => !processGone(p)), [], 'remote processes still running after cancel');
    assert.doesNotMatch(stderr, /setsid/);
    // The connection stays usable.
    assert.equal((await collect(session, ['true'])).exitCode, 0);
  } finally {
    server.setScenario('atc', 'ok');
    session.close();
  }
});

test('cancelling before the job has announced its process group still kills it', { skip }, async () => {
  const session = await SshSession.connect(server.ascendHost, { hostKeys: trusted() });
  try {
    server.setScenario('atc', 'slow');
    const pidsFile = path.join(server.standinDir, 'atc.pids');
    rmSync(pidsFile, { force: true });
    const controller = new AbortController();
    const running = session.run(['atc'], { signal: controller.signal, onStdout: () => undefined });
    controller.abort();
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    // Give a job that slipped through time to write its pids, then check none of them lives.
    await new Promise((r) => setTimeout(r, 500));
    const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number) : [];
    assert.deepEqual(pids.filter((p) => !processGone(p)), []);
  } finally {
    server.setScenario('atc', 'ok');
    session.close();
  }
});

test('a changed host key is refused with a clear error', { skip }, async () => {
  const other = path.join(local, 'known_hosts_changed');
  const otherKey = Buffer.from(readFileSync(server.knownHosts, 'utf8').split(/\s+/)[2]!, 'base64');
  otherKey[otherKey.length - 1] ^= 0xff;
  writeFileSync(other, formatKnownHostsLine('127.0.0.1', server.port, otherKey) + '\n');
  let asked = false;
  await assert.rejects(
    SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [other], onUnknownKey: async () => ((asked = true), 'accept-once') } }),
    (e: unknown) => e instanceof HostKeyError && e.status === 'changed' && e.fingerprint === server.hostKeyFingerprint && /CHANGED/.test(e.message),
  );
  assert.equal(asked, false, 'a changed key must not be offered for acceptance');
});

test('an unknown host key is offered with its SHA256 fingerprint; accepted keys are saved hashed; refused keys fail', { skip }, async () => {
  const store = path.join(local, 'own_known_hosts');
  rmSync(store, { force: true });
  const seen: UnknownHostKey[] = [];
  await assert.rejects(
    SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [], ownStore: store, onUnknownKey: async (k) => (seen.push(k), 'reject') } }),
    (e: unknown) => e instanceof HostKeyError && e.status === 'unknown',
  );
  assert.equal(seen[0]?.fingerprint, server.hostKeyFingerprint);
  assert.equal(seen[0]?.keyType, 'ssh-ed25519');
  const session = await SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [], ownStore: store, onUnknownKey: async (k) => (seen.push(k), 'accept-save') } });
  session.close();
  assert.match(readFileSync(store, 'utf8'), /^\|1\|/);
  // Second time the hashed entry is found: no question.
  const again = await SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [], ownStore: store, onUnknownKey: async () => assert.fail('asked again') } });
  again.close();
  assert.equal(seen.length, 2);
});

test('the handshake timeout stops while the user reads the fingerprint; without a question it still applies', { skip }, async () => {
  // Answered a whole timeout after the question came: the attempt outlives its timeout and still
  // connects (the server's LoginGraceTime is the limit). The timeout leaves the real sshd time to reach
  // the question on a loaded machine (300 ms did not, 1 run in about 140 of a loop).
  const timeoutMs = 2000;
  const started = Date.now();
  const slow = await SshSession.connect(server.ascendHost, {
    readyTimeoutMs: timeoutMs,
    hostKeys: { knownHostsFiles: [], onUnknownKey: () => new Promise((resolve) => setTimeout(() => resolve('accept-once'), timeoutMs)) },
  });
  slow.close();
  assert.ok(Date.now() - started > timeoutMs, 'the attempt lasted longer than its timeout');
  // A server that accepts the TCP connection and never speaks SSH: the timeout ends the attempt.
  const { createServer } = await import('node:net');
  const accepted: import('node:net').Socket[] = [];
  const mute = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  try {
    const port = (mute.address() as { port: number }).port;
    await assert.rejects(
      SshSession.connect({ ...server.ascendHost, port }, { readyTimeoutMs: 300, hostKeys: { knownHostsFiles: [] } }),
      (e: unknown) => e instanceof ConnectionError && /no SSH handshake within 300 ms/.test(e.message),
    );
  } finally {
    for (const socket of accepted) socket.destroy();
    mute.close();
  }
});

test('known_hosts: hashed entries written by ssh-keygen -H, patterns and negation', { skip }, async () => {
  const { execFileSync } = await import('node:child_process');
  const file = path.join(local, 'kh_hash');
  writeFileSync(file, readFileSync(server.knownHosts));
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\|1\|/);
  const key = Buffer.from(text.split(/\s+/)[2]!, 'base64');
  assert.equal(verifyHostKey(parseKnownHosts(text), '127.0.0.1', server.port, key).status, 'known');
  assert.equal(verifyHostKey(parseKnownHosts(text), '127.0.0.1', server.port + 1, key).status, 'unknown');
  const b64 = key.toString('base64');
  assert.equal(verifyHostKey(parseKnownHosts(`*.lab,!bad.lab ssh-ed25519 ${b64}`), 'npu1.lab', 22, key).status, 'known');
  assert.equal(verifyHostKey(parseKnownHosts(`*.lab,!bad.lab ssh-ed25519 ${b64}`), 'bad.lab', 22, key).status, 'unknown');
  assert.equal(verifyHostKey(parseKnownHosts(`@revoked * ssh-ed25519 ${b64}`), 'x', 22, key).status, 'revoked');
});

test('upload sends only changed content, atomically; download replaces only on success', { skip }, async () => {
  const pool = SshPool.withOptions(() => ({ hostKeys: trusted() }));
  try {
    const { session } = await pool.get(server.ascendHost);
    const again = await pool.get(server.ascendHost);
    assert.equal(again.session, session, 'one reused connection per host');
    assert.equal(again.connectMs, 0);
    const file = path.join(local, 'model one.onnx');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    const remote = path.posix.join(server.ascendHost.workdir, 'models', 'model one.onnx');
    const first = await session.upload(file, remote);
    assert.deepEqual([first.bytes, first.skipped], [3 * 1024 * 1024, false]);
    const second = await session.upload(file, remote);
    assert.deepEqual([second.bytes, second.skipped], [0, true]);
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 8));
    const third = await session.upload(file, remote);
    assert.equal(third.skipped, false);
    assert.deepEqual(readFileSync(remote), readFileSync(file), 'remote copy equals local');

    const target = path.join(local, 'out.om');
    writeFileSync(target, 'GOOD');
    await assert.rejects(session.download(remote + '.missing', target));
    assert.equal(readFileSync(target, 'utf8'), 'GOOD');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(session.download(remote, target, { signal: controller.signal }));
    assert.equal(readFileSync(target, 'utf8'), 'GOOD');
    await session.download(remote, target);
    assert.deepEqual(readFileSync(target), readFileSync(file));
  } finally {
    pool.closeAll();
  }
});

test('a cancelled upload leaves neither a partial file nor a changed target on the host', { skip }, async () => {
  const { readdirSync } = await import('node:fs');
  const session = await SshSession.connect(server.ascendHost, { hostKeys: trusted() });
  try {
    const dir = path.posix.join(server.ascendHost.workdir, 'cancel-upload');
    const target = path.posix.join(dir, 'big.bin');
    const small = path.join(local, 'small.bin');
    writeFileSync(small, 'OLD');
    await session.upload(small, target);
    const big = path.join(local, 'big.bin');
    writeFileSync(big, Buffer.alloc(64 * 1024 * 1024, 1));
    const controller = new AbortController();
    const uploading = session.upload(big, target, { signal: controller.signal });
    // Cancel in the middle of the transfer: once the temporary file is on the host.
    await waitFor(() => readdirSync(dir).some((f) => f.endsWith('.part')) || undefined, 'the .part file on the host', 20_000, 5);
    controller.abort();
    await assert.rejects(uploading, (e: Error) => e.name === 'AbortError');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(readdirSync(dir), ['big.bin'], 'no .part file left behind');
    assert.equal(readFileSync(target, 'utf8'), 'OLD');
  } finally {
    session.close();
  }
});

test('a connection dropped mid-run fails the run with a clear error, and the pool reconnects later', { skip }, async () => {
  const doomed = await startLoopbackSshd();
  const pool = SshPool.withOptions(() => ({ hostKeys: { knownHostsFiles: [doomed.knownHosts] }, keepaliveIntervalMs: 1000 }));
  try {
    doomed.setScenario('atc', 'slow');
    const { session } = await pool.get(doomed.ascendHost);
    const pidsFile = path.join(doomed.standinDir, 'atc.pids');
    const running = session.run(['atc'], { onStdout: () => undefined });
    await waitFor(() => existsSync(pidsFile) || undefined, 'the stand-in atc to start');
    doomed.kill();
    await assert.rejects(running, (e: unknown) => e instanceof ConnectionError && e.host === 'ascend-loopback' && /connection to ascend-loopback was lost/.test(e.message));
    assert.equal(session.isOpen, false);
    await assert.rejects(pool.get(doomed.ascendHost), (e: unknown) => e instanceof ConnectionError);
  } finally {
    pool.closeAll();
    // The stand-in and its child lost their server; end them (they were started by this test).
    const pidsFile = path.join(doomed.standinDir, 'atc.pids');
    if (existsSync(pidsFile)) for (const pid of readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await doomed.stop();
  }
});

test('an encrypted identity file asks for its passphrase; with it the connection works', { skip }, async () => {
  const { execFileSync } = await import('node:child_process');
  const { appendFileSync } = await import('node:fs');
  const { AuthenticationError } = await import('../../../src/core/remote/errors.js');
  const key = path.join(local, 'encrypted_ed25519');
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  // One bcrypt KDF round (-a 1): the default 16 cost about 1 s of CPU in ssh2's JavaScript KDF per
  // decryption (more on a loaded machine) and change nothing that is tested (asking, then decrypting).
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '1', '-N', 'sesame 芝麻', '-f', key]);
  appendFileSync(path.join(server.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
  const host = { ...server.ascendHost, identityFile: key };
  await assert.rejects(SshSession.connect(host, { hostKeys: trusted(), credentials: { agent: '' } }), (e: unknown) => e instanceof AuthenticationError && e.needs === 'passphrase');
  const session = await SshSession.connect(host, { hostKeys: trusted(), credentials: { passphrase: 'sesame 芝麻' } });
  session.close();
});
