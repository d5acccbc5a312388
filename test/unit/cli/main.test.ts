import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

/** Runs the bundled CLI (dist/cli.js, as users run it). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('without a command the CLI prints its usage and exits 2', () => {
  const { code, stdout } = cli([]);
  assert.equal(code, 2);
  assert.match(stdout, /Usage: npu-port/);
  for (const command of ['scan', 'onnx', 'remote']) assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
  assert.match(stdout, /^Exit codes: 0 nothing found, 1 findings, 2 usage or input error/m);
  assert.match(stdout, /--verbose, -v +log progress, and show the technical detail and stack trace of an error/);
  for (const sub of [['scan', '--help'], ['onnx', '--help']]) assert.match(cli(sub).stdout, /^Exit codes: 0 nothing found, 1 findings, 2 usage or input error/m, sub.join(' '));
});

test('an unknown command is a usage error on stderr, nothing on stdout', () => {
  const { code, stdout, stderr } = cli(['frobnicate']);
  assert.equal(code, 2);
  assert.match(stderr, /Unknown command "frobnicate"/);
  assert.doesNotMatch(stdout, /frobnicate/);
});

test('--lang zh-cn and LANG=zh_CN.UTF-8 switch the CLI to Chinese', () => {
  assert.match(cli(['--lang', 'zh-cn', '--help']).stdout, /用法：npu-port/);
  assert.match(cli(['--help'], { LANG: 'zh_CN.UTF-8' }).stdout, /用法：npu-port/);
  assert.match(cli(['--lang=en', '--help'], { LANG: 'zh_CN.UTF-8' }).stdout, /Usage: npu-port/);
  assert.match(cli(['--lang', 'zh-cn', 'frobnicate']).stderr, /未知命令 "frobnicate"/);
});

test('--version prints the manifest version', () => {
  const { version } = require(path.join(REPO_ROOT, 'package.json')) as { version: string };
  assert.equal(cli(['--version']).stdout.trim(), version);
});
