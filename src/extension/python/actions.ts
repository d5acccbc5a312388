import * as vscode from 'vscode';
import { ruleInfo } from '../../core/python/catalog';
import { fixAllEdits, ignoreEdit } from '../../core/python/fixes/apply';
import { requirementsFixAll } from '../../core/dependencies/requirements';
import type { Finding } from '../../core/python/types';
import { toVsRange } from '../convert';
import { t } from '../l10n';
import type { PythonAnalysis } from './analysis';
import { addToWorkspaceEdit } from './edits';
import { ruleDocsCommandUri, SHOW_RULE_DOCS } from './ruleDocs';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('npuPort');

/** Quick fixes, fix-all in file (source.fixAll.npuPort), ignore-for-line and rule docs for npu-port diagnostics. */
export class PythonCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND],
  };

  constructor(private readonly analysis: PythonAnalysis) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.analysis.findingsFor(doc.uri);
    if (findings.length === 0) return [];
    const trusted = vscode.workspace.isTrusted;
    const actions: vscode.CodeAction[] = [];
    const wantsFixAll = context.only && (FIX_ALL_KIND.contains(context.only) || context.only.contains(FIX_ALL_KIND));
    if (wantsFixAll) {
      // source.fixAll runs on save without asking: never in an untrusted workspace
      const all = trusted ? this.fixAll(doc) : undefined;
      return all ? [all] : [];
    }
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix) && !vscode.CodeActionKind.QuickFix.contains(context.only)) return [];
    const ours = context.diagnostics.filter((d) => d.source === 'npu-port');
    for (const diagnostic of ours) {
      const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
      const finding = findings.find((f) => f.rule === code && toVsRange(f.range).isEqual(diagnostic.range));
      if (!finding) continue;
      if (trusted) {
        finding.fixes.forEach((fix, i) => {
          const action = new vscode.CodeAction(t(fix.title), vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          // a fix that changes numerics or needs a condition the analysis cannot check is never the auto-fix
          action.isPreferred = i === 0 && !fix.explicitOnly && !fix.changesInterface;
          if (fix.inEntryScript) {
            // the import belongs in the entry scripts that run this module: found and edited by the command
            action.command = { command: 'npuPort.addTransferToNpuToEntryScript', title: action.title, arguments: [doc.uri] };
          } else {
            action.edit = new vscode.WorkspaceEdit();
            addToWorkspaceEdit(action.edit, doc.uri, fix.edits, fix.createFiles);
          }
          actions.push(action);
        });
        const ignore = new vscode.CodeAction(vscode.l10n.t('Ignore {0} on this line', finding.rule), vscode.CodeActionKind.QuickFix);
        ignore.diagnostics = [diagnostic];
        ignore.edit = new vscode.WorkspaceEdit();
        const edit = ignoreEdit(doc.getText(), finding);
        ignore.edit.replace(doc.uri, toVsRange(edit.range), edit.newText);
        actions.push(ignore);
      }
      const docs = new vscode.CodeAction(vscode.l10n.t('Show documentation for {0}', finding.rule), vscode.CodeActionKind.QuickFix);
      docs.diagnostics = [diagnostic];
      docs.command = { command: SHOW_RULE_DOCS, title: docs.title, arguments: [finding.rule] };
      actions.push(docs);
    }
    if (trusted && ours.length > 0) {
      const all = this.fixAll(doc);
      if (all) {
        const quick = new vscode.CodeAction(all.title, vscode.CodeActionKind.QuickFix);
        quick.edit = all.edit;
        actions.push(quick);
      }
    }
    void range;
    return actions;
  }

  /** One action with every preferred fix of the file (imports added once). */
  fixAll(doc: vscode.TextDocument): vscode.CodeAction | undefined {
    const findings = this.analysis.findingsFor(doc.uri);
    const options = this.analysis.optionsFor(doc.uri);
    const edit = new vscode.WorkspaceEdit();
    const live = this.analysis.documentFor(doc.uri);
    let count = 0;
    let skipped = 0;
    if (live) {
      live.settle(); // a deferred re-parse or partial result over broken code: the whole file, current
      const plan = fixAllEdits(live.syntaxTree, live.text, live.findings, options);
      if (plan.fixed.length === 0) return undefined;
      addToWorkspaceEdit(edit, doc.uri, plan.edits, plan.createFiles);
      count = plan.fixed.length;
      skipped = plan.interfaceChanges.length;
    } else {
      // requirements*.txt (creates requirements_npu.txt) and pyproject.toml (edited in place)
      const plan = requirementsFixAll(findings, options);
      if (plan.fixed.length === 0) return undefined;
      addToWorkspaceEdit(edit, doc.uri, plan.edits, plan.createFiles);
      count = plan.fixed.length;
    }
    const title = skipped
      ? vscode.l10n.t('Fix all NPU porting issues in this file ({0}; {1} not applied: they change the interface)', count, skipped)
      : vscode.l10n.t('Fix all NPU porting issues in this file ({0})', count);
    const action = new vscode.CodeAction(title, FIX_ALL_KIND);
    action.edit = edit;
    return action;
  }
}

/** Hover over a finding: rule title, explanation, NPU-side replacement and the documentation link. */
export class PythonHover implements vscode.HoverProvider {
  constructor(private readonly analysis: PythonAnalysis) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const here = this.analysis.findingsFor(doc.uri).filter((f: Finding) => toVsRange(f.range).contains(position));
    if (here.length === 0) return undefined;
    const parts = here.map((f) => {
      const info = ruleInfo(f.rule);
      const md = new vscode.MarkdownString();
      md.isTrusted = { enabledCommands: [SHOW_RULE_DOCS] };
      md.appendMarkdown(`**${f.rule}**${info ? ' — ' + t(info.title) : ''}\n\n`);
      if (info) {
        md.appendText(t(info.explanation));
        md.appendMarkdown('\n\n');
        md.appendMarkdown(`**${vscode.l10n.t('NPU side')}:** `);
        md.appendText(t(info.replacement));
        md.appendMarkdown(`\n\n[${vscode.l10n.t('Documentation')}](${ruleDocsCommandUri(f.rule).toString()})`);
      }
      return md;
    });
    return new vscode.Hover(parts);
  }
}
