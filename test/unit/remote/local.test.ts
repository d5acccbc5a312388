/**
 * "This machine" (issue 19): detection of a local toolchain in a temp root, the Windows command
 * construction (environment script, taskkill tree kill), and the local transport running the tasks
 * against the TEST STAND-IN toolkits (test/fixtures/remote/standins) through their set_env.sh / envsetup.sh.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { detectLocalToolchains, envCaptureArgv, findOnPath, LocalTransport, localHostConfig, parseEnvBlock, windowsTreeKillArgv } from '../../../src/core/remote/local';
import { SetupError } from '../../../src/core/remote/jobScript';
import { main } from '../../../src/cli/main';
import { executeRemoteTask } from '../../../src/core/remote/tasks/execute';
import type { DoctorCheck } from '../../../src/core/remote/tasks/doctor';
import { makeStandinToolkits, processGone, setStandinScenario, standinRecorder, type StandinToolkits } from './loopbackSshd';
import { tinyOnnxModel } from './tinyModel';

let root: string;
let kits: StandinToolkits;
let records: ReturnType<typeof standinRecorder>;

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'npu-port-local-'));
  kits = makeStandinToolkits(path.join(root, 'kits'));
  records = standinRecorder(kits.standinDir);
});
after(() => rmSync(root, { recursive: true, force: true }));

function touch(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  return file;
}

const isFile = (f: string) => {
  try {
    return readFileSync(f) !== undefined;
  } catch {
    return false;
  }
};

test('detection: atc or qnn-onnx-converter on PATH, the vendor variables, the default CANN scripts; nothing else', () => {
  const r = mkdtempSync(path.join(root, 'detect-'));
  const home = path.join(r, 'home');
  const base = { platform: 'linux' as const, home, root: r, isFile };
  assert.deepEqual(detectLocalToolchains({ ...base, env: { PATH: '/nonexistent:' } }), []);

  const bin = path.join(r, 'opt', 'bin');
  touch(path.join(bin, 'atc'));
  touch(path.join(bin, 'qnn-onnx-converter'));
  assert.deepEqual(detectLocalToolchains({ ...base, env: { PATH: `/nonexistent:${bin}` } }), [
    { kind: 'ascend', evidence: `atc on PATH: ${path.join(bin, 'atc')}` },
    { kind: 'qnn-linux', evidence: `qnn-onnx-converter on PATH: ${path.join(bin, 'qnn-onnx-converter')}` },
  ]);

  // The variables: the script beside them is the environment to take.
  const toolkit = path.join(r, 'cann', 'ascend-toolkit');
  const setEnv = touch(path.join(toolkit, 'set_env.sh'));
  const sdk = path.join(r, 'qairt', '2.38.0.250901');
  const envsetup = touch(path.join(sdk, 'bin', 'envsetup.sh'));
  assert.deepEqual(detectLocalToolchains({ ...base, env: { PATH: '', ASCEND_TOOLKIT_HOME: path.join(toolkit, 'latest'), QNN_SDK_ROOT: sdk } }), [
    { kind: 'ascend', envScript: setEnv, evidence: `ASCEND_TOOLKIT_HOME=${path.join(toolkit, 'latest')}` },
    { kind: 'qnn-linux', envScript: envsetup, evidence: `QNN_SDK_ROOT=${sdk}` },
  ]);
  // A variable whose folder has no script: found, with no script to source.
  assert.deepEqual(detectLocalToolchains({ ...base, env: { QNN_SDK_ROOT: path.join(r, 'elsewhere') } }), [{ kind: 'qnn-linux', evidence: `QNN_SDK_ROOT=${path.join(r, 'elsewhere')}` }]);

  // The default locations: the non-root install in the home folder, then /usr/local/Ascend (under the root).
  const userScript = touch(path.join(home, 'Ascend', 'ascend-toolkit', 'set_env.sh'));
  assert.equal(detectLocalToolchains({ ...base, env: {} })[0]?.envScript, userScript);
  const rootScript = touch(path.join(r, 'usr', 'local', 'Ascend', 'ascend-toolkit', 'set_env.sh'));
  assert.deepEqual(detectLocalToolchains({ ...base, env: {} }), [{ kind: 'ascend', envScript: rootScript, evidence: `CANN environment script: ${rootScript}` }]);
  // The same files are not looked for outside the given root.
  assert.deepEqual(detectLocalToolchains({ ...base, root: path.join(r, 'empty'), home: path.join(r, 'nohome'), env: {} }), []);
});

test('detection on Windows: PATHEXT, case-insensitive variables, envsetup.ps1; no CANN there', () => {
  const files = new Set(['C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901\\bin\\envsetup.ps1', 'D:\\tools\\qnn-onnx-converter.EXE'.toLowerCase()]);
  const probe = (env: Record<string, string>) => detectLocalToolchains({ platform: 'win32', home: 'C:\\Users\\u', env, isFile: (f) => files.has(f) || files.has(f.toLowerCase()) });
  assert.deepEqual(probe({ Qnn_Sdk_Root: 'C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901', ASCEND_TOOLKIT_HOME: 'C:\\x' }), [
    { kind: 'qnn-windows', envScript: 'C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901\\bin\\envsetup.ps1', evidence: 'QNN_SDK_ROOT=C:\\Qualcomm\\AIStack\\QAIRT\\2.38.0.250901' },
  ]);
  assert.equal(findOnPath('qnn-onnx-converter', { platform: 'win32', env: { Path: 'C:\\Windows;D:\\tools', PATHEXT: '.COM;.EXE' }, isFile: (f) => files.has(f.toLowerCase()) }), 'D:\\tools\\qnn-onnx-converter.exe');
});

test('Windows commands: taskkill ends the whole tree; the environment script runs in PowerShell as a verbatim literal', () => {
  assert.deepEqual(windowsTreeKillArgv(4242), ['taskkill', '/pid', '4242', '/T', '/F']);
  assert.throws(() => windowsTreeKillArgv(0));
  assert.throws(() => windowsTreeKillArgv(1.5));
  assert.throws(() => windowsTreeKillArgv(Number.NaN));

  const script = "C:\\Users\\O'Brien $env:X\\qairt\\bin\\envsetup.ps1";
  const argv = envCaptureArgv(script, 'win32');
  assert.deepEqual(argv.slice(0, 4), ['powershell', '-NoProfile', '-NonInteractive', '-EncodedCommand']);
  const decoded = Buffer.from(argv[4]!, 'base64').toString('utf16le');
  assert.ok(decoded.includes("& 'C:\\Users\\O''Brien $env:X\\qairt\\bin\\envsetup.ps1'"), decoded);
  assert.match(decoded, /-join \[char\]0/);

  // POSIX: one quoted word, the script's own output on stderr, the environment NUL-separated.
  assert.deepEqual(envCaptureArgv("/opt/it's here/set_env.sh", 'linux', 'bash'), ['bash', '-c', `. '/opt/it'\\''s here/set_env.sh' >&2 && env -0`]);
  assert.deepEqual(parseEnvBlock('A=1\0PATH=/x:/y\0=C:=C:\\\0EMPTY=\0B=x=y\0'), { A: '1', PATH: '/x:/y', '=C:': 'C:\\', EMPTY: '', B: 'x=y' });
});

test('the environment is taken from the vendor script once, through a real shell, even with a quote in its path', async () => {
  const dir = path.join(root, "it's env");
  const counter = path.join(dir, 'count');
  const script = touch(path.join(dir, 'set env.sh'));
  writeFileSync(script, `echo sourcing\necho x >> ${JSON.stringify(counter)}\nexport NPU_PORT_FROM_SCRIPT='a b'\n`);
  const local = new LocalTransport(localHostConfig({ kind: 'ascend' }, path.join(root, 'work')), { envScript: script });
  let out = '';
  for (let i = 0; i < 2; i++) await local.run(['sh', '-c', 'printf "%s|" "$NPU_PORT_FROM_SCRIPT"'], { onStdout: (t) => (out += t) });
  assert.equal(out, 'a b|a b|');
  assert.equal(readFileSync(counter, 'utf8'), 'x\n', 'the script ran once');

  const broken = new LocalTransport(localHostConfig({ kind: 'ascend' }, path.join(root, 'work')), { envScript: path.join(dir, 'missing.sh') });
  await assert.rejects(broken.run(['true']), (e: unknown) => e instanceof SetupError && /missing\.sh/.test(e.message));
});

test('arguments reach the program unchanged, with no shell in between; a missing program exits 127', async () => {
  const local = new LocalTransport(localHostConfig({ kind: 'ascend' }, path.join(root, 'work')));
  const nasty = ['$(touch pwned)', '`id`', "a'b", 'a"b', '; rm -rf x', '*', ''];
  let out = '';
  const result = await local.run([process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...nasty], { onStdout: (t) => (out += t) });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(JSON.parse(out), nasty);
  assert.equal(existsSync(path.join(process.cwd(), 'pwned')), false);
  let err = '';
  assert.equal((await local.run(['npu-port-no-such-tool'], { onStderr: (t) => (err += t) })).exitCode, 127);
  assert.match(err, /npu-port-no-such-tool: not found/);
});

function localTransport(script = kits.ascendScript, kind: 'ascend' | 'qnn-linux' = 'ascend') {
  return new LocalTransport(localHostConfig({ kind }, path.join(root, 'work')), { envScript: script });
}

async function runLocal(local: LocalTransport, request: Record<string, unknown>, signal?: AbortSignal) {
  let output = '';
  const result = await executeRemoteTask({ host: local.host, ...request } as never, {
    workspaceTrusted: true,
    session: async () => ({ session: local, connectMs: 0 }),
    onOutput: (t) => (output += t),
    ...(signal ? { signal } : {}),
  });
  return { result, output };
}

function modelIn(name: string): string {
  const dir = mkdtempSync(path.join(root, 'models-'));
  const model = path.join(dir, name);
  copyFileSync(tinyOnnxModel(), model);
  return model;
}

test('convert on this machine: atc reads the model where it is and the .om is renamed into place beside it', async () => {
  const model = modelIn('my model.onnx');
  records();
  const { result } = await runLocal(localTransport(), { task: 'convert', model, soc: 'Ascend310P3' });
  assert.equal(result.exitCode, 0);
  const om = path.join(path.dirname(model), 'my model.om');
  assert.deepEqual(result.artifacts, [om]);
  assert.equal(readFileSync(om).subarray(0, 11).toString(), 'OM-STANDIN\n');
  assert.deepEqual(readdirSync(path.dirname(model)).sort(), ['my model.om', 'my model.onnx'], 'no temporary file left');
  const atc = records().filter((r) => r.tool === 'atc');
  assert.equal(atc.length, 1);
  assert.ok(atc[0]!.args.includes(`--model=${model}`), 'the model itself, not a copy');
  assert.equal(atc[0]!.cwd, path.join(root, 'work'));
});

test('an ATC error lands on the node it names; no .om is left', async () => {
  const model = modelIn('failing.onnx');
  setStandinScenario(kits.standinDir, 'atc', 'ez3003');
  try {
    const { result } = await runLocal(localTransport(), { task: 'convert', model, soc: 'Ascend310P3' });
    assert.equal(result.exitCode, 1);
    const d = result.diagnostics.find((x) => x.code === 'EZ3003');
    assert.equal(d?.node, 'AddDsl');
    assert.ok(d?.known, 'the known fix is attached');
    assert.deepEqual(readdirSync(path.dirname(model)), ['failing.onnx']);
  } finally {
    setStandinScenario(kits.standinDir, 'atc', 'ok');
  }
});

test('cancelling kills the whole process tree (no process of its group remains) and leaves no partial artifact', async () => {
  const model = modelIn('slow.onnx');
  const pidsFile = path.join(kits.standinDir, 'atc.pids');
  rmSync(pidsFile, { force: true });
  setStandinScenario(kits.standinDir, 'atc', 'slow');
  records();
  const controller = new AbortController();
  try {
    const running = runLocal(localTransport(), { task: 'convert', model, soc: 'Ascend310P3' }, controller.signal);
    running.catch(() => undefined);
    let pids: number[] | undefined;
    for (let i = 0; i < 200 && !pids; i++) {
      if (existsSync(pidsFile)) pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(pids, 'the stand-in atc started');
    assert.ok(pids.every((p) => !processGone(p)), 'tool and child run before the cancel');
    // A partial output where atc writes (what a killed compiler may leave).
    const temp = readdirSync(path.dirname(model)).length;
    assert.equal(temp, 1);
    const atcArgs = records().find((r) => r.tool === 'atc')!.args;
    const output = atcArgs.find((a) => a.startsWith('--output='))!.slice('--output='.length);
    assert.equal(path.dirname(output), path.dirname(model), 'atc writes beside the model');
    writeFileSync(`${output}.om`, 'partial');
    controller.abort();
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    assert.deepEqual(pids.filter((p) => !processGone(p)), [], 'processes still running after cancel');
    const table = execFileSync('ps', ['-eo', 'pid,pgid,args'], { encoding: 'utf8' });
    assert.ok(!table.split('\n').some((l) => pids!.includes(Number(l.trim().split(/\s+/)[0])) || l.trim().split(/\s+/)[1] === String(pids![0])), table);
    assert.deepEqual(readdirSync(path.dirname(model)), ['slow.onnx'], 'no partial artifact');
  } finally {
    controller.abort();
    setStandinScenario(kits.standinDir, 'atc', 'ok');
  }
});

test('doctor on this machine: the same checks, from the environment script', async () => {
  const { result } = await runLocal(localTransport(), { task: 'doctor' });
  const checks = result.stats!.checks as DoctorCheck[];
  const byId = (id: string) => checks.find((c) => c.id === id);
  assert.equal(byId('reachable')?.status, 'ok');
  assert.equal(byId('reachable')?.message.key, 'Running on this machine ({0}) as {1}');
  assert.deepEqual(byId('setup')?.message.args, [kits.ascendScript]);
  assert.equal(byId('cann-env')?.status, 'ok');
  assert.deepEqual(byId('cann-version')?.message.args, ['8.0.0']);
  assert.equal(byId('tool:atc')?.status, 'ok');
  assert.equal(byId('npu:0')?.status, 'ok');
  assert.equal(result.exitCode, 0);
});

test('QNN convert on this machine: the three-tool chain; the context binary is moved beside the model', async () => {
  const model = modelIn('q model.onnx');
  records();
  const { result } = await runLocal(localTransport(kits.qnnScript, 'qnn-linux'), { task: 'convert', model });
  assert.equal(result.exitCode, 0, JSON.stringify(result.diagnostics));
  assert.deepEqual(result.artifacts, [path.join(path.dirname(model), 'q model.serialized.bin')]);
  assert.deepEqual(records().map((r) => r.tool), ['qnn-onnx-converter', 'qnn-model-lib-generator', 'qnn-context-binary-generator']);
});

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await main(['remote', ...args], { env, cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal: new AbortController().signal });
  return { code, stdout, stderr };
}

test('CLI: without --host the task runs on this machine (atc on PATH, or the script beside ASCEND_TOOLKIT_HOME); nothing found is a usage error', async () => {
  const model = modelIn('cli model.onnx');
  const onPath = { PATH: `${kits.ascendBin}:${process.env.PATH}`, NPU_PORT_STANDIN_DIR: kits.standinDir };
  records();
  const r = await cli(['convert', model, '--soc', 'Ascend310P3', '--format', 'json'], onPath);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { host: string; artifacts: string[] };
  assert.equal(json.host, 'local');
  assert.deepEqual(json.artifacts, [path.join(path.dirname(model), 'cli model.om')]);
  assert.equal(records().filter((x) => x.tool === 'atc').length, 1);

  // Only the variable: the environment comes from the set_env.sh beside it.
  const viaScript = await cli(['doctor', '--format', 'json'], { PATH: process.env.PATH, ASCEND_TOOLKIT_HOME: path.join(path.dirname(kits.ascendScript), 'latest') });
  const checks = (JSON.parse(viaScript.stdout) as { stats: { checks: { id: string; status: string; message: string }[] } }).stats.checks;
  assert.ok(checks.some((c) => c.id === 'setup' && c.message.includes(kits.ascendScript)), JSON.stringify(checks));
  assert.equal(checks.find((c) => c.id === 'tool:atc')?.status, 'ok');

  const none = await cli(['convert', model, '--soc', 'Ascend310P3'], { PATH: '/nonexistent' });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No --host given and no NPU toolchain on this machine/);
  const sshOnly = await cli(['doctor', '--known-hosts', 'x'], onPath);
  assert.equal(sshOnly.code, 2);
  assert.match(sshOnly.stderr, /--known-hosts is only for SSH hosts/);
});
