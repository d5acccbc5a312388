import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Feature } from '../features';
import { getLog } from '../log';
import { PythonCodeActions, PythonHover } from './actions';
import { PythonAnalysis } from './analysis';
import { PythonCommands } from './commands';
import { RULE_DOCS_SCHEME, RuleDocsProvider } from './ruleDocs';
import { affectsPythonSettings, loadWorkspaceTargets } from './settings';
import { FindingsTree } from './tree';
import { PythonFileWatcher } from './watcher';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'python' },
  { pattern: '**/requirements*.txt' },
  { pattern: '**/pyproject.toml' },
];

/** Python migration: live diagnostics, quick fixes, fix-all, workspace scan, report, rule docs. */
export const pythonFeature: Feature = {
  id: 'python',
  async activate(context) {
    const analysis = new PythonAnalysis(path.join(context.extensionPath, 'dist'));
    const tree = new FindingsTree();
    const actions = new PythonCodeActions(analysis);
    const commands = new PythonCommands(context.extensionPath, analysis, actions, tree);
    commands.register(context);
    context.subscriptions.push(
      analysis,
      tree,
      vscode.window.createTreeView('npuPort.findings', { treeDataProvider: tree, showCollapseAll: true }),
      vscode.languages.registerCodeActionsProvider(SELECTOR, actions, PythonCodeActions.metadata),
      vscode.languages.registerHoverProvider(SELECTOR, new PythonHover(analysis)),
      vscode.workspace.registerTextDocumentContentProvider(RULE_DOCS_SCHEME, new RuleDocsProvider()),
      analysis.onDidChangeFindings((uri) => tree.update(uri, analysis.findingsFor(uri))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsPythonSettings(e)) analysis.refreshAll();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => getLog().info('workspace trusted: fixes enabled')),
    );
    // whitelist profiles can be the ONNX target of the onnx-export-* rules (npuPort.onnx.target)
    const profiles = vscode.workspace.createFileSystemWatcher('**/.npu-port/profiles/*.json');
    const reloadTargets = () => void loadWorkspaceTargets().then(() => analysis.refreshAll(), (error: unknown) => getLog().warn('python: cannot reload ONNX profiles', error));
    context.subscriptions.push(profiles, profiles.onDidCreate(reloadTargets), profiles.onDidChange(reloadTargets), profiles.onDidDelete(reloadTargets));
    // watching starts before the (slow) parser load, so that no change on disk in between is missed
    context.subscriptions.push(new PythonFileWatcher(analysis));
    await loadWorkspaceTargets();
    await analysis.start();
    getLog().info('python: analysis ready');
  },
};
