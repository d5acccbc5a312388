import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceFolder } from '../extension';

const SCRIPT = [
  'import torch',
  '',
  'model = torch.nn.Linear(4, 4)',
  'x = torch.zeros(1, 4)',
  'torch.onnx.export(model, x, "m.onnx", dynamic_axes={"x": {0: "b"}}, opset_version=19)',
  '',
].join('\n');

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'npu-port');
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

describe('onnx export rules', () => {
  before(async () => {
    await activateExtension();
  });

  it('checks torch.onnx.export against npuPort.onnx.target, re-checks when the setting changes, and fixes the opset', async () => {
    const uri = vscode.Uri.joinPath(workspaceFolder(), 'onnx-export-it', 'export.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SCRIPT));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const config = vscode.workspace.getConfiguration('npuPort');
    try {
      await config.update('onnx.target', 'ascend310p', vscode.ConfigurationTarget.Workspace);
      const ascend = await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'onnx-export-opset') ? ours(uri) : undefined), 'the opset diagnostic for Ascend 310P');
      const opset = ascend.find((d) => codeOf(d) === 'onnx-export-opset')!;
      assert.match(opset.message, /Opset 19 is outside the opsets Ascend 310P accepts \(8-18\)/);
      assert.equal(ascend.find((d) => codeOf(d) === 'onnx-export-dynamic-axes')?.severity, vscode.DiagnosticSeverity.Information);

      await config.update('onnx.target', 'qnn-htp', vscode.ConfigurationTarget.Workspace);
      const qnn = await waitFor(() => {
        const d = ours(uri).find((x) => codeOf(x) === 'onnx-export-dynamic-axes');
        return d?.severity === vscode.DiagnosticSeverity.Error ? ours(uri) : undefined;
      }, 'the dynamic-axes diagnostic as an error for QNN HTP');
      assert.ok(!qnn.some((d) => codeOf(d) === 'onnx-export-opset'), 'QNN accepts opsets up to 21');

      // a built-in with a toolkit release (`id@version`) is a target too, not an unknown name that turns the rules off
      await config.update('onnx.target', 'ascend310p@8.5', vscode.ConfigurationTarget.Workspace);
      const versioned = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'onnx-export-opset'), 'the opset diagnostic for ascend310p@8.5');
      assert.match(versioned.message, /Ascend 310P accepts \(8-18\)/);

      await config.update('onnx.target', 'ascend310p', vscode.ConfigurationTarget.Workspace);
      const back = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'onnx-export-opset'), 'the opset diagnostic again');
      if (vscode.workspace.isTrusted) {
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, back.range);
        const fix = actions.find((a) => a.title === 'Set opset_version to 18');
        assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
        await vscode.workspace.applyEdit(fix.edit);
        assert.match(doc.getText(), /opset_version=18\)/);
        await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'onnx-export-opset') ? undefined : true), 'the opset diagnostic to go away');
      }
    } finally {
      await config.update('onnx.target', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
