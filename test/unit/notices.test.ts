/** scripts/notices.mjs: which packages a bundle holds, and the notices file written for them. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

interface Notices {
  packageDirs(inputs: string[]): string[];
  noticesText(root: string, dirs: string[], product: string): string;
}
const load = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/notices.mjs')).href)) as Notices;

test('package folders of bundled files: plain, scoped, nested, Windows separators; our own sources are not packages', async () => {
  const { packageDirs } = await load();
  assert.deepEqual(packageDirs([
    'src/core/onnx/model.ts',
    'node_modules/ssh2/lib/client.js',
    'node_modules/ssh2/lib/protocol/Protocol.js',
    'node_modules/@lit/reactive-element/css-tag.js',
    'node_modules/a/node_modules/@s/b/x.js',
    'node_modules\\protobufjs\\src\\reader.js',
    'node_modules/@scope-only',
  ]), [
    'node_modules/@lit/reactive-element',
    'node_modules/a/node_modules/@s/b',
    'node_modules/protobufjs',
    'node_modules/ssh2',
  ]);
});

test('the notices list each package once with its licence text; a package with neither a licence file nor a licence field stops the build', async () => {
  const { noticesText } = await load();
  const root = mkdtempSync(path.join(tmpdir(), 'npu-port-notices-'));
  const pkg = (dir: string, manifest: object, files: Record<string, string> = {}) => {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(manifest));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, dir, name), text);
  };
  try {
    pkg('node_modules/with-file', { name: 'with-file', version: '1.0.0', license: 'MIT' }, { 'LICENSE.md': 'Copyright (c) Someone\r\nPermission is hereby granted' });
    pkg('node_modules/a/node_modules/with-file', { name: 'with-file', version: '1.0.0', license: 'MIT' }, { LICENSE: 'same package, second copy' });
    pkg('node_modules/field-only', { name: 'field-only', version: '2.0.0', license: { type: 'ISC' }, author: { name: 'A. Author' }, repository: { url: 'https://example.org/field-only' } });
    const text = noticesText(root, ['node_modules/with-file', 'node_modules/a/node_modules/with-file', 'node_modules/field-only'], 'Product');
    assert.match(text, /^Product includes the following third-party software/);
    assert.equal(text.match(/^- with-file 1\.0\.0 \(MIT\)$/gm)?.length, 1, 'one entry per name and version');
    assert.match(text, /^- field-only 2\.0\.0 \(ISC\)$/m);
    assert.match(text, /Copyright \(c\) Someone\nPermission is hereby granted/, 'the licence text, with LF line ends');
    assert.match(text, /ships no licence file; its package.json says "ISC"\.\nAuthor: A\. Author\nSource: https:\/\/example\.org\/field-only/);
    pkg('node_modules/none', { name: 'none', version: '0.0.1' });
    assert.throws(() => noticesText(root, ['node_modules/none'], 'Product'), /none: no licence file and no "license"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('every package the CLI bundle pulls in has a notice (the real dependency tree, bundled as the build does)', async () => {
  const { packageDirs, noticesText } = await load();
  const result = await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true,
    absWorkingDir: REPO_ROOT, external: ['vscode', 'onnxruntime-node', 'cpu-features', '*.node'], logLevel: 'silent',
    define: { NPU_PORT_VERSION: '"test"' },
  });
  const dirs = packageDirs(Object.keys(result.metafile.inputs));
  assert.ok(dirs.includes('node_modules/protobufjs') && dirs.includes('node_modules/ssh2'), dirs.join(', '));
  const text = noticesText(REPO_ROOT, dirs, 'NPU Porting Assistant');
  for (const dir of dirs) {
    const name = dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
    assert.match(text, new RegExp(`^- ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\d`, 'm'), name);
  }
});
