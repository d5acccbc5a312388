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
import { LocalTransport } from '../../core/remote/local';
import { SshSession, type SshCredentials, type UnknownHostKey, type UnknownKeyDecision } from '../../core/remote/ssh';
import { SshPool } from '../../core/remote/sshPool';
import type { Transport } from '../../core/remote/transport';
import { isLocalHostName, thisMachine } from './thisMachine';
import { t } from '../l10n';
import { getLog } from '../log';

type SecretKind = 'passphrase' | 'password';

/** A secret question as shown (no secret in it): for the integration tests' internal command. */
export interface SecretQuestion {
  readonly step: 'secret' | 'remember' | 'forget';
  /** Absent for the Forget pick. */
  readonly kind?: SecretKind;
  readonly host: string;
  readonly title: string;
  readonly prompt: string;
  readonly password: boolean;
  /** Why it is asked again (the last answer was wrong). */
  readonly problem?: string;
  /** The Forget pick's item labels. */
  readonly items?: readonly string[];
}

/** globalState: SecretStorage keys this extension stored (names only, never values). */
const STORED_SECRETS_KEY = 'npuPort.ssh.storedSecretKeys';
/** Questions per connection attempt before the error is reported (a wrong answer asks again). */
const MAX_SECRET_QUESTIONS = 3;

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

  /**
   * SecretStorage key of a secret: a passphrase belongs to its key file (one file, many hosts), a
   * password to user@host:port. Keys name no secret; they are listed in globalState (SecretStorage
   * cannot enumerate) so that "Forget Remote Host Secrets" can find them.
   */
  private secretKey(host: HostConfig, kind: SecretKind): string {
    return kind === 'passphrase' && host.identityFile ? `npuPort.ssh.passphrase:${path.resolve(expandHome(host.identityFile))}` : `npuPort.ssh.${kind}:${host.user}@${host.host}:${host.port}`;
  }

  private storedKeys(): string[] {
    return this.context.globalState.get<string[]>(STORED_SECRETS_KEY, []);
  }

  private async storeSecret(key: string, value: string): Promise<void> {
    await this.context.secrets.store(key, value);
    const keys = this.storedKeys();
    if (!keys.includes(key)) await this.context.globalState.update(STORED_SECRETS_KEY, [...keys, key]);
  }

  private async deleteSecret(key: string): Promise<void> {
    await this.context.secrets.delete(key);
    await this.context.globalState.update(
      STORED_SECRETS_KEY,
      this.storedKeys().filter((k) => k !== key),
    );
  }

  /** What is stored, for the Forget command: key and a label without the secret. */
  storedSecrets(): { key: string; label: string }[] {
    return this.storedKeys().map((key) => {
      const [kind, target] = [key.slice('npuPort.ssh.'.length, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      return { key, label: kind === 'passphrase' ? vscode.l10n.t('Passphrase of the key file {0}', target) : vscode.l10n.t('Password of {0}', target) };
    });
  }

  /** Removes stored secrets (all of them, or those of `keys`); returns how many were removed. */
  async forgetSecrets(keys?: readonly string[]): Promise<number> {
    const doomed = keys ?? this.storedKeys();
    for (const key of doomed) await this.deleteSecret(key);
    getLog().info(`ssh: forgot ${doomed.length} stored secret(s)`);
    return doomed.length;
  }

  /** Keys of the secrets a host uses (its key file's passphrase and its password). */
  secretKeysOf(host: HostConfig): string[] {
    return [this.secretKey(host, 'passphrase'), this.secretKey(host, 'password')];
  }

  /** The last secret question shown (for the integration tests, through an internal command). */
  lastSecretQuestion: SecretQuestion | undefined;
  private openSecretBox: vscode.InputBox | undefined;

  /** Test hook: sets the value of the open secret input box, as typing would. */
  typeIntoSecretBox(text: string): boolean {
    if (!this.openSecretBox) return false;
    this.openSecretBox.value = text;
    return true;
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
  async get(host: HostConfig, signal?: AbortSignal): Promise<{ session: Transport; connectMs: number }> {
    const busy = this.state(host.name) === 'running';
    this.setState(host.name, 'connecting');
    if (isLocalHostName(host.name)) {
      try {
        const started = performance.now();
        const local = this.localTransport(host);
        await local.environment(signal);
        this.setState(host.name, busy ? 'running' : 'connected');
        return { session: local, connectMs: performance.now() - started };
      } catch (error) {
        this.setState(host.name, 'failed');
        throw error;
      }
    }
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

  private local: { key: string; transport: LocalTransport } | undefined;

  /** This machine's transport, kept for the window (its environment is taken from the vendor script once) while the toolchain found stays the same. */
  private localTransport(host: HostConfig): LocalTransport {
    const found = thisMachine();
    const key = JSON.stringify([host, found?.toolchain.envScript]);
    if (this.local?.key !== key) {
      this.local = { key, transport: new LocalTransport(host, { ...(found?.toolchain.envScript ? { envScript: found.toolchain.envScript } : {}), logger: getLog() }) };
      getLog().info(`this machine: ${found?.toolchain.evidence ?? 'no toolchain found'}`);
    }
    return this.local.transport;
  }

  private async connect(host: HostConfig, signal?: AbortSignal): Promise<SshSession> {
    const credentials: { passphrase?: string; password?: string } = {};
    /** Where each secret in `credentials` came from: storage (so a stale one is removed) or typed now. */
    const source: Partial<Record<SecretKind, 'stored' | 'typed'>> = {};
    for (const kind of ['passphrase', 'password'] as const) {
      const stored = await this.context.secrets.get(this.secretKey(host, kind));
      if (stored) {
        credentials[kind] = stored;
        source[kind] = 'stored';
      }
    }
    let asked = 0;
    for (;;) {
      try {
        const session = await SshSession.connect(host, {
          hostKeys: { knownHostsFiles: knownHostsFiles(), ownStore: this.ownStore, onUnknownKey: (k) => this.askUnknownKey(k) },
          credentials: credentials as SshCredentials,
          logger: getLog(),
          ...(signal ? { signal } : {}),
        });
        for (const kind of ['passphrase', 'password'] as const) {
          const value = credentials[kind];
          if (value && source[kind] === 'typed' && (await this.askToRemember(host, kind))) await this.storeSecret(this.secretKey(host, kind), value);
        }
        return session;
      } catch (error) {
        if (!(error instanceof AuthenticationError) || signal?.aborted) throw error;
        const kind = error.needs;
        const wrong = credentials[kind] !== undefined;
        if (wrong && source[kind] === 'stored') {
          // A stored secret that no longer works (key re-encrypted, password changed) is not kept.
          getLog().warn(`ssh ${host.name}: the stored ${kind} no longer works; it was removed from SecretStorage`);
          await this.deleteSecret(this.secretKey(host, kind));
        }
        if (asked >= MAX_SECRET_QUESTIONS) throw error;
        asked++;
        const problem = !wrong ? undefined : kind === 'passphrase' ? t(error.detail) : vscode.l10n.t('The password for {0}@{1} was not accepted.', host.user, host.host);
        const secret = await this.askSecret(host, kind, problem, signal);
        signal?.throwIfAborted();
        if (secret === undefined) throw error;
        credentials[kind] = secret;
        source[kind] = 'typed';
      }
    }
  }

  /**
   * Asks for a passphrase or password in a masked input box. `problem` (the previous answer was
   * wrong) shows as an error under the box until the user types. Escape, or the task being
   * cancelled meanwhile (`signal`): undefined.
   */
  private askSecret(host: HostConfig, kind: SecretKind, problem: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    const box = vscode.window.createInputBox();
    box.password = true;
    box.ignoreFocusOut = true;
    box.title = kind === 'passphrase' ? vscode.l10n.t('Passphrase for {0}', host.identityFile ?? host.name) : vscode.l10n.t('Password for {0}@{1}', host.user, host.host);
    box.prompt =
      kind === 'passphrase'
        ? vscode.l10n.t('Host "{0}": the key file is encrypted. Enter its passphrase and press Enter (Escape cancels).', host.name)
        : vscode.l10n.t('Host "{0}": enter the password of {1} and press Enter (Escape cancels).', host.name, host.user);
    if (problem) box.validationMessage = { message: problem, severity: vscode.InputBoxValidationSeverity.Error };
    this.lastSecretQuestion = { step: 'secret', kind, host: host.name, title: box.title, prompt: box.prompt, password: box.password, ...(problem ? { problem } : {}) };
    this.openSecretBox = box;
    getLog().info(`ssh ${host.name}: asking for the ${kind}${problem ? ' again (the last one was wrong)' : ''}`);
    return new Promise<string | undefined>((resolve) => {
      let answer: string | undefined;
      box.onDidChangeValue(() => {
        if (box.validationMessage) box.validationMessage = undefined;
      });
      box.onDidAccept(() => {
        if (!box.value) return;
        answer = box.value;
        box.hide();
      });
      const onAbort = () => box.hide();
      signal?.addEventListener('abort', onAbort, { once: true });
      box.onDidHide(() => {
        signal?.removeEventListener('abort', onAbort);
        if (this.openSecretBox === box) this.openSecretBox = undefined;
        box.dispose();
        resolve(answer);
      });
      box.show();
    });
  }

  /** After a typed secret worked: keep it in SecretStorage? A quick pick; closing it keeps nothing. */
  private askToRemember(host: HostConfig, kind: SecretKind): Promise<boolean> {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { keep: boolean }>();
    pick.title =
      kind === 'passphrase'
        ? vscode.l10n.t('Keep the key passphrase for {0} in the system keychain (VS Code SecretStorage)?', host.name)
        : vscode.l10n.t('Keep the password for {0} in the system keychain (VS Code SecretStorage)?', host.name);
    pick.items = [
      { label: vscode.l10n.t('$(lock) Remember'), detail: vscode.l10n.t('Connect without asking next time. "NPU: Forget Remote Host Secrets" removes it.'), keep: true },
      { label: vscode.l10n.t('Not Now'), detail: vscode.l10n.t('Ask again at the next connection'), keep: false },
    ];
    pick.ignoreFocusOut = true;
    const question: SecretQuestion = { step: 'remember', kind, host: host.name, title: pick.title, prompt: '', password: false };
    return new Promise<boolean>((resolve) => {
      let keep = false;
      // Published for the tests once the workbench reports an active item (the pick is shown and ready).
      const ready = pick.onDidChangeActive((active) => {
        if (!active.length) return;
        ready.dispose();
        this.lastSecretQuestion = question;
      });
      pick.onDidAccept(() => {
        keep = (pick.selectedItems[0] ?? pick.activeItems[0])?.keep ?? false;
        pick.hide();
      });
      pick.onDidHide(() => {
        ready.dispose();
        pick.dispose();
        resolve(keep);
      });
      pick.show();
    });
  }

  dispose(): void {
    this.pool.closeAll();
    this.onDidChangeState.dispose();
  }
}
