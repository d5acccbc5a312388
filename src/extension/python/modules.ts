import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { entryPointModules, ModuleGraph, type PythonSource } from '../../core/python/entry';
import { readSettings } from './settings';

/** The current text of a workspace file: the editor's when it is open, else the file on disk. */
export async function currentText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ? open.getText() : fsp.readFile(uri.fsPath, 'utf8');
}

/** `{a,b}` for findFiles' exclude argument (npuPort.exclude and files.exclude). */
export function excludeGlob(folder: vscode.WorkspaceFolder): string | undefined {
  const globs = readSettings(folder.uri).exclude;
  return globs.length ? `{${globs.join(',')}}` : undefined;
}

/** Every Python module of a workspace folder with its imports and entry scripts (pyproject entry points included). */
export async function moduleGraphOf(folder: vscode.WorkspaceFolder, token?: vscode.CancellationToken): Promise<ModuleGraph> {
  const exclude = excludeGlob(folder);
  const maxBytes = readSettings(folder.uri).maxFileSizeKB * 1024;
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), exclude, undefined, token);
  const sources: PythonSource[] = [];
  for (const uri of files) {
    try {
      const st = await fsp.stat(uri.fsPath);
      if (st.size > maxBytes) continue;
      sources.push({ file: uri.fsPath, text: await currentText(uri) });
    } catch {
      // unreadable: not part of the graph
    }
  }
  const entryModules: string[] = [];
  for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/pyproject.toml'), exclude, undefined, token)) {
    try {
      entryModules.push(...entryPointModules(await currentText(uri)));
    } catch {
      // unreadable pyproject.toml: no entry points from it
    }
  }
  return new ModuleGraph(sources, [folder.uri.fsPath], entryModules);
}
