import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { writeFileAtomic } from '../../../src/core/fs';
import { applyEdits } from '../../../src/core/python/fixes/apply';
import { lineBreakOf } from '../../../src/core/python/text';
import { REPO_ROOT } from '../repo';

/** `scan --fix` over a generated folder holding `files` (name → bytes); returns the folder. */
async function fix(name: string, files: Record<string, string | Buffer>, prepare?: (dir: string) => void): Promise<string> {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  prepare?.(dir);
  let stderr = '';
  await main(['scan', '--fix', '--format', 'json'], { env: {}, cwd: dir, stdout: () => undefined, stderr: (s) => (stderr += s), signal: new AbortController().signal });
  assert.match(stderr, /Fixed [1-9]/, stderr);
  return dir;
}

/** A script that needs the device helper: a shebang, an encoding line, a docstring, a __future__ import. */
const SCRIPT = [
  '#!/usr/bin/env python3',
  '# -*- coding: utf-8 -*-',
  '"""Moves a tensor to the GPU."""',
  'from __future__ import annotations',
  'import torch',
  'x = torch.ones(2).cuda()',
  'print("ran on", x.device.type)',
  '',
].join('\n');

const withBreaks = (text: string, eol: string) => text.replace(/\n/g, eol);
const lines = (text: string) => text.split(/\r\n|\r|\n/);

/** The fixed script's lines in order: header kept first, the helper import before its first use. */
function assertPlacement(text: string): void {
  const all = lines(text);
  const at = (pattern: RegExp) => all.findIndex((l) => pattern.test(l));
  assert.equal(all[0], '#!/usr/bin/env python3');
  assert.equal(all[1], '# -*- coding: utf-8 -*-');
  assert.equal(all[2], '"""Moves a tensor to the GPU."""');
  assert.equal(all[3], 'from __future__ import annotations');
  const helper = at(/^from device_utils import DEVICE$/);
  const use = at(/\.to\(DEVICE\)/);
  assert.ok(helper > 3 && helper < use, all.join(' | '));
}

/** Runs a fixed script with Debian's python (torch installed): it must not fail with a NameError. */
function runsWithPython(file: string): void {
  const result = spawnSync('/usr/bin/python3', [file], { cwd: path.dirname(file), encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /ran on cpu/);
}

test('scan --fix on a CRLF file: every line break stays CRLF, the import goes after the header', async () => {
  const dir = await fix('fix-write-crlf', { 'train.py': withBreaks(SCRIPT, '\r\n') });
  const text = readFileSync(path.join(dir, 'train.py'), 'utf8');
  assert.doesNotMatch(text, /[^\r]\n/, 'no LF without its CR');
  assert.doesNotMatch(text, /\r(?!\n)/, 'no CR without its LF');
  assertPlacement(text);
  runsWithPython(path.join(dir, 'train.py'));
});

test('scan --fix on a CR-only file: still CR-only, the import lands before its use (runs without NameError)', async () => {
  const dir = await fix('fix-write-cr', { 'train.py': withBreaks(SCRIPT, '\r') });
  const text = readFileSync(path.join(dir, 'train.py'), 'utf8');
  assert.ok(!text.includes('\n'), JSON.stringify(text));
  assertPlacement(text);
  runsWithPython(path.join(dir, 'train.py'));
});

test('scan --fix on an LF file keeps LF and places the import after the docstring and __future__ imports', async () => {
  const dir = await fix('fix-write-lf', { 'train.py': SCRIPT });
  const text = readFileSync(path.join(dir, 'train.py'), 'utf8');
  assert.ok(!text.includes('\r'));
  assertPlacement(text);
  runsWithPython(path.join(dir, 'train.py'));
});

test('scan --fix keeps a UTF-8 byte order mark (one, at the start) and non-ASCII text', async () => {
  const source = SCRIPT.replace('GPU', 'GPU (显卡)');
  const dir = await fix('fix-write-bom', { 'train.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(source, 'utf8')]) });
  const bytes = readFileSync(path.join(dir, 'train.py'));
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(!text.includes('\uFEFF'), 'no second byte order mark');
  assert.match(text, /GPU \(显卡\)/);
  runsWithPython(path.join(dir, 'train.py'));
});

test('scan --fix leaves a file that is not UTF-8 byte for byte as it was', async () => {
  const latin1 = Buffer.from('# -*- coding: latin-1 -*-\n# caf\xe9\nimport torch\nx = torch.ones(2).cuda()\n', 'latin1');
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', 'fix-write-latin1');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'old.py'), latin1);
  await main(['scan', '--fix'], { env: {}, cwd: dir, stdout: () => undefined, stderr: () => undefined, signal: new AbortController().signal });
  assert.deepEqual(readFileSync(path.join(dir, 'old.py')), latin1);
});

test('scan --fix keeps an executable script executable (0755)', async () => {
  const dir = await fix('fix-write-mode', { 'run.py': SCRIPT }, (d) => chmodSync(path.join(d, 'run.py'), 0o755));
  assert.equal(statSync(path.join(dir, 'run.py')).mode & 0o7777, 0o755);
  assert.match(readFileSync(path.join(dir, 'run.py'), 'utf8'), /\.to\(DEVICE\)/);
});

test('scan --fix writes through a symbolic link: the link stays a link, the file it points to is fixed', async () => {
  const dir = await fix('fix-write-link', {}, (d) => {
    mkdirSync(path.join(d, 'real'));
    writeFileSync(path.join(d, 'real', 'train.py'), SCRIPT);
    symlinkSync(path.join('real', 'train.py'), path.join(d, 'link.py'));
  });
  assert.ok(lstatSync(path.join(dir, 'link.py')).isSymbolicLink());
  assert.equal(readlinkSync(path.join(dir, 'link.py')), path.join('real', 'train.py'));
  assertPlacement(readFileSync(path.join(dir, 'real', 'train.py'), 'utf8'));
  runsWithPython(path.join(dir, 'link.py'));
});

test('writeFileAtomic: keeps the mode exactly (umask or not), writes through dangling links, leaves no temp file on abort', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', 'write-atomic');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'a.sh');
  writeFileSync(file, 'old');
  chmodSync(file, 0o775);
  const umask = process.umask(0o077);
  try {
    await writeFileAtomic(file, 'new');
  } finally {
    process.umask(umask);
  }
  assert.equal(statSync(file).mode & 0o7777, 0o775);
  assert.equal(readFileSync(file, 'utf8'), 'new');
  symlinkSync('missing.txt', path.join(dir, 'dangling'));
  await writeFileAtomic(path.join(dir, 'dangling'), 'created');
  assert.ok(lstatSync(path.join(dir, 'dangling')).isSymbolicLink());
  assert.equal(readFileSync(path.join(dir, 'missing.txt'), 'utf8'), 'created');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(writeFileAtomic(file, 'never', { signal: controller.signal }));
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('applyEdits: inserted lines take the file\'s line break; positions count a lone CR as a line break', () => {
  const insert = { range: { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } }, newText: 'import os\n' };
  assert.equal(applyEdits('a\r\nb\r\n', [insert]), 'a\r\nimport os\r\nb\r\n');
  assert.equal(applyEdits('a\rb\r', [insert]), 'a\rimport os\rb\r');
  assert.equal(applyEdits('a\nb\n', [insert]), 'a\nimport os\nb\n');
  assert.equal(lineBreakOf('a\r\nb\r\nc\n'), '\r\n');
  assert.equal(lineBreakOf('a\rb\rc\n'), '\r');
  assert.equal(lineBreakOf('abc'), '\n');
});

test('scan --fix plans a file and a symbolic link to it (both in the folder) once: one file fixed, its finding counted once', async () => {
  for (const order of ['link first', 'file first']) {
    const dir = path.join(REPO_ROOT, 'test/fixtures/generated', 'fix-write-link-once');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'real'), { recursive: true });
    writeFileSync(path.join(dir, 'real', 'train.py'), SCRIPT);
    // scan order is by path: 'a_link.py' sorts before 'real/', 'z_link.py' after
    const link = order === 'link first' ? 'a_link.py' : 'z_link.py';
    symlinkSync(path.join('real', 'train.py'), path.join(dir, link));
    let stderr = '';
    await main(['scan', '--fix'], { env: {}, cwd: dir, stdout: () => undefined, stderr: (s) => (stderr += s), signal: new AbortController().signal });
    assert.match(stderr, /Fixed 1 findings in 1 files/, `${order}: ${stderr}`);
    assert.ok(lstatSync(path.join(dir, link)).isSymbolicLink(), order);
    const fixed = readFileSync(path.join(dir, 'real', 'train.py'), 'utf8');
    assertPlacement(fixed);
    assert.equal(fixed.match(/^from device_utils import DEVICE$/gm)?.length, 1, fixed);
    // the helper goes beside the real file (Python puts the real script's folder on sys.path)
    assert.deepEqual(readdirSync(dir).sort(), [link, 'real'].sort());
    assert.deepEqual(readdirSync(path.join(dir, 'real')).sort(), ['device_utils.py', 'train.py']);
    runsWithPython(path.join(dir, link));
  }
});
