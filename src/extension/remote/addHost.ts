/** "NPU: Add Remote Host": from ~/.ssh/config or typed in (user@host:port), step by step with Back, saved to npuPort.hosts. */
import * as vscode from 'vscode';
import { HOST_KINDS, parseHostSpec, portError, readSshConfigHosts, type HostKind, type HostSpec } from '../../core/remote/hosts';
import { t } from '../l10n';
import { saveHost } from './hostsSetting';

const KIND_LABELS = (): Record<HostKind, string> => ({
  ascend: vscode.l10n.t('Huawei Ascend (CANN: atc, msame, npu-smi)'),
  'qnn-windows': vscode.l10n.t('Snapdragon AI PC, Windows (QAIRT / QNN, PowerShell)'),
  'qnn-linux': vscode.l10n.t('Qualcomm QNN on Linux (QAIRT)'),
});

/** The step on screen, for the integration tests (internal commands npuPort.remote.wizardStep / wizardType). */
export interface WizardStep {
  readonly step: number;
  readonly totalSteps: number;
  readonly prompt: string;
  readonly value: string;
  readonly validationMessage?: string;
  readonly items?: readonly string[];
  readonly active?: string;
  readonly back: boolean;
}
let onScreen: { state(): WizardStep; type(text: string): void } | undefined;
export const wizardStep = (): WizardStep | undefined => onScreen?.state();
/** Types into the step on screen as the user would (the step reacts as to typing); false with none open. */
export function wizardType(text: string): boolean {
  onScreen?.type(text);
  return !!onScreen;
}

const BACK = Symbol('back');
type Answer<T> = T | typeof BACK | undefined;
const TOTAL_STEPS = 9;

/** One step as a QuickPick with the step counter and (after the first step) a Back button. */
function pickStep<T extends vscode.QuickPickItem>(step: number, title: string, placeholder: string, items: readonly T[], typed?: (value: string) => T | undefined): Promise<Answer<T>> {
  const pick = vscode.window.createQuickPick<T>();
  Object.assign(pick, { title, placeholder, step, totalSteps: TOTAL_STEPS, ignoreFocusOut: true, items, buttons: step > 1 ? [vscode.QuickInputButtons.Back] : [] });
  const onValue = (value: string) => {
    const item = typed?.(value);
    if (typed) pick.items = item ? [item, ...items] : items;
  };
  onScreen = {
    state: () => ({ step, totalSteps: TOTAL_STEPS, prompt: placeholder, value: pick.value, items: pick.items.map((i) => i.label), ...(pick.activeItems[0] ? { active: pick.activeItems[0].label } : {}), back: pick.buttons.length > 0 }),
    type: (text) => { pick.value = text; onValue(text); },
  };
  return new Promise((resolve) => {
    let answer: Answer<T>;
    pick.onDidChangeValue(onValue);
    pick.onDidTriggerButton(() => { answer = BACK; pick.hide(); });
    pick.onDidAccept(() => {
      answer = pick.selectedItems[0] ?? pick.activeItems[0];
      if (answer) pick.hide();
    });
    pick.onDidHide(() => { onScreen = undefined; pick.dispose(); resolve(answer); });
    pick.show();
  });
}

/** One step as an InputBox: validated as typed (the message shows under the box), step counter, Back. */
function inputStep(step: number, prompt: string, value: string, validate?: (v: string) => string | undefined): Promise<Answer<string>> {
  const box = vscode.window.createInputBox();
  Object.assign(box, { title: vscode.l10n.t('Add Remote NPU Host'), prompt, value, step, totalSteps: TOTAL_STEPS, ignoreFocusOut: true, buttons: [vscode.QuickInputButtons.Back] });
  const check = () => { box.validationMessage = validate?.(box.value); };
  check();
  onScreen = {
    state: () => ({ step, totalSteps: TOTAL_STEPS, prompt, value: box.value, ...(typeof box.validationMessage === 'string' ? { validationMessage: box.validationMessage } : {}), back: box.buttons.length > 0 }),
    type: (text) => { box.value = text; check(); },
  };
  return new Promise((resolve) => {
    let answer: Answer<string>;
    box.onDidChangeValue(check);
    box.onDidTriggerButton(() => { answer = BACK; box.hide(); });
    box.onDidAccept(() => {
      check();
      if (box.validationMessage) return;
      answer = box.value;
      box.hide();
    });
    box.onDidHide(() => { onScreen = undefined; box.dispose(); resolve(answer); });
    box.show();
  });
}

interface Draft { name: string; host: string; port: string; user: string; identityFile: string; kind?: HostKind; setup: string; workdir: string }

/** The wizard; `sshConfigFile` for the tests (default ~/.ssh/config). */
export async function addRemoteHost(sshConfigFile?: string): Promise<void> {
  const fromConfig = await readSshConfigHosts(...(typeof sshConfigFile === 'string' ? [sshConfigFile] : []));
  const title = vscode.l10n.t('Add Remote NPU Host');
  type Source = vscode.QuickPickItem & { spec?: HostSpec & { identityFile?: string }; alias?: string };
  const manual: Source = { label: vscode.l10n.t('$(edit) Enter host details') };
  const configItems: Source[] = fromConfig.map((h) => ({ label: h.alias, description: `${h.user ? h.user + '@' : ''}${h.hostName}${h.port ? ':' + h.port : ''}`, detail: vscode.l10n.t('from ~/.ssh/config'), alias: h.alias, spec: { host: h.hostName, ...(h.user ? { user: h.user } : {}), ...(h.port ? { port: h.port } : {}), ...(h.identityFile ? { identityFile: h.identityFile } : {}) } }));
  const typedItem = (value: string): Source | undefined => {
    const spec = parseHostSpec(value);
    if (!value.trim() || 'error' in spec || configItems.some((i) => i.label === value.trim())) return undefined;
    return { label: value.trim(), description: vscode.l10n.t('Use this host'), alwaysShow: true, spec };
  };
  const d: Draft = { name: '', host: '', port: '22', user: '', identityFile: '', setup: '', workdir: 'npu-port' };
  const labels = KIND_LABELS();
  const required = (what: string) => (v: string) => (v.trim() ? undefined : what);
  const steps: ((n: number) => Promise<Answer<unknown>>)[] = [
    async (n) => {
      const picked = await pickStep(n, title, vscode.l10n.t('Pick a host from ~/.ssh/config or type user@host:port'), [manual, ...configItems], typedItem);
      if (picked && picked !== BACK && picked.spec) {
        Object.assign(d, { name: picked.alias ?? picked.spec.host, host: picked.spec.host, port: String(picked.spec.port ?? 22), user: picked.spec.user ?? '', identityFile: picked.spec.identityFile ?? '' });
      }
      return picked;
    },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('A short name for this host'), d.name, required(vscode.l10n.t('A name is required.'))); if (typeof v === 'string') d.name = v.trim(); return v; },
    async (n) => {
      const v = await inputStep(n, vscode.l10n.t('Host name or IP address (user@host:port fills the user and port)'), d.host, (x) => { const s = parseHostSpec(x); return 'error' in s ? t(s.error) : undefined; });
      if (typeof v === 'string') {
        const s = parseHostSpec(v) as HostSpec;
        d.host = s.host;
        if (s.user) d.user = s.user;
        if (s.port) d.port = String(s.port);
      }
      return v;
    },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('SSH port'), d.port, (x) => { const e = portError(x); return e && t(e); }); if (typeof v === 'string') d.port = v.trim(); return v; },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('User name'), d.user, (x) => (/[@\s]/.test(x.trim()) ? vscode.l10n.t('A user name has no "@" or spaces.') : undefined)); if (typeof v === 'string') d.user = v.trim(); return v; },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('Private key file (empty: SSH agent or password)'), d.identityFile); if (typeof v === 'string') d.identityFile = v.trim(); return v; },
    async (n) => {
      const k = await pickStep(n, vscode.l10n.t('What kind of NPU host is it?'), '', HOST_KINDS.map((hostKind) => ({ label: labels[hostKind], hostKind })));
      if (k && k !== BACK && d.kind !== k.hostKind) {
        d.kind = k.hostKind;
        d.setup = k.hostKind === 'ascend' ? '. /usr/local/Ascend/ascend-toolkit/set_env.sh' : k.hostKind === 'qnn-windows' ? "& 'C:\\Qualcomm\\AIStack\\QAIRT\\<version>\\bin\\envsetup.ps1'" : '. <QNN_SDK_ROOT>/bin/envsetup.sh';
      }
      return k;
    },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('Environment set-up run before every tool (CANN set_env.sh, QAIRT envsetup)'), d.setup); if (typeof v === 'string') d.setup = v; return v; },
    async (n) => { const v = await inputStep(n, vscode.l10n.t('Remote work folder for uploads and outputs'), d.workdir); if (typeof v === 'string') d.workdir = v; return v; },
  ];
  for (let i = 0; i < steps.length; ) {
    const answer = await steps[i]!(i + 1);
    if (answer === undefined) return;
    i = answer === BACK ? Math.max(0, i - 1) : i + 1;
  }
  const kind = d.kind!;
  await saveHost({
    name: d.name,
    host: d.host,
    port: Number(d.port),
    ...(d.user ? { user: d.user } : {}),
    ...(d.identityFile ? { identityFile: d.identityFile } : {}),
    kind,
    shell: kind === 'qnn-windows' ? 'powershell' : 'posix',
    workdir: d.workdir || 'npu-port',
    ...(d.setup && !d.setup.includes('<') ? { setup: d.setup } : {}),
  });
  await vscode.workspace.getConfiguration('npuPort').update('activeHost', d.name, vscode.ConfigurationTarget.Global);
  const doctor = vscode.l10n.t('Run Doctor');
  if ((await vscode.window.showInformationMessage(vscode.l10n.t('Host "{0}" added.', d.name), doctor)) === doctor) {
    await vscode.commands.executeCommand('npuPort.remoteDoctor');
  }
}
