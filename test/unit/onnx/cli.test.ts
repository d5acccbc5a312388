import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  assert.equal(report.version, 2);
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

test('onnx targets counts each qnn-htp op type once, not once per domain the QNN EP matches it in', async () => {
  const data = JSON.parse(readFileSync(path.join(REPO_ROOT, 'src/core/onnx/targets/data/qnn-htp.json'), 'utf8'));
  // The EP registry's op types, plus ops placed on QNN only inside a fusion (reported as unverified).
  const opTypes = new Set([...Object.keys(data.ops), ...Object.keys(data.fusions)]);
  const json = await run(['onnx', 'targets', '--format', 'json']);
  assert.equal(json.code, 0, json.err);
  const qnn = JSON.parse(json.out).targets.find((t: { id: string }) => t.id === 'qnn-htp');
  assert.equal(qnn.ops, opTypes.size);
  assert.deepEqual(qnn.opDomains, [{ domain: 'ai.onnx', ops: opTypes.size }]);
  assert.deepEqual(qnn.sharedOpDomains, ['com.microsoft']);
  const ascend = JSON.parse(json.out).targets.find((t: { id: string }) => t.id === 'ascend310p');
  assert.equal(ascend.ops, ascend.opDomains.reduce((n: number, d: { ops: number }) => n + d.ops, 0));
  assert.ok(ascend.opDomains.some((d: { domain: string }) => d.domain === 'npu'), 'Ascend lists its npu:: custom ops under their own domain');
  const text = await run(['onnx', 'targets']);
  const line = text.out.split('\n').find((l) => l.startsWith('qnn-htp '));
  assert.match(line ?? '', new RegExp(`\\[builtin, ${opTypes.size} ops \\(ai\\.onnx ${opTypes.size}; the same op types in com\\.microsoft\\)\\]`));
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
  // The OASIS schema as SchemaStore publishes it (its "id"), kept in test/fixtures/sarif (also used by the Python scan's SARIF test).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = require('ajv-draft-04') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
  const schemaFile = path.join(REPO_ROOT, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json');
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
  assert.equal(await code(bf16, '--target', 'ascend910b', '--fail-on', 'dynamic'), 0);
  assert.equal(await code(bf16, '--target', 'ascend910b', '--fail-on', 'unverified,dynamic'), 1, 'its TopK indices (int32 after ATC) into an int64 Add are unverified');
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

test('onnx whitelist checks --name and the model list before it opens a model', async () => {
  const missing = path.join(os.tmpdir(), 'npu-port-no-such-model.onnx');
  const noName = await run(['onnx', 'whitelist', missing]);
  assert.equal(noName.code, 2);
  assert.match(noName.err, /Give the profile a name: --name NAME\./);
  assert.doesNotMatch(noName.err, /npu-port-no-such-model/);
  const noModels = await run(['onnx', 'whitelist', '--name', 'pass']);
  assert.equal(noModels.code, 2);
  assert.match(noModels.err, /Give the models that compiled\./);
  // with a name, the missing model is the error
  assert.match((await run(['onnx', 'whitelist', '--name', 'pass', missing])).err, /npu-port-no-such-model/);
});

// ------------------------------------------------------------------ hostile inputs, in a child process

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hostile = require(path.join(REPO_ROOT, 'bench/lib/hostile-models.js')) as {
  reluModel(patch: Record<string, unknown>): Uint8Array;
  hugeDimsModel(dims: (number | string)[]): Uint8Array;
  manyNodesModel(count: number): Uint8Array;
  externalModel(kind: string): { bytes: Uint8Array; files: { name: string; kind: string; size?: number; target?: string }[] };
  writeExternalFiles(dir: string, files: unknown[]): void;
};

/** What must never reach a terminal: C0 (but \t, \n and the \r of CRLF), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\r(?!\n)/;
const CLI = path.join(REPO_ROOT, 'out/src/cli/main.js');

interface ChildRun { code: number | null; out: string; err: string; peakRss: number }

/** The real CLI entry in its own process; `peakRss` is its getrusage maxRSS in bytes (written at exit by a preload). */
function runChild(args: string[], cwd: string): ChildRun {
  const rssFile = path.join(cwd, `.rss-${Math.random().toString(36).slice(2)}`);
  const preload = path.join(cwd, '.rss-preload.js');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const r = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 30, env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, out: r.stdout, err: r.stderr, peakRss: Number(readFileSync(rssFile, 'utf8')) };
}

test('CLI table: command x hostile input -> message, exit code, no raw control bytes, bounded output and peak RSS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-hostile-cli-'));
  const write = (name: string, bytes: Uint8Array) => {
    writeFileSync(path.join(dir, name), bytes);
    return name;
  };
  const escapes = write('escapes.onnx', hostile.reluModel({
    producer: '\x1b]0;pwned\x07\x1b[2J', op: 'Relu\x1b[2J\u202e', nodeName: 'n\x9b31m', graphName: 'g\r', metadata: [['k\x1b[31m', 'v\u2066\x00']],
  }));
  const huge = write('huge-op.onnx', hostile.reluModel({ op: '\0'.repeat(30_000_000) }));
  const external = (kind: string) => {
    const sub = path.join(dir, kind);
    mkdirSync(sub);
    const made = hostile.externalModel(kind);
    writeFileSync(path.join(sub, 'm.onnx'), made.bytes);
    hostile.writeExternalFiles(sub, made.files);
    return path.join(kind, 'm.onnx');
  };
  const folder = external('folder');
  const fifo = external('fifo');
  const far = external('far');
  const noLength = external('nolength');
  // 300,000 nodes in 9.5 MB: the model the fuzzer found over the memory bound in text and check (278 to
  // 391 MB in the fuzz process; a fresh CLI peaked at 249 MB for text, 252 MB for check and 698 MB for
  // SARIF, against 219 MB).
  const chain = write('chain.onnx', hostile.manyNodesModel(300_000));
  const dims40 = write('dims40.onnx', hostile.hugeDimsModel([2 ** 40]));
  const dims28 = write('dims28.onnx', hostile.hugeDimsModel(['batch', 2 ** 28]));
  mkdirSync(path.join(dir, 'py'));
  writeFileSync(path.join(dir, 'py', 'evil\x1b[2J.py'), 'import torch\nx = torch.zeros(2).cuda()\n');
  const out = path.join(dir, 'out.onnx');
  const rows: [args: string[], code: number, pattern: RegExp][] = [
    [['onnx', 'info', escapes], 0, /Producer +\\x1b\]0;pwned\\x07\\x1b\[2J[\s\S]*k\\x1b\[31m: v\\u2066\\x00[\s\S]*Relu\\x1b\[2J\\u202e/],
    [['onnx', 'check', escapes, '--target', 'ascend310'], 1, /Relu\\x1b\[2J\\u202e  n\\u009b31m/],
    [['onnx', 'text', escapes], 0, /"g\\x0d" \(float\[4\] x\)/],
    [['onnx', 'check', huge, '--target', 'ascend310', '--format', 'json'], 1, /"op": "(\\u0000){4096}…\(30000000 chars\)"/],
    [['onnx', 'check', huge, '--target', 'ascend310', '--format', 'sarif'], 1, /…\(30000000 chars\)/],
    [['onnx', 'check', huge, '--target', 'ascend310'], 1, /(\\x00){4096}…\(30000000 chars\)/],
    [['onnx', 'text', huge], 0, /…\(30000000 chars\)/],
    [['onnx', 'info', huge], 0, /…\(30000000 chars\)/],
    [['onnx', 'info', folder], 0, /w\.bin: 1 tensors, 16 B - External data location "w\.bin" is not a regular file/],
    [['onnx', 'rewrite', folder, '--apply', 'all', '-o', out], 2, /^error: External data location "w\.bin" is not a regular file \(a folder/m],
    [['onnx', 'rewrite', fifo, '--apply', 'all', '-o', out], 2, /^error: External data location "w\.bin" is not a regular file \(a folder, a named pipe/m],
    [['onnx', 'extract', fifo, '--from', 'x', '--to', 'y', '-o', out], 2, /is not a regular file/],
    [['onnx', 'info', far], 0, /lies beyond the end of "w\.bin": it starts at byte 1125899906842624, but the file holds only 64 bytes/],
    [['onnx', 'rewrite', far, '--apply', 'all', '-o', out], 2, /^error: External data of tensor "w" lies beyond the end/m],
    [['onnx', 'info', noLength], 0, /w\.bin: 1 tensors, 16 B\n/],
    [['onnx', 'run', dims40], 2, /^error: Input "x" with shape \[1099511627776\] needs 4194304 MiB of generated values, over the budget of 256 MiB/m],
    [['onnx', 'run', dims28], 2, /^error: Input "x" with shape \[batch=1, 268435456\] needs 1024 MiB .* budget of 256 MiB/m],
    [['onnx', 'run', dims40, '--dim', 'batch=3', '--max-input-mb', '0'], 2, /--max-input-mb needs a number of MiB above 0/],
    [['scan', 'py'], 1, /evil\\x1b\[2J\.py:2:\d+: /],
    [['onnx', 'text', chain], 0, /\[n299999\] y = Erf \(t299998\)\n}\n$/],
    [['onnx', 'check', chain, '--target', 'ascend310'], 0, /300000 nodes, 300000 supported, 0 unsupported/],
    [['onnx', 'check', chain, '--target', 'ascend310p'], 0, /300000 nodes, 240000 supported, 0 unsupported, 60000 unverified[\s\S]*and 59999 more Erf nodes/],
    [['onnx', 'check', chain, '--target', 'ascend310p', '--format', 'sarif'], 0, /"unverified":60000},"results":60000,"omittedResults":35000[\s\S]*SARIF holds the first 25000 of 60000 results, errors first/],
    [['onnx', 'check', chain, '--target', 'ascend310', '--format', 'json'], 0, /"nodes": 300000/],
    // 60,000 unverified Erf nodes: one finding listing them, one line each (version 1 repeated every
    // message per node: 49 M characters and 243 MB for this 9.5 MB model).
    [['onnx', 'check', chain, '--target', 'ascend310p', '--format', 'json'], 0, /"status": "unverified",\n {6}"op": "Erf",[\s\S]*"count": 60000,[\s\S]*\n {8}\{"node":"n299999","graph":"main","index":299999\}\n/],
    [['onnx', 'check', chain, '--target', 'qnn-htp', '--format', 'json'], 0, /"counts": \{\n {4}"supported": 240000,\n {4}"unsupported": 0,\n {4}"unverified": 60000\n/],
    [['onnx', 'info', chain], 0, /300000 in 1 graphs/],
  ];
  try {
    for (const [args, code, pattern] of rows) {
      const label = args.join(' ');
      const r = runChild(args, dir);
      const text = r.out + r.err;
      assert.equal(r.code, code, `${label}: exit ${r.code}\n${text.slice(0, 2000)}`);
      assert.match(text, pattern, label);
      assert.doesNotMatch(text, /Internal error|RangeError|    at /, label);
      assert.ok(!RAW_CONTROL.test(text), `${label}: raw control character in ${JSON.stringify(text.slice(0, 300))}`);
      const input = statSync(path.join(dir, args[2] ?? args[1]!)).size;
      assert.ok(text.length <= 4 * input + 2 ** 20, `${label}: ${text.length} characters of output`);
      assert.ok(r.peakRss <= 2 * input + 200 * 2 ** 20, `${label}: peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB for a ${(input / 2 ** 20).toFixed(1)} MB model`);
      if (args.includes('json') || args.includes('sarif')) JSON.parse(r.out);
      if (args.includes('sarif') && args[2] === chain) assert.equal(JSON.parse(r.out).runs[0].results.length, 25_000, 'SARIF results cut at GitHub\'s 25,000 per run');
      if (args.includes('json') && args[2] === chain) {
        const report = JSON.parse(r.out);
        const listed = report.findings.flatMap((f: { nodes: { index: number }[] }) => f.nodes.map((n) => n.index));
        assert.equal(listed.length, report.counts.unsupported + report.counts.unverified, `${label}: every finding's node listed`);
        assert.equal(new Set(listed).size, listed.length, `${label}: each node once`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSON output keeps hostile strings exact: control characters escaped as JSON escapes of the same characters', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-hostile-json-'));
  const producer = '\x1b]0;pwned\x07\u202e\x9b';
  const metadata = ['k\x1b[31m', 'v\u2066\u2028\x7f'];
  writeFileSync(path.join(dir, 'm.onnx'), hostile.reluModel({ producer, metadata: [metadata], op: 'Op\x1b' }));
  const r = await run(['onnx', 'info', 'm.onnx', '--format', 'json'], dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(!RAW_CONTROL.test(r.out));
  const info = JSON.parse(r.out);
  assert.equal(info.producer, producer);
  assert.deepEqual(info.metadata, [{ key: metadata[0], value: metadata[1] }]);
  assert.deepEqual(info.ops, [{ op: 'Op\x1b', count: 1 }]);
  rmSync(dir, { recursive: true, force: true });
});

test('the first Ctrl+C ends a running CLI command', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-sigint-'));
  writeFileSync(path.join(dir, 'm.onnx'), hostile.manyNodesModel(2000));
  try {
    const child = spawn(process.execPath, [CLI, 'onnx', 'run', 'm.onnx', '--iterations', '100000000'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    assert.ok(code === 2 || code === 130, `exit ${String(code)}: ${err}`);
    assert.match(err, /Cancelled\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that closes the pipe early (| head) ends the CLI quietly, without an EPIPE stack', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npu-port-epipe-'));
  try {
    writeFileSync(path.join(dir, 'chain.onnx'), hostile.manyNodesModel(100_000));
    const child = spawn(process.execPath, [CLI, 'onnx', 'text', 'chain.onnx'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^<\n {3}ir_version: 8/);
    assert.equal(code, 0, err);
    assert.doesNotMatch(err, /EPIPE|Unhandled|    at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
