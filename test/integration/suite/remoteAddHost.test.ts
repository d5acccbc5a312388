/**
 * NPU: Add Remote Host in the real VS Code: user@host:port typed in the first step, a host from an
 * ssh config file, each field validated as typed (the message under the box), the step counter and
 * Back (VS Code's quickInputBack command, what the Back button and its keybinding run).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WizardStep } from '../../../src/extension/remote/addHost';
import { activateExtension, clearRemoteSettings, waitFor } from '../extension';

const current = () => vscode.commands.executeCommand<WizardStep | undefined>('npuPort.remote.wizardStep');
const stepAt = (n: number) => waitFor(async () => { const s = await current(); return s?.step === n ? s : undefined; }, `step ${n}`);
const type = async (text: string) => assert.equal(await vscode.commands.executeCommand('npuPort.remote.wizardType', text), true);
const accept = () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');

describe('add remote host wizard', function () {
  this.timeout(60_000);
  let dir: string;
  let config: string;
  before(async () => {
    await activateExtension();
    dir = mkdtempSync(path.join(tmpdir(), 'npu-wizard-'));
    config = path.join(dir, 'config');
    writeFileSync(config, 'Host npu-box\n  HostName 10.0.0.7\n  User ma-user\n  Port 2200\n');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await clearRemoteSettings();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts user@host:port, rejects a bad port with a message under the box, Back works, saves the host', async () => {
    void vscode.commands.executeCommand('npuPort.addRemoteHost', config);
    const first = await stepAt(1);
    assert.equal(first.totalSteps, 9);
    assert.equal(first.back, false);
    assert.ok(first.items?.includes('npu-box'), JSON.stringify(first));
    await type('root@127.0.0.1:2222');
    await waitFor(async () => ((await current())?.active === 'root@127.0.0.1:2222' ? true : undefined), 'the typed host offered');
    await accept();
    const name = await stepAt(2);
    assert.equal(name.value, '127.0.0.1');
    assert.equal(name.back, true);
    await accept();
    assert.equal((await stepAt(3)).value, '127.0.0.1');
    await type('root@127.0.0.1');
    assert.equal((await current())?.validationMessage, undefined);
    await accept();
    const port = await stepAt(4);
    assert.equal(port.value, '2222');
    await type('99999');
    assert.match((await current())?.validationMessage ?? '', /"99999" is not a port: a number from 1 to 65535/);
    await accept();
    await type('2222'); // still the port step: the bad value was not taken
    assert.equal((await current())?.step, 4);
    assert.equal((await current())?.validationMessage, undefined);
    await accept();
    assert.equal((await stepAt(5)).value, 'root');
    await vscode.commands.executeCommand('workbench.action.quickInputBack');
    assert.equal((await stepAt(4)).value, '2222');
    await accept();
    await stepAt(5);
    await accept();
    await stepAt(6);
    await accept();
    await stepAt(7);
    await accept(); // the first kind: Ascend
    await stepAt(8);
    await accept();
    await stepAt(9);
    await accept();
    const saved = await waitFor(() => vscode.workspace.getConfiguration('npuPort').get<{ name: string; host: string; port: number; user?: string }[]>('hosts', []).find((h) => h.name === '127.0.0.1'), 'the saved host');
    assert.deepEqual({ host: saved.host, port: saved.port, user: saved.user }, { host: '127.0.0.1', port: 2222, user: 'root' });
  });

  it('a host from the ssh config file fills name, host, port and user', async () => {
    void vscode.commands.executeCommand('npuPort.addRemoteHost', config);
    await stepAt(1);
    await type('npu-box');
    await waitFor(async () => ((await current())?.active === 'npu-box' ? true : undefined), 'the config host active');
    await accept();
    assert.equal((await stepAt(2)).value, 'npu-box');
    await accept();
    assert.equal((await stepAt(3)).value, '10.0.0.7');
    await accept();
    assert.equal((await stepAt(4)).value, '2200');
    await accept();
    assert.equal((await stepAt(5)).value, 'ma-user');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await waitFor(async () => ((await current()) === undefined ? true : undefined), 'the wizard closed');
  });
});
