/**
 * Key passphrases inside the real VS Code, against the loopback OpenSSH server with a client key
 * encrypted by `ssh-keygen -N`: running a task asks for the passphrase in a masked input box (answered
 * here by typing into the open box and VS Code's own accept command, as a keyboard user would); a
 * wrong one asks again and says why; the right one connects and offers to keep it in SecretStorage;
 * a kept passphrase is used by the next connection without asking; "NPU: Forget Remote Host Secrets"
 * removes it; Escape or three wrong answers fail the task with a clear error. The passphrase is in
 * neither the extension's log files nor settings.json.
 * Passwords the same way, against an ssh2 Server that takes one password (OpenSSH would check it
 * against a system account, which a test must not create): Not Now keeps nothing, so the next
 * connection asks again.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { startPasswordSshServer, type PasswordSshServer } from '../../unit/remote/passwordSshServer';
import { activateExtension, clearRemoteSettings, waitFor, workspaceFolder } from '../extension';

interface Report {
  result?: { exitCode: number };
  error?: string;
}
interface SecretQuestion {
  step: 'secret' | 'remember' | 'forget';
  kind?: 'passphrase' | 'password';
  items?: string[];
  host: string;
  title: string;
  prompt: string;
  password: boolean;
  problem?: string;
}

/** Distinctive, so that finding it anywhere is a leak; spaces and shell characters on purpose. */
const PASSPHRASE = 'npu passphrase 7f3a "$(x)" ü';
const WRONG = 'wrong-guess-91c4';
const NEW_PASSPHRASE = 'npu second passphrase c0de';

/** The secret question the extension shows now, if any (test-only internal command). */
const take = async () => vscode.commands.executeCommand<SecretQuestion | undefined>('npuPort.remote.takeSecretQuestion');

/** Types into the open secret box and presses Enter (VS Code's accept command). */
async function answer(text: string): Promise<void> {
  assert.equal(await vscode.commands.executeCommand('npuPort.remote.typeSecret', text), true, 'a secret box is open');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

async function question(step: SecretQuestion['step']): Promise<SecretQuestion> {
  const q = await waitFor(take, `the ${step} question`);
  assert.equal(q.step, step, JSON.stringify(q));
  return q;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

async function logText(mustShow: readonly string[]): Promise<string> {
  const logFolder = await vscode.commands.executeCommand<string>('npuPort.remote.logFolder');
  // The log is written asynchronously: wait until it shows the suite's connections.
  return waitFor(() => {
    const text = filesUnder(logFolder).map((f) => readFileSync(f, 'utf8')).join('\n');
    return mustShow.every((s) => text.includes(s)) ? text : undefined;
  }, `the extension log showing ${mustShow.join(', ')}`);
}

(sshdAvailable ? describe : describe.skip)('remote key passphrases in the real VS Code', function () {
  this.timeout(120_000);
  let server: LoopbackSshd;
  let encryptedKey: string;
  const config = () => vscode.workspace.getConfiguration('npuPort');
  /** A host entry of its own per step (connections are reused per host entry), with the encrypted key. */
  const useHost = async (name: string) => {
    await config().update('hosts', [{ ...server.ascendHost, name, identityFile: encryptedKey }], vscode.ConfigurationTarget.Global);
    await config().update('activeHost', name, vscode.ConfigurationTarget.Global);
  };
  const doctor = () => vscode.commands.executeCommand<Report | undefined>('npuPort.remoteDoctor') as Promise<Report | undefined>;

  before(async () => {
    await activateExtension();
    server = await startLoopbackSshd();
    encryptedKey = path.join(server.dir, 'client_encrypted_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'npu-port-test-encrypted', '-f', encryptedKey]);
    appendFileSync(path.join(server.dir, 'authorized_keys'), readFileSync(`${encryptedKey}.pub`));
    await config().update('knownHostsFile', server.knownHosts, vscode.ConfigurationTarget.Global);
    while (await take()) {
      // drop questions left by other suites
    }
  });

  after(async () => {
    if (encryptedKey) {
      await useHost('secret-cleanup');
      await vscode.commands.executeCommand('npuPort.forgetRemoteSecrets', 'secret-cleanup');
    }
    await clearRemoteSettings();
    await server?.stop();
  });

  it('asks in a masked box; a wrong passphrase asks again and says so; the right one connects; Remember keeps it', async () => {
    await useHost('secret-first');
    const report = doctor();
    const first = await question('secret');
    assert.equal(first.kind, 'passphrase');
    assert.equal(first.password, true, 'the input box masks what is typed');
    assert.equal(first.host, 'secret-first');
    assert.ok(first.title.includes(encryptedKey), first.title);
    assert.equal(first.problem, undefined);
    await answer(WRONG);
    const again = await question('secret');
    assert.match(again.problem ?? '', /^The passphrase for the identity file .+ is wrong\.$/);
    await answer(PASSPHRASE);
    const remember = await question('remember');
    assert.equal(remember.kind, 'passphrase');
    assert.match(remember.title, /Keep the key passphrase for secret-first in the system keychain/);
    // The first item, Remember, is active: accept it.
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const ended = await report;
    assert.equal(ended?.error, undefined);
    assert.equal(ended?.result?.exitCode, 0);
  });

  it('a new connection uses the kept passphrase without asking', async () => {
    await useHost('secret-again');
    const ended = await doctor();
    assert.equal(ended?.error, undefined);
    assert.equal(ended?.result?.exitCode, 0);
    assert.equal(await take(), undefined, 'nothing is asked');
  });

  it('a kept passphrase that no longer opens the key (key re-encrypted) is removed and asked again, saying why', async () => {
    execFileSync('ssh-keygen', ['-q', '-p', '-P', PASSPHRASE, '-N', NEW_PASSPHRASE, '-f', encryptedKey]);
    await useHost('secret-rekeyed');
    const report = doctor();
    const asked = await question('secret');
    assert.match(asked.problem ?? '', /^The passphrase for the identity file .+ is wrong\.$/);
    await answer(NEW_PASSPHRASE);
    await question('remember');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const ended = await report;
    assert.equal(ended?.error, undefined);
    assert.equal(ended?.result?.exitCode, 0);
    await logText(['ssh secret-rekeyed: the stored passphrase no longer works; it was removed from SecretStorage']);
  });

  it('NPU: Forget Remote Host Secrets removes it: the next connection asks again; Escape fails the task cleanly', async () => {
    // By host name: the secrets that host uses (its key file's passphrase, its password).
    assert.equal(await vscode.commands.executeCommand('npuPort.forgetRemoteSecrets', 'secret-rekeyed'), 1);
    await useHost('secret-forgotten');
    const report = doctor();
    const asked = await question('secret');
    assert.equal(asked.problem, undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const ended = await report;
    assert.match(ended?.error ?? '', /The identity file .+ is encrypted: its passphrase is needed\./);
    assert.equal(await take(), undefined, 'asked once, nothing else');
  });

  it('three wrong passphrases fail the task with a clear error and offer nothing to keep', async () => {
    await useHost('secret-wrong');
    const report = doctor();
    for (let i = 0; i < 3; i++) {
      const q = await question('secret');
      assert.equal(q.problem === undefined, i === 0, JSON.stringify(q));
      await answer(`${WRONG}-${i}`);
    }
    const ended = await report;
    assert.match(ended?.error ?? '', /The passphrase for the identity file .+ is wrong\./);
    assert.equal(await take(), undefined, 'no fourth question, no remember question');
  });

  it('NPU: Forget Remote Host Secrets from the Command Palette lists what is stored; All removes it', async () => {
    await useHost('secret-palette');
    const report = doctor();
    await question('secret');
    await answer(NEW_PASSPHRASE);
    await question('remember');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal((await report)?.error, undefined);
    const forgetting = vscode.commands.executeCommand<number>('npuPort.forgetRemoteSecrets');
    const pick = await question('forget');
    assert.deepEqual(pick.items, ['$(trash) All Stored Secrets', `Passphrase of the key file ${encryptedKey}`]);
    // All Stored Secrets is the first, active item.
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await forgetting, 1);
    await useHost('secret-palette-after');
    const after = doctor();
    assert.equal((await question('secret')).problem, undefined, 'asked again, with nothing stored');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.match((await after)?.error ?? '', /its passphrase is needed/);
  });

  it('the passphrase reaches neither the extension log nor settings.json', async () => {
    const log = await logText(['ssh secret-again: connected to', 'ssh secret-wrong: asking for the passphrase again']);
    for (const secret of [PASSPHRASE, NEW_PASSPHRASE, WRONG]) assert.equal(log.includes(secret), false, `"${secret}" is in the log`);
    const logFolder = await vscode.commands.executeCommand<string>('npuPort.remote.logFolder');
    // User settings: <user-data>/User/settings.json, above the logs folder; and the workspace's.
    let dir = logFolder;
    while (!existsSync(path.join(dir, 'User', 'settings.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const userSettings = path.join(dir, 'User', 'settings.json');
    assert.ok(existsSync(userSettings), `no User/settings.json above ${logFolder}`);
    const settingsText = readFileSync(userSettings, 'utf8');
    assert.ok(settingsText.includes(encryptedKey), 'the settings file holds the host entry this suite wrote');
    const workspaceSettings = path.join(workspaceFolder().fsPath, '.vscode', 'settings.json');
    const allSettings = settingsText + (existsSync(workspaceSettings) ? readFileSync(workspaceSettings, 'utf8') : '');
    for (const secret of [PASSPHRASE, NEW_PASSPHRASE, WRONG]) assert.equal(allSettings.includes(secret), false, `"${secret}" is in settings.json`);
  });
});

const PASSWORD = 'npu password 5be1 \'q\' ;x';

describe('remote passwords in the real VS Code', function () {
  this.timeout(120_000);
  let server: PasswordSshServer;
  const config = () => vscode.workspace.getConfiguration('npuPort');
  const useHost = async (name: string) => {
    const host = { name, host: '127.0.0.1', port: server.port, user: server.user, kind: 'ascend', shell: 'posix', workdir: path.join(server.knownHosts, '..', 'work') };
    await config().update('hosts', [host], vscode.ConfigurationTarget.Global);
    await config().update('activeHost', name, vscode.ConfigurationTarget.Global);
  };
  const doctor = () => vscode.commands.executeCommand<Report | undefined>('npuPort.remoteDoctor') as Promise<Report | undefined>;

  before(async () => {
    await activateExtension();
    server = await startPasswordSshServer({ password: PASSWORD, method: 'password' });
    await config().update('knownHostsFile', server.knownHosts, vscode.ConfigurationTarget.Global);
    while (await take()) {
      // drop questions left by other suites
    }
  });

  after(async () => {
    await clearRemoteSettings();
    await server?.stop();
  });

  it('asks for the password in a masked box; a wrong one asks again; the right one connects; Not Now keeps nothing', async () => {
    await useHost('pw-first');
    const report = doctor();
    const first = await question('secret');
    assert.equal(first.kind, 'password');
    assert.equal(first.password, true);
    assert.equal(first.title, `Password for ${server.user}@127.0.0.1`);
    await answer(WRONG);
    const again = await question('secret');
    assert.equal(again.problem, `The password for ${server.user}@127.0.0.1 was not accepted.`);
    await answer(PASSWORD);
    const remember = await question('remember');
    assert.match(remember.title, /Keep the password for pw-first/);
    // Not Now is the second item.
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const ended = await report;
    assert.equal(ended?.error, undefined, 'connected: the doctor ran');
    assert.ok(server.commands.length > 0, 'the doctor ran commands on the host');
    assert.deepEqual(
      server.attempts.filter((a) => a.method === 'password').map((a) => a.secrets[0]),
      [WRONG, PASSWORD],
    );
  });

  it('after Not Now the next connection asks again; Escape fails the task with a clear error', async () => {
    await useHost('pw-again');
    const report = doctor();
    const asked = await question('secret');
    assert.equal(asked.kind, 'password');
    assert.equal(asked.problem, undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const ended = await report;
    assert.match(ended?.error ?? '', /Authentication as "npu-tester" on pw-again failed/);
    const log = await logText(['ssh pw-first: connected to', 'ssh pw-again: asking for the password']);
    assert.equal(log.includes(PASSWORD), false, 'the password is in the log');
  });

  it('Remember keeps the password: the next connection does not ask; forgetting the host removes it', async () => {
    await useHost('pw-keep');
    const report = doctor();
    await question('secret');
    await answer(PASSWORD);
    assert.match((await question('remember')).title, /Keep the password for pw-keep/);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal((await report)?.error, undefined);
    await useHost('pw-kept');
    const second = await doctor();
    assert.equal(second?.error, undefined);
    assert.equal(await take(), undefined, 'nothing is asked');
    assert.equal(await vscode.commands.executeCommand('npuPort.forgetRemoteSecrets', 'pw-kept'), 1);
  });
});
