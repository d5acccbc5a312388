/** "NPU: Add Remote Host": from ~/.ssh/config or typed in, step by step, saved to npuPort.hosts. */
import * as vscode from 'vscode';
import { HOST_KINDS, readSshConfigHosts, type HostKind } from '../../core/remote/hosts';
import { saveHost } from './hostsSetting';

const KIND_LABELS = (): Record<HostKind, string> => ({
  ascend: vscode.l10n.t('Huawei Ascend (CANN: atc, msame, npu-smi)'),
  'qnn-windows': vscode.l10n.t('Snapdragon AI PC, Windows (QAIRT / QNN, PowerShell)'),
  'qnn-linux': vscode.l10n.t('Qualcomm QNN on Linux (QAIRT)'),
});

export async function addRemoteHost(): Promise<void> {
  const fromConfig = await readSshConfigHosts();
  const manual = { label: vscode.l10n.t('$(edit) Enter host details'), alias: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick(
    [manual, ...fromConfig.map((h) => ({ label: h.alias, description: `${h.user ? h.user + '@' : ''}${h.hostName}${h.port ? ':' + h.port : ''}`, detail: vscode.l10n.t('from ~/.ssh/config'), alias: h.alias }))],
    { title: vscode.l10n.t('Add Remote NPU Host'), placeHolder: vscode.l10n.t('Pick a host from ~/.ssh/config or enter one') },
  );
  if (!picked) return;
  const base = fromConfig.find((h) => h.alias === picked.alias);
  const ask = (prompt: string, value = '', validate?: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: vscode.l10n.t('Add Remote NPU Host'), prompt, value, ignoreFocusOut: true, ...(validate ? { validateInput: validate } : {}) });
  const name = await ask(vscode.l10n.t('A short name for this host'), base?.alias ?? '', (v) => (v.trim() ? undefined : vscode.l10n.t('A name is required.')));
  if (!name) return;
  const host = await ask(vscode.l10n.t('Host name or IP address'), base?.hostName ?? '', (v) => (v.trim() ? undefined : vscode.l10n.t('A host is required.')));
  if (!host) return;
  const port = await ask(vscode.l10n.t('SSH port'), String(base?.port ?? 22), (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : vscode.l10n.t('A port number (1-65535).')));
  if (!port) return;
  const user = await ask(vscode.l10n.t('User name'), base?.user ?? '');
  if (user === undefined) return;
  const identityFile = await ask(vscode.l10n.t('Private key file (empty: SSH agent or password)'), base?.identityFile ?? '');
  if (identityFile === undefined) return;
  const labels = KIND_LABELS();
  const kind = await vscode.window.showQuickPick(HOST_KINDS.map((k) => ({ label: labels[k], hostKind: k })), { title: vscode.l10n.t('What kind of NPU host is it?') });
  if (!kind) return;
  const defaultSetup = kind.hostKind === 'ascend' ? '. /usr/local/Ascend/ascend-toolkit/set_env.sh' : kind.hostKind === 'qnn-windows' ? "& 'C:\\Qualcomm\\AIStack\\QAIRT\\<version>\\bin\\envsetup.ps1'" : '. <QNN_SDK_ROOT>/bin/envsetup.sh';
  const setup = await ask(vscode.l10n.t('Environment set-up run before every tool (CANN set_env.sh, QAIRT envsetup)'), defaultSetup);
  if (setup === undefined) return;
  const workdir = await ask(vscode.l10n.t('Remote work folder for uploads and outputs'), 'npu-port');
  if (workdir === undefined) return;
  await saveHost({
    name: name.trim(),
    host: host.trim(),
    port: Number(port),
    ...(user ? { user } : {}),
    ...(identityFile ? { identityFile } : {}),
    kind: kind.hostKind,
    shell: kind.hostKind === 'qnn-windows' ? 'powershell' : 'posix',
    workdir: workdir || 'npu-port',
    ...(setup && !setup.includes('<') ? { setup } : {}),
  });
  await vscode.workspace.getConfiguration('npuPort').update('activeHost', name.trim(), vscode.ConfigurationTarget.Global);
  const doctor = vscode.l10n.t('Run Doctor');
  if ((await vscode.window.showInformationMessage(vscode.l10n.t('Host "{0}" added.', name.trim()), doctor)) === doctor) {
    await vscode.commands.executeCommand('npuPort.remoteDoctor');
  }
}
