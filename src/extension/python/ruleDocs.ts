import * as path from 'node:path';
import * as vscode from 'vscode';
import { ruleInfo } from '../../core/python/catalog';
import { ruleDocMarkdown } from '../../core/python/ruleDocs';
import { t } from '../l10n';

export const RULE_DOCS_SCHEME = 'npu-port-rule';
export const SHOW_RULE_DOCS = 'npuPort.showRuleDocs';

/** Renders rule documentation pages (npu-port-rule:/<id>.md) in the display language. */
export class RuleDocsProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const info = ruleInfo(path.basename(uri.path, '.md'));
    return info ? ruleDocMarkdown(info, t) : '';
  }
}

/** The virtual document of a rule's page (rendered from the catalog: no file or network needed). */
export function ruleDocsUri(rule: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RULE_DOCS_SCHEME, path: `/${rule}.md` });
}

/**
 * `command:npuPort.showRuleDocs?["<rule>"]`: the link of a diagnostic's code and of the hover. The
 * Problems panel, the editor hover and the error peek open a diagnostic's code target with command
 * links allowed (VS Code's Link / markerHoverParticipant / gotoErrorWidget), so it shows the rule's
 * page as a Markdown preview inside VS Code, offline.
 */
export function ruleDocsCommandUri(rule: string): vscode.Uri {
  return vscode.Uri.from({ scheme: 'command', path: SHOW_RULE_DOCS, query: JSON.stringify([rule]) });
}
