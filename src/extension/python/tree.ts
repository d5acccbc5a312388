import * as path from 'node:path';
import * as vscode from 'vscode';
import { ruleInfo } from '../../core/python/catalog';
import type { Finding } from '../../core/python/types';
import { toVsRange } from '../convert';
import { t } from '../l10n';

type Item =
  | { kind: 'file'; uri: vscode.Uri; findings: readonly Finding[] }
  | { kind: 'rule'; uri: vscode.Uri; rule: string; findings: readonly Finding[] }
  | { kind: 'finding'; uri: vscode.Uri; finding: Finding };

/** The "NPU Porting" view: scan results grouped by file, then by rule. */
export class FindingsTree implements vscode.TreeDataProvider<Item> {
  private files = new Map<string, { uri: vscode.Uri; findings: readonly Finding[] }>();
  private readonly changed = new vscode.EventEmitter<Item | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  setAll(entries: readonly { uri: vscode.Uri; findings: readonly Finding[] }[]): void {
    this.scanned = true;
    this.files = new Map(entries.filter((e) => e.findings.length).map((e) => [e.uri.toString(), e]));
    this.changed.fire(undefined);
  }

  /** After a scan, the view lists the workspace's findings: files that change on disk or are edited join it. */
  private scanned = false;

  /** Live updates (as the user edits or fixes files, or files change on disk). */
  update(uri: vscode.Uri, findings: readonly Finding[]): void {
    const key = uri.toString();
    if (!this.files.has(key) && (!this.scanned || findings.length === 0)) return;
    if (findings.length) this.files.set(key, { uri, findings });
    else this.files.delete(key);
    this.changed.fire(undefined);
  }

  get size(): number {
    return this.files.size;
  }

  getChildren(item?: Item): Item[] {
    if (!item) {
      return [...this.files.values()].sort((a, b) => (a.uri.fsPath < b.uri.fsPath ? -1 : 1)).map((f) => ({ kind: 'file', uri: f.uri, findings: f.findings }));
    }
    if (item.kind === 'file') {
      const byRule = new Map<string, Finding[]>();
      for (const f of item.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
      return [...byRule].map(([rule, findings]) => ({ kind: 'rule', uri: item.uri, rule, findings }));
    }
    if (item.kind === 'rule') return item.findings.map((finding) => ({ kind: 'finding', uri: item.uri, finding }));
    return [];
  }

  getTreeItem(item: Item): vscode.TreeItem {
    if (item.kind === 'file') {
      const tree = new vscode.TreeItem(vscode.workspace.asRelativePath(item.uri), vscode.TreeItemCollapsibleState.Expanded);
      tree.resourceUri = item.uri;
      tree.description = String(item.findings.length);
      tree.iconPath = vscode.ThemeIcon.File;
      return tree;
    }
    if (item.kind === 'rule') {
      const info = ruleInfo(item.rule);
      const tree = new vscode.TreeItem(item.rule, vscode.TreeItemCollapsibleState.Collapsed);
      tree.description = `${info ? t(info.title) : ''} (${item.findings.length})`;
      tree.tooltip = info ? t(info.explanation) : undefined;
      tree.contextValue = 'npuPortRule';
      return tree;
    }
    const { finding } = item;
    const tree = new vscode.TreeItem(`${finding.range.start.line + 1}: ${t(finding.message)}`, vscode.TreeItemCollapsibleState.None);
    tree.description = path.basename(item.uri.fsPath);
    tree.iconPath = new vscode.ThemeIcon(finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'info');
    tree.command = { command: 'vscode.open', title: '', arguments: [item.uri, { selection: toVsRange(finding.range) }] };
    return tree;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
