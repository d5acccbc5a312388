/**
 * The table of issue 18: every command that reads a file the user names × {missing file, folder, empty
 * file, text file, truncated model, no permission} → the message in the user's terms and the exit code
 * (2: usage or input error), with no stack trace and nothing written.
 *
 * "No permission" as root: root reads a mode-000 file anyway (CAP_DAC_OVERRIDE), so the CLI then runs
 * as a child under `setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set
 * (still uid 0, so it reads the repository, but file permissions apply to it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { bytesText } from '../../../src/cli/format';
import { encodeNpy } from '../../../src/core/onnx/run/npy';
import { REPO_ROOT } from '../repo';

const work = mkdtempSync(path.join(os.tmpdir(), 'npu-port-input-errors-'));
const MODEL = path.join(REPO_ROOT, 'examples', 'models', 'decoder.onnx');
const TRUNCATED_AT = 30_000;

const isRoot = process.getuid?.() === 0;
const SETPRIV = '/usr/bin/setpriv';
const noPermissionSkip = isRoot && !existsSync(SETPRIV) ? 'running as root without setpriv: a mode-000 file stays readable' : false;

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { env, cwd: work, stdout: (s) => (out += s), stderr: (s) => (err += s), signal: new AbortController().signal });
  return { code, out, err };
}

/** The bundled CLI as a child process, without the capabilities that let root ignore file permissions. */
function runWithoutOverride(args: string[]): { code: number; out: string; err: string } {
  const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
  const [command, argv] = isRoot
    ? [SETPRIV, ['--bounding-set', '-dac_override,-dac_read_search', process.execPath, cli, ...args]]
    : [process.execPath, [cli, ...args]];
  const r = spawnSync(command, argv, { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

// ------------------------------------------------------------------ the inputs, one set per file kind

const modelBytes = readFileSync(MODEL);
const npyBytes = Buffer.from(encodeNpy({ elemType: 'float', dims: [2, 64], data: new Float32Array(128).fill(0.5) }));

function inputs(ext: '.onnx' | '.npy', good: Buffer) {
  const dir = path.join(work, `folder${ext}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(work, `empty${ext}`), '');
  writeFileSync(path.join(work, `notes${ext}`), 'These are my notes about the model.\nDownload it from the team share.\n');
  const cut = ext === '.onnx' ? TRUNCATED_AT : good.length - 100;
  writeFileSync(path.join(work, `truncated${ext}`), good.subarray(0, cut));
  writeFileSync(path.join(work, `locked${ext}`), good);
  chmodSync(path.join(work, `locked${ext}`), 0o000);
  writeFileSync(path.join(work, `good${ext}`), good);
  return { missing: `missing${ext}`, folder: `folder${ext}`, empty: `empty${ext}`, text: `notes${ext}`, truncated: `truncated${ext}`, locked: `locked${ext}` };
}
const onnx = inputs('.onnx', modelBytes);
const npy = inputs('.npy', npyBytes);

type Column = 'missing' | 'folder' | 'empty' | 'text' | 'truncated' | 'locked';
const COLUMNS: Column[] = ['missing', 'folder', 'empty', 'text', 'truncated', 'locked'];

/** What a user reads for an ONNX model input, per column. */
const modelExpect: Record<Column, { code: number; message: RegExp }> = {
  missing: { code: 2, message: /^error: missing\.onnx: no such file or folder\.$/m },
  folder: { code: 2, message: /^error: folder\.onnx is a folder; give a file\.$/m },
  empty: { code: 2, message: /^error: empty\.onnx is empty \(0 bytes\): it is not an ONNX model\.$/m },
  text: { code: 2, message: /^error: notes\.onnx is not an ONNX model: it is a text file\.$/m },
  truncated: { code: 2, message: new RegExp(`^error: truncated\\.onnx is truncated: the file has ${bytesText(TRUNCATED_AT).replace('.', '\\.')} of ([\\d.]+) KiB or more \\(copy or download it again\\)\\.$`, 'm') },
  locked: { code: 2, message: /^error: locked\.onnx: permission denied\.$/m },
};

interface Row {
  readonly command: string;
  args(file: string): string[];
  readonly inputs: Record<Column, string>;
  readonly expect: Record<Column, { code: number; message: RegExp | null }>;
}

const out = (name: string) => path.join(work, 'out', name);
const rows: Row[] = [
  {
    command: 'scan',
    args: (f) => ['scan', f],
    inputs: onnx,
    expect: {
      missing: modelExpect.missing,
      // A folder is what scan reads: an empty one has nothing to report.
      folder: { code: 0, message: null },
      empty: { code: 2, message: /^error: empty\.onnx is not scanned: npu-port scan reads Python files .*For an ONNX model use "npu-port onnx check empty\.onnx"\.$/m },
      text: { code: 2, message: /^error: notes\.onnx is not scanned: .*"npu-port onnx check notes\.onnx"\.$/m },
      truncated: { code: 2, message: /^error: truncated\.onnx is not scanned: .*"npu-port onnx check truncated\.onnx"\.$/m },
      locked: modelExpect.locked,
    },
  },
  { command: 'onnx info', args: (f) => ['onnx', 'info', f], inputs: onnx, expect: modelExpect },
  { command: 'onnx check', args: (f) => ['onnx', 'check', f], inputs: onnx, expect: modelExpect },
  { command: 'onnx text', args: (f) => ['onnx', 'text', f], inputs: onnx, expect: modelExpect },
  { command: 'onnx run', args: (f) => ['onnx', 'run', f, '--iterations', '1', '--warmup', '0', '--outputs', out('run')], inputs: onnx, expect: modelExpect },
  { command: 'onnx extract', args: (f) => ['onnx', 'extract', f, '--module', 'x', '-o', out('extract.onnx')], inputs: onnx, expect: modelExpect },
  { command: 'onnx rewrite', args: (f) => ['onnx', 'rewrite', f, '--apply', 'all', '-o', out('rewrite.onnx')], inputs: onnx, expect: modelExpect },
  { command: 'onnx split', args: (f) => ['onnx', 'split', f, '-o', out('split')], inputs: onnx, expect: modelExpect },
  { command: 'onnx whitelist', args: (f) => ['onnx', 'whitelist', '--name', 'w', '-o', out('whitelist.json'), f], inputs: onnx, expect: modelExpect },
  {
    command: 'compare',
    args: (f) => ['compare', f, 'good.npy'],
    inputs: npy,
    expect: {
      missing: { code: 2, message: /^error: missing\.npy: no such file or folder\.$/m },
      folder: { code: 2, message: /^error: folder\.npy holds no \.npy files\.$/m },
      empty: { code: 2, message: /^error: empty\.npy is empty \(0 bytes\): it is not a \.npy file\.$/m },
      text: { code: 2, message: /^error: .*notes\.npy is not a \.npy file \(no NUMPY magic\)\.$/m },
      truncated: { code: 2, message: /^error: .*truncated\.npy is truncated: it holds 412 bytes of data; its shape needs 512\.$/m },
      locked: { code: 2, message: /^error: locked\.npy: permission denied\.$/m },
    },
  },
];

for (const row of rows) {
  for (const column of COLUMNS) {
    const skip = column === 'locked' ? noPermissionSkip : false;
    test(`${row.command} × ${column}: message and exit code`, { skip }, async () => {
      const file = row.inputs[column];
      const r = column === 'locked' ? runWithoutOverride(row.args(file)) : await run(row.args(file));
      const expected = row.expect[column];
      assert.equal(r.code, expected.code, `exit code; stderr: ${r.err}`);
      if (expected.message) assert.match(r.err, expected.message);
      else assert.equal(r.err, '');
      if (expected.code === 2) assert.equal(r.out, '', 'nothing on stdout');
      assert.doesNotMatch(r.err, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(r.err, /Internal error|ENOENT|EISDIR|EACCES|wire type|length field/);
      assert.ok(!existsSync(path.join(work, 'out')) || readdirSync(path.join(work, 'out')).length === 0, 'nothing written');
    });
  }
}

test('the truncated size is derived from the length field that overruns: near the real file size, never above what the header promises', async () => {
  const r = await run(['onnx', 'info', onnx.truncated]);
  const needs = Number(modelExpect.truncated.message.exec(r.err)![1]) * 1024;
  const full = statSync(MODEL).size;
  // The graph (field 7) is the field cut short; only opset_import follows it in the file.
  assert.ok(needs <= full + 52 && needs > full * 0.95, `${needs} vs ${full}`);
});

test('--verbose adds the decoder detail and a stack only for internal errors', async () => {
  const plain = await run(['onnx', 'info', onnx.text]);
  const verbose = await run(['--verbose', 'onnx', 'info', onnx.text]);
  assert.equal(plain.err.trim().split('\n').length, 1);
  assert.match(verbose.err, /not an ONNX model: it is a text file\.\n.*byte/);
  const truncated = await run(['--verbose', 'onnx', 'info', onnx.truncated]);
  assert.match(truncated.err, /A length field at byte \d+ says \d+ bytes/);
});

test('the messages are in Chinese with --lang zh-cn', async () => {
  const r = await run(['--lang', 'zh-cn', 'onnx', 'info', onnx.text]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^错误: notes\.onnx 不是 ONNX 模型：它是文本文件。$/m);
  const t = await run(['--lang', 'zh-cn', 'onnx', 'check', onnx.truncated]);
  assert.match(t.err, /truncated\.onnx 不完整/);
});

test('scan: an empty Python file is fine (exit 0); an unreadable file inside a folder is an error, not a warning (exit 2)', { skip: noPermissionSkip }, async () => {
  const dir = path.join(work, 'project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'empty.py'), '');
  const ok = await run(['scan', 'project/empty.py']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, '');
  writeFileSync(path.join(dir, 'secret.py'), 'import torch\n');
  chmodSync(path.join(dir, 'secret.py'), 0o000);
  const r = runWithoutOverride(['scan', 'project']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^error: project\/secret\.py: Cannot read this file: EACCES$/m);
  assert.doesNotMatch(r.err, /warning/);
});

test('onnx check without --target checks against the default target and says so', async () => {
  copyFileSync(MODEL, path.join(work, 'model.onnx'));
  const r = await run(['onnx', 'check', 'model.onnx']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^No --target given: checking against ascend310p, the default \(see "npu-port onnx targets"\)\.$/m);
  assert.match(r.out, /^model\.onnx on Ascend 310P \(ascend310p\)/);
  const explicit = await run(['onnx', 'check', 'model.onnx', '--target', 'qnn-htp']);
  assert.doesNotMatch(explicit.err, /No --target/);
});
