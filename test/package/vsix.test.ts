import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { launchChromium } from '../harness/browser';
import { installVsix, startCodeServer } from '../harness/codeServer';
import { runCommand, waitForWorkbench } from '../e2e/workbench';

const vsix = process.env.NPU_PORT_VSIX;
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function entries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('cannot open vsix'));
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** What must be in the package, and what must not. Exported for its own test below. */
export function checkVsixEntries(names: string[], platform: string, arch: string): string[] {
  const problems: string[] = [];
  // vsce stores README.md and CHANGELOG.md as readme.md and changelog.md, and LICENSE as LICENSE.txt
  const files = names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  const required = [
    'package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'media/icon.png',
    'dist/extension.js', 'dist/cli.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'dist/ThirdPartyNotices.txt',
    'l10n/bundle.l10n.json', 'l10n/bundle.l10n.zh-cn.json',
    'syntaxes/onnx-text.tmLanguage.json', 'syntaxes/npu-log.tmLanguage.json',
    `dist/node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/onnxruntime_binding.node`,
    'dist/node_modules/onnxruntime-common/package.json',
  ];
  for (const r of required) if (!files.includes(r)) problems.push(`missing ${r}`);
  for (const f of files) {
    if (/\.ts$/.test(f) && !f.endsWith('.d.ts')) problems.push(`TypeScript source ${f}`);
    if (/\.map$/.test(f)) problems.push(`source map ${f}`);
    if (/^(src|test|out|bench|scripts|webview|\.ci|examples)\//.test(f)) problems.push(`development file ${f}`);
    if (/^node_modules\//.test(f)) problems.push(`unbundled dependency ${f}`);
    const native = /onnxruntime-node\/bin\/napi-v\d+\/([^/]+)\/([^/]+)\//.exec(f);
    if (native && (native[1] !== platform || native[2] !== arch)) problems.push(`binary for another platform ${f}`);
  }
  return problems;
}

test('the vsix holds what the extension needs and nothing it does not', { skip: !vsix && 'run through npm test (package layer)' }, async () => {
  const names = await entries(vsix!);
  assert.deepEqual(checkVsixEntries(names, process.platform, process.arch), []);
});

test('the contents check rejects sources, tests, maps and foreign binaries', () => {
  const good = checkVsixEntries([], 'linux', 'x64');
  assert.ok(good.includes('missing dist/extension.js'));
  const bad = checkVsixEntries(['extension/src/core/l10n.ts', 'extension/dist/extension.js.map', 'extension/test/unit/a.js',
    'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node'], 'linux', 'x64');
  assert.deepEqual(bad.filter((p) => !p.startsWith('missing')), [
    'TypeScript source src/core/l10n.ts', 'development file src/core/l10n.ts', 'source map dist/extension.js.map',
    'development file test/unit/a.js', 'binary for another platform dist/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node',
  ]);
});

test('the vsix installs into VS Code and the extension activates there', { skip: !vsix && 'run through npm test (package layer)', timeout: 180_000 }, async () => {
  const extensionsDir = mkdtempSync(path.join(tmpdir(), 'npu-port-ext-'));
  await installVsix(vsix!, extensionsDir);
  const server = await startCodeServer({ extensionsDir });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}?folder=${encodeURIComponent(path.join(REPO_ROOT, 'examples'))}`);
    await waitForWorkbench(page);
    await runCommand(page, 'NPU: Show Log');
    await page.locator('.part.panel .view-lines', { hasText: 'activating npu-port.npu-porting-assistant' }).first().waitFor({ timeout: 60_000 });
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    rmSync(extensionsDir, { recursive: true, force: true });
    rmSync(extensionsDir + '-xdg', { recursive: true, force: true });
  }
});
