import * as vscode from 'vscode';
import type { RemoteConnections } from './connections';
import { readHostsSetting } from './hostsSetting';

/**
 * "NPU: Forget Remote Host Secrets": removes stored passphrases and passwords from SecretStorage,
 * all of them or one (picked); with a host name (tests, keybindings) those of that host, unasked.
 * Returns how many were removed.
 */
export async function forgetRemoteSecrets(connections: RemoteConnections, hostName?: string): Promise<number> {
  const stored = connections.storedSecrets();
  if (typeof hostName === 'string') {
    const host = readHostsSetting().find((h) => h.name === hostName);
    if (!host) return 0;
    const keys = connections.secretKeysOf(host).filter((k) => stored.some((s) => s.key === k));
    const count = await connections.forgetSecrets(keys);
    void vscode.window.showInformationMessage(vscode.l10n.t('Removed {0} stored secret(s) of host "{1}".', count, hostName));
    return count;
  }
  if (!stored.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No remote host passphrase or password is stored.'));
    return 0;
  }
  type Item = vscode.QuickPickItem & { keys: string[] };
  const all: Item = { label: vscode.l10n.t('$(trash) All Stored Secrets'), description: String(stored.length), keys: stored.map((s) => s.key) };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = vscode.l10n.t('Forget Remote Host Secrets');
  pick.placeholder = vscode.l10n.t('Stored passphrases and passwords are removed from the system keychain; the next connection asks again.');
  pick.items = [all, ...stored.map((s) => ({ label: s.label, keys: [s.key] }))];
  const picked = await new Promise<Item | undefined>((resolve) => {
    let chosen: Item | undefined;
    // For the tests: published once the workbench reports an active item (the pick is ready).
    const ready = pick.onDidChangeActive((active) => {
      if (!active.length) return;
      ready.dispose();
      connections.lastSecretQuestion = { step: 'forget', host: '', title: pick.title ?? '', prompt: pick.placeholder ?? '', password: false, items: pick.items.map((i) => i.label) };
    });
    pick.onDidAccept(() => {
      chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      pick.hide();
    });
    pick.onDidHide(() => {
      ready.dispose();
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });
  if (!picked) return 0;
  const count = await connections.forgetSecrets(picked.keys);
  void vscode.window.showInformationMessage(vscode.l10n.t('Removed {0} stored secret(s).', count));
  return count;
}
