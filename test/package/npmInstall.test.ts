/**
 * A contributor's first command in a fresh clone: plain `npm ci`, with none of the environment variables
 * the project's scripts set. The repository's .npmrc tells onnxruntime-node's install script to skip its
 * CUDA download (which fails without internet beyond the npm registry, and is not used: models run on the CPU);
 * npm 11.19 and later skip that script because package.json denies it in allowScripts.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

test('npm ci in a fresh clone succeeds with no ONNXRUNTIME_* or npm_config_* variables set', { timeout: 900_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-clone-'));
  try {
    const clone = path.join(dir, 'clone');
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], { encoding: 'utf8' });
    assert.equal(cloned.status, 0, cloned.stderr);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ONNXRUNTIME_|npm_)/i.test(k)));
    const ci = spawnSync('npm', ['ci'], { cwd: clone, encoding: 'utf8', env });
    assert.equal(ci.status, 0, `${ci.stdout.slice(-2000)}\n${ci.stderr.slice(-4000)}`);
    // npm 11.19+ lists install scripts that package.json's allowScripts does not cover: every one was reviewed
    // (a new dependency with an install script fails here until it is approved or denied there)
    assert.doesNotMatch(ci.stderr, /not yet covered by allowScripts/, ci.stderr.slice(-4000));
    const bin = path.join(clone, 'node_modules', 'onnxruntime-node', 'bin');
    const platformDir = readdirSync(bin).map((napi) => path.join(bin, napi, process.platform, process.arch)).find(existsSync);
    assert.ok(platformDir, 'the CPU binary of this platform');
    assert.ok(!existsSync(path.join(platformDir, 'libonnxruntime_providers_cuda.so')), 'no CUDA download');
    const loaded = spawnSync(process.execPath, ['-e', 'require("onnxruntime-node"); console.log("ok")'], { cwd: clone, encoding: 'utf8', env });
    assert.equal(loaded.stdout.trim(), 'ok', loaded.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
