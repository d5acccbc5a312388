import * as vscode from 'vscode';
import type { Feature } from '../features';
import { registerOnnxCommands } from './commands';
import { registerSourceLink } from './sourceLink';
import { OnnxServices } from './services';
import { OnnxViewerProvider, VIEW_TYPE } from './viewerProvider';

/** The ONNX viewer (custom editor), its diagnostics and the ONNX commands. */
export const onnxFeature: Feature = {
  id: 'onnx',
  activate(context) {
    const services = new OnnxServices(context.extension.id);
    const provider = new OnnxViewerProvider(context, services);
    context.subscriptions.push(
      services,
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
        // state lives in the webview (setState); hidden panels are rebuilt from it
        webviewOptions: { retainContextWhenHidden: false, enableFindWidget: false },
        supportsMultipleEditorsPerDocument: true,
      }),
      services.onDidChangeModel.event((uri) => {
        for (const panel of provider.panelsFor(uri)) void panel.load();
      }),
      vscode.languages.onDidChangeDiagnostics((event) => {
        for (const uri of event.uris) {
          if (!uri.path.endsWith('.onnx')) continue;
          for (const panel of provider.panelsFor(uri)) panel.refreshToolVerdicts();
        }
      }),
    );
    registerOnnxCommands(context, services, provider);
    registerSourceLink(context, provider);
  },
};
