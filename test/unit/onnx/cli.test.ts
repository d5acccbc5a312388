import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { REPO_ROOT } from '../repo';
import { generatedModel } from './fixtures';

async function run(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { env, cwd, stdout: (s) => (out += s), stderr: (s) => (err += s), signal: new AbortController().signal });
  return { code, out, err };
}

test('onnx info: summary as text and JSON', async () => {
  const file = generatedModel('edgesam_decoder_opset11.onnx');
  const json = await run(['onnx', 'info', file, '--format', 'json']);
  assert.equal(json.code, 0, json.err);
  const info = JSON.parse(json.out);
  assert.equal(info.nodeCount, 74);
  assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 11 }]);
  assert.deepEqual(info.dynamicDims, ['num_points']);
  assert.equal(info.ops.find((o: { op: string }) => o.op === 'Gather').count, 3);
  const text = await run(['onnx', 'info', file]);
  assert.match(text.out, /num_points/);
  const external = JSON.parse((await run(['onnx', 'info', generatedModel('external_data.onnx'), '--format', 'json'])).out);
  assert.deepEqual(external.externalData.map((e: { location: string; tensors: number }) => [e.location, e.tensors]), [['external_data.weights', 2]]);
});

test('onnx check: exit codes 0 / 1 / 2 and the JSON report', async () => {
  const unsafe = generatedModel('edgesam_decoder_opset11.onnx');
  const profile = path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json');
  const failing = await run(['onnx', 'check', unsafe, '--profile', profile, '--format', 'json']);
  assert.equal(failing.code, 1, failing.err);
  const report = JSON.parse(failing.out);
  assert.equal(report.version, 1);
  assert.equal(report.target, 'edgesam-pass');
  assert.equal(report.nodes, 74);
  assert.ok(report.summary.Gather === 3 && report.summary.Abs === 1 && report.summary.Sin === 1);
  const allOps = path.join(mkdtempSync(path.join(os.tmpdir(), 'npu-port-profile-')), 'all.json');
  writeFileSync(allOps, JSON.stringify({ name: 'flow', kind: 'whitelist', ops: ['ReduceSum', 'Greater', 'If', 'Loop', 'Add', 'Sub', 'Identity', 'Neg'] }));
  const passing = await run(['onnx', 'check', generatedModel('control_flow.onnx'), '--profile', allOps]);
  assert.equal(passing.code, 0, passing.out + passing.err);
  assert.equal((await run(['onnx', 'check', generatedModel('atc_limits.onnx'), '--target', 'qnn-htp'])).code, 1, 'select_last_index=1');
  const error = await run(['onnx', 'check', unsafe, '--target', 'nope']);
  assert.equal(error.code, 2);
  assert.match(error.err, /Unknown target/);
  const missing = await run(['onnx', 'check', path.join(os.tmpdir(), 'does-not-exist.onnx'), '--target', 'ascend310']);
  assert.equal(missing.code, 2);
  // Without --target: the default target, named on stderr.
  const defaulted = await run(['onnx', 'check', unsafe]);
  assert.notEqual(defaulted.code, 2, defaulted.err);
  assert.match(defaulted.err, /No --target given: checking against ascend310p/);
});

test('onnx check finds whitelist profiles in .npu-port/profiles of the workspace; onnx targets lists them', async () => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'npu-port-ws-'));
  mkdirSync(path.join(workspace, '.npu-port', 'profiles'), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json'), path.join(workspace, '.npu-port', 'profiles', 'edgesam.json'));
  writeFileSync(path.join(workspace, '.npu-port', 'profiles', 'broken.json'), '{"name": "b", "kind": "whitelist"');
  const targets = await run(['onnx', 'targets', '--format', 'json'], workspace);
  assert.equal(targets.code, 0);
  const ids = JSON.parse(targets.out).targets.map((t: { id: string }) => t.id);
  assert.deepEqual(ids, ['ascend310', 'ascend310p', 'ascend910', 'ascend910b', 'qnn-htp', 'edgesam-pass']);
  assert.match(targets.err, /broken\.json/);
  const check = await run(['onnx', 'check', generatedModel('edgesam_decoder_opset11.onnx'), '--target', 'edgesam-pass', '--format', 'json'], workspace);
  assert.equal(check.code, 1);
});

test('onnx check and info speak Chinese with --lang zh-cn', async () => {
  const r = await run(['--lang', 'zh-cn', 'onnx', 'check', generatedModel('edgesam_decoder_opset11.onnx'), '--profile', path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /不支持/);
  assert.match(r.out, /算子/);
  const bad = await run(['--lang', 'zh-cn', 'onnx', 'info', path.join(REPO_ROOT, 'package.json')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /package\.json 不是 ONNX 模型：它是文本文件。/);
});

test('onnx check --format sarif validates against the official SARIF 2.1.0 schema', async () => {
  // The schema ships in @microsoft/jest-sarif (also used by the Python scan's SARIF test).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
  const schemaFile = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  const r = await run(['onnx', 'check', generatedModel('control_flow.onnx'), '--profile', path.join(REPO_ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json'), '--format', 'sarif']);
  assert.equal(r.code, 1, r.err);
  const log = JSON.parse(r.out);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const results = log.runs[0].results as { ruleId: string; level: string; locations: { logicalLocations?: { fullyQualifiedName: string }[] }[] }[];
  assert.ok(results.some((x) => x.ruleId === 'op-unsupported' && x.level === 'error' && x.locations[0]!.logicalLocations![0]!.fullyQualifiedName === 'main/repeat.body/loop_if.else_branch/inner_neg'));
  assert.ok(results.some((x) => x.ruleId === 'subgraph'));
});

interface SarifResult { ruleId: string; level: string; properties?: { op?: string; source?: string } }
const sarifResults = (out: string) => JSON.parse(out).runs[0].results as SarifResult[];

test('onnx check --fail-on: exit codes per kind (unsupported by default, unverified, dynamic, comma lists), 2 on a bad kind', async () => {
  const flow = generatedModel('control_flow.onnx'); // on ascend910: one unverified node (Loop), nothing unsupported, static inputs
  const dynamic = generatedModel('edgesam_decoder_opset11.onnx'); // on ascend910b: every node supported, num_points is a dynamic input dim
  const bf16 = generatedModel('per_chip.onnx'); // on ascend310p: a bf16 Relu (unsupported), Sqrt/ReduceMean unverified
  const code = async (...args: string[]) => (await run(['onnx', 'check', ...args])).code;
  assert.equal(await code(flow, '--target', 'ascend910'), 0, 'unverified does not fail by default');
  assert.equal(await code(flow, '--target', 'ascend910', '--fail-on', 'unsupported'), 0);
  assert.equal(await code(flow, '--target', 'ascend910', '--fail-on', 'unverified'), 1);
  assert.equal(await code(flow, '--target', 'ascend910', '--fail-on', 'dynamic'), 0);
  assert.equal(await code(dynamic, '--target', 'ascend910b'), 0);
  assert.equal(await code(dynamic, '--target', 'ascend910b', '--fail-on', 'dynamic'), 1, 'dynamic input dims fail the dynamic gate');
  assert.equal(await code(dynamic, '--target', 'ascend910b', '--fail-on', 'unsupported,dynamic'), 1);
  assert.equal(await code(dynamic, '--target', 'ascend910b', '--fail-on', 'unverified'), 1, 'an uncertain model finding is at or above unverified');
  assert.equal(await code(bf16, '--target', 'ascend310p'), 1);
  assert.equal(await code(bf16, '--target', 'ascend910b'), 0, 'the same model passes on 910B (bf16 kernels)');
  assert.equal(await code(bf16, '--target', 'ascend910b', '--fail-on', 'unverified,dynamic'), 0);
  for (const bad of ['nope', '', 'unsupported,nope', ',']) {
    const r = await run(['onnx', 'check', flow, '--target', 'ascend910', '--fail-on', bad]);
    assert.equal(r.code, 2, `--fail-on "${bad}"`);
    assert.match(r.err, /--fail-on/);
  }
});

test('onnx check: SARIF levels and the JSON gate follow --fail-on; the report names the CANN release', async () => {
  const flow = generatedModel('control_flow.onnx');
  const loop = (out: string) => sarifResults(out).find((x) => x.properties?.op === 'Loop')!;
  assert.equal(loop((await run(['onnx', 'check', flow, '--target', 'ascend910', '--format', 'sarif'])).out).level, 'note');
  assert.equal(loop((await run(['onnx', 'check', flow, '--target', 'ascend910', '--format', 'sarif', '--fail-on', 'unverified'])).out).level, 'error');
  const dynamic = generatedModel('edgesam_decoder_opset11.onnx');
  const dyn = (out: string) => sarifResults(out).find((x) => x.ruleId === 'dynamic-shape')!;
  assert.equal(dyn((await run(['onnx', 'check', dynamic, '--target', 'ascend910b', '--format', 'sarif'])).out).level, 'note');
  assert.equal(dyn((await run(['onnx', 'check', dynamic, '--target', 'ascend910b', '--format', 'sarif', '--fail-on', 'dynamic'])).out).level, 'error');
  const chip = await run(['onnx', 'check', generatedModel('per_chip.onnx'), '--target', 'ascend310p', '--format', 'sarif']);
  const results = sarifResults(chip.out);
  assert.equal(results.find((x) => x.properties?.op === 'Relu')!.level, 'error');
  assert.match(results.find((x) => x.properties?.op === 'Relu')!.properties!.source!, /README\.md/);
  assert.equal(results.find((x) => x.properties?.op === 'Sqrt')!.level, 'note');
  assert.equal(JSON.parse(chip.out).runs[0].properties.toolkit, 'CANN 9.1.0');
  const json = JSON.parse((await run(['onnx', 'check', generatedModel('per_chip.onnx'), '--target', 'ascend310p@8.5', '--format', 'json', '--fail-on', 'unverified'])).out);
  assert.deepEqual(json.toolkit, { name: 'CANN', version: '8.5.0' });
  assert.equal(json.target, 'ascend310p@8.5.0');
  assert.deepEqual(json.failOn, ['unverified']);
  assert.equal(json.failed, true);
  const text = await run(['onnx', 'check', generatedModel('per_chip.onnx'), '--target', 'ascend310p']);
  assert.match(text.out, /CANN 9\.1\.0/);
});

test('onnx whitelist: the ops of models that compiled become a profile that passes them and flags the rest', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-wl-'));
  const out = path.join(dir, 'pass.json');
  const made = await run(['onnx', 'whitelist', '--name', 'part3-pass', generatedModel('edgesam_like_npu_safe.onnx'), '-o', out]);
  assert.equal(made.code, 0, made.err);
  const profile = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(profile.ops, ['Add', 'Constant', 'ConvTranspose', 'Gemm', 'MatMul', 'Mul', 'ReduceSum', 'Reshape', 'Slice', 'Tanh']);
  assert.equal((await run(['onnx', 'check', generatedModel('edgesam_like_npu_safe.onnx'), '--profile', out])).code, 0);
  const unsafe = JSON.parse((await run(['onnx', 'check', generatedModel('edgesam_decoder_opset11.onnx'), '--profile', out, '--format', 'json'])).out);
  assert.ok(['Gather', 'Abs', 'Sin', 'Cos', 'Erf', 'Squeeze', 'Equal'].every((op) => op in unsafe.summary), JSON.stringify(unsafe.summary));
  assert.equal((await run(['onnx', 'whitelist', generatedModel('control_flow.onnx')])).code, 2);
});
