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

test('the layering check keeps the core areas apart: no faces, only declared uses, no cycles', async () => {
  const { violations, areaCycles } = (await load()) as Checker & { areaCycles(uses?: Record<string, Record<string, string[]>>): string[] };
  const root = mkdtempSync(path.join(tmpdir(), 'layers-'));
  try {
    for (const dir of ['src/core/onnx/run', 'src/core/remote', 'src/core/python', 'src/core/report']) mkdirSync(path.join(root, dir), { recursive: true });
    // Allowed: the same area, a shared core file, a declared module of another area (with or without extension).
    writeFileSync(path.join(root, 'src/core/remote/ok.ts'),
      "import { x } from './hosts';\nimport { t } from '../l10n';\nimport { m } from '../onnx/model';\nimport { s } from '../benchmark/stats.js';\n");
    // Not allowed: onnx uses no other area; the core never imports the faces; an undeclared module of a declared area.
    writeFileSync(path.join(root, 'src/core/onnx/run/up.ts'), "import { latencyStats } from '../../remote/benchmarkStats';\n");
    writeFileSync(path.join(root, 'src/core/python/face.ts'), "import { log } from '../../extension/log';\nimport { main } from '../../cli/main';\n");
    writeFileSync(path.join(root, 'src/core/report/private.ts'), "import { parse } from '../python/parser';\n");
    const found = violations(root);
    assert.equal(found.length, 4, found.join('\n'));
    assert.ok(found.some((f) => /src\/core\/onnx\/run\/up.ts:1: imports core\/remote\/benchmarkStats: core\/onnx does not use core\/remote/.test(f)), found.join('\n'));
    assert.ok(found.some((f) => /src\/core\/python\/face.ts:1: imports src\/extension\/log/.test(f)), found.join('\n'));
    assert.ok(found.some((f) => /src\/core\/python\/face.ts:2: imports src\/cli\/main/.test(f)), found.join('\n'));
    assert.ok(found.some((f) => /src\/core\/report\/private.ts:1: imports core\/python\/parser, which is not among the modules core\/python offers core\/report/.test(f)), found.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.deepEqual(areaCycles(), []);
  assert.deepEqual(areaCycles({ onnx: { remote: ['ssh'] }, remote: { onnx: ['decode'] }, python: {} }).sort(), ['onnx', 'remote']);
});
