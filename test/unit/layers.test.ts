import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './repo';

type Checker = { violations(root?: string): string[] };
const load = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/check-layers.mjs')).href)) as Checker;

test('the repository respects the layering', async () => {
  const { violations } = await load();
  assert.deepEqual(violations(), []);
});

test('the layering check catches vscode in the core and Node in the webview', async () => {
  const { violations } = await load();
  const root = mkdtempSync(path.join(tmpdir(), 'layers-'));
  try {
    mkdirSync(path.join(root, 'src/core/python'), { recursive: true });
    mkdirSync(path.join(root, 'webview'), { recursive: true });
    writeFileSync(path.join(root, 'src/core/python/bad.ts'), "import * as vscode from 'vscode';\n");
    writeFileSync(path.join(root, 'webview/bad.ts'), "import { readFileSync } from 'node:fs';\nconst x = require('fs');\nimport('../src/core/l10n');\n");
    mkdirSync(path.join(root, 'src/extension'), { recursive: true });
    writeFileSync(path.join(root, 'src/extension/noisy.ts'), "export function f() {\n  console.log('hi');\n}\n");
    const found = violations(root);
    assert.equal(found.length, 5, found.join('\n'));
    assert.ok(found.some((f) => /src\/extension\/noisy.ts:2: uses console/.test(f)));
    assert.ok(found.some((f) => /src\/core\/python\/bad.ts:1: imports vscode/.test(f)));
    assert.ok(found.some((f) => /webview\/bad.ts:2: imports the Node module "fs"/.test(f)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
