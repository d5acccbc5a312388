import * as path from 'node:path';
import * as vscode from 'vscode';
import { ruleInfo } from '../../core/python/catalog';
import { PythonDocument } from '../../core/python/document';
import { PythonParser } from '../../core/python/parser';
import { analyzeRequirements, isRequirementsFile } from '../../core/dependencies/requirements';
import type { ModuleGraph } from '../../core/python/entry';
import { helperPackageDepth, packageCache } from '../../core/python/fixes/helperPlace';
import { applyCrossFileFolds, type CrossFileFold } from '../../core/python/optionalModules';
import type { AnalysisOptions, Finding } from '../../core/python/types';
import { fromVsRange, toVsRange } from '../convert';
import { t } from '../l10n';
import { getLog } from '../log';
import { ruleDocsCommandUri } from './ruleDocs';
import { readSettings } from './settings';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function isPythonDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'python' || /\.pyi?$/i.test(doc.uri.path);
}

export function isRequirementsDocument(doc: vscode.TextDocument): boolean {
  return isRequirementsFile(path.basename(doc.uri.path));
}

export function toDiagnostic(finding: Finding, uri: vscode.Uri): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toVsRange(finding.range), t(finding.message), SEVERITY[finding.severity]);
  diagnostic.source = 'npu-port';
  // a folded CUDA-only branch and its guard point at each other (same file); an optional module at its import (r.file)
  if (finding.related?.length) diagnostic.relatedInformation = finding.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(r.file !== undefined ? vscode.Uri.file(r.file) : uri, toVsRange(r.range)), t(r.message)));
  const info = ruleInfo(finding.rule);
  diagnostic.code = info ? { value: finding.rule, target: ruleDocsCommandUri(finding.rule) } : finding.rule;
  return diagnostic;
}

/**
 * Live analysis of open Python and requirements documents: one incremental PythonDocument per open
 * Python file (tree kept and edited as the user types), diagnostics published on every change.
 */
export class PythonAnalysis implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('npu-port');
  private readonly documents = new Map<string, PythonDocument>();
  private readonly findings = new Map<string, readonly Finding[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChangeFindings = this.changed.event;
  private parser: PythonParser | undefined;
  private parserLoad: Promise<PythonParser> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** Module graphs of the last scan per folder: entry scripts, and modules run under transfer_to_npu. */
  private graphs: ReadonlyMap<string, ModuleGraph> = new Map();
  private covered = new Set<string>();
  /**
   * Which folders are packages (an __init__.py, or modules that import relatively: that reads the folder's .py
   * files), asked by optionsFor on every code-action request; forgotten when Python files are saved, created,
   * deleted or renamed in the editor and after a workspace scan.
   */
  private isPackage = packageCache();
  /**
   * What the last scan's view across files said of each file (core/python/optionalModules.ts: CUDA-only optional
   * modules, files whose device another module selects), by path: their findings, live or re-read from disk, are
   * folded as the scan folded them until the next scan.
   */
  private crossFileFolds: ReadonlyMap<string, readonly CrossFileFold[]> = new Map();

  constructor(private readonly wasmDir: string) {}

  /** After a scan: modules run by an entry script that imports transfer_to_npu are analysed as covered by it. */
  setModuleGraphs(graphs: ReadonlyMap<string, ModuleGraph>): void {
    const covered = new Set<string>();
    for (const g of graphs.values()) for (const f of g.runUnderTransferToNpu()) covered.add(f);
    const changed = covered.size !== this.covered.size || [...covered].some((f) => !this.covered.has(f)) || graphs.size !== this.graphs.size;
    this.graphs = graphs;
    this.covered = covered;
    this.forgetPackages();
    if (changed) this.refreshAll();
  }

  /** After a scan: its folds across files; open files that gain or lose one are published again. */
  setCrossFileFolds(folds: ReadonlyMap<string, readonly CrossFileFold[]>): void {
    const before = this.crossFileFolds;
    this.crossFileFolds = folds;
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file' || !this.documents.has(doc.uri.toString())) continue;
      const file = path.resolve(doc.uri.fsPath);
      if (before.get(file) !== folds.get(file)) this.publish(doc.uri, this.documents.get(doc.uri.toString())!.findings);
    }
  }

  private forgetPackages(): void {
    this.isPackage = packageCache();
  }

  /** The analysis options of one file: the settings plus what the workspace says about it. */
  optionsFor(uri: vscode.Uri): AnalysisOptions {
    const base = readSettings(uri).analysis;
    if (uri.scheme !== 'file') return base;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const graph = folder ? this.graphs.get(folder.uri.fsPath) : undefined;
    // pyproject entry points are known from the graph; otherwise the open text decides (live)
    const entry = graph?.isEntry(uri.fsPath) ? { entryScript: true } : {};
    const covered = this.covered.has(path.resolve(uri.fsPath)) ? { runsUnderTransferToNpu: true } : {};
    // inside a package the helper is imported relatively, from the top package
    const depth = helperPackageDepth(base.style, uri.fsPath, this.isPackage);
    return { ...base, ...entry, ...covered, ...(depth ? { packageDepth: depth } : {}) };
  }

  async start(): Promise<void> {
    this.parser = await this.loadParser();
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.analyze(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // a created or deleted requirements_npu.txt changes what its sibling requirements file reports; a new
      // __init__.py or relative import can make a folder a package (where the device helper goes)
      vscode.workspace.onDidCreateFiles(() => (this.refreshRequirements(), this.forgetPackages())),
      vscode.workspace.onDidDeleteFiles(() => (this.refreshRequirements(), this.forgetPackages())),
      vscode.workspace.onDidRenameFiles(() => this.forgetPackages()),
      vscode.workspace.onDidSaveTextDocument((d) => isPythonDocument(d) && this.forgetPackages()),
    );
    for (const doc of vscode.workspace.textDocuments) this.analyze(doc);
  }

  get loadedParser(): PythonParser | undefined {
    return this.parser;
  }

  /** The parser, once loaded (undefined if it cannot load: start() reports that). */
  async whenParserLoaded(): Promise<PythonParser | undefined> {
    return this.loadParser().catch(() => undefined);
  }

  private loadParser(): Promise<PythonParser> {
    return (this.parserLoad ??= PythonParser.load(this.wasmDir));
  }

  /** The live incremental document of an open Python file. */
  documentFor(uri: vscode.Uri): PythonDocument | undefined {
    return this.documents.get(uri.toString());
  }

  findingsFor(uri: vscode.Uri): readonly Finding[] {
    return this.findings.get(uri.toString()) ?? [];
  }

  /** Findings from a workspace scan for files that are not open (open files keep their live analysis). */
  setScanned(uri: vscode.Uri, findings: readonly Finding[]): void {
    if (this.documents.has(uri.toString())) return;
    this.publish(uri, findings);
  }

  /** A closed file that went away or can no longer be analysed: its diagnostics go. */
  forgetScanned(uri: vscode.Uri): void {
    const key = uri.toString();
    if (this.documents.has(key) || !this.findings.has(key)) return;
    this.findings.delete(key);
    this.diagnostics.delete(uri);
    this.changed.fire(uri);
  }

  clearScanned(): void {
    for (const [key] of this.findings) {
      if (!this.documents.has(key) && !vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) {
        this.findings.delete(key);
        this.diagnostics.delete(vscode.Uri.parse(key));
      }
    }
  }

  private refreshRequirements(): void {
    for (const doc of vscode.workspace.textDocuments) if (isRequirementsDocument(doc)) this.analyze(doc);
  }

  /** Re-analyses every open document (settings changed). */
  refreshAll(): void {
    for (const doc of this.documents.values()) doc.dispose();
    this.documents.clear();
    for (const doc of vscode.workspace.textDocuments) this.analyze(doc);
  }

  /** Open documents over npuPort.scan.maxFileSizeKB that were said to be skipped (said once per document). */
  private readonly toldTooLarge = new Set<string>();

  /**
   * Whether an open document is over npuPort.scan.maxFileSizeKB. Such a document is not analysed live, as
   * the scan skips it: parsing tens of MB takes a minute on the extension host and can exhaust the
   * parser's memory. Its diagnostics go, and the user is told once why there are none.
   */
  private tooLarge(doc: vscode.TextDocument, maxKB: number): boolean {
    // UTF-16 length ≤ UTF-8 bytes ≤ 3 × length: the text is built and measured in bytes only when the length
    // alone does not decide (a keystroke in a 20 MB document does not copy it)
    const limit = maxKB * 1024;
    const length = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    const size = length > limit || length * 3 <= limit ? length : Buffer.byteLength(doc.getText(), 'utf8');
    if (size <= limit) {
      this.toldTooLarge.delete(doc.uri.toString());
      return false;
    }
    const key = doc.uri.toString();
    this.documents.get(key)?.dispose();
    this.documents.delete(key);
    this.findings.delete(key);
    this.diagnostics.delete(doc.uri);
    this.changed.fire(doc.uri);
    if (!this.toldTooLarge.has(key)) {
      this.toldTooLarge.add(key);
      const name = path.basename(doc.uri.path);
      getLog().info(`${doc.uri.toString()}: ${Math.round(size / 1024)} KB, over npuPort.scan.maxFileSizeKB (${maxKB} KB); not analysed`);
      const open = vscode.l10n.t('Open Settings');
      void vscode.window.showInformationMessage(
        vscode.l10n.t('{0} is larger than npuPort.scan.maxFileSizeKB ({1} KB), so it is not checked for CUDA-only code.', name, maxKB),
        open,
      ).then((choice) => {
        if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'npuPort.scan.maxFileSizeKB');
      });
    }
    return true;
  }

  analyze(doc: vscode.TextDocument): void {
    if (!this.parser || doc.uri.scheme === 'output' || doc.uri.scheme === 'vscode-scm') return;
    try {
      const settings = readSettings(doc.uri);
      if (isPythonDocument(doc)) {
        const key = doc.uri.toString();
        if (this.tooLarge(doc, settings.maxFileSizeKB)) return;
        this.documents.get(key)?.dispose();
        const live = new PythonDocument(this.parser, doc.getText(), this.optionsFor(doc.uri));
        this.documents.set(key, live);
        this.publish(doc.uri, live.findings);
      } else if (isRequirementsDocument(doc)) {
        const npuSibling = vscode.Uri.joinPath(doc.uri, '..', 'requirements_npu.txt');
        const hasSibling = vscode.workspace.textDocuments.some((d) => d.uri.toString() === npuSibling.toString());
        void vscode.workspace.fs.stat(npuSibling).then(
          () => this.publish(doc.uri, analyzeRequirements(doc.getText(), doc.uri.path, settings.analysis, true)),
          () => this.publish(doc.uri, analyzeRequirements(doc.getText(), doc.uri.path, settings.analysis, hasSibling)),
        );
      }
    } catch (error) {
      getLog().error(`analysis of ${doc.uri.toString()} failed`, error);
    }
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const live = this.documents.get(event.document.uri.toString());
    if (!live) return this.analyze(event.document);
    if (this.tooLarge(event.document, readSettings(event.document.uri).maxFileSizeKB)) return;
    try {
      // contentChanges of one event refer to the document before the event; applied from the end they stay valid
      const changes = [...event.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset).map((c) => ({ range: fromVsRange(c.range), text: c.text }));
      live.update(changes);
      if (live.text.length !== event.document.getText().length) {
        getLog().warn(`incremental text diverged for ${event.document.uri.toString()}; re-analysing`);
        return this.analyze(event.document);
      }
      this.publish(event.document.uri, live.findings);
      if (live.unsettled) this.settleLater(event.document.uri, live);
    } catch (error) {
      getLog().error(`incremental analysis of ${event.document.uri.toString()} failed`, error);
      this.analyze(event.document);
    }
  }

  private readonly settleTimers = new Map<string, NodeJS.Timeout>();

  /** Broken code was re-analysed partially: the whole file is re-analysed once typing pauses. */
  private settleLater(uri: vscode.Uri, live: PythonDocument): void {
    const key = uri.toString();
    clearTimeout(this.settleTimers.get(key));
    this.settleTimers.set(key, setTimeout(() => {
      this.settleTimers.delete(key);
      if (this.documents.get(key) !== live) return;
      this.publish(uri, live.settle());
    }, 300));
  }

  private publish(uri: vscode.Uri, given: readonly Finding[]): void {
    const folds = uri.scheme === 'file' ? this.crossFileFolds.get(path.resolve(uri.fsPath)) : undefined;
    const findings = folds ? applyCrossFileFolds(given, folds, readSettings(uri).analysis) : given;
    this.findings.set(uri.toString(), findings);
    this.diagnostics.set(uri, findings.map((f) => toDiagnostic(f, uri)));
    this.changed.fire(uri);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.documents.get(key)?.dispose();
    this.documents.delete(key);
    this.toldTooLarge.delete(key);
  }

  dispose(): void {
    for (const timer of this.settleTimers.values()) clearTimeout(timer);
    for (const d of this.subscriptions) d.dispose();
    for (const doc of this.documents.values()) doc.dispose();
    this.documents.clear();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
