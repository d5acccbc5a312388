/**
 * Benchmark results: the "Benchmark Results" view (NPU vs CPU table and latency histograms), the
 * CPU run command, opening saved results files, and showing the results when an `npu-port`
 * benchmark task finishes (the task provider calls npuPort.showBenchmarkResults with the saved file).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resultsFromSavedJson, withCpuRun, type BenchmarkResults } from '../../shared/results';
import type { Feature } from '../features';
import { getLog } from '../log';
import { runOnCpu } from './cpuRun';
import { RESULTS_VIEW_TYPE, ResultsPanel, type ResultsActions } from './panel';
import { errorText } from '../../core/errors';

const VIEWER_TYPE = 'npuPort.onnxViewer';
/** Largest results file read (a million samples is far below this). */
const MAX_RESULTS_BYTES = 64 * 1024 * 1024;

/** How the task provider asks for results: the saved JSON and where the request comes from. */
export interface ShowResultsOptions {
  readonly fromTask?: boolean;
}

type FileItem = vscode.QuickPickItem & { uri?: vscode.Uri };

/** A workspace file matching `glob`, or any file through the open dialog ("Browse…"). */
async function pickFile(glob: string, filters: Record<string, string[]>, placeHolder: string, preferStem?: string): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(glob, '**/node_modules/**', 500);
  found.sort((a, b) => {
    const score = (u: vscode.Uri) => (preferStem && path.basename(u.fsPath).toLowerCase().startsWith(preferStem) ? 0 : 1);
    return score(a) - score(b) || a.fsPath.localeCompare(b.fsPath);
  });
  const browse: FileItem = { label: `$(folder-opened) ${vscode.l10n.t('Browse…')}`, alwaysShow: true };
  const items: FileItem[] = [
    ...found.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters, openLabel: vscode.l10n.t('Select') });
  return chosen?.[0];
}

/** The model of the active ONNX viewer tab, if the active editor is one. */
function activeViewerModel(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === VIEWER_TYPE ? input.uri : undefined;
}

async function readResults(uri: vscode.Uri): Promise<BenchmarkResults | undefined> {
  const name = path.basename(uri.fsPath);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_RESULTS_BYTES) throw new Error(vscode.l10n.t('the file is larger than {0} MB', MAX_RESULTS_BYTES / 1024 / 1024));
    const raw: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    const results = resultsFromSavedJson(raw, uri.fsPath);
    if (!results) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} holds no benchmark results (expected the JSON of an npu-port benchmark task or of npu-port onnx run --format json).', name));
    }
    return results;
  } catch (error) {
    getLog().error(`benchmark results: cannot read ${uri.fsPath}`, error);
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read {0}: {1}', name, errorText(error)));
    return undefined;
  }
}

export const resultsFeature: Feature = {
  id: 'results',
  activate(context) {
    const extensionUri = context.extensionUri;

    const actions: ResultsActions = {
      runCpu: () => vscode.commands.executeCommand('npuPort.runOnnxOnCpu', ResultsPanel.open?.cpuModel),
      openFile: () => openSaved(),
    };

    async function openSaved(): Promise<void> {
      const uri = await pickFile('**/*.benchmark.json', { JSON: ['json'] }, vscode.l10n.t('Benchmark results file to show (or Browse… for the JSON of npu-port onnx run)'));
      if (!uri) return;
      const results = await readResults(uri);
      if (results) ResultsPanel.show(extensionUri, actions, results);
    }

    async function showFromTask(uri: vscode.Uri): Promise<void> {
      const results = await readResults(uri);
      if (!results) return;
      if (vscode.workspace.getConfiguration('npuPort.benchmark').get<boolean>('openResults', true)) {
        // the user stays in the task's terminal; the results open beside it
        ResultsPanel.show(extensionUri, actions, results, { preserveFocus: true });
        return;
      }
      const show = vscode.l10n.t('Show Results');
      const mean = results.npu?.stats.mean;
      const choice = await vscode.window.showInformationMessage(
        mean !== undefined ? vscode.l10n.t('Benchmark of {0} finished: mean latency {1} ms on the NPU.', results.npu!.model, mean.toFixed(3)) : vscode.l10n.t('Benchmark finished.'),
        show,
      );
      if (choice === show) ResultsPanel.show(extensionUri, actions, results);
    }

    context.subscriptions.push(
      vscode.commands.registerCommand('npuPort.showBenchmarkResults', async (arg?: unknown, options?: ShowResultsOptions) => {
        if (arg instanceof vscode.Uri) {
          if (options?.fromTask) return showFromTask(arg);
          const results = await readResults(arg);
          if (results) ResultsPanel.show(extensionUri, actions, results);
          return;
        }
        ResultsPanel.show(extensionUri, actions, undefined);
      }),

      vscode.commands.registerCommand('npuPort.runOnnxOnCpu', async (arg?: unknown) => {
        const uri = arg instanceof vscode.Uri ? arg : activeViewerModel() ??
          (await pickFile('**/*.onnx', { ONNX: ['onnx'] }, vscode.l10n.t('ONNX model to run on the CPU'), ResultsPanel.shown?.npu ? path.parse(ResultsPanel.shown.npu.model).name.toLowerCase() : undefined));
        if (!uri) return;
        const run = await runOnCpu(uri);
        if (!run) return;
        const panel = ResultsPanel.show(extensionUri, actions, withCpuRun(ResultsPanel.shown, run));
        panel.cpuModel = uri;
      }),

      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
        async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
          ResultsPanel.revive(panel, state, extensionUri, actions);
        },
      }),
      { dispose: () => ResultsPanel.open?.dispose() },
    );
  },
};
