import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from '../extension';

describe('activation', () => {
  it('activates in the real extension host and registers every contributed command', async () => {
    const extension = await activateExtension();
    assert.equal(extension.id, EXTENSION_ID);
    assert.ok(extension.isActive);
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed commands without a handler');
  });

  it('runs as a workspace extension so that models stay beside the files over Remote-SSH', async () => {
    const extension = await activateExtension();
    assert.deepEqual(extension.packageJSON.extensionKind, ['workspace']);
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
  });

  it('shows its log channel from the command palette command', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('npuPort.showLog');
  });
});
