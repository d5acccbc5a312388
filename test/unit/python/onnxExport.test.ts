import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { formatMessage, type Message } from '../../../src/core/l10n';
import { migrationReport, type MigrationEntry } from '../../../src/core/report/markdown';
import { builtinProfiles, whitelistProfile } from '../../../src/core/onnx/targets';
import { PythonDocument } from '../../../src/core/python/document';
import { applyEdits, preferredFix } from '../../../src/core/python/fixes/apply';
import { exportTargetOf, type ExportTarget } from '../../../src/core/python/rules/onnxExportTarget';
import { mayHaveFindings } from '../../../src/core/python/analyze';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { REPO_ROOT } from '../repo';
import { findingsOf, loadParser } from './parser';

const builtin = (id: string) => exportTargetOf(builtinProfiles().find((p) => p.id === id)!);
const ASCEND = builtin('ascend310p');
const QNN = builtin('qnn-htp');
/** The ops of the EdgeSAM modules that compiled (field report 003): no Gather, Abs, Sin, Cos, Squeeze, Cast, Neg. */
export const EDGESAM = exportTargetOf(whitelistProfile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json'), 'utf8'))));
const whitelist = (ops: string[], extra: Record<string, unknown> = {}) => exportTargetOf(whitelistProfile({ name: 'wl', kind: 'whitelist', ops, ...extra }));

async function scan(source: string, target: ExportTarget): Promise<Finding[]> {
  return (await findingsOf(source, { onnxTarget: target })).filter((f) => f.rule.startsWith('onnx-export'));
}
const brief = (fs: readonly Finding[]) => fs.map((f) => `${f.range.start.line + 1}:${f.range.start.column + 1} ${f.rule} ${f.severity}`);
const fixed = (source: string, f: Finding, i = 0) => applyEdits(source, f.fixes[i]!.edits);

test('profiles as export targets: ATC registers opsets 8 to 18 (profile data), QNN needs static shapes and has no opset ceiling (the QNN EP takes any opset ONNX Runtime loads), the whitelist lacks Gather but has Erf', () => {
  assert.deepEqual(ASCEND.opsets, { min: 8, max: 18, certain: false });
  assert.equal(ASCEND.staticShapes, 'unverified');
  assert.equal(ASCEND.ops.Gather, 'supported');
  assert.equal(QNN.staticShapes, 'required');
  assert.equal(QNN.opsets, undefined);
  assert.equal(EDGESAM.ops.Gather, 'unsupported');
  assert.equal(EDGESAM.ops.Erf, 'supported');
  assert.equal(EDGESAM.staticShapes, 'required');
});

test('onnx-export-opset: keyword and positional opset, torch.onnx aliases, a module-level constant; the fix takes the closest opset in range', async () => {
  const src = [
    'import torch',
    'import torch.onnx as tonnx',
    'from torch.onnx import export as onnx_export',
    'OPSET = 19',
    'torch.onnx.export(m, x, "a.onnx", opset_version=20)',
    'tonnx.export(m, x, "b.onnx", True, False, None, None, None, None, 7)',
    'onnx_export(m, x, "c.onnx", opset_version=OPSET)',
    'torch.onnx.export(m, x, "d.onnx", opset_version=17)',
    'print("torch.onnx.export(m, x, f, opset_version=30)")  # torch.onnx.export(opset_version=30)',
    'onnx.export(m, x, "e.onnx", opset_version=30)  # onnx here is not torch.onnx',
  ].join('\n');
  const found = await scan(src, ASCEND);
  assert.deepEqual(brief(found), ['5:35 onnx-export-opset warning', '6:67 onnx-export-opset warning', '7:29 onnx-export-opset warning']);
  assert.deepEqual(found[0]!.message.args, [20, 'Ascend 310P', '8-18']);
  assert.match(fixed(src, found[0]!), /opset_version=18\)/);
  assert.match(fixed(src, found[1]!), /None, 8\)/);
  assert.match(fixed(src, found[2]!), /^OPSET = 18$/m);
  // a profile whose range is certain makes it an error
  const strict = await scan('import torch\ntorch.onnx.export(m, x, "a.onnx", opset_version=13)\n', whitelist(['Add'], { opsets: { min: 11, max: 11 } }));
  assert.deepEqual(brief(strict), ['2:35 onnx-export-opset error']);
});

test('onnx-export-opset: without opset_version torch 1.13 exports opset 14 (13 in 1.12, 18 in 2.8); the fix adds opset_version', async () => {
  assert.equal((await scan('import torch\ntorch.onnx.export(m, x, "a.onnx")\n', ASCEND)).length, 0, '14 (and 13, 18) are in 8-18');
  const src = 'import torch\ntorch.onnx.export(\n    m,\n    x,\n    "a.onnx",\n)\n';
  const eleven = await scan(src, whitelist(['Add'], { opsets: { min: 11, max: 11 } }));
  assert.deepEqual(brief(eleven), ['2:1 onnx-export-opset error']);
  assert.equal(eleven[0]!.message.args[0], 14);
  assert.equal(fixed(src, eleven[0]!), 'import torch\ntorch.onnx.export(\n    m,\n    x,\n    "a.onnx", opset_version=11,\n)\n');
  // 14 in range, but other torch releases' defaults are not: pin it (information)
  const pin = await scan('import torch\ntorch.onnx.export(m, x, "a.onnx")\n', whitelist(['Add'], { opsets: { min: 11, max: 17 } }));
  assert.deepEqual(brief(pin), ['2:1 onnx-export-opset info']);
  assert.equal(fixed('import torch\ntorch.onnx.export(m, x, "a.onnx")\n', pin[0]!), 'import torch\ntorch.onnx.export(m, x, "a.onnx", opset_version=14)\n');
  const dynamo = await scan('import torch\ntorch.onnx.export(m, (x,), dynamo=True)\n', whitelist(['Add'], { opsets: { min: 11, max: 17 } }));
  assert.equal(dynamo[0]!.message.args[0], 18);
});

test('onnx-export-dynamic-axes: error where static shapes are required, information where the profile cannot tell; the fix removes the argument', async () => {
  const src = [
    'import torch',
    'torch.onnx.export(',
    '    model,',
    '    (x,),',
    '    "m.onnx",',
    '    input_names=["x"],',
    '    dynamic_axes={"x": {0: "batch"}},  # batch varies',
    '    opset_version=11,',
    ')',
    'torch.onnx.export(model, x, "n.onnx", dynamic_axes=axes, opset_version=11)',
    'torch.onnx.export(model, x, "o.onnx", dynamic_axes=None)',
    'torch.onnx.export(model, x, "p.onnx", dynamic_axes={})',
  ].join('\n');
  const qnn = await scan(src, QNN);
  assert.deepEqual(brief(qnn), ['7:5 onnx-export-dynamic-axes error', '10:39 onnx-export-dynamic-axes error']);
  assert.equal(fixed(src, qnn[0]!).split('\n').slice(1, 8).join('\n'), 'torch.onnx.export(\n    model,\n    (x,),\n    "m.onnx",\n    input_names=["x"],\n    opset_version=11,\n)');
  assert.equal(fixed(src, qnn[1]!).split('\n')[9], 'torch.onnx.export(model, x, "n.onnx", opset_version=11)');
  assert.deepEqual(brief(await scan(src, ASCEND)).filter((b) => b.includes('dynamic')), ['7:5 onnx-export-dynamic-axes info', '10:39 onnx-export-dynamic-axes info']);
  assert.deepEqual(await scan(src, whitelist(['Add'])), [], 'a whitelist without staticShapes does not need them');
});

const MODEL = [
  'import torch',
  'import torch.nn as nn',
  'import torch.nn.functional as F',
  '',
  '',
  'def _float_eq(x, val):',
  '    return torch.clamp(1.0 - torch.abs(x - val), min=0.0, max=1.0)',
  '',
  '',
  'class MaskHead(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.act = nn.GELU()',
  '        self.freqs = torch.sin(torch.arange(8.0))',
  '',
  '    def forward(self, hs, labels):',
  '        """hs[:, 0, :] and torch.abs(x) in a docstring are not findings"""',
  '        token = hs[:, 0, :]  # hs[:, 1, :] in a comment',
  '        for i in range(4):',
  '            token = token + hs[:, i, :]',
  '        b, c, n = hs.shape',
  '        pe = torch.cos(self.freqs * 2)',
  '        q = torch.sin(hs * 3.0)',
  '        m = (labels == 1).float()',
  '        y = hs[:, 1:2, :].squeeze(1)',
  '        z = hs.squeeze()',
  '        print("x[:, 0, :]", hs[0])',
  '        return F.gelu(token) + _float_eq(labels, 1.0) + self.pool(y)',
  '',
  '    def pool(self, t):',
  '        return t[..., -1].abs()',
  '',
  '',
  'class NotAModule:',
  '    def forward(self, x):',
  '        return torch.abs(x[:, 0])',
].join('\n');

test('onnx-export-op: constructs in forward and what it calls, against a whitelist without Gather, Abs, Sin, Cos, Squeeze, Cast', async () => {
  const found = await scan(MODEL, EDGESAM);
  assert.deepEqual(brief(found), [
    '7:30 onnx-export-op warning', // torch.abs in a function forward calls
    '18:17 onnx-export-op warning', // hs[:, 0, :]
    '20:29 onnx-export-op warning', // hs[:, i, :]
    '21:9 onnx-export-op info', // b, c, n = hs.shape
    '22:14 onnx-export-op warning', // torch.cos of a precomputable value
    '23:13 onnx-export-op warning', // torch.sin of an input
    '24:13 onnx-export-op warning', // (labels == 1).float()
    '25:13 onnx-export-op warning', // .squeeze(1)
    '26:13 onnx-export-op warning', // .squeeze()
    '31:16 onnx-export-op warning', // t[..., -1].abs() in a method forward calls
    '31:16 onnx-export-op warning', // t[..., -1]
  ]);
  const at = (line: number, column: number) => found.find((f) => f.range.start.line === line - 1 && f.range.start.column === column - 1)!;
  assert.match(String(at(22, 14).message.key), /does not depend on the inputs/);
  assert.equal(at(22, 14).message.args[3], 'forward');
  assert.match(String(at(23, 13).message.key), /depends on the inputs/);
  assert.deepEqual(at(24, 13).message.args.slice(1), ['edgesam-pass', 'Cast'], 'Equal is on the whitelist, Cast is not');
  // nn.GELU / F.gelu: Erf is on this whitelist; __init__ (torch.sin of arange) and NotAModule are not traced
  assert.ok(!found.some((f) => f.range.start.line === 13 || f.range.start.line >= 34));
});

test('onnx-export-op: nothing where the target supports the op; Erf and GELU where it does not', async () => {
  assert.deepEqual(await scan(MODEL, ASCEND), [], 'the ATC parser registers Gather, Abs, Sin, Cos, Erf, Squeeze, Equal, Cast');
  const withAbs = await scan(MODEL, whitelist([...['Gather', 'Shape', 'Sin', 'Cos', 'Squeeze', 'Equal', 'Cast', 'Erf', 'Abs', 'Slice', 'Reshape']]));
  assert.deepEqual(withAbs, []);
  const noErf = await scan(MODEL, whitelist(['Gather', 'Shape', 'Sin', 'Cos', 'Squeeze', 'Equal', 'Cast', 'Abs', 'Tanh', 'Mul', 'Add']));
  assert.deepEqual(brief(noErf), ['13:20 onnx-export-op warning', '28:16 onnx-export-op warning']);
  const gelu = noErf[1]!;
  assert.equal(fixed(MODEL, gelu).split('\n')[27], '        return F.gelu(token, approximate="tanh") + _float_eq(labels, 1.0) + self.pool(y)');
  assert.equal(fixed(MODEL, noErf[0]!).split('\n')[12], '        self.act = nn.GELU(approximate="tanh")');
  assert.ok(gelu.fixes[0]!.explicitOnly, 'changes numerics: not part of fix-all');
  assert.equal(preferredFix(gelu, DEFAULT_OPTIONS), undefined);
  assert.deepEqual(await scan('import torch.nn.functional as F\nimport torch\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return F.gelu(x, approximate="tanh")\n', whitelist(['Add'])), []);
});

test('onnx-export-op: module aliases and subclasses of local modules are traced', async () => {
  const target = whitelist(['Add']);
  const src = [
    'from torch import nn as tnn',
    'import torch',
    'from torch.nn import Module',
    'class A(tnn.Module):',
    '    def forward(self, x): return x[:, 0]',
    'class B(torch.nn.Module):',
    '    def forward(self, x): return x[:, 0]',
    'class C(Module):',
    '    def forward(self, x): return x[:, 0]',
    'class D(C):',
    '    def forward(self, x): return x[:, 0]',
    'class E(tnn.Sequential):',
    '    def forward(self, x): return x[:, 0]',
    'class F(object):',
    '    def forward(self, x): return x[:, 0]',
    'class G(tnn.Module):',
    '    def forward(self, x):',
    '        x[:, 0] = 1',
    '        return x["a"], x[0], self.layers[0](x)',
  ].join('\n');
  assert.deepEqual(brief(await scan(src, target)).map((b) => b.split(':')[0]), ['5', '7', '9', '11', '13']);
});

test('onnx-export-op fixes: the rewrite text (slice + reshape, narrow for unknown ints, reshape for squeeze, exact abs, float-equality)', async () => {
  const target = whitelist(['Slice', 'Reshape', 'Relu', 'Mul', 'Add', 'Sub', 'Neg']);
  const src = [
    'import torch',
    'class M(torch.nn.Module):',
    '    def forward(self, x, k, labels):',
    '        a = x[:, 2, :]',
    '        b = x[:, -1, :]',
    '        c = x[:, -2]',
    '        d = x[:, :, k]',
    '        e = x[..., 0, :]',
    '        f = x[0, :]',
    '        g = x[:, 1:2].squeeze(1)',
    '        h = torch.abs(x - 1.5) * 2',
    '        i = (labels == 3).float()',
    '        j = x[1:, 0]',
    '        return a',
  ].join('\n');
  const found = await scan(src, target);
  const fix = (line: number) => {
    const f = found.find((x) => x.range.start.line === line - 1)!;
    return f.fixes.length ? f.fixes[0]!.edits[0]!.newText : undefined;
  };
  assert.equal(fix(4), 'x[:, 2:3, :].reshape(x.shape[:1] + x.shape[2:])');
  assert.equal(fix(5), 'x[:, -1:, :].reshape(x.shape[:1] + x.shape[2:])');
  assert.equal(fix(6), 'x[:, -2:-1].reshape(x.shape[:1] + x.shape[2:])');
  assert.equal(fix(7), 'x.narrow(2, k, 1).reshape(x.shape[:2] + x.shape[3:])');
  assert.equal(fix(8), 'x[..., 0:1, :].reshape(x.shape[:-2] + x.shape[-1:])');
  assert.equal(fix(9), 'x[0:1, :].reshape(x.shape[1:])');
  assert.equal(fix(10), 'x[:, 1:2].reshape(x.shape[:1] + x.shape[2:])');
  assert.equal(fix(11), '(torch.relu(x - 1.5) + torch.relu(-(x - 1.5)))');
  assert.equal(fix(12), 'torch.relu(1.0 - (labels - 3) * (labels - 3))');
  assert.equal(fix(13), undefined, 'x[1:, 0]: the sliced shape is not x.shape');
  const eq = found.find((x) => x.range.start.line === 11)!;
  assert.ok(eq.fixes[0]!.explicitOnly, 'only exact for whole numbers: not part of fix-all');
  // without Neg on the target the abs rewrite multiplies by -1
  const noNeg = await scan(src, whitelist(['Slice', 'Reshape', 'Relu', 'Mul', 'Add', 'Sub']));
  assert.equal(noNeg.find((x) => x.range.start.line === 10)!.fixes[0]!.edits[0]!.newText, '(torch.relu(x - 1.5) + torch.relu((x - 1.5) * -1))');
  // without Reshape on the target there is no index fix
  assert.equal((await scan(src, whitelist(['Slice']))).find((x) => x.range.start.line === 3)!.fixes.length, 0);
});

test('the scan pre-filter keeps files with an export call, and forward bodies only for targets lacking an op', () => {
  const forward = 'class M(nn.Module):\n    def forward(self, x):\n        return x[:, 0]\n';
  assert.equal(mayHaveFindings(forward, { ...DEFAULT_OPTIONS, onnxTarget: ASCEND }), false);
  assert.equal(mayHaveFindings(forward, { ...DEFAULT_OPTIONS, onnxTarget: EDGESAM }), true);
  assert.equal(mayHaveFindings('torch.onnx.export(m, x, f)', { ...DEFAULT_OPTIONS, onnxTarget: ASCEND }), true);
  assert.equal(mayHaveFindings('torch.onnx.export(m, x, f)', DEFAULT_OPTIONS), false, 'no target: the rules are off');
});

test('npu-port scan --target: a built-in target or a whitelist profile of the scanned folder; JSON carries the rule ids; an unknown target is an error', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/onnx-export-cli');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, '.npu-port/profiles'), { recursive: true });
  writeFileSync(path.join(dir, '.npu-port/profiles/mobile.json'), JSON.stringify({ name: 'mobile', kind: 'whitelist', ops: ['Slice', 'Reshape'], staticShapes: true }));
  writeFileSync(path.join(dir, 'export.py'), 'import torch\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return x[:, 0]\ntorch.onnx.export(M(), torch.zeros(1, 2), "m.onnx", dynamic_axes={"x": {0: "b"}}, opset_version=19)\n');
  const run = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(args, { env: {}, cwd: REPO_ROOT, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), signal: new AbortController().signal });
    return { code, stdout, stderr };
  };
  const rules = (stdout: string) => (JSON.parse(stdout) as { findings: { rule: string; line: number; severity: string }[] }).findings.map((f) => `${f.line} ${f.rule} ${f.severity}`);
  const ascend = await run(['scan', '--format', 'json', dir]);
  assert.equal(ascend.code, 1);
  assert.deepEqual(rules(ascend.stdout), ['5 onnx-export-dynamic-axes info', '5 onnx-export-opset warning'], 'the default target is ascend310p');
  const mobile = await run(['scan', '--format', 'json', '--target', 'mobile', path.join(dir, 'export.py')]);
  assert.deepEqual(rules(mobile.stdout), ['4 onnx-export-op warning', '5 onnx-export-dynamic-axes error']);
  const unknown = await run(['scan', '--target', 'no-such-npu', dir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown target "no-such-npu"/);
});

test('an open document re-analyses the export rules as the user types (incremental update)', async () => {
  const src = 'import torch\nclass M(torch.nn.Module):\n    def forward(self, x):\n        y = x + 1\n        return y\n';
  const doc = new PythonDocument(await loadParser(), src, { ...DEFAULT_OPTIONS, onnxTarget: EDGESAM }, { parseBudgetMs: Infinity });
  assert.equal(doc.findings.length, 0);
  // "x + 1" → "x[:, 0] + 1"
  doc.update([{ range: { start: { line: 3, column: 13 }, end: { line: 3, column: 13 } }, text: '[:, 0]' }]);
  assert.deepEqual(brief(doc.findings.filter((f) => f.rule === 'onnx-export-op')), ['4:13 onnx-export-op warning']);
  doc.update([{ range: { start: { line: 3, column: 13 }, end: { line: 3, column: 19 } }, text: '' }]);
  assert.equal(doc.findings.length, 0);
  doc.dispose();
});

test('onnx-export-op: an op the profile cannot vouch for is information; functions of other modules (np.squeeze) are not tensor methods', async () => {
  const unsure: ExportTarget = { ...ASCEND, ops: { ...ASCEND.ops, Gather: 'unverified' } };
  const src = 'import torch\nimport numpy as np\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return x[:, 0], np.squeeze(self.table)\n';
  const found = await scan(src, unsure);
  assert.deepEqual(brief(found), ['5:16 onnx-export-op info']);
  assert.match(found[0]!.message.key, /cannot tell/);
  assert.deepEqual(await scan(src, whitelist(['Gather'])), []);
});

test('the migration report lists the export findings of examples/export_onnx.py: rewrites as fixable, explicit-only and hint-only ones as manual', async () => {
  const text = readFileSync(path.join(REPO_ROOT, 'examples/export_onnx.py'), 'utf8');
  const target = exportTargetOf(whitelistProfile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/.npu-port/profiles/mobile-npu.json'), 'utf8'))));
  const entries: MigrationEntry[] = (await scan(text, target)).map((finding) => {
    const fix = preferredFix(finding, DEFAULT_OPTIONS);
    return { file: 'export_onnx.py', finding, status: fix ? 'fixable' : 'manual', replacement: fix?.replacement ?? '' };
  });
  const report = migrationReport({ entries, createdFiles: [], problems: [], date: '2026-11-23' }, (m: Message) => formatMessage(m));
  assert.match(report, /\| export_onnx\.py \| 26 \| onnx-export-op \| `hs\[:, 0, :\]` \| `hs\[:, 0:1, :\]\.reshape\(hs\.shape\[:1\] \+ hs\.shape\[2:\]\)` \| fixable \|/);
  assert.match(report, /\| export_onnx\.py \| 50 \| onnx-export-opset \| `opset_version=17` \| `opset_version=11` \| fixable \|/);
  assert.deepEqual(entries.filter((e) => e.status === 'manual').map((e) => e.finding.range.start.line + 1), [31, 32, 33], 'shape unpacking, torch.sin (hints) and the float mask (explicit-only fix)');
});

test('keystrokes in a function forward reaches (a method, a module-level helper) are analysed; in an untraced function they are not', async () => {
  const src = [
    'import torch',
    '',
    '',
    '@torch.no_grad()',
    'def helper(t):',
    '    return t',
    '',
    '',
    'def unused(t):',
    '    return t',
    '',
    '',
    'class M(torch.nn.Module):',
    '    @property',
    '    def size(self):',
    '        return 3',
    '',
    '    def forward(self, x):',
    '        y = helper(x) + self.pool(x)',
    '        return torch.cat([y,',
    '], 1)',
    '',
    '    def pool(self, t):',
    '        return t',
    '',
  ].join('\n');
  const doc = new PythonDocument(await loadParser(), src, { ...DEFAULT_OPTIONS, onnxTarget: EDGESAM }, { parseBudgetMs: Infinity });
  assert.equal(doc.findings.length, 0);
  const append = (line: number, column: number) => doc.update([{ range: { start: { line, column }, end: { line, column } }, text: '[:, 0]' }]);
  append(5, 12); // helper: return t[:, 0]
  append(9, 12); // unused
  append(23, 16); // pool
  assert.deepEqual(brief(doc.findings), ['6:12 onnx-export-op warning', '24:16 onnx-export-op warning']);
  doc.dispose();
});

test('onnx-export-op: torch.squeeze(x[:, i:i + 1], 1) gets the reshape fix too; the shape-unpacking hint names the missing op', async () => {
  const src = 'import torch\nclass M(torch.nn.Module):\n    def forward(self, x, i):\n        b, c, n = x.shape\n        return torch.squeeze(x[:, i:i + 1], 1)\n';
  const found = await scan(src, whitelist(['Shape', 'Slice', 'Reshape']));
  assert.deepEqual(brief(found), ['4:9 onnx-export-op info', '5:16 onnx-export-op warning']);
  assert.equal(found[0]!.message.args[2], 'Gather');
  assert.equal(found[1]!.fixes[0]!.edits[0]!.newText, 'x[:, i:i + 1].reshape(x.shape[:1] + x.shape[2:])');
});
