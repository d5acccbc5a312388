/**
 * One SSH connection per host for the whole window: host keys checked against ~/.ssh/known_hosts
 * and the extension's own store (a known_hosts file in global storage), unknown keys asked with
 * their SHA256 fingerprint, passphrases and passwords asked when needed and kept only in
 * SecretStorage when the user says so. Secrets never reach the log or a setting.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuthenticationError } from '../../core/remote/errors';
import { expandHome, type HostConfig } from '../../core/remote/hosts';
import { SshPool, SshSession, type SshCredentials, type UnknownHostKey, type UnknownKeyDecision } from '../../core/remote/ssh';
import { getLog } from '../log';

/** ~/.ssh/known_hosts, plus the file of the `npuPort.knownHostsFile` setting (a team's shared known_hosts). */
function knownHostsFiles(): string[] {
  const extra = vscode.workspace.getConfiguration('npuPort').get<string>('knownHostsFile');
  return [path.join(os.homedir(), '.ssh', 'known_hosts'), ...(extra ? [expandHome(extra)] : [])];
}

export type HostState = 'idle' | 'connecting' | 'connected' | 'running' | 'failed';

export class RemoteConnections implements vscode.Disposable {
  private readonly pool = new SshPool((host, signal) => this.connect(host, signal));
  readonly onDidChangeState = new vscode.EventEmitter<{ host: string; state: HostState }>();
  private readonly states = new Map<string, HostState>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  state(host: string): HostState {
    return this.states.get(host) ?? 'idle';
  }

  setState(host: string, state: HostState): void {
    this.states.set(host, state);
    this.onDidChangeState.fire({ host, state });
  }

  private get ownStore(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'known_hosts');
  }

  private secretKey(host: HostConfig, kind: 'passphrase' | 'password'): string {
    return `npuPort.ssh.${kind}:${host.user}@${host.host}:${host.port}`;
  }

  /** The last host key question shown (for the integration tests, through an internal command). */
  lastHostKeyQuestion: (UnknownHostKey & { readonly title: string; readonly placeholder: string }) | undefined;

  /**
   * Asks about a key no store knows, in a quick pick as VS Code's Remote - SSH does: the fingerprint in
   * the question, Trust and Remember / Trust Once / Refuse; closing the pick refuses.
   */
  private askUnknownKey(key: UnknownHostKey): Promise<UnknownKeyDecision> {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { decision: UnknownKeyDecision }>();
    pick.title = vscode.l10n.t('The authenticity of host {0}:{1} cannot be established.', key.host, key.port);
    pick.placeholder = vscode.l10n.t('{0} key fingerprint is {1}. Compare it with the fingerprint the host owner gives you (ssh-keygen -lf on the host key) before trusting it.', key.keyType, key.fingerprint);
    pick.items = [
      { label: vscode.l10n.t('$(check) Trust and Remember'), detail: vscode.l10n.t('Connect, and keep {0} as the key of {1}:{2}', key.fingerprint, key.host, key.port), decision: 'accept-save' },
      { label: vscode.l10n.t('Trust Once'), detail: vscode.l10n.t('Connect this time only'), decision: 'accept-once' },
      { label: vscode.l10n.t('$(close) Refuse'), detail: vscode.l10n.t('Do not connect'), decision: 'reject' },
    ];
    pick.ignoreFocusOut = true;
    this.lastHostKeyQuestion = { ...key, title: pick.title, placeholder: pick.placeholder };
    getLog().info(`ssh ${key.host}:${key.port}: asking whether to trust the unknown host key ${key.keyType} ${key.fingerprint}`);
    return new Promise<UnknownKeyDecision>((resolve) => {
      let decision: UnknownKeyDecision = 'reject';
      pick.onDidAccept(() => {
        decision = pick.selectedItems[0]?.decision ?? 'reject';
        pick.hide();
      });
      pick.onDidHide(() => {
        pick.dispose();
        resolve(decision);
      });
      pick.show();
    });
  }

  /** The host's open connection, or a new one (asking for a passphrase or password when needed). */
  async get(host: HostConfig, signal?: AbortSignal): Promise<{ session: SshSession; connectMs: number }> {
    const busy = this.state(host.name) === 'running';
    this.setState(host.name, 'connecting');
    try {
      const result = await this.pool.get(host, signal);
      if (result.connectMs > 0) result.session.onClose(() => this.setState(host.name, 'failed'));
      this.setState(host.name, busy ? 'running' : 'connected');
      return result;
    } catch (error) {
      this.setState(host.name, 'failed');
      throw error;
    }
  }

  private async connect(host: HostConfig, signal?: AbortSignal): Promise<SshSession> {
    const credentials: { passphrase?: string; password?: string } = {};
    const stored = {
      passphrase: await this.context.secrets.get(this.secretKey(host, 'passphrase')),
      password: await this.context.secrets.get(this.secretKey(host, 'password')),
    };
    if (stored.passphrase) credentials.passphrase = stored.passphrase;
    if (stored.password) credentials.password = stored.password;
    for (let attempt = 0; ; attempt++) {
      try {
        const session = await SshSession.connect(host, {
          hostKeys: { knownHostsFiles: knownHostsFiles(), ownStore: this.ownStore, onUnknownKey: (k) => this.askUnknownKey(k) },
          credentials: credentials as SshCredentials,
          logger: getLog(),
          ...(signal ? { signal } : {}),
        });
        await this.offerToRemember(host, credentials, stored);
        return session;
      } catch (error) {
        if (!(error instanceof AuthenticationError) || attempt >= 2) throw error;
        const secret = await vscode.window.showInputBox({
          password: true,
          ignoreFocusOut: true,
          title: error.needs === 'passphrase' ? vscode.l10n.t('Passphrase for {0}', host.identityFile ?? host.name) : vscode.l10n.t('Password for {0}@{1}', host.user, host.host),
        });
        if (secret === undefined) throw error;
        credentials[error.needs] = secret;
      }
    }
  }

  private async offerToRemember(host: HostConfig, used: { passphrase?: string; password?: string }, stored: { passphrase?: string | undefined; password?: string | undefined }): Promise<void> {
    for (const kind of ['passphrase', 'password'] as const) {
      const value = used[kind];
      if (!value || value === stored[kind]) continue;
      const keep = vscode.l10n.t('Remember');
      const question =
        kind === 'passphrase'
          ? vscode.l10n.t('Keep the key passphrase for {0} in the system keychain (VS Code SecretStorage)?', host.name)
          : vscode.l10n.t('Keep the password for {0} in the system keychain (VS Code SecretStorage)?', host.name);
      const answer = await vscode.window.showInformationMessage(question, keep, vscode.l10n.t('Not Now'));
      if (answer === keep) await this.context.secrets.store(this.secretKey(host, kind), value);
    }
  }

  dispose(): void {
    this.pool.closeAll();
    this.onDidChangeState.dispose();
  }
}
