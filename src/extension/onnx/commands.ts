/**
 * ONNX commands: check a model for a target (diagnostics + open viewers), open a model as ONNX text
 * (read-only virtual document, so two models can go into the diff editor), reveal a node in the
 * viewer (by name; used by compile logs and by the diagnostics' links).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkModel } from '../../core/operations/checkModel';
import { modelText } from '../../core/operations/modelText';
import { errorMessage } from '../l10n';
import { getLog } from '../log';
import type { TargetProfile } from '../../core/onnx/targets';
import { REVEAL_URI_PATH, type OnnxServices } from './services';
import { VIEW_TYPE, type OnnxViewerProvider } from './viewerProvider';

export const TEXT_SCHEME = 'npu-port-onnx-text';

type TargetItem = vscode.QuickPickItem & { profile?: TargetProfile };

/**
 * The check command's target list: the built-ins, the other Hexagon architectures of qnn-htp
 * (`qnn-htp@v68` ...) under a separator of their own, the onnxruntime-qnn releases (`qnn-htp@ep2.6` ...)
 * under theirs, then the whitelist profiles. The description is the id (what the setting and --target take).
 */
export function targetItems(profiles: readonly TargetProfile[], current: string): TargetItem[] {
  const group = (p: TargetProfile) => (p.kind === 'whitelist' ? 3 : p.toolchain !== 'qnn' || !p.id.includes('@') ? 0 : p.toolkit?.name === 'onnxruntime-qnn' ? 2 : 1);
  const separators = [undefined, vscode.l10n.t('Other Hexagon architectures (qnn-htp@ARCH)'), vscode.l10n.t('onnxruntime-qnn releases (qnn-htp@epX.Y)'), vscode.l10n.t('Whitelist profiles')];
  return separators.flatMap((separator, g) => {
    const members = profiles.filter((p) => group(p) === g);
    if (!members.length) return [];
    const items: TargetItem[] = members.map((p) => ({
      label: p.name, description: p.id, picked: p.id === current, profile: p,
      ...(g === 2 ? { detail: vscode.l10n.t('The ops and constraints of onnxruntime-qnn {0} and the QAIRT it was built with, on the default Hexagon architecture', p.toolkit!.version.replace(/^ep/, '')) } : {}),
    }));
    return separator ? [{ label: separator, kind: vscode.QuickPickItemKind.Separator }, ...items] : items;
  });
}

export function registerOnnxCommands(context: vscode.ExtensionContext, services: OnnxServices, provider: OnnxViewerProvider): void {

  async function modelUri(arg: unknown): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg) return arg.includes('://') || arg.startsWith('file:') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    const active = provider.activePanel();
    if (active) return active.uri;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { ONNX: ['onnx'] }, openLabel: vscode.l10n.t('Select ONNX Model') });
    return picked?.[0];
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('npuPort.checkOnnxModel', async (arg?: unknown) => {
      const uri = await modelUri(arg);
      if (!uri) return;
      const profiles = await services.profiles();
      const current = provider.panelsFor(uri)[0]?.target ?? services.defaultTarget();
      const pick = await vscode.window.showQuickPick(
        targetItems(profiles, current),
        { placeHolder: vscode.l10n.t('Target to check {0} against', path.basename(uri.fsPath)), matchOnDescription: true },
      );
      if (!pick?.profile) return;
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking {0} for {1}…', path.basename(uri.fsPath), pick.profile.name) },
          async () => {
            const session = services.session(uri);
            return (await checkModel({ model: await session.load(), profile: pick.profile, cachedCheck: (p) => session.check(p) })).result;
          },
        );
        services.publishDiagnostics(uri, result, pick.profile);
        for (const panel of provider.panelsFor(uri)) await panel.setTarget(pick.profile.id);
        const open = vscode.l10n.t('Open Viewer');
        const choice = await vscode.window.showInformationMessage(
          vscode.l10n.t('{0} on {1}: {2} unsupported, {3} unverified of {4} nodes.', path.basename(uri.fsPath), pick.profile.name, result.counts.unsupported, result.counts.unverified, result.nodeCount),
          open,
        );
        if (choice === open) await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot check {0}: {1}', path.basename(uri.fsPath), errorMessage(error)));
      }
    }),

    vscode.workspace.registerTextDocumentContentProvider(TEXT_SCHEME, {
      async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
        const source = vscode.Uri.parse(new URLSearchParams(uri.query).get('model') ?? '');
        try {
          return await modelText({ model: await services.session(source).load() });
        } catch (error) {
          return `# ${vscode.l10n.t('Cannot open {0}: {1}', source.fsPath, errorMessage(error))}\n`;
        }
      },
    }),

    vscode.commands.registerCommand('npuPort.openOnnxAsText', async (arg?: unknown) => {
      const uri = await modelUri(arg);
      if (!uri) return;
      const textUri = vscode.Uri.from({ scheme: TEXT_SCHEME, path: `${uri.path}.onnxtxt`, query: `model=${encodeURIComponent(uri.toString())}` });
      const document = await vscode.workspace.openTextDocument(textUri);
      if (document.languageId !== 'onnx-text') await vscode.languages.setTextDocumentLanguage(document, 'onnx-text');
      await vscode.window.showTextDocument(document, { preview: false });
    }),

    vscode.commands.registerCommand('npuPort.revealOnnxNode', async (arg?: unknown, nodeArg?: unknown) => {
      // accepted forms: (uri, node), ({ model, node }), (node) with a viewer open, () → pickers
      let model: unknown = arg;
      let node: unknown = nodeArg;
      if (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri)) {
        model = (arg as { model?: unknown }).model;
        node = (arg as { node?: unknown }).node;
      } else if (typeof arg === 'string' && nodeArg === undefined && provider.activePanel() && !arg.endsWith('.onnx')) {
        model = undefined;
        node = arg;
      }
      const uri = await modelUri(model);
      if (!uri) return;
      let name = typeof node === 'string' ? node : undefined;
      if (!name) {
        try {
          const loaded = await services.session(uri).load();
          const picked = await vscode.window.showQuickPick(
            loaded.graph.nodes.map((n, i) => ({ label: n.name || `${n.opType}#${i}`, description: n.opType })),
            { placeHolder: vscode.l10n.t('Node to reveal'), matchOnDescription: true },
          );
          name = picked?.label;
        } catch (error) {
          void vscode.window.showErrorMessage(errorMessage(error));
          return;
        }
      }
      if (!name) return;
      await revealNode(uri, name);
    }),

    vscode.commands.registerCommand('npuPort.compareOnnxModels', async (arg?: unknown, selected?: unknown) => {
      // from the Explorer with two .onnx files selected: (clicked, [first, second]); else ask for both
      let pair = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
      if (pair.length !== 2) {
        const first = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ filters: { ONNX: ['onnx'] }, openLabel: vscode.l10n.t('Base Model') }))?.[0];
        if (!first) return;
        const second = (await vscode.window.showOpenDialog({ filters: { ONNX: ['onnx'] }, openLabel: vscode.l10n.t('Compare with Base') }))?.[0];
        if (!second) return;
        pair = [first, second];
      }
      provider.openCompare(pair[0]!, pair[1]!);
    }),

    vscode.window.registerUriHandler({
      handleUri(uri: vscode.Uri) {
        if (uri.path !== REVEAL_URI_PATH) return;
        const query = new URLSearchParams(uri.query);
        const model = query.get('model');
        const node = query.get('node');
        if (model && node) void revealNode(vscode.Uri.parse(model), node);
      },
    }),
  );

  async function revealNode(uri: vscode.Uri, node: string): Promise<void> {
    let panel = provider.panelsFor(uri)[0];
    if (!panel) {
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
      panel = provider.panelsFor(uri)[0];
    }
    if (!panel) {
      getLog().warn(`onnx: no viewer opened for ${uri.toString()}`);
      return;
    }
    panel.reveal(node);
  }
}
