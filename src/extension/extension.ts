import * as vscode from 'vscode';
import type { Feature } from './features';
import { getLog } from './log';
import { onnxFeature } from './onnx/feature';
import { pythonFeature } from './python/feature';
import { remoteFeature } from './remote/feature';
import { resultsFeature } from './results/feature';

const features: Feature[] = [pythonFeature, onnxFeature, remoteFeature, resultsFeature];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = getLog();
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('npuPort.showLog', () => log.show()));
  log.info(`activating ${context.extension.id} ${context.extension.packageJSON.version} (VS Code ${vscode.version}, ${vscode.env.language})`);
  for (const feature of features) {
    try {
      await feature.activate(context);
    } catch (error) {
      log.error(`feature ${feature.id} failed to start`, error);
    }
  }
}

export function deactivate(): void {
  // Disposables registered on the context are disposed by VS Code.
}
