/**
 * The `npuPort.onnxViewer` custom editor: decodes the model in the extension host (ONNX core),
 * sends the webview a compact graph and the verdicts for the chosen target, answers its requests,
 * and validates every message it receives. View state (pan, zoom, selection, target, expanded
 * modules) lives in the webview's own state, so no retainContextWhenHidden is needed.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OnnxDecodeError } from '../../core/onnx/errors';
import { modelFileProblem, modelFileProblemMessage, type ModelFileProblem } from '../../core/onnx/fileProblem';
import { writeFileAtomic } from '../../core/fs';
import type { TargetProfile } from '../../core/onnx/targets/profile';
import type { Model } from '../../core/onnx/model';
import type { ShapeInference } from '../../core/onnx/shapes';
import { DEFAULT_TARGET } from './targetSetting';
import type { NodeVerdict, TargetOption } from '../../shared/graph';
import { parseWebviewMessage, type HostToWebview, type RequestResults, type WebviewToHost } from '../../shared/protocol';
import { WebviewChannel } from '../webviewChannel';
import { errorMessage, t } from '../l10n';
import { getLog } from '../log';
import { diffGraphs } from '../../shared/diff';
import { toCompactGraph, type SummaryLabels } from '../../core/onnx/view/compactGraph';
import { valueDigests } from '../../core/onnx/view/valueDigests';
import { webviewHtml } from './html';
import type { OnnxServices } from './services';
import { askSymbolicDims } from './symbolicDims';
import { parseAtcCheckResult, parseMsitResultCsv, type ToolVerdict } from '../../core/onnx/toolReports';
import { toViewerVerdicts } from '../../core/onnx/view/verdicts';
import { extractPart } from '../../core/operations/extractPart';
import { viewGraph, viewShapes } from '../../core/operations/viewGraph';
import { rewriteOffers, runRewrite } from './rewriteActions';
import { generatedInputBudget } from '../results/cpuRun';

export const VIEW_TYPE = 'npuPort.onnxViewer';

class OnnxDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, private readonly onDispose: () => void) {}
  dispose(): void {
    this.onDispose();
  }
}

/** One open viewer panel. */
export class ViewerPanel {
  private ready = false;
  private readyAt = 0;
  private queued: HostToWebview[] = [];
  target: string;
  /** Compare mode: the base model the shown one is diffed against. */
  compareBase: vscode.Uri | undefined;
  /** Node index by name in the shown graph (for verdicts from tool diagnostics). */
  private nodeIndex = new Map<string, number>();
  private profileVerdicts: NodeVerdict[] = [];
  /** Verdicts from tool reports (ATC check_result.json, msit result.csv) loaded for this model. */
  private reportVerdicts: NodeVerdict[] = [];
  /** The node selected in the webview (for commands run from the palette, such as Go to PyTorch Source). */
  selectedNode: string | undefined;
  /** Ends the "Opening …" notification: the webview drew its first frame (or the open failed). */
  private interactive: (() => void) | undefined;
  /** Resolves when the current open's first frame is drawn, the open failed or the panel closed. */
  private opened: Promise<void> = Promise.resolve();
  /** The last load found the file is not an ONNX model (text, empty, truncated): Open as Text shows its bytes. */
  private notAModel = false;
  /** Counts the loads (each posts a graph): the inferred shapes of an older one are not sent. */
  private loads = 0;

  /** Messages both ways: every webview message checked, requests answered (src/extension/webviewChannel.ts). */
  readonly channel: WebviewChannel<WebviewToHost, HostToWebview>;

  constructor(readonly uri: vscode.Uri, readonly panel: vscode.WebviewPanel, private readonly services: OnnxServices) {
    this.target = services.defaultTarget();
    this.channel = new WebviewChannel(panel.webview, {
      name: 'onnx viewer',
      parse: parseWebviewMessage,
      handle: (message) => this.handle(message),
      onFailure: (message, text) => {
        if (message.type === 'export') void vscode.window.showErrorMessage(vscode.l10n.t('Cannot export the view: {0}', text));
      },
    });
  }

  post(message: HostToWebview): void {
    if (!this.ready) {
      this.queued.push(message);
      return;
    }
    void this.channel.post(message);
  }

  reveal(node: string): void {
    this.panel.reveal(undefined, false);
    this.post({ type: 'reveal', node });
  }

  /** One checked webview message; a request's return value is its response's result (src/extension/webviewChannel.ts). */
  private async handle(message: WebviewToHost): Promise<unknown> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.readyAt = Date.now();
        await this.load();
        return;
      case 'interactive':
        this.interactive?.();
        return;
      case 'setTarget':
        await this.setTarget(message.target);
        return;
      case 'selection':
        this.selectedNode = message.node;
        return;
      case 'rewriteOffers':
        return rewriteOffers(this.services, this.uri, message.node);
      case 'rewrite':
        return runRewrite(this.services, this.uri, message.node, message.rule, message.scope);
      case 'goToSource':
        await vscode.commands.executeCommand('npuPort.goToPytorchSource', 'node' in message ? { node: message.node } : { module: message.module });
        return;
      case 'subgraph': {
        const body = viewGraph({ model: await this.services.session(this.uri).load(), labels: summaryLabels(), path: message.path }).graph;
        if (!body) throw new Error(vscode.l10n.t('This model has no graph named {0}.', message.path));
        return body;
      }
      case 'copyText':
        await vscode.env.clipboard.writeText(message.text);
        return;
      case 'openAsText':
        // not a model (the ONNX text view would fail the same way): the file in VS Code's own text editor
        if (this.notAModel) await vscode.commands.executeCommand('vscode.openWith', this.uri, 'default');
        else await vscode.commands.executeCommand('npuPort.openOnnxAsText', this.uri);
        return;
      case 'extract':
        await this.extract(message.module, message.node);
        return;
      case 'compile':
        await vscode.commands.executeCommand('npuPort.remoteConvert', this.uri);
        return;
      case 'loadReport': {
        const picked = await vscode.window.showOpenDialog({
          defaultUri: vscode.Uri.joinPath(this.uri, '..'),
          filters: { [vscode.l10n.t('Tool reports')]: ['json', 'csv'] },
          openLabel: vscode.l10n.t('Load Tool Report'),
        });
        if (!picked?.[0]) return;
        await this.loadReport(picked[0]);
        this.refreshToolVerdicts();
        return;
      }
      case 'tensorValues':
        return this.services.session(this.uri).tensorValues(message.tensor, message.count);
      case 'export': {
        const base = path.basename(this.uri.fsPath, path.extname(this.uri.fsPath));
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(this.uri, '..', `${base}.${message.format}`),
          filters: message.format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
        });
        if (!target) return { saved: false } satisfies RequestResults['export'];
        const data = message.format === 'svg' ? message.data : Buffer.from(message.data, 'base64');
        if (target.scheme === 'file') await writeFileAtomic(target.fsPath, data);
        else await vscode.workspace.fs.writeFile(target, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
        return { saved: true } satisfies RequestResults['export'];
      }
    }
  }

  /** (Re)sends everything: l10n, then the graph with verdicts, then the inferred shapes; or a decode error. */
  async load(): Promise<void> {
    const load = ++this.loads;
    const fileName = path.basename(this.uri.fsPath);
    this.progressWhileOpening(fileName);
    void this.channel.post({ type: 'init', l10n: vscode.l10n.bundle as Record<string, string> | undefined, fileName } satisfies HostToWebview);
    // messages that arrived before the webview was ready (a reveal) go after the graph
    const queued = this.queued.splice(0);
    const session = this.services.session(this.uri);
    try {
      const t0 = Date.now();
      const model = await session.load();
      const t1 = Date.now();
      // declared types only: the inference runs after the graph is posted (its first frame does not wait for it)
      const { graph, unreadableExternal } = viewGraph({ model, labels: summaryLabels() });
      const packed = Date.now();
      const warnings: string[] = [];
      if (unreadableExternal) warnings.push(vscode.l10n.t('{0} initializers have external data that cannot be read (missing file or outside the model folder).', unreadableExternal));
      const profiles = await this.services.profiles();
      const profile = profiles.find((p) => p.id === this.target) ?? profiles.find((p) => p.id === DEFAULT_TARGET) ?? profiles[0];
      if (profile) this.target = profile.id;
      this.nodeIndex = new Map();
      model.graph.nodes.forEach((n, i) => { if (n.name && !this.nodeIndex.has(n.name)) this.nodeIndex.set(n.name, i); });
      // ATC's pre-check report next to the model (what the remote pre-check task brings back) is shown at once
      const sibling = vscode.Uri.joinPath(this.uri, '..', `${path.basename(this.uri.fsPath, '.onnx')}.check_result.json`);
      if (!this.reportVerdicts.length && (await exists(sibling))) await this.loadReport(sibling).catch((e: unknown) => getLog().warn(`onnx viewer: ${String(e)}`));
      // the graph goes first, so the webview lays it out while the check runs here
      const t2 = Date.now();
      const graphMessage: HostToWebview = {
        type: 'graph', graph, targets: profiles.map((p) => targetOption(p, this.services.defaultTarget())), target: profile?.id ?? '', verdicts: this.toolVerdicts(), warnings,
        timing: { decodeWaitMs: t1 - t0, packMs: packed - t1, readyAt: this.readyAt, postedAt: Date.now() }, load,
      };
      // the check blocks this thread: let the message leave first (the IPC writes on a later tick)
      if (this.ready) await this.channel.post(graphMessage);
      else this.post(graphMessage);
      if (profile) {
        const result = await session.check(profile);
        this.profileVerdicts = toViewerVerdicts(result, t, profile.name);
        this.post({ type: 'verdicts', target: profile.id, verdicts: [...this.profileVerdicts, ...this.toolVerdicts()] });
        this.services.publishDiagnostics(this.uri, result, profile);
      }
      const t3 = Date.now();
      // the inference waits for the first frame (at most 10 s): run meanwhile, it takes the CPU the webview's layout
      // needs on a busy machine (22k nodes: 0.4–0.6 s); the shapes only relabel what is drawn
      await this.untilOpened(10_000);
      await this.postShapes(load, model);
      getLog().info(`onnx viewer: ${path.basename(this.uri.fsPath)}: decode wait ${t1 - t0} ms, packed graph ${packed - t1} ms, check ${t3 - t2} ms, shapes ${Date.now() - t3} ms, ${model.graph.nodes.length} nodes, ${this.profileVerdicts.length} verdicts`);
      if (this.compareBase) {
        const baseModel = await this.services.session(this.compareBase).load();
        // values of weights and constants: a change of the same type and shape is only seen in them
        const [baseValues, values] = await Promise.all([valueDigests(baseModel), valueDigests(model)]);
        const diff = diffGraphs(toCompactGraph(baseModel, summaryLabels()), toCompactGraph(model, summaryLabels()), { base: baseValues, compared: values });
        this.post({ type: 'diff', baseName: path.basename(this.compareBase.fsPath), diff });
      }
    } catch (error) {
      getLog().error(`onnx viewer: cannot open ${this.uri.fsPath}`, error);
      this.interactive?.();
      // a text file named .onnx, an empty or a cut-short file: said as the CLI says it, with Open as Text
      const problem = await this.fileProblem(error);
      this.notAModel = problem !== undefined;
      if (problem) this.post({ type: 'decodeError', message: t(modelFileProblemMessage(path.basename(this.uri.fsPath), problem, t)), notAModel: true });
      else this.post({ type: 'decodeError', message: errorMessage(error), ...(error instanceof OnnxDecodeError && error.offset !== undefined ? { offset: error.offset } : {}) });
    }
    for (const message of queued) this.post(message);
  }

  /**
   * The types the model does not declare, inferred once per decoded model (src/core/onnx/shapes.ts), for
   * the graph of load `load`; not sent when a newer load has started (the file changed: its own follow).
   * The graph is shown without them when the inference fails.
   */
  private async postShapes(load: number, model: Model): Promise<void> {
    const session = this.services.session(this.uri);
    let shapes: ShapeInference;
    try {
      shapes = await session.shapes();
    } catch (error) {
      getLog().warn(`onnx viewer: shape inference for ${path.basename(this.uri.fsPath)}: ${errorMessage(error)}`);
      return;
    }
    // a newer load, or the file changed since this one decoded (the inference ran on the new model)
    if (load !== this.loads || (await session.load()) !== model) return;
    this.post({ type: 'shapes', load, ...viewShapes({ model, labels: summaryLabels(), shapes }) });
  }

  /**
   * The webview shows each step of an open (decode, layout, first frame) itself; when the whole open
   * takes longer than 1.5 s, a VS Code notification says so too, until the first frame or an error.
   */
  private progressWhileOpening(fileName: string): void {
    this.interactive?.();
    let done = false;
    let finish: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => { finish = resolve; });
    this.opened = ended;
    this.interactive = () => {
      done = true;
      this.interactive = undefined;
      finish();
    };
    const disposed = this.panel.onDidDispose(() => this.interactive?.());
    setTimeout(() => {
      if (done) {
        disposed.dispose();
        return;
      }
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Opening {0} in the ONNX viewer (decode, layout, first frame)…', fileName) },
        () => Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, 120_000))]),
      ).then(() => disposed.dispose());
    }, 1500);
  }

  /** Waits for the current open's first frame (or its failure, or the panel's close), at most `timeoutMs`. */
  private async untilOpened(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.opened, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }

  /** What is wrong with the file when its decode failed on its own bytes (undefined: another error). */
  private async fileProblem(error: unknown): Promise<ModelFileProblem | undefined> {
    if (this.uri.scheme !== 'file') return undefined;
    try {
      return await modelFileProblem(this.uri.fsPath, (await fsp.stat(this.uri.fsPath)).size, error);
    } catch {
      return undefined;
    }
  }

  async setTarget(id: string): Promise<void> {
    const profile = (await this.services.profiles()).find((p) => p.id === id);
    if (!profile) return;
    this.target = profile.id;
    const result = await this.services.session(this.uri).check(profile);
    this.profileVerdicts = toViewerVerdicts(result, t, profile.name);
    this.post({ type: 'verdicts', target: profile.id, verdicts: [...this.profileVerdicts, ...this.toolVerdicts()] });
    this.services.publishDiagnostics(this.uri, result, profile);
  }

  /**
   * Saves a module (by path prefix) or one node as a standalone model: the needed initializers only,
   * boundary tensors typed (probed with onnxruntime where the model declares no type), opsets kept.
   */
  async extract(module: string | undefined, node: string | undefined): Promise<void> {
    const what = module ?? node;
    if (what === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select a module box or a node in the graph, then extract it.'));
      return;
    }
    // the types of the cut tensors may come from a probe run on seeded inputs: symbolic input
    // dimensions need sizes for it (a size of 1 can break index ops, as in field report 003's decoder)
    const model = await this.services.session(this.uri).load();
    const dims = await askSymbolicDims(model, vscode.l10n.t('Extract {0}', what),
      vscode.l10n.t('Sizes of the symbolic input dimensions for the run that types the cut tensors (NAME=N, comma separated)'));
    if (!dims) return;
    const base = path.basename(this.uri.fsPath, '.onnx');
    const suggested = `${base}.${what.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'part'}.onnx`;
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(this.uri, '..', suggested), filters: { ONNX: ['onnx'] } });
    if (!target) return;
    const saved = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Extracting {0}', what), cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          const { extracted, bytes, reproduction, reproduces } = await extractPart({
            model, part: module !== undefined ? { module } : { nodes: [node!] }, random: { dims, maxBytes: generatedInputBudget() }, signal: abort.signal,
          });
          if (!reproduces) {
            // the same verification as `npu-port onnx extract`: a part that does not compute what the
            // original computes is not saved (a compile result on it would say nothing about the model)
            const failed = reproduction.filter((c) => !c.pass)
              .map((c) => vscode.l10n.t('{0}: max abs error {1}, cosine {2}', c.name, c.maxAbsError.toPrecision(3), c.cosine.toFixed(6)));
            throw new ExtractNotReproduced(failed);
          }
          await writeFileAtomic(target.fsPath, bytes, { signal: abort.signal });
          return extracted;
        } finally {
          subscription.dispose();
        }
      },
    ).then(
      (part) => part,
      (error: unknown) => {
        if (error instanceof ExtractNotReproduced) {
          getLog().warn(`extract ${what}: not saved, the part does not reproduce the original: ${error.failed.join('; ')}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('{0} was not saved: run on the same inputs, the part does not reproduce the original tensors ({1}).', what, error.failed.join('; ')));
          return undefined;
        }
        const text = errorMessage(error);
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot extract {0}: {1}', what, text));
        return undefined;
      },
    );
    if (!saved) return;
    const open = vscode.l10n.t('Open');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Saved {0} ({1} nodes, inputs {2}, outputs {3}).', path.basename(target.fsPath), saved.model.graph.nodes.length, saved.inputs.join(', '), saved.outputs.join(', ')),
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('vscode.openWith', target, 'npuPort.onnxViewer');
  }

  /** Reads an ATC check_result.json or msit result.csv and keeps its verdicts for this model. */
  async loadReport(file: vscode.Uri): Promise<void> {
    const text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
    const base = path.basename(file.fsPath);
    let parsed: ToolVerdict[];
    try {
      parsed = file.fsPath.toLowerCase().endsWith('.csv') ? parseMsitResultCsv(text) : parseAtcCheckResult(text);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a tool report this viewer reads: {1}', base, errorMessage(error)));
      return;
    }
    this.reportVerdicts = parsed.map((v) => ({ node: this.nodeIndex.get(v.name) ?? -1, name: v.name, status: v.status, reasons: v.reasons, source: base }));
  }

  /** Tool output changed (remote ATC/QNN tasks publish diagnostics on the model): resend the overlay. */
  refreshToolVerdicts(): void {
    if (!this.nodeIndex.size) return;
    this.post({ type: 'verdicts', target: this.target, verdicts: [...this.profileVerdicts, ...this.toolVerdicts()] });
  }

  /**
   * Verdicts from real tool output: diagnostics other features put on this .onnx file whose source
   * names a tool (`npu-port atc`, `npu-port qnn`, ...) and whose link names a node.
   */
  private toolVerdicts(): NodeVerdict[] {
    const verdicts: NodeVerdict[] = [...this.reportVerdicts];
    for (const d of vscode.languages.getDiagnostics(this.uri)) {
      if (!d.source || d.source === 'npu-port' || !d.source.startsWith('npu-port ')) continue;
      if (d.severity !== vscode.DiagnosticSeverity.Error && d.severity !== vscode.DiagnosticSeverity.Warning) continue;
      const target = typeof d.code === 'object' ? d.code.target : undefined;
      const name = target ? new URLSearchParams(target.query).get('node') : null;
      const node = name ? this.nodeIndex.get(name) : undefined;
      if (name === null || node === undefined) continue;
      const code = typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
      verdicts.push({
        node, name, status: d.severity === vscode.DiagnosticSeverity.Error ? 'unsupported' : 'unverified',
        reasons: [{ code, message: d.message }], source: d.source.slice('npu-port '.length),
      });
    }
    return verdicts;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function summaryLabels(): SummaryLabels {
  return {
    format: vscode.l10n.t('Format'),
    producer: vscode.l10n.t('Producer'),
    opsets: vscode.l10n.t('Opsets'),
    graph: vscode.l10n.t('Graph'),
    nodes: vscode.l10n.t('Nodes'),
  };
}

/** A target picker entry; the one the workspace setting names says so (any other is this editor's own choice). */
export function targetOption(profile: TargetProfile, setting?: string): TargetOption {
  const label = profile.kind === 'whitelist' ? `${profile.name} (${vscode.l10n.t('whitelist')})` : profile.name;
  // `ascend310p@8.5` names its release here; `qnn-htp@v68` and `qnn-htp@ep2.6` ("onnxruntime-qnn 2.6.0") already do in their name
  const version = profile.toolkit?.version.replace(/^ep/, '');
  const versioned = profile.id.includes('@') && profile.toolkit && !label.includes(version!) ? `${label} ${profile.toolkit.name} ${profile.toolkit.version}` : label;
  return profile.id === setting ? { id: profile.id, label: `${versioned} (${vscode.l10n.t('workspace setting')})`, setting: true } : { id: profile.id, label: versioned };
}

export class OnnxViewerProvider implements vscode.CustomReadonlyEditorProvider<OnnxDocument> {
  readonly panels = new Set<ViewerPanel>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly services: OnnxServices) {}

  openCustomDocument(uri: vscode.Uri): OnnxDocument {
    this.services.retain(uri);
    return new OnnxDocument(uri, () => this.services.release(uri));
  }

  resolveCustomEditor(document: OnnxDocument, panel: vscode.WebviewPanel): void {
    this.attach(document.uri, panel);
  }

  /** Compare mode: a plain webview panel showing `compared` with its differences from `base`. */
  openCompare(base: vscode.Uri, compared: vscode.Uri): void {
    const title = `${path.basename(base.fsPath)} ↔ ${path.basename(compared.fsPath)}`;
    const panel = vscode.window.createWebviewPanel('npuPort.onnxCompare', title, vscode.ViewColumn.Active, { enableScripts: true });
    this.services.retain(base);
    this.services.retain(compared);
    panel.onDidDispose(() => {
      this.services.release(base);
      this.services.release(compared);
    });
    this.attach(compared, panel).compareBase = base;
  }

  private attach(uri: vscode.Uri, panel: vscode.WebviewPanel): ViewerPanel {
    // decode and convert while the webview boots (the session keeps the promise; errors are shown once it asks);
    // the shape inference waits until the graph is posted
    this.services.session(uri).load().then((model) => viewGraph({ model, labels: summaryLabels() }), () => undefined);
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.webview.html = webviewHtml(panel.webview, root);
    const viewer = new ViewerPanel(uri, panel, this.services);
    this.panels.add(viewer);
    const subscriptions = [
      viewer.channel,
      panel.onDidDispose(() => {
        this.panels.delete(viewer);
        for (const s of subscriptions) s.dispose();
      }),
    ];
    return viewer;
  }

  panelsFor(uri: vscode.Uri): ViewerPanel[] {
    return [...this.panels].filter((p) => p.uri.toString() === uri.toString());
  }

  activePanel(): ViewerPanel | undefined {
    return [...this.panels].find((p) => p.panel.active) ?? [...this.panels].find((p) => p.panel.visible);
  }
}

/** An extracted part whose outputs differ from the original's on the same inputs (not saved). */
class ExtractNotReproduced extends Error {
  constructor(readonly failed: readonly string[]) {
    super('the part does not reproduce the original tensors');
  }
}
