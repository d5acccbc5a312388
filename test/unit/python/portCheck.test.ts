// scripts/port_check.py (the fix check of `npm run accuracy`) must import a module under the name the program
// imports it by. A folder without __init__.py whose modules import relatively is a namespace package portion
// (PEP 420; DiffSynth-Studio's diffsynth/models): its modules are `pkg.models.x`, and a fix that makes one of them
// import its helper as a top-level module breaks it. Named `x` instead, the module failed before the fix too
// ("attempted relative import with no known parent package") and the break went uncounted.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const needsTorch = { skip: !hasTorch && 'needs /usr/bin/python3 with torch (apt-get install python3-torch)' };

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-portcheck-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

function check(dir: string): { imports: Record<string, string | null> } {
  const r = spawnSync(PYTHON, [path.join(REPO_ROOT, 'scripts', 'port_check.py')], {
    input: JSON.stringify([{ tree: dir, noStub: ['device_utils'], run: false }]), encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { imports: Record<string, string | null> }[])[0];
}

test('modules of a namespace package portion are imported by their dotted name; plain script folders stay top-level', needsTorch, () => {
  const dir = tree({
    'pkg/__init__.py': '',
    'pkg/core.py': 'X = 1\n',
    'pkg/models/mod.py': 'from ..core import X\n',
    'pkg/models/fixed.py': 'from ..core import X\nfrom device_utils import DEVICE\n',
    'pkg/models/device_utils.py': 'DEVICE = "cpu"\n',
    'pkg/pipelines/relative.py': 'from ..models.mod import X\nfrom .helper import Y\n',
    'pkg/pipelines/helper.py': 'Y = 2\n',
    'tools/tool.py': 'import os\nfrom helper_of_tool import Z\n',
    'tools/helper_of_tool.py': 'Z = 3\n',
  });
  try {
    const { imports } = check(dir);
    assert.deepEqual(Object.keys(imports).sort(), [
      'helper_of_tool', 'pkg', 'pkg.core', 'pkg.models.device_utils', 'pkg.models.fixed', 'pkg.models.mod',
      'pkg.pipelines.helper', 'pkg.pipelines.relative', 'tool',
    ]);
    assert.equal(imports['pkg.models.mod'], null);
    assert.equal(imports['pkg.pipelines.relative'], null);
    // the helper beside a package module, imported as a top-level module: fails as it does for the user
    assert.match(String(imports['pkg.models.fixed']), /ModuleNotFoundError: No module named 'device_utils'/);
    // a script folder (no relative imports) is on sys.path itself, as when the script runs: its neighbour imports
    assert.equal(imports.tool, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
