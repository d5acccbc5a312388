import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The extension's one log: a LogOutputChannel named "NPU Porting Assistant". */
export function getLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('NPU Porting Assistant', { log: true });
  return channel;
}
