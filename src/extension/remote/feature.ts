import * as vscode from 'vscode';
import type { Feature } from '../features';
import { addRemoteHost, wizardStep, wizardType } from './addHost';
import { bisectCompileFailure } from './bisectCommand';
import { RemoteConnections } from './connections';
import { forgetRemoteSecrets } from './forgetSecrets';
import { activeHost, readHostsSetting } from './hostsSetting';
import { createHostStatusBar } from './statusBar';
import { setLocalWorkFolder, thisMachine } from './thisMachine';
import { LOCAL_HOST_NAME } from '../../core/remote/local';
import { RemoteTaskProvider, TASK_TYPE, type NpuPortTaskDefinition, type RemoteTaskEvent } from './taskProvider';

/**
 * The active host, picked from the configured hosts and "This machine" (when its toolchain is found here),
 * and saved in `npuPort.activeHost`. Returns the host name, 'add' for "Add Remote Host...", or undefined.
 */
async function pickHost(): Promise<string | undefined> {
  const local = thisMachine();
  const items: (vscode.QuickPickItem & { name: string })[] = [
    ...(local ? [{ label: vscode.l10n.t('$(device-desktop) This machine'), description: `${local.host.host} · ${local.host.kind}`, detail: local.toolchain.evidence, name: LOCAL_HOST_NAME }] : []),
    ...readHostsSetting().map((h) => ({ label: h.name, description: `${h.user}@${h.host}:${h.port} · ${h.kind}`, name: h.name })),
    { label: vscode.l10n.t('$(add) Add Remote Host...'), name: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Active NPU Host') });
  if (!picked) return undefined;
  if (!picked.name) return 'add';
  await vscode.workspace.getConfiguration('npuPort').update('activeHost', picked.name, vscode.ConfigurationTarget.Global);
  return picked.name;
}

/** Remote NPU hosts: `npu-port` tasks (convert, precheck, benchmark, doctor, run), hosts, status bar. */
export const remoteFeature: Feature = {
  id: 'remote',
  activate(context) {
    setLocalWorkFolder(context.globalStorageUri.fsPath);
    const connections = new RemoteConnections(context);
    const provider = new RemoteTaskProvider(connections, context.extension.id);
    const runTask = async (definition: { task: string; model?: string; host?: string }): Promise<vscode.TaskExecution | undefined> => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Remote tasks do not run in an untrusted workspace: they upload files and run commands on another machine. Trust the workspace to run them.'));
        return undefined;
      }
      if (!activeHost() && !definition.host) {
        // No host configured: offer this machine when its toolchain is here, else the host wizard.
        const picked = thisMachine() ? await pickHost() : 'add';
        if (picked === 'add') {
          await addRemoteHost();
          if (!activeHost()) return undefined;
        } else if (picked) definition = { ...definition, host: picked };
        else return undefined;
      }
      const folder = definition.model ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(definition.model)) : undefined;
      return vscode.tasks.executeTask(provider.build({ type: TASK_TYPE, ...definition } as NpuPortTaskDefinition, folder ?? vscode.TaskScope.Workspace));
    };
    const modelArg = (arg: unknown): string | undefined => {
      if (arg instanceof vscode.Uri) return arg.fsPath;
      const active = vscode.window.activeTextEditor?.document.uri ?? (vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined)?.uri;
      return active?.fsPath.endsWith('.onnx') ? active.fsPath : undefined;
    };
    context.subscriptions.push(
      connections,
      provider,
      vscode.tasks.registerTaskProvider(TASK_TYPE, provider),
      createHostStatusBar(connections),
      vscode.commands.registerCommand('npuPort.addRemoteHost', addRemoteHost),
      vscode.commands.registerCommand('npuPort.selectRemoteHost', async () => {
        const picked = await pickHost();
        if (picked === 'add') return addRemoteHost();
      }),
      vscode.commands.registerCommand('npuPort.remoteDoctor', async () => {
        // Resolves with the task's report when it ends (the integration tests read it).
        let listener: vscode.Disposable | undefined;
        const reported = new Promise<RemoteTaskEvent | undefined>((resolve) => {
          listener = provider.onDidReport((e) => {
            if (e.definition.task !== 'doctor' || e.step) return;
            listener?.dispose();
            resolve(e);
          });
        });
        if (await runTask({ task: 'doctor' })) return reported;
        listener?.dispose();
        return undefined;
      }),
      // Internal (not in the manifest): the last host key question, for the integration tests.
      vscode.commands.registerCommand('npuPort.remote.takeHostKeyQuestion', () => {
        const question = connections.lastHostKeyQuestion;
        connections.lastHostKeyQuestion = undefined;
        return question;
      }),
      // Internal (not in the manifest): the last passphrase/password question or remember pick, and
      // typing into the open secret box; the integration tests answer with VS Code's quick-open commands.
      vscode.commands.registerCommand('npuPort.remote.takeSecretQuestion', () => {
        const question = connections.lastSecretQuestion;
        connections.lastSecretQuestion = undefined;
        return question;
      }),
      // Internal: the Add Remote Host step on screen and typing into it, for the integration tests.
      vscode.commands.registerCommand('npuPort.remote.wizardStep', wizardStep),
      vscode.commands.registerCommand('npuPort.remote.wizardType', wizardType),
      vscode.commands.registerCommand('npuPort.remote.typeSecret', (text: string) => connections.typeIntoSecretBox(text)),
      // Internal: the folder of the extension's log files (the tests check that no secret is in them).
      vscode.commands.registerCommand('npuPort.remote.logFolder', () => context.logUri.fsPath),
      vscode.commands.registerCommand('npuPort.forgetRemoteSecrets', (hostName?: string) => forgetRemoteSecrets(connections, hostName)),
      vscode.commands.registerCommand('npuPort.remoteConvert', async (arg?: unknown) => {
        const model = modelArg(arg);
        if (!model) return void vscode.window.showWarningMessage(vscode.l10n.t('Open or select an .onnx model to compile for the remote target.'));
        await runTask({ task: 'convert', model });
      }),
      vscode.commands.registerCommand('npuPort.remotePrecheck', async (arg?: unknown) => {
        const model = modelArg(arg);
        if (!model) return void vscode.window.showWarningMessage(vscode.l10n.t('Open or select an .onnx model to pre-check on the remote host.'));
        await runTask({ task: 'precheck', model });
      }),
      vscode.commands.registerCommand('npuPort.remoteBisect', async (arg?: unknown) => {
        const model = modelArg(arg);
        if (!model) return void vscode.window.showWarningMessage(vscode.l10n.t('Open or select the .onnx model that fails to compile.'));
        return bisectCompileFailure(provider, runTask, model);
      }),
    );
  },
};
