import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { entryPointModules, isEntryScript, isPlainScript, ModuleGraph } from '../../../src/core/python/entry';
import { fixSource } from '../../../src/core/python/index';
import { planFixes, writePlans } from '../../../src/core/workspace/fixPlan';
import { scanWorkspace } from '../../../src/core/workspace/scan';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { loadParser, WASM_DIR } from './parser';

const TRANSFER = { ...DEFAULT_OPTIONS, style: 'transferToNpu' } as AnalysisOptions;
// the transferToNpu import, guarded: the entry script still runs where torch_npu is not installed
const HEAD = 'try:  # torch_npu is only installed on Ascend hosts\n    import torch_npu  # noqa: F401\n    from torch_npu.contrib import transfer_to_npu  # noqa: F401\nexcept ImportError:\n    torch_npu = None\n';

test('entry scripts: main guard (either order and quote), python shebang, __main__.py; not a guard in a function or a comment', () => {
  assert.ok(isEntryScript('import x\n\nif __name__ == "__main__":\n    main()\n'));
  assert.ok(isEntryScript("if '__main__' == __name__:\n    main()\n"));
  assert.ok(isEntryScript('#!/usr/bin/env python3\nprint(1)\n'));
  assert.ok(isEntryScript('', path.join('pkg', '__main__.py')));
  assert.ok(!isEntryScript('def f():\n    if __name__ == "__main__":\n        pass\n'));
  assert.ok(!isEntryScript('# if __name__ == "__main__":\nimport torch\n'));
  assert.ok(!isEntryScript('#!/bin/sh\nimport torch\n'));
});

test('entry points from pyproject.toml: [project.scripts], [project.gui-scripts], [tool.poetry.scripts]', () => {
  const toml = [
    '[project]', 'name = "x"', 'dependencies = ["torch"]', '',
    '[project.scripts]', 'x-train = "pkg.train:main"  # the trainer', '',
    '[project.gui-scripts]', "x-gui = 'pkg.gui:run'", '',
    '[tool.poetry.scripts]', 'x-serve = "pkg.serve:app"', 'x-ref = { reference = "pkg.ref:go", type = "console" }', '',
    '[tool.other]', 'y = "not.a:script"',
  ].join('\n');
  assert.deepEqual(entryPointModules(toml), ['pkg.train', 'pkg.gui', 'pkg.serve', 'pkg.ref']);
});

test('entry points from pyproject.toml written with dotted keys and inline tables; a table name inside a string is text; not TOML: none', () => {
  const toml = [
    'project.scripts = { x-train = "pkg.train:main", x-eval = "pkg.eval:main [metrics]" }',
    '[tool.poetry]', 'scripts.x-serve = { reference = "pkg.serve:app", type = "console" }',
    '[tool.other]', 'doc = """', '[project.scripts]', 'y = "not.a:script"', '"""', '',
  ].join('\n');
  assert.deepEqual(entryPointModules(toml), ['pkg.train', 'pkg.eval', 'pkg.serve']);
  assert.deepEqual(entryPointModules('[project.scripts]\nx = "pkg.x:main"\nx = "pkg.y:main"\n'), []);
});

test('a module an entry script imports: its transferToNpu fix points to the entry script and changes nothing here', async () => {
  const parser = await loadParser();
  const module = 'import torch\n\ndef load(m):\n    return m.cuda()\n';
  const result = fixSource(parser, module, TRANSFER);
  assert.equal(result.text, module);
  assert.equal(result.fixed.length, 0);
  const fix = result.findings[0]!.fixes[0]!;
  assert.equal(fix.inEntryScript, true);
  assert.deepEqual(fix.edits, []);
  // named as an entry point in pyproject.toml: the import goes into the file itself
  assert.equal(fixSource(parser, module, { ...TRANSFER, entryScript: true }).text, 'import torch\n' + HEAD + '\ndef load(m):\n    return m.cuda()\n');
  // run under an entry script that imports transfer_to_npu: the CUDA call is redirected, nothing to report
  assert.deepEqual(fixSource(parser, module, { ...TRANSFER, runsUnderTransferToNpu: true }).findings, []);
});

function writeTree(root: string, files: Record<string, string>): void {
  rmSync(root, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

test('module graph: imports resolved from the script folder, the workspace, src/ and relative imports', () => {
  const root = path.join(REPO_ROOT, 'test/fixtures/generated/python-entry-graph');
  const files = {
    'scripts/train.py': 'import model_local\nfrom pkg.models import net\nif __name__ == "__main__":\n    pass\n',
    'scripts/model_local.py': 'x = 1\n',
    'src/pkg/__init__.py': '',
    'src/pkg/models/__init__.py': 'from .net import Net\n',
    'src/pkg/models/net.py': 'from ..util import helpers\n',
    'src/pkg/util/helpers.py': 'y = 2\n',
    'src/pkg/cli.py': 'from . import util\n',
    'src/pkg/util/__init__.py': '',
    'orphan.py': 'import torch\n',
  };
  writeTree(root, files);
  const graph = new ModuleGraph(Object.entries(files).map(([rel, text]) => ({ file: path.join(root, rel), text })), [root], ['pkg.cli']);
  const rel = (files: Iterable<string>) => [...files].map((f) => path.relative(root, f).split(path.sep).join('/')).sort();
  assert.deepEqual(rel(graph.entryScripts()), ['scripts/train.py', 'src/pkg/cli.py']);
  assert.deepEqual(rel(graph.reachableFrom(path.join(root, 'scripts/train.py'))), [
    'scripts/model_local.py', 'scripts/train.py', 'src/pkg/__init__.py', 'src/pkg/models/__init__.py', 'src/pkg/models/net.py', 'src/pkg/util/__init__.py', 'src/pkg/util/helpers.py',
  ]);
  assert.deepEqual(rel(graph.entryScriptsReaching(path.join(root, 'src/pkg/util/__init__.py'))), ['scripts/train.py', 'src/pkg/cli.py']);
  assert.deepEqual(graph.entryScriptsReaching(path.join(root, 'orphan.py')), []);
});

test('workspace fix-all (transferToNpu): the import goes only into the entry scripts that run the fixed modules; re-scan finds them covered', async () => {
  const parser = await loadParser();
  const root = path.join(REPO_ROOT, 'test/fixtures/generated/python-entry-fix');
  writeTree(root, {
    'train.py': '"""Trainer."""\nimport torch\nfrom model import build\n\nif __name__ == "__main__":\n    build()\n',
    'model.py': 'import torch\nfrom layers import block\n\ndef build():\n    return torch.nn.Linear(2, 2).cuda()\n',
    'layers.py': 'import torch\n\ndef block(x):\n    torch.cuda.synchronize()\n    return x\n',
    'orphan.py': 'import torch\nx = torch.ones(1).cuda()\n',
    'tool.py': '#!/usr/bin/env python3\nprint("no torch here")\n',
  });
  const scanOptions = { analysis: TRANSFER, wasmDir: WASM_DIR, maxFileSizeKB: 1024 };
  const first = await scanWorkspace([root], scanOptions);
  assert.ok(first.graph);
  assert.deepEqual(first.reports.map((r) => path.basename(r.file)), ['layers.py', 'model.py', 'orphan.py']);
  const files = first.reports.map((r) => ({ file: r.file, text: readFileSync(r.file, 'utf8') }));
  const plans = planFixes(parser, files, TRANSFER, { graph: first.graph, readText: (f) => readFileSync(f, 'utf8') });
  await writePlans(plans);
  assert.equal(readFileSync(path.join(root, 'train.py'), 'utf8'), '"""Trainer."""\nimport torch\n' + HEAD + 'from model import build\n\nif __name__ == "__main__":\n    build()\n');
  assert.equal(readFileSync(path.join(root, 'model.py'), 'utf8'), 'import torch\nfrom layers import block\n\ndef build():\n    return torch.nn.Linear(2, 2).cuda()\n');
  assert.equal(readFileSync(path.join(root, 'tool.py'), 'utf8'), '#!/usr/bin/env python3\nprint("no torch here")\n', 'an entry script that runs none of the modules');
  const fixedIn = (name: string) => plans.find((p) => path.basename(p.file) === name)?.fixed.length ?? 0;
  assert.equal(fixedIn('model.py'), 1);
  assert.equal(fixedIn('layers.py'), 1);
  assert.equal(fixedIn('orphan.py'), 0, 'no entry script runs orphan.py: left open');
  const again = await scanWorkspace([root], scanOptions);
  assert.deepEqual(again.reports.map((r) => path.basename(r.file)), ['orphan.py']);
  assert.equal(again.reports[0]!.findings[0]!.fixes[0]!.inEntryScript, true);
});

test('plain scripts: a call or a loop at top level; not definitions, assignments, keywords, docstrings, setup.py or tests', () => {
  assert.ok(isPlainScript('import torch\nprint(torch.cuda.is_available())\n'));
  assert.ok(isPlainScript('model = build()\nfor batch in loader:\n    model(batch)\n'));
  assert.ok(isPlainScript('loss_func = F.cross_entropy\nfit()\n'));
  assert.ok(!isPlainScript('import torch\nx = torch.ones(1).cuda()\n'), 'an assignment runs but is what modules do too');
  assert.ok(!isPlainScript('def main():\n    train()\n\nclass A:\n    pass\n@register(x)\ndef g():\n    pass\n'));
  assert.ok(!isPlainScript('"""Example:\n\nmain()\n"""\nimport torch\n'), 'a call in the docstring');
  assert.ok(!isPlainScript('if torch.cuda.is_available():\n    pass\nassert(x)\n'));
  assert.ok(!isPlainScript('from setuptools import setup\nsetup(name="x")\n', 'setup.py'));
  assert.ok(!isPlainScript('import pytest\npytest.importorskip("torch")\n', path.join('tests', 'test_x.py')));
});

test('workspace fix-all (transferToNpu): a plain script that no module imports is its own entry script (pytorch/tutorials nn_tutorial shape); one that another module imports is not', async () => {
  const parser = await loadParser();
  const root = path.join(REPO_ROOT, 'test/fixtures/generated/python-plain-script');
  writeTree(root, {
    'tutorial.py': 'import torch\nfrom layers import block\ndev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")\nprint(block(torch.ones(1).to(dev)))\n',
    'layers.py': 'import torch\nprint("layers loaded")\n\ndef block(x):\n    torch.cuda.synchronize()\n    return x\n',
    'setup.py': 'from setuptools import setup\nimport layers\nsetup(name="x")\n',
  });
  const scanOptions = { analysis: TRANSFER, wasmDir: WASM_DIR, maxFileSizeKB: 1024 };
  const first = await scanWorkspace([root], scanOptions);
  assert.ok(first.graph);
  assert.deepEqual(first.graph.entryScripts().map((f) => path.basename(f)), ['tutorial.py'], 'layers.py is imported; setup.py is no program to port');
  const files = first.reports.map((r) => ({ file: r.file, text: readFileSync(r.file, 'utf8') }));
  await writePlans(planFixes(parser, files, TRANSFER, { graph: first.graph, readText: (f) => readFileSync(f, 'utf8') }));
  const tutorial = readFileSync(path.join(root, 'tutorial.py'), 'utf8');
  assert.equal(tutorial, 'import torch\n' + HEAD + 'from layers import block\ndev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")\nprint(block(torch.ones(1).to(dev)))\n');
  assert.equal(readFileSync(path.join(root, 'setup.py'), 'utf8'), 'from setuptools import setup\nimport layers\nsetup(name="x")\n');
  assert.doesNotMatch(readFileSync(path.join(root, 'layers.py'), 'utf8'), /torch_npu/);
});
