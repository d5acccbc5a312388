/** Status bar item: the active NPU host and its connection state; click to switch hosts. */
import * as vscode from 'vscode';
import type { HostState, RemoteConnections } from './connections';
import { activeHostName } from './hostsSetting';
import { LOCAL_HOST_NAME } from '../../core/remote/local';
import { isLocalHostName, thisMachine } from './thisMachine';

const ICON: Record<HostState, string> = {
  idle: '$(remote)',
  connecting: '$(sync~spin)',
  connected: '$(pass-filled)',
  running: '$(loading~spin)',
  failed: '$(error)',
};

export function createHostStatusBar(connections: RemoteConnections): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('npuPort.remoteHost', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('NPU Remote Host');
  item.command = 'npuPort.selectRemoteHost';
  const stateText = (state: HostState): string =>
    ({
      idle: vscode.l10n.t('not connected'),
      connecting: vscode.l10n.t('connecting'),
      connected: vscode.l10n.t('connected'),
      running: vscode.l10n.t('running a task'),
      failed: vscode.l10n.t('connection failed'),
    })[state];
  const update = () => {
    const local = thisMachine();
    const name = activeHostName() ?? (local ? LOCAL_HOST_NAME : undefined);
    if (name && isLocalHostName(name) && local) {
      const state = connections.state(name);
      item.text = `${state === 'idle' || state === 'connected' ? '$(device-desktop)' : ICON[state]} ${vscode.l10n.t('This machine')}`;
      item.tooltip = vscode.l10n.t('NPU tasks run on this machine ({0}): {1}. Click to switch hosts.', local.host.kind, local.toolchain.evidence);
      item.command = 'npuPort.selectRemoteHost';
      item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    } else if (!name || isLocalHostName(name)) {
      item.text = `$(remote) ${vscode.l10n.t('NPU: no host')}`;
      item.tooltip = vscode.l10n.t('Add a remote Ascend host or Snapdragon AI PC');
      item.command = 'npuPort.addRemoteHost';
    } else {
      const state = connections.state(name);
      item.text = `${ICON[state]} ${name}`;
      item.tooltip = vscode.l10n.t('NPU host {0}: {1}. Click to switch hosts.', name, stateText(state));
      item.command = 'npuPort.selectRemoteHost';
      item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }
    item.show();
  };
  update();
  return vscode.Disposable.from(
    item,
    connections.onDidChangeState.event(update),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('npuPort.hosts') || e.affectsConfiguration('npuPort.activeHost')) update();
    }),
  );
}
