import * as vscode from 'vscode';
import type { FileCreate, TextEdit } from '../../core/python/types';
import { toVsRange } from '../convert';

/** Adds core text edits and created files (relative to the document's folder) to a WorkspaceEdit. */
export function addToWorkspaceEdit(edit: vscode.WorkspaceEdit, uri: vscode.Uri, edits: readonly TextEdit[], creates: readonly FileCreate[]): void {
  for (const file of creates) {
    const target = vscode.Uri.joinPath(uri, '..', ...file.path.split('/'));
    edit.createFile(target, { ignoreIfExists: true, contents: new TextEncoder().encode(file.content) });
  }
  for (const e of edits) edit.replace(uri, toVsRange(e.range), e.newText);
}
