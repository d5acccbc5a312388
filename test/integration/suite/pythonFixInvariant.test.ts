import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceFolder } from '../extension';

// Fix All keeps working code working (issue 14): run in the real VS Code, checked with Debian's Python.
const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'npu-port');
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

function write(root: string, rel: string, text: string): vscode.Uri {
  const file = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return vscode.Uri.file(file);
}

describe('python fix invariant', () => {
  before(async () => {
    await activateExtension();
  });

  it('fix all in a nested package module imports the helper relatively from the top package; the module still imports', async function () {
    if (!vscode.workspace.isTrusted || !hasTorch) this.skip();
    const root = path.join(workspaceFolder().fsPath, 'python-invariant', 'project');
    write(root, 'pkg/__init__.py', '');
    write(root, 'pkg/sub/__init__.py', '');
    const uri = write(root, 'pkg/sub/mod.py', 'import torch\n\n\ndef make():\n    return torch.zeros(2).to("cuda")\n');
    const before = spawnSync(PYTHON, ['-c', 'import pkg.sub.mod'], { cwd: root, encoding: 'utf8' });
    assert.equal(before.status, 0, before.stderr);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'cuda-device-string') ? true : undefined), 'the device diagnostic');
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
    assert.match(doc.getText(), /^from \.\.device_utils import DEVICE$/m);
    assert.doesNotMatch(doc.getText(), /^from device_utils import/m);
    assert.ok(await doc.save());
    await waitFor(() => (existsSync(path.join(root, 'pkg', 'device_utils.py')) ? true : undefined), 'the helper in the top package');
    assert.equal(existsSync(path.join(root, 'pkg', 'sub', 'device_utils.py')), false, 'no copy in the subpackage');
    const after = spawnSync(PYTHON, ['-c', 'import pkg.sub.mod as m; print(m.make().device)'], { cwd: root, encoding: 'utf8', env: { ...process.env, PREFERRED_DEVICE: '' } });
    assert.equal(after.status, 0, after.stderr);
    assert.equal(after.stdout.trim(), 'cpu');
  });

  it('a CUDA guard whose branch the style cannot port is left unchanged by fix all, with its finding still shown', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const root = path.join(workspaceFolder().fsPath, 'python-invariant');
    const guarded = 'if torch.cuda.is_available():\n    major, minor = torch.cuda.get_device_capability()\n    torch.cuda.synchronize()\n';
    const uri = write(root, 'guard.py', `import torch\n\n${guarded}x = torch.ones(1).cuda()\n`);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const found = await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'cuda-tensor-method') ? ours(uri) : undefined), 'diagnostics');
    const guard = found.find((d) => codeOf(d) === 'torch-cuda-api' && d.range.start.line === 2);
    assert.ok(guard, found.map((d) => `${d.range.start.line} ${codeOf(d)}`).join());
    assert.match(guard.message, /not converted.*get_device_capability/);
    // the branch is folded into its guard: the guard is the warning, and guard and branch point at each other
    assert.equal(guard.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual((guard.relatedInformation ?? []).map((r) => [r.location.uri.toString(), r.location.range.start.line]), [[uri.toString(), 3], [uri.toString(), 4]]);
    const body = found.find((d) => codeOf(d) === 'torch-cuda-api' && d.range.start.line === 4);
    assert.ok(body);
    assert.equal(body.severity, vscode.DiagnosticSeverity.Information);
    assert.deepEqual((body.relatedInformation ?? []).map((r) => [r.location.uri.toString(), r.location.range.start.line]), [[uri.toString(), 2]]);
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
    const text = doc.getText();
    assert.ok(text.includes(guarded), text);
    assert.match(text, /^x = torch\.ones\(1\)\.to\(DEVICE\)$/m, 'the code outside the guard is fixed');
    await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'torch-cuda-api' && d.range.start.line === 3) ? true : undefined), 'the guard findings after fix all');
  });
});
