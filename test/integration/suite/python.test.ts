import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceFolder } from '../extension';
import { disableNetwork, remoteResources } from '../offline';

const SCRIPT = [
  '"""Inference script (integration fixture)."""',
  'import torch',
  '',
  'pipe = torch.nn.Linear(4, 4)',
  'pipe.to("cuda", torch.bfloat16)',
  'generator = torch.Generator("cuda").manual_seed(0)',
  '',
].join('\n');

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'npu-port');
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

async function writeFile(rel: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(workspaceFolder(), 'python-it', rel);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

describe('python migration', () => {
  before(async () => {
    await activateExtension();
  });

  it('shows diagnostics with rule id and documentation link, and updates them as the user types', async () => {
    const uri = await writeFile('typing.py', SCRIPT);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const first = await waitFor(() => (ours(uri).length >= 2 ? ours(uri) : undefined), 'npu-port diagnostics');
    const device = first.find((d) => codeOf(d) === 'cuda-device-string');
    assert.ok(device, first.map(codeOf).join());
    assert.equal(device.range.start.line, 4);
    assert.equal(device.range.start.character, 8);
    assert.equal(device.severity, vscode.DiagnosticSeverity.Error);
    const target = (device.code as { target: vscode.Uri }).target;
    assert.equal(target.scheme, 'command', String(target));
    assert.equal(target.path, 'npuPort.showRuleDocs', String(target));
    assert.ok(first.some((d) => codeOf(d) === 'cuda-generator'));

    await editor.edit((b) => b.insert(new vscode.Position(6, 0), 'x = torch.zeros(2).cuda()\n'));
    const typed = await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'cuda-tensor-method') ? ours(uri) : undefined), 'a diagnostic for the typed line');
    assert.equal(typed.find((d) => codeOf(d) === 'cuda-tensor-method')!.range.start.line, 6);
    await editor.edit((b) => b.delete(new vscode.Range(6, 0, 7, 0)));
    await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'cuda-tensor-method') ? undefined : true), 'the diagnostic to go away');
  });

  it('offers quick fixes, ignore-for-line, rule docs and fix-all; hover explains the rule', async () => {
    const uri = await writeFile('actions.py', SCRIPT);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor(() => (ours(uri).length >= 2 ? ours(uri) : undefined), 'diagnostics');
    const device = diagnostics.find((d) => codeOf(d) === 'cuda-device-string')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, device.range);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Show documentation for cuda-device-string'), titles.join(' | '));
    if (vscode.workspace.isTrusted) {
      assert.ok(titles.includes('Replace with DEVICE, DTYPE'), titles.join(' | '));
      assert.ok(titles.includes('Ignore cuda-device-string on this line'), titles.join(' | '));
      const fixAll = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, device.range, vscode.CodeActionKind.SourceFixAll.value);
      assert.ok(fixAll.some((a) => a.kind?.value === 'source.fixAll.npuPort'), fixAll.map((a) => a.kind?.value).join());
    }
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, device.range.start.translate(0, 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /cuda-device-string/);
    assert.match(text, /CUDA device string/);
    assert.match(text, /\]\(command:npuPort\.showRuleDocs\?[^)]*cuda-device-string/, text);
  });

  it('fix all in file gives the seed result and creates the device helper', async function () {
    if (!vscode.workspace.isTrusted) {
      assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile'), false);
      this.skip();
    }
    const uri = await writeFile('fixme.py', SCRIPT);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    await waitFor(() => (ours(uri).length >= 2 ? true : undefined), 'diagnostics');
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
    const fixed = doc.getText();
    assert.match(fixed, /^from device_utils import DEVICE, DTYPE, dm$/m);
    assert.match(fixed, /^pipe\.to\(DEVICE, DTYPE\)$/m);
    assert.match(fixed, /^generator = dm\.create_generator\(0\)$/m);
    const helper = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uri, '..', 'device_utils.py'));
    assert.match(new TextDecoder().decode(helper), /class DeviceManager/);
    await waitFor(() => (ours(uri).length === 0 ? true : undefined), 'no diagnostics after fix-all');
  });

  it('pyproject.toml: Fix All edits exactly the CUDA-only entries (inline tables, dotted keys, CRLF kept); a file that is not TOML gets one finding and no fix', async () => {
    const toml = [
      '[project]', 'name = "demo"  # the demo', 'dependencies = ["torch==2.1.0+cu118", "xformers", "numpy"]', '',
      '[tool.poetry]', 'dependencies = { python = "^3.10", "bitsandbytes" = "^0.41" }', '',
      '[tool.poetry.group.gpu.dependencies]', 'triton.version = "2.1.0"', 'triton.optional = true', '',
    ].join('\r\n');
    const uri = await writeFile('pyproject-fix/pyproject.toml', toml);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const found = await waitFor(() => (ours(uri).length === 4 ? ours(uri) : undefined), 'four pyproject.toml findings');
    assert.deepEqual(found.map((d) => `${d.range.start.line}:${d.range.start.character} ${codeOf(d)}`), ['2:17 cuda-requirement', '2:39 cuda-requirement', '5:36 cuda-requirement', '8:0 cuda-requirement']);
    if (vscode.workspace.isTrusted) {
      assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
      assert.equal(doc.getText(), [
        '[project]', 'name = "demo"  # the demo', 'dependencies = ["torch==2.1.0", "numpy"]', '',
        '[tool.poetry]', 'dependencies = { python = "^3.10" }', '',
        '[tool.poetry.group.gpu.dependencies]', '# removed for NPU (CUDA only): triton.version = "2.1.0"', '# removed for NPU (CUDA only): triton.optional = true', '',
      ].join('\r\n'));
      await waitFor(() => (ours(uri).length === 0 ? true : undefined), 'no pyproject.toml findings after Fix All');
    }
    const broken = await writeFile('pyproject-broken/pyproject.toml', '[project]\ndependencies = ["xformers"]\ndependencies = ["numpy"]\n');
    const brokenDoc = await vscode.workspace.openTextDocument(broken);
    await vscode.window.showTextDocument(brokenDoc);
    const syntax = await waitFor(() => (ours(broken).length ? ours(broken) : undefined), 'the finding on a pyproject.toml that is not TOML');
    assert.deepEqual(syntax.map((d) => `${d.range.start.line} ${codeOf(d)}`), ['2 syntax-error']);
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', broken), false);
    assert.equal(brokenDoc.getText(), '[project]\ndependencies = ["xformers"]\ndependencies = ["numpy"]\n');
  });

  it('scans the workspace (files not open included), fixes it as one edit and writes the migration report', async () => {
    const closed = await writeFile('closed/inference.py', 'import torch\nx = torch.ones(1).cuda()\ntorch.cuda.synchronize()\n');
    await writeFile('closed/requirements.txt', 'torch\nflash-attn==2.5.6\n');
    await vscode.commands.executeCommand('npuPort.scanWorkspace');
    const found = await waitFor(() => (ours(closed).length === 2 ? ours(closed) : undefined), 'scan diagnostics on a closed file');
    assert.deepEqual(found.map(codeOf).sort(), ['cuda-tensor-method', 'torch-cuda-api']);
    if (vscode.workspace.isTrusted) {
      assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInWorkspace'), true);
      const text = (await vscode.workspace.openTextDocument(closed)).getText();
      assert.match(text, /x = torch\.ones\(1\)\.to\(DEVICE\)/);
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(closed, '..', 'requirements_npu.txt'));
    }
    const report = await vscode.commands.executeCommand<vscode.TextDocument>('npuPort.generateMigrationReport');
    assert.equal(report.languageId, 'markdown');
    assert.match(report.getText(), /^# NPU migration report/m);
    assert.match(report.getText(), /closed\/inference\.py/);
    // shown as a Markdown preview (not an untitled buffer); its Markdown is written on demand
    assert.equal(report.uri.scheme, 'npu-port-report');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled && /NPU migration report/.test(d.getText())));
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(tab.input.viewType)), 'the Markdown preview');
    const target = vscode.Uri.joinPath(workspaceFolder(), 'python-it', 'saved-report.md');
    const saved = await vscode.commands.executeCommand<vscode.Uri>('npuPort.saveMigrationReport', target);
    assert.equal(saved?.toString(), target.toString());
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), report.getText());
  });

  it('the report after fix all and undo counts each finding once, as the file is now', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const uri = await writeFile('undo/train.py', SCRIPT);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const before = await waitFor(() => (ours(uri).length >= 2 ? ours(uri) : undefined), 'diagnostics');
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
    await waitFor(() => (editor.document.getText().includes('DEVICE') ? true : undefined), 'the fixes');
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => (editor.document.getText() === SCRIPT ? true : undefined), 'the undo');
    await waitFor(() => (ours(uri).length === before.length ? true : undefined), 'the findings back');
    const report = (await vscode.commands.executeCommand<vscode.TextDocument>('npuPort.generateMigrationReport')).getText();
    const rows = report.split('\n').filter((l) => l.startsWith('| python-it/undo/train.py |'));
    assert.equal(rows.length, before.length, report);
    assert.ok(rows.every((r) => !/\| fixed \|$/.test(r)), rows.join('\n'));
  });

  it('an open file over npuPort.scan.maxFileSizeKB is not analysed live (as the scan skips it); below the limit again, it is', async () => {
    const config = vscode.workspace.getConfiguration('npuPort');
    await config.update('scan.maxFileSizeKB', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const filler = '# ' + 'padding '.repeat(20) + '\n';
      const big = await writeFile('big.py', 'import torch\nx = torch.zeros(2).cuda()\n' + filler.repeat(12));
      const small = await writeFile('small.py', 'import torch\ny = torch.zeros(2).cuda()\n');
      const bigEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(big));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(small), { preview: false });
      // the small file opened after the big one is analysed, so the big one has had its turn
      await waitFor(() => (ours(small).some((d) => codeOf(d) === 'cuda-tensor-method') ? true : undefined), 'diagnostics for the small file');
      assert.deepEqual(ours(big), [], 'the file over the limit has no diagnostics');
      // cut it below the limit: analysed on the change
      const editor = await vscode.window.showTextDocument(bigEditor.document);
      await editor.edit((b) => b.delete(new vscode.Range(2, 0, editor.document.lineCount, 0)));
      await waitFor(() => (ours(big).some((d) => codeOf(d) === 'cuda-tensor-method') ? true : undefined), 'diagnostics once the file is under the limit');
      // grow it past the limit while open: its diagnostics go
      await editor.edit((b) => b.insert(new vscode.Position(2, 0), filler.repeat(12)));
      await waitFor(() => (ours(big).length === 0 ? true : undefined), 'the diagnostics to go when the open file grows past the limit');
    } finally {
      await config.update('scan.maxFileSizeKB', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('re-analyses closed files when they change on disk, skips excluded and git-ignored files, drops deleted ones', async () => {
    const dir = path.join(workspaceFolder().fsPath, 'python-it', 'disk');
    mkdirSync(path.join(dir, 'vendored'), { recursive: true });
    mkdirSync(path.join(dir, 'generated'), { recursive: true });
    mkdirSync(path.join(dir, 'run1'), { recursive: true });
    // a negation and a character class, which the scan and the watcher read as git does
    writeFileSync(path.join(dir, '.gitignore'), 'generated/\nscratch_*.py\n!scratch_keep.py\nrun[0-9]/\n');
    const config = vscode.workspace.getConfiguration('npuPort');
    await config.update('exclude', ['python-it/disk/vendored'], vscode.ConfigurationTarget.Workspace);
    try {
      const file = path.join(dir, 'external.py');
      const uri = vscode.Uri.file(file);
      const excluded = vscode.Uri.file(path.join(dir, 'vendored', 'kernel.py'));
      const toml = vscode.Uri.file(path.join(dir, 'pyproject.toml'));
      const gitignored = vscode.Uri.file(path.join(dir, 'generated', 'auto.py'));
      const scratch = vscode.Uri.file(path.join(dir, 'scratch_tmp.py'));
      const kept = vscode.Uri.file(path.join(dir, 'scratch_keep.py'));
      const run = vscode.Uri.file(path.join(dir, 'run1', 'train.py'));
      // written by another tool (node fs, not the editor), never opened
      for (const ignoredFile of [excluded, gitignored, scratch, run]) writeFileSync(ignoredFile.fsPath, 'import torch\ntorch.cuda.synchronize()\n');
      writeFileSync(kept.fsPath, 'import torch\ntorch.cuda.synchronize()\n');
      writeFileSync(file, 'import torch\nx = torch.ones(1).cuda()\n');
      writeFileSync(toml.fsPath, '[project]\nname = "x"\ndependencies = ["torch", "xformers"]\n');
      const found = await waitFor(() => (ours(uri).length ? ours(uri) : undefined), 'diagnostics for a file written on disk');
      assert.deepEqual(found.map(codeOf), ['cuda-tensor-method']);
      assert.equal(found[0]!.range.start.line, 1);
      const dependency = await waitFor(() => (ours(toml).length ? ours(toml) : undefined), 'diagnostics for pyproject.toml written on disk');
      assert.deepEqual(dependency.map(codeOf), ['cuda-requirement']);
      assert.deepEqual(ours(excluded), [], 'npuPort.exclude');
      assert.deepEqual(ours(gitignored), [], '.gitignore');
      await waitFor(() => (ours(kept).length ? true : undefined), 'diagnostics for a file that a .gitignore negation keeps');
      assert.deepEqual(ours(scratch), [], '.gitignore scratch_*.py');
      assert.deepEqual(ours(run), [], '.gitignore run[0-9]/');
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file), 'the file was never opened');

      writeFileSync(file, 'import torch\nx = torch.ones(1)\n');
      await waitFor(() => (ours(uri).length === 0 ? true : undefined), 'the diagnostic to go after the file changed on disk');
      writeFileSync(file, 'import torch\ntorch.cuda.empty_cache()\n');
      await waitFor(() => (ours(uri).some((d) => codeOf(d) === 'torch-cuda-api') ? true : undefined), 'a new diagnostic after another change');
      rmSync(file);
      await waitFor(() => (ours(uri).length === 0 ? true : undefined), 'the diagnostics of a deleted file to go');
    } finally {
      await config.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('transferToNpu style: in an imported module the quick fix adds the import to the entry script that runs it', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const config = vscode.workspace.getConfiguration('npuPort');
    await config.update('fix.style', 'transferToNpu', vscode.ConfigurationTarget.Workspace);
    try {
      const main = await writeFile('entry/run.py', 'import torch\nfrom helpers import load\n\nif __name__ == "__main__":\n    load()\n');
      const helper = await writeFile('entry/helpers.py', 'import torch\n\ndef load():\n    return torch.ones(1).cuda()\n');
      const doc = await vscode.workspace.openTextDocument(helper);
      await vscode.window.showTextDocument(doc);
      const [diagnostic] = await waitFor(() => (ours(helper).length ? ours(helper) : undefined), 'a diagnostic in the module');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', helper, diagnostic!.range);
      const action = actions.find((a) => a.title === 'Import torch_npu and transfer_to_npu in the entry script that runs this module');
      assert.ok(action?.command, actions.map((a) => a.title).join(' | '));
      assert.equal(action.edit, undefined, 'nothing changes in the module itself');
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
      const entry = (await vscode.workspace.openTextDocument(main)).getText();
      // guarded, so the entry script still runs on a host without torch_npu (CUDA, CPU)
      assert.equal(entry, 'import torch\n'
        + 'try:  # torch_npu is only installed on Ascend hosts\n'
        + '    import torch_npu  # noqa: F401\n'
        + '    from torch_npu.contrib import transfer_to_npu  # noqa: F401\n'
        + 'except ImportError:\n'
        + '    torch_npu = None\n'
        + 'from helpers import load\n\nif __name__ == "__main__":\n    load()\n');
      assert.equal(doc.getText(), 'import torch\n\ndef load():\n    return torch.ones(1).cuda()\n');
    } finally {
      await config.update('fix.style', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a diagnostic\'s code link opens the rule page inside VS Code with the network disabled; the page loads nothing remote', async () => {
    // the guard works: a connection to a non-loopback address is refused and recorded
    const probe = disableNetwork();
    try {
      const { connect } = await import('node:net');
      const refused = await new Promise<string>((resolve) => connect(443, '192.0.2.1').once('error', (e: NodeJS.ErrnoException) => resolve(String(e.code))).once('connect', () => resolve('connected')));
      assert.equal(refused, 'ENETUNREACH');
      assert.deepEqual(probe.attempts, ['192.0.2.1:443']);
    } finally {
      probe.restore();
    }
    // the detector works: a Markdown image on the web is a remote resource of the rendered page
    const bad = await vscode.commands.executeCommand<string>('markdown.api.render', '# x\n\n![chip](https://example.com/chip.png)\n\n[a link](https://example.com/)\n');
    assert.deepEqual(remoteResources(bad), ['https://example.com/chip.png'], bad);

    const offline = disableNetwork();
    try {
      const uri = await writeFile('doclink.py', SCRIPT);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const diagnostic = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'cuda-generator'), 'the cuda-generator diagnostic');
      const target = (diagnostic.code as { target: vscode.Uri }).target;
      // What the Problems panel, the hover and the error peek do with the link: VS Code's opener with
      // command links allowed runs target.path with the JSON arguments of target.query.
      assert.equal(target.scheme, 'command');
      const args = JSON.parse(decodeURIComponent(target.query)) as unknown[];
      await vscode.commands.executeCommand(target.path, ...args);
      const page = await waitFor(
        () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'npu-port-rule' && d.uri.path === '/cuda-generator.md'),
        'the rule page to open',
      );
      assert.match(page.getText(), /^# cuda-generator: CUDA random generator/);
      // shown as the Markdown preview (a webview), not as raw text
      await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(tab.input.viewType)), 'the Markdown preview of the rule page');
      // what the preview renders loads nothing from the network (links to the sources stay links)
      const html = await vscode.commands.executeCommand<string>('markdown.api.render', page);
      assert.match(html, /<h1[^>]*>cuda-generator: CUDA random generator<\/h1>/, html.slice(0, 400));
      assert.deepEqual(remoteResources(html), [], 'remote resources in the rule page');
      assert.deepEqual(offline.attempts, [], 'network connections while the rule page opened');
    } finally {
      offline.restore();
    }
  });

  it('shows rule documentation from the catalog', async () => {
    await vscode.commands.executeCommand('npuPort.showRuleDocs', 'cuda-generator');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'npu-port-rule', path: '/cuda-generator.md' }));
    assert.match(doc.getText(), /^# cuda-generator: CUDA random generator/);
  });

  it('severity follows npuPort.onnx.target: bfloat16 and Triton on Ascend 310P, 910B; bfloat16 is information while the setting is not set', async () => {
    const uri = await writeFile('per-target.py', [
      'import torch',
      'import triton',
      'x = torch.randn(2, 3, dtype=torch.bfloat16)',
      '',
    ].join('\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const config = vscode.workspace.getConfiguration('npuPort');
    const severityOf = (rule: string) => ours(uri).find((d) => codeOf(d) === rule)?.severity;
    const information = () => (severityOf('fixed-dtype') === vscode.DiagnosticSeverity.Information ? true : undefined);
    try {
      // the default target (ascend310p) is nobody's choice: information that names the chips without bfloat16
      assert.equal(config.inspect<string>('onnx.target')?.workspaceValue, undefined);
      await waitFor(information, 'bfloat16 as information while npuPort.onnx.target is not set');
      assert.match(ours(uri).find((d) => codeOf(d) === 'fixed-dtype')!.message, /Ascend 310P \(Atlas inference series\), Ascend 910 \(Atlas training series\) have no bfloat16/);

      // the same value as the default, set: a chosen target
      await config.update('onnx.target', 'ascend310p', vscode.ConfigurationTarget.Workspace);
      await waitFor(() => (severityOf('fixed-dtype') === vscode.DiagnosticSeverity.Warning ? true : undefined), 'bfloat16 as a warning for Ascend 310P');
      assert.equal(severityOf('triton'), vscode.DiagnosticSeverity.Error);
      assert.equal(ours(uri).find((d) => codeOf(d) === 'fixed-dtype')!.range.start.line, 2);

      await config.update('onnx.target', 'ascend910b', vscode.ConfigurationTarget.Workspace);
      await waitFor(() => (severityOf('triton') === vscode.DiagnosticSeverity.Warning ? true : undefined), 'Triton as a warning for Ascend 910B');
      assert.equal(severityOf('fixed-dtype'), undefined, '910B has bfloat16');

      await config.update('onnx.target', undefined, vscode.ConfigurationTarget.Workspace);
      await waitFor(information, 'bfloat16 as information again once the setting is removed');
    } finally {
      await config.update('onnx.target', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
  it('a module imported only behind the flash-attn switch: the scan shows its findings as information pointing at the import in the other file, and they stay so while it is edited', async () => {
    await writeFile('optpkg/__init__.py', '');
    const module = await writeFile('optpkg/flash_impl.py', [
      'import torch',
      'try:',
      '    from flash_attn import flash_attn_func',
      'except ImportError:',
      '    raise ImportError("Please install flash-attn")',
      '',
      'def attend(q, k, v):',
      '    return flash_attn_func(q, k, v)',
      '',
    ].join('\n'));
    const loader = await writeFile('optpkg/loader.py', [
      'def attention(args):',
      '    if args.flash_attn:',
      '        from .flash_impl import attend',
      '        return attend',
      '    return None',
      '',
    ].join('\n'));
    const flash = () => ours(module).filter((d) => codeOf(d) === 'flash-attn');
    await vscode.commands.executeCommand('npuPort.scanWorkspace');
    const scanned = await waitFor(() => (flash().length === 2 ? flash() : undefined), 'scan diagnostics on the optional module');
    for (const d of scanned) {
      assert.equal(d.severity, vscode.DiagnosticSeverity.Information, `line ${d.range.start.line + 1}`);
      const place = d.relatedInformation?.find((r) => r.location.uri.toString() === loader.toString());
      assert.ok(place, `related places: ${d.relatedInformation?.map((r) => r.location.uri.toString()).join()}`);
      assert.equal(place.location.range.start.line, 2);
    }
    // opened and edited, the module is analysed alone; the scan's answer still applies
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(module));
    await editor.edit((b) => b.insert(new vscode.Position(8, 0), 'def attend_again(q, k, v):\n    return flash_attn_func(q, k, v)\n'));
    const live = await waitFor(() => (flash().length === 3 ? flash() : undefined), 'the typed line\'s diagnostic');
    assert.deepEqual(live.map((d) => [d.range.start.line, d.severity]).sort((a, b) => a[0]! - b[0]!), [[2, vscode.DiagnosticSeverity.Information], [7, vscode.DiagnosticSeverity.Information], [9, vscode.DiagnosticSeverity.Information]]);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
