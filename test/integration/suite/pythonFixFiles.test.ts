import * as assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceFolder } from '../extension';

// Fix All keeps the file it changes a file of the same kind (issue 16): line endings, the executable
// bit and a symbolic link survive the edit and the save VS Code makes, in open and closed editors, and
// Undo gives back the bytes there were.

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'npu-port');
const SCRIPT = ['#!/usr/bin/env python3', 'import torch', 'x = torch.ones(2).cuda()', 'print(x.device.type)', ''];
const crlf = SCRIPT.join('\r\n');

/** Every line break of `bytes` is CRLF (no lone LF, no lone CR). */
function onlyCrlf(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  return text.includes('\r\n') && !/\r(?!\n)|(?<!\r)\n/.test(text);
}

function setUp(name: string): string {
  const root = path.join(workspaceFolder().fsPath, 'python-fix-files', name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'real'), { recursive: true });
  return root;
}

/** Fix All in File on `uri` (shown in an editor first when `open`), then saved. */
async function fixAndSave(uri: vscode.Uri, open: boolean): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  if (open) await vscode.window.showTextDocument(doc);
  await waitFor(() => (ours(uri).length > 0 ? true : undefined), `diagnostics of ${path.basename(uri.fsPath)}`);
  assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInFile', uri), true);
  assert.match(doc.getText(), /\.to\(DEVICE\)/);
  assert.ok(await doc.save(), 'saved');
  return doc;
}

/** Undo in the document's editor, then save: the file's bytes are `original` again. */
async function undoAndSave(doc: vscode.TextDocument, file: string, original: Buffer): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('undo');
  await waitFor(() => (doc.getText().includes('.cuda()') ? true : undefined), 'the undone text');
  // save until the disk holds the undone text (a save can race the editor's own after the undo)
  await waitFor(async () => {
    if (doc.isDirty) await doc.save();
    return readFileSync(file).equals(original) ? true : undefined;
  }, `the original bytes on disk again: ${JSON.stringify(readFileSync(file, 'utf8'))}`);
}

describe('python fix keeps files', () => {
  before(async () => {
    await activateExtension();
  });

  for (const open of [true, false]) {
    it(`Fix All in File on a CRLF script (${open ? 'open' : 'closed'} editor): CRLF endings and mode 0755 kept on disk; Undo restores the bytes`, async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      const root = setUp(`crlf-${open ? 'open' : 'closed'}`);
      const file = path.join(root, 'run.py');
      writeFileSync(file, crlf);
      chmodSync(file, 0o755);
      const original = readFileSync(file);
      const doc = await fixAndSave(vscode.Uri.file(file), open);
      const fixed = readFileSync(file);
      assert.ok(onlyCrlf(fixed), JSON.stringify(fixed.toString()));
      assert.match(fixed.toString(), /^from device_utils import DEVICE\r$/m);
      assert.equal(statSync(file).mode & 0o777, 0o755);
      await undoAndSave(doc, file, original);
      assert.equal(statSync(file).mode & 0o777, 0o755);
    });

    it(`Fix All in File on a symlinked script (${open ? 'open' : 'closed'} editor): the link stays a link, the file it points to is fixed with its mode; Undo restores it`, async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      const root = setUp(`link-${open ? 'open' : 'closed'}`);
      const target = path.join(root, 'real', 'train.py');
      const link = path.join(root, 'link.py');
      writeFileSync(target, SCRIPT.join('\n'));
      chmodSync(target, 0o755);
      symlinkSync(path.join('real', 'train.py'), link);
      const original = readFileSync(target);
      const doc = await fixAndSave(vscode.Uri.file(link), open);
      assert.ok(lstatSync(link).isSymbolicLink(), 'still a symbolic link');
      assert.equal(readlinkSync(link), path.join('real', 'train.py'));
      assert.match(readFileSync(target, 'utf8'), /\.to\(DEVICE\)/);
      assert.equal(statSync(target).mode & 0o777, 0o755);
      await undoAndSave(doc, target, original);
      assert.ok(lstatSync(link).isSymbolicLink(), 'still a symbolic link after undo');
    });
  }

  it('Fix All in File on a CR-only script: VS Code saves it with CRLF (its editor keeps LF or CRLF only; the user is warned), the import before its use; Undo restores the text', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const root = setUp('cr-only');
    const file = path.join(root, 'mac.py');
    writeFileSync(file, SCRIPT.join('\r'));
    const doc = await fixAndSave(vscode.Uri.file(file), false);
    const fixed = readFileSync(file);
    assert.ok(onlyCrlf(fixed), JSON.stringify(fixed.toString()));
    const lines = fixed.toString().split('\r\n');
    assert.ok(lines.indexOf('from device_utils import DEVICE') > 0 && lines.indexOf('from device_utils import DEVICE') < lines.indexOf('x = torch.ones(2).to(DEVICE)'), lines.join('|'));
    await undoAndSave(doc, file, Buffer.from(SCRIPT.join('\r\n')));
  });

  it('Fix All in Workspace on closed files: a CRLF script keeps CRLF, a symlinked script stays a link with its target fixed once, modes kept', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const root = setUp('workspace');
    const crlfFile = path.join(root, 'crlf.py');
    writeFileSync(crlfFile, crlf);
    chmodSync(crlfFile, 0o755);
    const target = path.join(root, 'real', 'train.py');
    writeFileSync(target, SCRIPT.join('\n'));
    chmodSync(target, 0o750);
    const link = path.join(root, 'link.py');
    symlinkSync(path.join('real', 'train.py'), link);
    await vscode.commands.executeCommand('npuPort.scanWorkspace');
    await waitFor(() => (ours(vscode.Uri.file(crlfFile)).length > 0 ? true : undefined), 'scan diagnostics on the closed CRLF file');
    assert.equal(await vscode.commands.executeCommand('npuPort.fixAllInWorkspace'), true);
    // files.refactoring.autoSave (default on) saves the files of a refactoring edit
    await waitFor(() => (/\.to\(DEVICE\)/.test(readFileSync(crlfFile, 'utf8')) && /\.to\(DEVICE\)/.test(readFileSync(target, 'utf8')) ? true : undefined), 'the fixed files on disk');
    assert.ok(onlyCrlf(readFileSync(crlfFile)), JSON.stringify(readFileSync(crlfFile, 'utf8')));
    assert.equal(statSync(crlfFile).mode & 0o777, 0o755);
    assert.ok(lstatSync(link).isSymbolicLink());
    const fixedTarget = readFileSync(target, 'utf8');
    assert.equal(fixedTarget.match(/^from device_utils import DEVICE$/gm)?.length, 1, fixedTarget);
    assert.equal(statSync(target).mode & 0o777, 0o750);
  });
});
