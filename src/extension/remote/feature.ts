import * as vscode from 'vscode';
import type { Feature } from '../features';
import { addRemoteHost } from './addHost';
import { bisectCompileFailure } from './bisectCommand';
import { RemoteConnections } from './connections';
import { forgetRemoteSecrets } from './forgetSecrets';
import { activeHost, readHostsSetting } from './hostsSetting';
import { createHostStatusBar } from './statusBar';
import { RemoteTaskProvider, TASK_TYPE, type NpuPortTaskDefinition, type RemoteTaskEvent } from './taskProvider';

/** Remote NPU hosts: `npu-port` tasks (convert, precheck, benchmark, doctor, run), hosts, status bar. */
export const remoteFeature: Feature = {
  id: 'remote',
  activate(context) {
    const connections = new RemoteConnections(context);
    const provider = new RemoteTaskProvider(connections, context.extension.id);
    const runTask = async (definition: { task: string; model?: string; host?: string }): Promise<vscode.TaskExecution | undefined> => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Remote tasks do not run in an untrusted workspace: they upload files and run commands on another machine. Trust the workspace to run them.'));
        return undefined;
      }
      if (!activeHost() && !definition.host) {
        await addRemoteHost();
        if (!activeHost()) return undefined;
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
        const hosts = readHostsSetting();
        const add = { label: vscode.l10n.t('$(add) Add Remote Host...'), name: '' };
        const picked = await vscode.window.showQuickPick([...hosts.map((h) => ({ label: h.name, description: `${h.user}@${h.host}:${h.port} · ${h.kind}`, name: h.name })), add], {
          title: vscode.l10n.t('Active NPU Host'),
        });
        if (!picked) return;
        if (picked === add) return addRemoteHost();
        await vscode.workspace.getConfiguration('npuPort').update('activeHost', picked.name, vscode.ConfigurationTarget.Global);
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
