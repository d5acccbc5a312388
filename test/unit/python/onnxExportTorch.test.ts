import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { whitelistProfile } from '../../../src/core/onnx/targets';
import { applyEdits } from '../../../src/core/python/fixes/apply';
import { exportTargetOf } from '../../../src/core/python/rules/onnxExportTarget';
import { REPO_ROOT } from '../repo';
import { findingsOf } from './parser';

/** Debian's interpreter with CPU-only torch 1.13 and onnx; the python3 first on PATH may be another one. */
const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;

/** The EdgeSAM whitelist (ops of the modules that compiled) without Erf, so that GELU is reported too. */
const PASS_OPS = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json'), 'utf8')) as { ops: string[] }).ops.filter((op) => op !== 'Erf');
const TARGET = exportTargetOf(whitelistProfile({ name: 'edgesam-pass-no-erf', kind: 'whitelist', ops: PASS_OPS, staticShapes: true }));

/** One output per construct, so that each rewrite is compared on its own. */
const MODEL = `import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.k = -1

    def forward(self, hs, labels):
        first = hs[:, 0, :]
        last = hs[:, self.k, :]
        tail = hs[..., -2]
        tokens = []
        for i in range(3):
            tokens.append(hs[:, i, :])
        squeezed = hs[:, 1:2, :].squeeze(1)
        dist = torch.abs(hs - 0.25)
        mask = (labels == 2.0).float()
        act = F.gelu(hs)
        return first, last, tail, tokens[0], tokens[2], squeezed, dist, mask, act
`;

const DRIVER = `
import json, io, sys, warnings
warnings.filterwarnings("ignore")
import torch, onnx
sys.path.insert(0, sys.argv[1])
import original, rewritten

def ops(model, inputs):
    f = io.BytesIO()
    torch.onnx.export(model, inputs, f, opset_version=11)
    return sorted({n.op_type for n in onnx.load_from_string(f.getvalue()).graph.node})

torch.manual_seed(0)
hs = torch.randn(2, 5, 8) * 4
labels = torch.randint(0, 4, (2, 5)).float()
a = original.Head().eval()(hs, labels)
b = rewritten.Head().eval()(hs, labels)
names = ["first", "last", "tail", "token0", "token2", "squeezed", "dist", "mask", "act"]
out = {"equal": {}, "maxAbs": {}, "shapes": {}}
for name, x, y in zip(names, a, b):
    out["equal"][name] = bool(x.shape == y.shape and torch.equal(x, y))
    out["maxAbs"][name] = float((x - y).abs().max()) if x.shape == y.shape else None
    out["shapes"][name] = [list(x.shape), list(y.shape)]
out["originalOps"] = ops(original.Head().eval(), (hs, labels))
out["rewrittenOps"] = ops(rewritten.Head().eval(), (hs, labels))
print(json.dumps(out))
`;

test('onnx-export-op quick fixes keep the outputs (torch 1.13) and leave only whitelisted ops in the exported graph', { skip: !hasTorch && 'needs /usr/bin/python3 with torch and onnx (apt-get install python3-torch python3-onnx)' }, async () => {
  const findings = (await findingsOf(MODEL, { onnxTarget: TARGET })).filter((f) => f.rule === 'onnx-export-op');
  assert.equal(findings.length, 8, findings.map((f) => f.original).join('\n'));
  // every fix, explicit-only ones included (the GELU one changes numerics: measured below)
  const rewritten = applyEdits(MODEL, findings.flatMap((f) => f.fixes[0]!.edits));
  assert.equal((await findingsOf(rewritten, { onnxTarget: TARGET })).filter((f) => f.rule === 'onnx-export-op').length, 0, rewritten);

  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/onnx-export-fixes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'original.py'), MODEL);
  writeFileSync(path.join(dir, 'rewritten.py'), rewritten);
  const run = spawnSync(PYTHON, ['-c', DRIVER, dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { equal: Record<string, boolean>; maxAbs: Record<string, number>; originalOps: string[]; rewrittenOps: string[] };
  for (const name of ['first', 'last', 'tail', 'token0', 'token2', 'squeezed', 'dist', 'mask']) {
    assert.ok(result.equal[name], `${name}: the rewrite changed the output (max abs error ${result.maxAbs[name]})`);
  }
  // tanh GELU: not equal, but within the documented bound (4.7e-4 over [-20, 20])
  assert.ok(result.maxAbs.act! > 0 && result.maxAbs.act! <= 4.8e-4, `GELU tanh error ${result.maxAbs.act}`);
  for (const op of ['Gather', 'Squeeze', 'Abs', 'Erf', 'Cast']) assert.ok(result.originalOps.includes(op), `the original exports ${op}: ${result.originalOps.join(', ')}`);
  const outside = result.rewrittenOps.filter((op) => !PASS_OPS.includes(op));
  assert.deepEqual(outside, [], `ops of the rewritten model outside the whitelist: ${result.rewrittenOps.join(', ')}`);
});
