/** The `npuPort.hosts` and `npuPort.activeHost` settings (same JSON as `.npu-port/hosts.json`). */
import * as vscode from 'vscode';
import { parseHosts, type HostConfig } from '../../core/remote/hosts';
import { errorMessage } from '../l10n';
import { getLog } from '../log';
import { isLocalHostName, thisMachine } from './thisMachine';

export function readHostsSetting(): HostConfig[] {
  const raw = vscode.workspace.getConfiguration('npuPort').get<unknown[]>('hosts', []);
  try {
    return parseHosts(raw);
  } catch (error) {
    const text = errorMessage(error);
    getLog().error(`npuPort.hosts: ${text}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('The npuPort.hosts setting is invalid: {0}', text));
    return [];
  }
}

export function activeHostName(): string | undefined {
  return vscode.workspace.getConfiguration('npuPort').get<string>('activeHost') || readHostsSetting()[0]?.name;
}

/** The active host: a configured one, or this machine when `npuPort.activeHost` is "local" and a toolchain is found here. */
export function activeHost(): HostConfig | undefined {
  const hosts = readHostsSetting();
  const name = vscode.workspace.getConfiguration('npuPort').get<string>('activeHost');
  if (isLocalHostName(name)) return thisMachine()?.host ?? hosts[0];
  return hosts.find((h) => h.name === name) ?? hosts[0];
}

/** A host by the name a task gives: a configured host, or this machine for "local". */
export function hostNamed(name: string): HostConfig | undefined {
  return readHostsSetting().find((h) => h.name === name) ?? (isLocalHostName(name) ? thisMachine()?.host : undefined);
}

/** Adds or replaces a host in the user settings (hosts are personal: they name machines and users). */
export async function saveHost(entry: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('npuPort');
  const current = (config.get<Record<string, unknown>[]>('hosts', []) ?? []).filter((h) => h.name !== entry.name);
  await config.update('hosts', [...current, entry], vscode.ConfigurationTarget.Global);
}
