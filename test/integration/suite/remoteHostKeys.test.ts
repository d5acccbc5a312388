/**
 * Host keys inside the real VS Code, against a loopback OpenSSH server with a fresh host key: an unknown
 * key is asked about in a quick pick that shows its SHA256 fingerprint (answered here with VS Code's own
 * quick-open commands, as a keyboard user would); refusing fails the task with a clear error; trusting
 * and remembering stores the key in the extension's own store, so the next connection does not ask; a
 * key that differs from a recorded one is refused without asking.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { activateExtension, clearRemoteSettings, waitFor } from '../extension';

interface Report {
  result?: { exitCode: number };
  error?: string;
}
interface Question {
  fingerprint: string;
  keyType: string;
  port: number;
  title: string;
  placeholder: string;
}

(sshdAvailable ? describe : describe.skip)('remote host keys in the real VS Code', function () {
  this.timeout(120_000);
  let server: LoopbackSshd;
  const config = () => vscode.workspace.getConfiguration('npuPort');
  const take = async () => vscode.commands.executeCommand<Question | undefined>('npuPort.remote.takeHostKeyQuestion');
  /** A host entry of its own per step: each gets a new connection (connections are reused per host). */
  const useHost = async (name: string) => {
    await config().update('hosts', [{ ...server.ascendHost, name }], vscode.ConfigurationTarget.Global);
    await config().update('activeHost', name, vscode.ConfigurationTarget.Global);
  };
  const doctor = () => vscode.commands.executeCommand<Report | undefined>('npuPort.remoteDoctor') as Promise<Report | undefined>;

  before(async () => {
    await activateExtension();
    server = await startLoopbackSshd();
    // No known_hosts holds this server's key: only ~/.ssh/known_hosts and the extension's own store are read.
    await config().update('knownHostsFile', undefined, vscode.ConfigurationTarget.Global);
    await take();
  });

  after(async () => {
    await clearRemoteSettings();
    await server?.stop();
  });

  it('asks about an unknown key with its SHA256 fingerprint; refusing fails the task with a clear error', async () => {
    await useHost('hostkey-refuse');
    const report = doctor();
    const question = await waitFor(take, 'the host key question');
    assert.equal(question.fingerprint, server.hostKeyFingerprint);
    assert.match(question.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(question.port, server.port);
    assert.ok(question.placeholder.includes(server.hostKeyFingerprint), question.placeholder);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const ended = await report;
    assert.ok(ended?.error, 'the task reports an error');
    assert.match(ended.error, /is not known: ssh-ed25519 SHA256:/);
    assert.ok(ended.error.includes(server.hostKeyFingerprint));
  });

  // Before any key is remembered: the own store would otherwise know the right key.
  it('refuses a key that differs from the recorded one, without asking', async () => {
    // A known_hosts that records another key for this server's address.
    const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-it-kh-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other_key')]);
    const otherKey = readFileSync(path.join(dir, 'other_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const other = readFileSync(server.knownHosts, 'utf8').replace(/ssh-ed25519 \S+/, otherKey);
    const file = path.join(dir, 'known_hosts');
    writeFileSync(file, other);
    await config().update('knownHostsFile', file, vscode.ConfigurationTarget.Global);
    try {
      await useHost('hostkey-changed');
      const ended = await doctor();
      assert.match(ended?.error ?? '', /has CHANGED/);
      assert.equal(await take(), undefined, 'a changed key is never asked about');
    } finally {
      await config().update('knownHostsFile', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Trust and Remember connects and stores the key: the next connection does not ask', async () => {
    await useHost('hostkey-accept');
    const report = doctor();
    const question = await waitFor(take, 'the host key question');
    assert.equal(question.fingerprint, server.hostKeyFingerprint);
    // The first item, Trust and Remember, is active: accept it.
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const first = await report;
    assert.equal(first?.error, undefined);
    assert.equal(first?.result?.exitCode, 0);
    // A new connection (another host entry, same server): the stored key is known, nothing is asked.
    await useHost('hostkey-again');
    const second = await doctor();
    assert.equal(second?.error, undefined);
    assert.equal(second?.result?.exitCode, 0);
    assert.equal(await take(), undefined, 'no question the second time');
  });
});
