import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RULES, ruleInfo } from '../../core/python/catalog';
import { preferredFix } from '../../core/python/fixes/apply';
import { importsTransferToNpu, type ModuleGraph } from '../../core/python/entry';
import { fix } from '../../core/operations/fix';
import { report } from '../../core/operations/report';
import { scan } from '../../core/operations/scan';
import { INTERFACE_CHANGES, planTotals, transferImportEdits, type FilePlan } from '../../core/workspace/fixPlan';
import { ScanCache, type FileReport, type ScanProblem } from '../../core/workspace/scan';
import { writeFileAtomic } from '../../core/fs';
import { currentMigrationEntries, type MigrationEntry } from '../../core/report/markdown';
import { toVsRange } from '../convert';
import { t } from '../l10n';
import { getLog } from '../log';
import type { PythonCodeActions } from './actions';
import type { PythonAnalysis } from './analysis';
import { currentText, moduleGraphOf } from './modules';
import { lineBreakOf } from '../../core/python/text';
import type { CrossFileFold } from '../../core/python/optionalModules';
import type { FindingsTree } from './tree';
import { ruleDocsUri } from './ruleDocs';
import { readSettings } from './settings';

interface LastScan {
  readonly reports: readonly FileReport[];
  readonly problems: readonly ScanProblem[];
  /** Module graph per workspace folder (fsPath), when the scan built one (see ScanResult.graph). */
  readonly graphs: ReadonlyMap<string, ModuleGraph>;
}

const REPORT_SCHEME = 'npu-port-report';
/** The report as a read-only virtual document (shown as a Markdown preview; "Save Report…" writes it). */
const REPORT_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/npu-migration-report.md' });

/** The Python commands: scan, fix all (file / workspace), migration report, rule docs. */
export class PythonCommands {
  private readonly cache = new ScanCache();
  private last: LastScan | undefined;
  /** What fix-all changed in this session, for the report. */
  private readonly fixedEntries: MigrationEntry[] = [];
  /** Files fix-all created (absolute paths). */
  private readonly created = new Set<string>();
  /** The Markdown of the last report (shown from REPORT_URI, saved on demand). */
  private lastReport: string | undefined;
  private readonly reportDocs = new vscode.EventEmitter<vscode.Uri>();

  constructor(
    private readonly extensionPath: string,
    private readonly analysis: PythonAnalysis,
    private readonly actions: PythonCodeActions,
    private readonly tree: FindingsTree,
  ) {}

  register(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
      vscode.commands.registerCommand('npuPort.scanWorkspace', () => this.scan(true)),
      vscode.commands.registerCommand('npuPort.fixAllInFile', (uri?: vscode.Uri) => this.fixAllInFile(uri)),
      vscode.commands.registerCommand('npuPort.fixAllInWorkspace', () => this.fixAllInWorkspace()),
      vscode.commands.registerCommand('npuPort.generateMigrationReport', () => this.report()),
      vscode.commands.registerCommand('npuPort.saveMigrationReport', (target?: vscode.Uri) => this.saveReport(target)),
      this.reportDocs,
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, { onDidChange: this.reportDocs.event, provideTextDocumentContent: () => this.lastReport ?? '' }),
      vscode.commands.registerCommand('npuPort.showRuleDocs', (rule?: string) => this.showRuleDocs(rule)),
      // internal: the quick fix of a transferToNpu finding in a module that an entry script runs
      vscode.commands.registerCommand('npuPort.addTransferToNpuToEntryScript', (uri: vscode.Uri) => this.addTransferToEntryScript(uri)),
    );
  }

  /** Scans every workspace folder with progress and cancellation; fills the tree view and the Problems panel. */
  async scan(interactive: boolean): Promise<LastScan | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      if (interactive) void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder to scan it.'));
      return undefined;
    }
    const log = getLog();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('NPU: scanning for CUDA-specific code'), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const reports: FileReport[] = [];
        const problems: ScanProblem[] = [];
        const graphs = new Map<string, ModuleGraph>();
        const crossFileFolds = new Map<string, readonly CrossFileFold[]>();
        let reported = 0;
        const started = Date.now();
        try {
          for (const folder of folders) {
            const settings = readSettings(folder.uri);
            const result = await scan({
              roots: [folder.uri.fsPath],
              analysis: settings.analysis,
              wasmDir: path.join(this.extensionPath, 'dist'),
              workerScript: path.join(this.extensionPath, 'dist', 'workers', 'scan.worker.js'),
              maxFileSizeKB: settings.maxFileSizeKB,
              exclude: settings.exclude,
              cache: this.cache,
              signal: controller.signal,
              log,
              onProgress: ({ done = 0, total = 0 }) => {
                const percent = total ? Math.floor((done / total) * 100) : 100;
                progress.report({ message: vscode.l10n.t('{0} of {1} files', done, total), increment: percent - reported });
                reported = percent;
              },
            });
            reports.push(...result.reports);
            problems.push(...result.problems);
            if (result.graph) graphs.set(folder.uri.fsPath, result.graph);
            for (const [file, folds] of result.crossFileFolds) crossFileFolds.set(file, folds);
            log.info(`scan ${folder.uri.fsPath}: ${result.files} files, ${result.stats.parsed} parsed, ${result.stats.skippedByPrefilter} pre-filtered, ${result.stats.fromCache} cached, ${Date.now() - started} ms`);
          }
        } catch (error) {
          if (controller.signal.aborted) {
            log.info('scan cancelled');
            return undefined;
          }
          throw error;
        }
        for (const p of problems) log.warn(`${p.file}: ${t(p.message)}`);
        this.analysis.setModuleGraphs(graphs);
        this.analysis.setCrossFileFolds(crossFileFolds);
        this.analysis.clearScanned();
        for (const r of reports) this.analysis.setScanned(vscode.Uri.file(r.file), r.findings);
        this.tree.setAll(reports.map((r) => ({ uri: vscode.Uri.file(r.file), findings: this.analysis.findingsFor(vscode.Uri.file(r.file)) })));
        this.last = { reports, problems, graphs };
        const count = reports.reduce((n, r) => n + r.findings.length, 0);
        if (interactive) {
          void vscode.commands.executeCommand('npuPort.findings.focus').then(undefined, () => undefined);
          void vscode.window.showInformationMessage(vscode.l10n.t('NPU scan: {0} findings in {1} files.', count, reports.length));
        }
        return this.last;
      },
    );
  }

  private untrusted(): boolean {
    if (vscode.workspace.isTrusted) return false;
    void vscode.window.showWarningMessage(vscode.l10n.t('NPU Porting Assistant does not change files in an untrusted workspace.'));
    return true;
  }

  async fixAllInFile(uri?: vscode.Uri): Promise<boolean> {
    if (this.untrusted()) return false;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) return false;
    this.analysis.analyze(doc);
    const action = this.actions.fixAll(doc);
    const options = this.analysis.optionsFor(doc.uri);
    if (!action?.edit) {
      // transferToNpu style in a module: the fix is the import in the entry scripts that run it
      if (this.analysis.findingsFor(doc.uri).some((f) => preferredFix(f, options)?.inEntryScript)) return (await this.addTransferToEntryScript(doc.uri)).length > 0;
      void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to fix in this file.'));
      return false;
    }
    const entries = this.analysis.findingsFor(doc.uri).filter((f) => { const fix = preferredFix(f, options); return fix && !fix.inEntryScript; });
    const crOnly = crOnlyOnDisk([doc.uri]);
    const applied = await vscode.workspace.applyEdit(action.edit);
    if (applied) warnCrOnly(crOnly);
    if (applied) this.remember(doc.uri.fsPath, entries.map((f) => ({ finding: f, replacement: preferredFix(f, options)!.replacement })), []);
    return applied;
  }

  /** Fix-all over every file of the workspace as one WorkspaceEdit (one undo). */
  async fixAllInWorkspace(): Promise<boolean> {
    if (this.untrusted()) return false;
    const scan = await this.scan(false);
    const parser = this.analysis.loadedParser;
    if (!scan || !parser) return false;
    const plans: FilePlan[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const settings = readSettings(folder.uri);
      const files = await Promise.all(
        scan.reports
          .filter((r) => r.file.startsWith(folder.uri.fsPath + path.sep))
          .map(async (r) => {
            const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === r.file);
            return { file: r.file, text: open ? open.getText() : await fsp.readFile(r.file, 'utf8') };
          }),
      );
      const graph = scan.graphs.get(folder.uri.fsPath);
      const readText = (file: string) => vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText() ?? readFileSync(file, 'utf8');
      plans.push(...(await fix({ parser, files, analysis: settings.analysis, ...(graph ? { workspace: { graph, readText } } : {}) })).plans);
    }
    const totals = planTotals(plans);
    if (totals.fixed === 0 && totals.files === 0) {
      void vscode.window.showInformationMessage(totals.interfaceChanges ? t(INTERFACE_CHANGES(totals.interfaceChanges)) : vscode.l10n.t('Nothing to fix in this workspace.'));
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const plan of plans) {
      const uri = vscode.Uri.file(plan.file);
      for (const c of plan.creates) edit.createFile(vscode.Uri.file(c.file), { ignoreIfExists: true, contents: new TextEncoder().encode(c.content) });
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === plan.file) ?? (plan.edits.length ? await vscode.workspace.openTextDocument(uri) : undefined);
      if (doc && plan.edits.length) edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), plan.newText);
    }
    const crOnly = crOnlyOnDisk(plans.filter((p) => p.edits.length).map((p) => vscode.Uri.file(p.file)));
    const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
    if (applied) {
      warnCrOnly(crOnly);
      for (const plan of plans) {
        const options = readSettings(vscode.Uri.file(plan.file)).analysis;
        this.remember(plan.file, plan.fixed.map((f) => ({ finding: f, replacement: preferredFix(f, options)?.replacement ?? '' })), plan.creates.map((c) => c.file));
      }
      const fixedMessage = vscode.l10n.t('Fixed {0} findings in {1} files. Undo restores them all.', totals.fixed, totals.files);
      void vscode.window.showInformationMessage(totals.interfaceChanges ? `${fixedMessage} ${t(INTERFACE_CHANGES(totals.interfaceChanges))}` : fixedMessage);
    }
    return applied;
  }

  /**
   * transferToNpu style in a module: the two-line import goes into the entry scripts of the workspace
   * that run this module (one edit, the scripts are opened); with none, says where the lines belong.
   */
  async addTransferToEntryScript(uri: vscode.Uri): Promise<readonly string[]> {
    if (this.untrusted()) return [];
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const parser = this.analysis.loadedParser;
    if (!folder || !parser) return [];
    const graph = await moduleGraphOf(folder);
    let entries = graph.entryScriptsReaching(uri.fsPath);
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No entry script of this workspace imports {0}. Add "import torch_npu" and "from torch_npu.contrib import transfer_to_npu" at the top of the script you run.', vscode.workspace.asRelativePath(uri)));
      return [];
    }
    if (entries.length > 1) {
      const picked = await vscode.window.showQuickPick(
        entries.map((e) => ({ label: vscode.workspace.asRelativePath(e), file: e, picked: true })),
        { canPickMany: true, placeHolder: vscode.l10n.t('Entry scripts that run {0}', vscode.workspace.asRelativePath(uri)) },
      );
      if (!picked) return [];
      entries = picked.map((p) => p.file);
    }
    const edit = new vscode.WorkspaceEdit();
    const changed: string[] = [];
    for (const entry of entries) {
      const entryUri = vscode.Uri.file(entry);
      const text = await currentText(entryUri);
      if (importsTransferToNpu(text)) continue;
      for (const e of transferImportEdits(parser, text)) edit.replace(entryUri, toVsRange(e.range), e.newText);
      changed.push(entry);
    }
    if (changed.length && !(await vscode.workspace.applyEdit(edit))) return [];
    await vscode.window.showTextDocument(vscode.Uri.file(entries[0]!), { preview: false });
    return changed;
  }

  private remember(file: string, fixed: { finding: MigrationEntry['finding']; replacement: string }[], created: string[]): void {
    const rel = (f: string) => vscode.workspace.asRelativePath(f);
    for (const f of fixed) this.fixedEntries.push({ file: rel(file), finding: f.finding, replacement: f.replacement, status: 'fixed' });
    for (const c of created) this.created.add(c);
  }

  /** The migration report (Markdown, in the editor's display language) from this session's fixes and a fresh scan. */
  async report(): Promise<vscode.TextDocument | undefined> {
    const scan = await this.scan(false);
    const current: MigrationEntry[] = [];
    for (const r of scan?.reports ?? []) {
      const options = readSettings(vscode.Uri.file(r.file)).analysis;
      // an open document may differ from the disk (fix-all or undo not saved yet): its live findings count
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === r.file);
      for (const finding of open ? this.analysis.findingsFor(open.uri) : r.findings) {
        const fix = preferredFix(finding, options);
        current.push({ file: vscode.workspace.asRelativePath(r.file), finding, status: fix ? 'fixable' : 'manual', replacement: fix?.replacement ?? '' });
      }
    }
    const entries = currentMigrationEntries(this.fixedEntries, current);
    const created: string[] = [];
    for (const file of this.created) {
      // an undone fix-all removed the file it created
      if (await vscode.workspace.fs.stat(vscode.Uri.file(file)).then(() => true, () => false)) created.push(vscode.workspace.asRelativePath(file));
    }
    const { markdown } = report({
      format: 'markdown',
      migration: {
        entries,
        createdFiles: created,
        problems: (scan?.problems ?? []).map((p) => ({ file: vscode.workspace.asRelativePath(p.file), message: p.message })),
        date: new Date().toISOString().slice(0, 10),
        docsUrl: (relative) => vscode.Uri.joinPath(vscode.Uri.file(this.extensionPath), relative).toString(),
      },
      t,
    });
    this.lastReport = markdown;
    const shown = vscode.workspace.textDocuments.find((d) => d.uri.toString() === REPORT_URI.toString());
    if (shown && shown.getText() !== markdown) {
      // the open virtual document takes the new text asynchronously: return it once it has
      let listener: vscode.Disposable | undefined;
      const updated = new Promise<void>((resolve) => {
        listener = vscode.workspace.onDidChangeTextDocument((e) => e.document === shown && shown.getText() === markdown && resolve());
      });
      this.reportDocs.fire(REPORT_URI);
      await Promise.race([updated, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      listener?.dispose();
    }
    const doc = await vscode.workspace.openTextDocument(REPORT_URI);
    await showMarkdownPreview(REPORT_URI);
    const save = vscode.l10n.t('Save Report…');
    void vscode.window.showInformationMessage(vscode.l10n.t('The migration report is open as a preview; save its Markdown to keep it.'), save).then((choice) => {
      if (choice === save) void this.saveReport();
    });
    return doc;
  }

  /** Writes the last report's Markdown (generated now if there is none) where the user says, or to `target`; temp file + rename. */
  async saveReport(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (this.lastReport === undefined) await this.report();
    const markdown = this.lastReport;
    if (markdown === undefined) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target ??= await vscode.window.showSaveDialog({
      defaultUri: folder && vscode.Uri.joinPath(folder, 'npu-migration-report.md'),
      filters: { Markdown: ['md'] },
    });
    if (!target) return undefined;
    if (target.scheme === 'file') await writeFileAtomic(target.fsPath, markdown);
    else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
    return target;
  }

  async showRuleDocs(rule?: string): Promise<void> {
    let id = rule;
    if (!id) {
      const picked = await vscode.window.showQuickPick(
        RULES.map((r) => ({ label: r.id, description: t(r.title) })),
        { placeHolder: vscode.l10n.t('Rule to show') },
      );
      id = picked?.label;
    }
    if (!id || !ruleInfo(id)) return;
    const uri = ruleDocsUri(id);
    await showMarkdownPreview(uri);
  }
}

/** The built-in Markdown preview of a document; its text in an editor when the preview is not available. */
async function showMarkdownPreview(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  }
}

/**
 * Files whose text on disk breaks lines with CR alone (classic Mac). VS Code's editor keeps LF or CRLF
 * only: it turns a CR-only file's breaks into CRLF when it opens it, so a fix made through the editor is
 * saved with CRLF. The CLI (`npu-port scan --fix`) writes the file itself and keeps CR-only breaks.
 */
function crOnlyOnDisk(uris: readonly vscode.Uri[]): string[] {
  return uris.filter((u) => {
    if (u.scheme !== 'file') return false;
    try {
      return lineBreakOf(readFileSync(u.fsPath, 'utf8')) === '\r';
    } catch {
      return false;
    }
  }).map((u) => vscode.workspace.asRelativePath(u));
}

function warnCrOnly(files: readonly string[]): void {
  if (!files.length) return;
  void vscode.window.showWarningMessage(vscode.l10n.t('VS Code keeps line breaks as LF or CRLF only: {0} had CR-only line breaks and is saved with CRLF ones. "npu-port scan --fix" keeps CR-only line breaks.', files.join(', ')));
}
