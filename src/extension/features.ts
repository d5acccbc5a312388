import type * as vscode from 'vscode';

/**
 * A feature of the extension (Python diagnostics, ONNX viewer, remote tasks, ...). Each lives in its
 * own file under src/extension/ and is listed in extension.ts; activation registers them one by one
 * so that one failing feature is logged and does not take the others down.
 */
export interface Feature {
  readonly id: string;
  activate(context: vscode.ExtensionContext): void | Promise<void>;
}
