/**
 * The CLI as users install it: `npm run package:cli` packs npu-port-<version>-<platform>.tgz, which is
 * installed with `npm install --offline` into an empty folder (no registry, no environment variables:
 * onnxruntime-node for this platform is bundled) and run with `npx npu-port`.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The environment of a user who set nothing for onnxruntime-node. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ONNXRUNTIME_|npm_config_onnxruntime)/i.test(k) && !k.startsWith('npm_')));
}

test('the packed CLI installs offline into an empty folder; npx npu-port scan, onnx check and onnx run work there', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-cli-pkg-'));
  try {
    const packDir = path.join(dir, 'pack');
    const packed = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package-cli.mjs'), '--out', packDir, '--no-build'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const [tarball] = readdirSync(packDir).filter((f) => /^npu-port-.*\.tgz$/.test(f));
    assert.ok(tarball, 'a tarball');
    const user = path.join(dir, 'user');
    const env = cleanEnv();
    const sh = (command: string, args: string[]) => spawnSync(command, args, { cwd: user, encoding: 'utf8', env });
    spawnSync('mkdir', [user]);
    const installed = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(packDir, tarball)]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.ok(!existsSync(path.join(user, 'node_modules', 'onnxruntime-node')), 'the runtime stays inside the package');
    // the licences of the bundled code travel with it (the bundle is minified without legal comments)
    const notices = readFileSync(path.join(user, 'node_modules', 'npu-port', 'ThirdPartyNotices.txt'), 'utf8');
    for (const name of ['protobufjs', 'ssh2', 'web-tree-sitter', 'toml-eslint-parser']) assert.match(notices, new RegExp(`^- ${name} \\d`, 'm'), name);

    writeFileSync(path.join(user, 'train.py'), 'import torch\nx = torch.zeros(2).cuda()\n');
    const scan = sh('npx', ['--no-install', 'npu-port', 'scan']);
    assert.equal(scan.status, 1, scan.stderr);
    assert.match(scan.stdout, /^train\.py:2:\d+: error \[cuda-tensor-method\]/m);

    copyFileSync(path.join(REPO_ROOT, 'examples', 'models', 'decoder.onnx'), path.join(user, 'model.onnx'));
    const check = sh('npx', ['--no-install', 'npu-port', 'onnx', 'check', 'model.onnx']);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^model\.onnx on Ascend 310P \(ascend310p\): 344 nodes/m);

    const run = sh('npx', ['--no-install', 'npu-port', 'onnx', 'run', 'model.onnx', '--iterations', '2', '--warmup', '1', '--no-save']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /2 runs after 1 warm-up runs on the CPU \(onnxruntime\)/);

    const missing = sh('npx', ['--no-install', 'npu-port', 'onnx', 'info', 'nope.onnx']);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'error: nope.onnx: no such file or folder.\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
