import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import { main } from '../../../src/cli/main';
import { scanWorkspace } from '../../../src/core/workspace/scan';
import { REPO_ROOT } from '../repo';
import { SEED_FIXTURES } from './parser';

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { env, cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), signal: new AbortController().signal });
  return { code, stdout, stderr };
}

function workspace(name: string): string {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(SEED_FIXTURES, dir, { recursive: true });
  return dir;
}

test('text format: one finding per line in the problem matcher format, 1-based, relative paths; exit 1', async () => {
  const dir = workspace('cli-text');
  const { code, stdout } = await run(['scan'], dir);
  assert.equal(code, 1);
  const lines = stdout.trim().split('\n');
  const matcher = /^(.+?):(\d+):(\d+):\s+(error|warning|info)\s+\[([a-z0-9-]+)\]\s+(.*)$/; // package.json npu-port-scan
  for (const line of lines) assert.match(line, matcher);
  assert.ok(lines.includes('inference_e1_1.py:31:13: error [cuda-device-string] "cuda" is a CUDA device; on an NPU host use the device chosen at run time'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('requirements.txt:7:1: error [cuda-requirement] flash-attn')));
});

test('json format: the documented shape; --lang zh-cn renders messages in Chinese', async () => {
  const dir = workspace('cli-json');
  const { code, stdout } = await run(['--lang', 'zh-cn', 'scan', '--format', 'json', '.'], dir);
  assert.equal(code, 1);
  const json = JSON.parse(stdout) as { version: number; files: number; findings: Record<string, unknown>[]; errors: unknown[] };
  assert.equal(json.version, 1);
  assert.equal(json.files, 7); // 3 scripts, the stand-in module, 2 stand-in package files, requirements.txt
  assert.deepEqual(json.errors, []);
  const first = json.findings.find((f) => f.file === 'inference.py' && f.rule === 'safetensors-device');
  assert.deepEqual(first, { file: 'inference.py', line: 15, column: 17, endLine: 15, endColumn: 57, rule: 'safetensors-device', severity: 'error', message: 'load_file(..., device="cuda") 直接加载到 CUDA', fixable: true });
  assert.ok(json.findings.some((f) => f.rule === 'cudnn-backend' && f.fixable === false));
});

test('sarif format validates against the SARIF 2.1.0 schema', async () => {
  const dir = workspace('cli-sarif');
  const { code, stdout } = await run(['scan', '--format', 'sarif'], dir);
  assert.equal(code, 1);
  const schemaFile = path.join(REPO_ROOT, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json');
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  const log = JSON.parse(stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  assert.ok(log.runs[0]!.results.length > 20);
  // helpUri: the rule page shipped in the package (a file URL, no web address), in the output language
  const rules = (JSON.parse(stdout) as { runs: { tool: { driver: { rules: { id: string; helpUri: string; shortDescription: { text: string } }[] } } }[] }).runs[0]!.tool.driver.rules;
  assert.ok(rules.length > 10);
  for (const r of rules) {
    assert.match(r.helpUri, /^file:\/\//, r.helpUri);
    const page = fileURLToPath(r.helpUri);
    assert.equal(page, path.join(REPO_ROOT, 'docs', 'rules', `${r.id}.md`));
    assert.ok(readFileSync(page, 'utf8').includes(r.shortDescription.text), page);
  }
  const zh = JSON.parse((await run(['--lang', 'zh-cn', 'scan', '--format', 'sarif'], dir)).stdout) as typeof log & { runs: { tool: { driver: { rules: { helpUri: string }[] } } }[] };
  assert.match(zh.runs[0]!.tool.driver.rules[0]!.helpUri, /\/docs\/rules\/zh-cn\/[a-z-]+\.md$/);
  // and a broken log is rejected (the validator is really checking)
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: {} }] }), false);
});

test('--fix ports the workspace: helper and requirements_npu.txt created, nothing fixable left', async () => {
  const dir = workspace('cli-fix');
  const { stdout, stderr } = await run(['scan', '--fix', '--format', 'json'], dir);
  // The summary is a plain line, not a warning.
  assert.match(stderr, /^Fixed \d+ findings in 4 files/m);
  assert.doesNotMatch(stderr, /warning: Fixed/);
  assert.ok(existsSync(path.join(dir, 'device_utils.py')));
  assert.match(readFileSync(path.join(dir, 'requirements_npu.txt'), 'utf8'), /# removed \(CUDA only\): flash-attn==2\.5\.6/);
  const json = JSON.parse(stdout) as { findings: { fixable: boolean; rule: string }[] };
  assert.deepEqual(json.findings.filter((f) => f.fixable), []);
  assert.match(readFileSync(path.join(dir, 'inference_e1_1.py'), 'utf8'), /pipe\.to\(DEVICE, DTYPE\)/);
});

test('bad input: binary, too large, not UTF-8, broken link, symlink loop, syntax error: each reported, the scan goes on', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/cli-bad');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'binary.py'), Buffer.from([0x69, 0x6d, 0x00, 0x01, 0x02]));
  writeFileSync(path.join(dir, 'huge.py'), 'x.cuda()\n' + '#'.repeat(3000));
  writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('# caf\xe9\nx.cuda()\n', 'latin1'));
  writeFileSync(path.join(dir, 'broken.py'), 'import torch\ndef f(:\n    x.cuda()\n');
  writeFileSync(path.join(dir, 'ok.py'), 'import torch\ntorch.cuda.synchronize()\n');
  symlinkSync(path.join(dir, 'missing.py'), path.join(dir, 'dangling.py'));
  symlinkSync(dir, path.join(dir, 'sub', 'loop'));
  const { code, stdout } = await run(['scan', '--format', 'json', '--max-file-size-kb', '2'], dir);
  assert.equal(code, 1);
  const json = JSON.parse(stdout) as { findings: { file: string; rule: string }[]; errors: { file: string; message: string }[] };
  const errors = Object.fromEntries(json.errors.map((e) => [e.file, e.message]));
  assert.match(errors['binary.py']!, /binary/);
  assert.match(errors['huge.py']!, /over the size limit of 2 KB/);
  assert.match(errors['latin1.py']!, /UTF-8/);
  assert.match(errors['dangling.py']!, /Broken symbolic link/);
  assert.match(errors['sub/loop']!, /Symbolic link loop/);
  assert.deepEqual([...new Set(json.findings.map((f) => `${f.file} ${f.rule}`))].sort(), ['broken.py cuda-tensor-method', 'broken.py syntax-error', 'ok.py torch-cuda-api']);
});

test('usage errors exit 2; a clean tree exits 0', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/cli-clean');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'clean.py'), 'import torch\nprint(torch.ones(2).to("cpu"))\n');
  assert.equal((await run(['scan', '--format', 'xml'], dir)).code, 2);
  assert.equal((await run(['scan', '--style', 'magic'], dir)).code, 2);
  const clean = await run(['scan'], dir);
  assert.equal(clean.code, 0);
  assert.equal(clean.stdout, '');
});

test('scan checks its options before it reads the paths: a bad --style or --max-file-size-kb is the error, not the missing folder', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/cli-order');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const style = await run(['scan', 'no-such-folder', '--style', 'magic'], dir);
  assert.equal(style.code, 2);
  assert.match(style.stderr, /Unknown fix style "magic"/);
  assert.doesNotMatch(style.stderr, /no-such-folder/);
  const size = await run(['scan', 'no-such-folder', '--max-file-size-kb', '0'], dir);
  assert.equal(size.code, 2);
  assert.match(size.stderr, /--max-file-size-kb needs a positive number/);
  assert.doesNotMatch(size.stderr, /no-such-folder/);
  // with good options, the missing folder is the error
  assert.match((await run(['scan', 'no-such-folder'], dir)).stderr, /no-such-folder/);
});

test('a cancelled scan stops with an AbortError', async () => {
  const dir = workspace('scan-cancel');
  const controller = new AbortController();
  const scan = scanWorkspace([dir], {
    analysis: { style: 'deviceManager', deviceModule: 'device_utils' },
    wasmDir: path.join(REPO_ROOT, 'node_modules'),
    workerScript: path.join(REPO_ROOT, 'out/src/core/workspace/scan.worker.js'),
    maxFileSizeKB: 2048,
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  await assert.rejects(scan, (error: Error) => error.name === 'AbortError');
});

test('scan --fix --style transferToNpu: the import goes into the entry script only; the module it runs is then covered', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated/cli-transfer');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'pkg'), { recursive: true });
  writeFileSync(path.join(dir, 'train.py'), 'import torch\nfrom pkg.model import build\n\nif __name__ == "__main__":\n    build().cuda()\n');
  writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
  const model = 'import torch\n\ndef build():\n    torch.cuda.manual_seed(0)\n    return torch.nn.Linear(2, 2)\n';
  writeFileSync(path.join(dir, 'pkg', 'model.py'), model);
  const { code, stdout } = await run(['scan', '--fix', '--style', 'transferToNpu', '--format', 'json'], dir);
  assert.equal(code, 0, stdout);
  assert.equal(JSON.parse(stdout).findings.length, 0);
  assert.equal(readFileSync(path.join(dir, 'train.py'), 'utf8'), 'import torch\ntry:  # torch_npu is only installed on Ascend hosts\n    import torch_npu  # noqa: F401\n    from torch_npu.contrib import transfer_to_npu  # noqa: F401\nexcept ImportError:\n    torch_npu = None\nfrom pkg.model import build\n\nif __name__ == "__main__":\n    build().cuda()\n');
  assert.equal(readFileSync(path.join(dir, 'pkg', 'model.py'), 'utf8'), model);
});

test('bf16 without --target is information naming the chips without it (the default target is nobody\'s choice); --target ascend310p makes it a warning, --target ascend910b drops it', async () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/generated', 'cli-bf16-target');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'train.py'), 'import torch\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained("m", torch_dtype=torch.bfloat16)\nx = torch.zeros(2).to(torch.bfloat16)\n');
  const found = async (...extra: string[]) => {
    const { stdout } = await run(['scan', '--format', 'json', ...extra, '.'], dir);
    return (JSON.parse(stdout) as { findings: { rule: string; line: number; severity: string; message: string }[] }).findings.filter((f) => f.rule === 'fixed-dtype');
  };
  const unchosen = await found();
  assert.deepEqual(unchosen.map((f) => `${f.line} ${f.severity}`), ['3 info', '4 info']);
  assert.match(unchosen[0]!.message, /Ascend 310 \(Atlas 200\/300\/500 inference\), Ascend 310P \(Atlas inference series\), Ascend 910 \(Atlas training series\) have no bfloat16/);
  assert.deepEqual((await found('--target', 'ascend310p')).map((f) => `${f.line} ${f.severity}`), ['3 warning', '4 warning']);
  assert.deepEqual(await found('--target', 'ascend910b'), []);
});
