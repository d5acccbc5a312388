/**
 * The one "Benchmark Results" panel: shows NPU and CPU runs side by side, survives hide/show through
 * the webview's own state and a window reload through a WebviewPanelSerializer (the state is checked
 * before it is shown again), and validates every message the webview sends.
 */
import * as vscode from 'vscode';
import { parseBenchmarkResults, parseResultsWebviewMessage, type BenchmarkResults, type ResultsHostMessage, type ResultsRequestResults, type ResultsWebviewMessage } from '../../shared/results';
import { WebviewChannel } from '../webviewChannel';
import { resultsHtml } from './html';

export const RESULTS_VIEW_TYPE = 'npuPort.benchmarkResults';

/** What the panel's buttons do (the feature wires them to its commands). */
export interface ResultsActions {
  runCpu(): Thenable<unknown>;
  openFile(): Thenable<unknown>;
}

export class ResultsPanel implements vscode.Disposable {
  private static current: ResultsPanel | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The ONNX file of the shown CPU run (kept in memory only: the webview's state is not trusted with paths). */
  cpuModel: vscode.Uri | undefined;
  /** Messages both ways (src/extension/webviewChannel.ts): checked, requests answered. */
  private readonly channel: WebviewChannel<ResultsWebviewMessage, ResultsHostMessage>;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly actions: ResultsActions,
    private results: BenchmarkResults | undefined,
  ) {
    const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.webview.html = resultsHtml(panel.webview, root);
    this.channel = new WebviewChannel(panel.webview, { name: 'benchmark results', parse: parseResultsWebviewMessage, handle: (message) => this.handle(message) });
    this.subscriptions.push(this.channel, panel.onDidDispose(() => this.dispose()));
  }

  /** The panel if one is open. */
  static get open(): ResultsPanel | undefined {
    return ResultsPanel.current;
  }

  static get shown(): BenchmarkResults | undefined {
    return ResultsPanel.current?.results;
  }

  /** Shows results in the panel (created beside the editor when none is open). */
  static show(extensionUri: vscode.Uri, actions: ResultsActions, results: BenchmarkResults | undefined, options: { preserveFocus?: boolean } = {}): ResultsPanel {
    let current = ResultsPanel.current;
    if (current) {
      current.panel.reveal(undefined, options.preserveFocus ?? false);
    } else {
      const panel = vscode.window.createWebviewPanel(
        RESULTS_VIEW_TYPE,
        vscode.l10n.t('Benchmark Results'),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
        // the view keeps its results in its own state: nothing is lost while hidden
        { enableScripts: true, retainContextWhenHidden: false, enableFindWidget: true },
      );
      current = ResultsPanel.current = new ResultsPanel(panel, extensionUri, actions, undefined);
    }
    if (results) current.setResults(results);
    return current;
  }

  /** After a window reload: the panel VS Code restored, with the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, state: unknown, extensionUri: vscode.Uri, actions: ResultsActions): void {
    ResultsPanel.current?.dispose();
    const saved = typeof state === 'object' && state !== null ? parseBenchmarkResults((state as { results?: unknown }).results) : undefined;
    ResultsPanel.current = new ResultsPanel(panel, extensionUri, actions, saved);
    if (saved) ResultsPanel.current.setResults(saved);
  }

  setResults(results: BenchmarkResults): void {
    this.results = results;
    const model = (results.npu ?? results.cpu)!.model;
    this.panel.title = vscode.l10n.t('Benchmark Results: {0}', model);
    if (this.ready) this.post({ type: 'results', results });
  }

  private post(message: ResultsHostMessage): void {
    void this.channel.post(message);
  }

  /** One checked webview message; the buttons' actions are requests, answered when they end. */
  private async handle(message: ResultsWebviewMessage): Promise<ResultsRequestResults[keyof ResultsRequestResults] | undefined> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'init', l10n: vscode.l10n.bundle as Record<string, string> | undefined });
        if (this.results) this.post({ type: 'results', results: this.results });
        return undefined;
      case 'runCpu':
        await this.actions.runCpu();
        return null;
      case 'openFile':
        await this.actions.openFile();
        return null;
      case 'copyText':
        await vscode.env.clipboard.writeText(message.text);
        void vscode.window.showInformationMessage(vscode.l10n.t('Copied the results table as Markdown.'));
        return undefined;
    }
  }

  dispose(): void {
    if (ResultsPanel.current === this) ResultsPanel.current = undefined;
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
