/**
 * What the viewer panels and the ONNX commands share: one ModelSession per file (reference counted
 * by open documents), the target profiles, and the diagnostics on .onnx files.
 */
import * as vscode from 'vscode';
import type { CheckResult } from '../../core/onnx/check';
import { listTargets } from '../../core/operations/listTargets';
import type { TargetProfile } from '../../core/onnx/targets/profile';
import { t } from '../l10n';
import { profileOfSetting, targetSetting } from './targetSetting';
import { getLog } from '../log';
import { ModelSession } from '../../core/onnx/view/modelSession';
import { groupProblems } from '../../shared/problems';

export const REVEAL_URI_PATH = '/revealOnnxNode';

export class OnnxServices implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('npu-port-onnx');
  private readonly sessions = new Map<string, { session: ModelSession; refs: number }>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.onnx');
  /** Fired when a model file changed on disk (open viewers reload). */
  readonly onDidChangeModel = new vscode.EventEmitter<vscode.Uri>();
  /** What each file's diagnostics were made from, to remake them when `npuPort.onnx.problemsPerNode` changes. */
  private readonly published = new Map<string, { uri: vscode.Uri; result: CheckResult; profile: TargetProfile }>();
  private readonly configListener = vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('npuPort.onnx.problemsPerNode')) return;
    for (const { uri, result, profile } of [...this.published.values()]) this.publishDiagnostics(uri, result, profile);
  });

  constructor(private readonly extensionId: string) {
    const changed = (uri: vscode.Uri) => {
      const entry = this.sessions.get(uri.toString());
      if (!entry) return;
      entry.session.reset();
      this.onDidChangeModel.fire(uri);
    };
    this.watcher.onDidChange(changed);
    this.watcher.onDidCreate(changed);
    this.watcher.onDidDelete((uri) => {
      this.diagnostics.delete(uri);
      this.published.delete(uri.toString());
    });
  }

  session(uri: vscode.Uri): ModelSession {
    const key = uri.toString();
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = { session: new ModelSession(uri.fsPath), refs: 0 };
      this.sessions.set(key, entry);
    }
    return entry.session;
  }

  retain(uri: vscode.Uri): void {
    this.session(uri);
    this.sessions.get(uri.toString())!.refs++;
  }

  release(uri: vscode.Uri): void {
    const entry = this.sessions.get(uri.toString());
    if (!entry) return;
    if (--entry.refs <= 0) {
      entry.session.dispose();
      this.sessions.delete(uri.toString());
    }
  }

  /** The workspace setting npuPort.onnx.target (what a newly opened editor checks against). */
  defaultTarget(): string {
    return targetSetting();
  }

  /**
   * Built-in profiles (qnn-htp followed by its other Hexagon architectures, `qnn-htp@v68` ...), then
   * whitelist profiles from `.npu-port/profiles/*.json` of each workspace folder.
   */
  async profiles(): Promise<TargetProfile[]> {
    const listed = await listTargets({
      architectures: true,
      folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      onFolderError: (folder, error) => getLog().warn(`onnx: cannot read workspace profiles of ${folder}`, error),
    });
    for (const error of listed.errors) getLog().warn(`onnx: ${t(error.detail)}`);
    const profiles: TargetProfile[] = [...listed.profiles];
    // `ascend310p@8.5`: the setting's release of a built-in is offered under the setting's own name
    const setting = targetSetting();
    const named = profileOfSetting(setting, profiles);
    if (named && !profiles.some((p) => p.id === setting)) profiles.push({ ...named, id: setting });
    return profiles;
  }

  /**
   * One diagnostic per (op, reason) group of unsupported (error) or unverified (warning) nodes, at the
   * group's first node ("Erf ×412, unverified on qnn-htp"); per node with `npuPort.onnx.problemsPerNode`.
   * The code links to the (first) node in the viewer, whose Problems tab walks the group.
   */
  publishDiagnostics(uri: vscode.Uri, result: CheckResult, profile: TargetProfile): void {
    this.published.set(uri.toString(), { uri, result, profile });
    const diagnostics: vscode.Diagnostic[] = [];
    const range = new vscode.Range(0, 0, 0, 0);
    for (const model of result.modelReasons) {
      const d = new vscode.Diagnostic(range, `${profile.name}: ${t(model.message)}`, model.certain ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'npu-port';
      d.code = model.code;
      diagnostics.push(d);
    }
    const problems = result.verdicts.filter((v) => v.verdict !== 'supported');
    const perNode = vscode.workspace.getConfiguration('npuPort.onnx', uri).get<boolean>('problemsPerNode', false);
    const groups = perNode
      ? problems.map((v) => [v])
      : groupProblems(problems, (v) => ({ op: v.opType, status: v.verdict as 'unsupported' | 'unverified', codes: v.reasons.map((r) => r.code) })).map((g) => g.items);
    for (const group of groups) {
      const v = group[0]!;
      const name = v.name || `${v.opType}#${v.index}`;
      const reasons = v.reasons.map((r) => t(r.message)).join(' ');
      const hints = v.hints.map((h) => t(h.message)).join(' ');
      let text: string;
      if (group.length === 1) {
        text = v.verdict === 'unsupported'
          ? vscode.l10n.t('{0} ({1}) is not supported by {2}: {3}', name, v.opType, profile.name, reasons)
          : vscode.l10n.t('{0} ({1}) is unverified on {2}: {3}', name, v.opType, profile.name, reasons);
      } else {
        text = v.verdict === 'unsupported'
          ? vscode.l10n.t('{0} ×{1}, not supported by {2} (first: {3} ({0})): {4}', v.opType, group.length, profile.name, name, reasons)
          : vscode.l10n.t('{0} ×{1}, unverified on {2} (first: {3} ({0})): {4}', v.opType, group.length, profile.name, name, reasons);
      }
      const d = new vscode.Diagnostic(range, hints ? `${text} ${vscode.l10n.t('Hint: {0}', hints)}` : text,
        v.verdict === 'unsupported' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'npu-port';
      d.code = { value: v.reasons[0]?.code ?? v.verdict, target: this.revealUri(uri, name) };
      diagnostics.push(d);
    }
    this.diagnostics.set(uri, diagnostics);
  }

  /** `vscode://<extension>/revealOnnxNode?model=…&node=…`: opens the viewer on the node (handled by the UriHandler). */
  revealUri(model: vscode.Uri, node: string): vscode.Uri {
    const query = `model=${encodeURIComponent(model.toString())}&node=${encodeURIComponent(node)}`;
    return vscode.Uri.from({ scheme: vscode.env.uriScheme, authority: this.extensionId, path: REVEAL_URI_PATH, query });
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.configListener.dispose();
    this.published.clear();
    this.watcher.dispose();
    this.onDidChangeModel.dispose();
    for (const { session } of this.sessions.values()) session.dispose();
    this.sessions.clear();
  }
}
