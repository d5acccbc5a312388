/**
 * "Go to PyTorch Source": from an exported node name (or a module box's path) to the Python module
 * that produced it, when the workspace holds it. The core locator (src/core/sourceLinks/moduleSource.ts)
 * follows the module attribute chain through the workspace's classes; this file feeds it the .py files
 * (texts cached until a file changes; unsaved editor contents win) and opens the best place.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PythonParser } from '../../core/python/parser';
import { locateModuleSource, PythonClassIndex, type SourceCandidate } from '../../core/sourceLinks/moduleSource';
import { errorMessage } from '../l10n';
import { getLog } from '../log';
import type { OnnxViewerProvider } from './viewerProvider';

const EXCLUDE = '**/{node_modules,.git,.venv,venv,env,site-packages,__pycache__,build,dist}/**';
const MAX_FILES = 20_000;

/** The workspace's Python classes, kept up to date by a file watcher. */
class WorkspaceClasses implements vscode.Disposable {
  private index: PythonClassIndex | undefined;
  private readonly texts = new Map<string, string>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.py');

  constructor(private readonly wasmDir: string) {
    const forget = (uri: vscode.Uri) => this.texts.delete(uri.toString());
    this.watcher.onDidChange(forget);
    this.watcher.onDidCreate(forget);
    this.watcher.onDidDelete(forget);
  }

  async current(token?: vscode.CancellationToken): Promise<{ index: PythonClassIndex; files: number }> {
    this.index ??= new PythonClassIndex(await PythonParser.load(this.wasmDir));
    const uris = await vscode.workspace.findFiles('**/*.py', EXCLUDE, MAX_FILES, token);
    const open = new Map(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => [d.uri.toString(), d.getText()]));
    const keys: string[] = [];
    for (const uri of uris) {
      if (token?.isCancellationRequested) break;
      const key = uri.toString();
      keys.push(key);
      let text = open.get(key) ?? this.texts.get(key);
      if (text === undefined) {
        try {
          text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        } catch {
          continue;
        }
        this.texts.set(key, text);
      }
      this.index.update({ file: key, text });
    }
    this.index.retain(keys);
    return { index: this.index, files: uris.length };
  }

  dispose(): void {
    this.watcher.dispose();
  }
}

/** Where a node or module goes, as the command argument: `{ node }`, `{ module }`, or a node name. */
export type SourceTarget = { readonly node: string } | { readonly module: string };

function kindLabel(c: SourceCandidate): string {
  switch (c.kind) {
    case 'op': return vscode.l10n.t('op in {0}', c.className);
    case 'forward': return vscode.l10n.t('{0}.forward', c.className);
    case 'class': return vscode.l10n.t('class {0}', c.className);
    case 'assignment': return vscode.l10n.t('module created in {0}', c.className);
    case 'call': return vscode.l10n.t('module called in {0}', c.className);
  }
}

async function open(candidate: SourceCandidate): Promise<void> {
  const uri = vscode.Uri.parse(candidate.file);
  const position = new vscode.Position(candidate.line, candidate.column);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: false });
}

export function registerSourceLink(context: vscode.ExtensionContext, provider: OnnxViewerProvider): void {
  const classes = new WorkspaceClasses(path.join(context.extensionPath, 'dist'));
  context.subscriptions.push(
    classes,
    vscode.commands.registerCommand('npuPort.goToPytorchSource', async (arg?: unknown) => {
      let target: SourceTarget | undefined;
      if (typeof arg === 'string' && arg) target = { node: arg };
      else if (arg && typeof arg === 'object' && typeof (arg as { node?: unknown }).node === 'string') target = { node: (arg as { node: string }).node };
      else if (arg && typeof arg === 'object' && typeof (arg as { module?: unknown }).module === 'string') target = { module: (arg as { module: string }).module };
      else {
        const selected = provider.activePanel()?.selectedNode;
        const name = selected ?? (await vscode.window.showInputBox({
          prompt: vscode.l10n.t('ONNX node name or module path (e.g. /mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul)'),
        }));
        if (!name) return;
        target = { node: name };
      }
      await goToSource(classes, target);
    }),
  );
}

async function goToSource(classes: WorkspaceClasses, target: SourceTarget): Promise<void> {
  const name = 'node' in target ? target.node : target.module;
  try {
    const { candidates, files, resolved, skipped, segments } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking for the PyTorch source of {0}', name) },
      async () => {
        const { index, files } = await classes.current();
        return { ...locateModuleSource(index, name, { isModulePath: 'module' in target }), files };
      },
    );
    if (segments.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} carries no module path (torch.onnx.export names nodes /module/path/Op), so it points to no PyTorch source.', name));
      return;
    }
    const best = candidates[0];
    if (!best) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No Python class in this workspace ({0} .py files) assigns the module "{1}" of {2}.', files, segments[0]!, name));
      return;
    }
    await open(best);
    getLog().info(`onnx: ${name} → ${best.file}:${best.line + 1} (${best.kind}; ${resolved}/${segments.length} segments resolved, ${skipped} skipped; ${candidates.length} places)`);
    const where = `${vscode.workspace.asRelativePath(vscode.Uri.parse(best.file))}:${best.line + 1}`;
    const partial = skipped + resolved < segments.length ? ` ${vscode.l10n.t('Resolved {0} of {1} module path segments; the rest is not defined in the workspace.', skipped + resolved, segments.length)}` : '';
    if (candidates.length > 1) {
      const others = vscode.l10n.t('Other Places…');
      const choice = await vscode.window.showInformationMessage(`${vscode.l10n.t('{0}: {1} ({2}).', name, where, kindLabel(best))}${partial}`, others);
      if (choice === others) {
        const picked = await vscode.window.showQuickPick(candidates.map((c) => ({
          label: kindLabel(c), description: `${vscode.workspace.asRelativePath(vscode.Uri.parse(c.file))}:${c.line + 1}`, detail: c.text, candidate: c,
        })), { placeHolder: vscode.l10n.t('Places in the PyTorch source for {0}', name) });
        if (picked) await open(picked.candidate);
      }
    } else if (partial) void vscode.window.showInformationMessage(`${vscode.l10n.t('{0}: {1} ({2}).', name, where, kindLabel(best))}${partial}`);
  } catch (error) {
    const text = errorMessage(error);
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot look for the PyTorch source of {0}: {1}', name, text));
  }
}
