import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'npu-port.npu-porting-assistant';

/** Activates the extension under test and returns it. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is not open');
  return folder.uri;
}

export { waitFor } from '../unit/wait';

/** Puts the remote host settings a suite changed back to their defaults (hosts, active host, known_hosts file). */
export async function clearRemoteSettings(): Promise<void> {
  const config = vscode.workspace.getConfiguration('npuPort');
  for (const key of ['hosts', 'activeHost', 'knownHostsFile']) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
}

/** Resolves with the exit code of the next `npu-port` task of this kind whose process ends (call it before starting the task). */
export function nextTaskEnd(kind: string): Promise<number | undefined> {
  return new Promise<number | undefined>((resolve) => {
    const l = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.task !== kind) return;
      l.dispose();
      resolve(e.exitCode);
    });
  });
}
