import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { formatKnownHostsLine } from '../../../src/core/remote/knownHosts';
import { processGone, sshdAvailable, startLoopbackSshd, type LoopbackSshd } from './loopbackSshd';
import { waitFor } from '../wait';
import { tinyOnnxModel } from './tinyModel';
import { parseAtcCheckResult } from '../../../src/core/onnx/toolReports';

let server: LoopbackSshd;
let work: string;
let hostsFile: string;
const skip = !sshdAvailable && 'OpenSSH server (openssh-server) is not installed';

before(async () => {
  if (skip) return;
  server = await startLoopbackSshd();
  work = mkdtempSync(path.join(tmpdir(), 'npu-port-cli-'));
  hostsFile = path.join(work, 'hosts.json');
  const json = (h: LoopbackSshd['ascendHost']) => ({ ...h, port: h.port });
  writeFileSync(hostsFile, JSON.stringify([json(server.ascendHost), json(server.qnnHost)]));
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], options: { signal?: AbortSignal; knownHosts?: string; lang?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const [task, ...rest] = args;
  const argv = [
    ...(options.lang ? ['--lang', options.lang] : []),
    'remote',
    task!,
    '--hosts',
    hostsFile,
    '--known-hosts',
    options.knownHosts ?? server.knownHosts,
    ...rest,
  ];
  const code = await main(argv, {
    env: {},
    cwd: work,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}

const json = (r: CliRun) => JSON.parse(r.stdout) as {
  version: number;
  task: string;
  host: string;
  exitCode: number;
  diagnostics: { severity: string; code: string; message: string; node: string | null; op: string | null }[];
  artifacts: string[];
  stats: Record<string, unknown>;
};

/** A model with a hostile name in its own folder. */
function hostileModel(name: string): string {
  const dir = mkdtempSync(path.join(work, 'm-'));
  const file = path.join(dir, name);
  copyFileSync(tinyOnnxModel(), file);
  return file;
}

test('doctor on an Ascend host: CANN, atc, npu-smi parsed (JSON)', { skip }, async () => {
  const r = await cli(['doctor', '--host', 'ascend-loopback', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = json(r);
  assert.deepEqual([out.version, out.task, out.host, out.exitCode], [1, 'doctor', 'ascend-loopback', 0]);
  const checks = out.stats.checks as { id: string; status: string; message: string }[];
  const byId = new Map(checks.map((c) => [c.id, c]));
  assert.equal(byId.get('reachable')?.status, 'ok');
  assert.match(byId.get('cann-version')!.message, /8\.0\.0/);
  assert.equal(byId.get('tool:atc')?.status, 'ok');
  assert.match(byId.get('npu:0')!.message, /310P3, health OK; ATC --soc_version=Ascend310P3/);
});

test('doctor on a QNN Linux host: QAIRT root and version, qnn-net-run found', { skip }, async () => {
  const r = await cli(['doctor', '--host', 'qnn-loopback', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const checks = new Map((json(r).stats.checks as { id: string; status: string; message: string }[]).map((c) => [c.id, c]));
  assert.match(checks.get('qairt-env')!.message, /QNN_SDK_ROOT=.*2\.38\.0\.250901/);
  assert.equal(checks.get('qairt-version')?.message, 'QAIRT version 2.38.0.250901');
  assert.equal(checks.get('tool:qnn-net-run')?.status, 'ok');
  assert.equal(checks.has('npu:0'), false);
});

test('doctor reports a failing NPU and a broken set-up with fixes, exit 1; Chinese with --lang zh-cn', { skip }, async () => {
  server.setScenario('npu-smi', 'unhealthy');
  try {
    const r = await cli(['doctor', '--host', 'ascend-loopback'], { lang: 'zh-cn' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /✗ NPU 0：310P3，健康状态 Alarm。/);
    assert.match(r.stdout, /npu-smi info -t health -i 0/);
  } finally {
    server.setScenario('npu-smi', 'ok');
  }
  const broken = path.join(work, 'hosts-broken.json');
  writeFileSync(broken, JSON.stringify([{ ...server.ascendHost, setup: '. /nonexistent/set_env.sh' }]));
  let stdout = '';
  const code = await main(['remote', 'doctor', '--host', 'ascend-loopback', '--hosts', broken, '--known-hosts', server.knownHosts, '--format', 'json'], {
    env: {}, cwd: work, stdout: (s) => (stdout += s), stderr: () => undefined, signal: new AbortController().signal,
  });
  assert.equal(code, 1);
  const setup = (JSON.parse(stdout).stats.checks as { id: string; status: string }[]).find((c) => c.id === 'setup');
  assert.equal(setup?.status, 'fail');
});

test('convert on Ascend: hostile model name arrives intact in atc argv, the .om comes back, a second upload sends nothing', { skip }, async () => {
  const model = hostileModel(`my model $(touch pwned) 'q' \`x\`; 模型.onnx`);
  server.takeRecords();
  const r = await cli(['convert', '--host', 'ascend-loopback', model, '--soc', 'Ascend310P3', '--input-shape', 'X:-1,4', '--dynamic-batch', '1,2,4,8', '--precision', 'allow_mix_precision', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = json(r);
  const om = path.join(path.dirname(model), `my model $(touch pwned) 'q' \`x\`; 模型.om`);
  assert.deepEqual(out.artifacts, [om]);
  assert.deepEqual(readFileSync(om), Buffer.concat([Buffer.from('OM-STANDIN\n'), readFileSync(model)]));
  assert.deepEqual(out.diagnostics, [{ severity: 'warning', code: 'W11001', message: out.diagnostics[0]!.message, node: 'Slice_29', op: null }]);
  const atc = server.takeRecords().filter((x) => x.tool === 'atc');
  assert.equal(atc.length, 1);
  const remoteModel = path.posix.join(server.ascendHost.workdir, 'models', path.basename(model));
  assert.deepEqual(atc[0]!.args, [
    '--framework=5',
    `--model=${remoteModel}`,
    `--output=${path.posix.join(server.ascendHost.workdir, 'out', path.basename(model, '.onnx'))}`,
    '--soc_version=Ascend310P3',
    '--input_shape=X:-1,4',
    '--dynamic_batch_size=1,2,4,8',
    '--precision_mode=allow_mix_precision',
  ]);
  assert.equal(existsSync(path.join(server.ascendHost.workdir, 'pwned')), false);
  assert.equal(atc[0]!.cwd, server.ascendHost.workdir);
  // Second run: unchanged model, nothing uploaded (the step is logged with --verbose).
  let stderr = '';
  const again = await main(['--verbose', 'remote', 'convert', '--host', 'ascend-loopback', '--hosts', hostsFile, '--known-hosts', server.knownHosts, model, '--soc', 'Ascend310P3'], {
    env: {}, cwd: work, stdout: () => undefined, stderr: (s) => (stderr += s), signal: new AbortController().signal,
  });
  assert.equal(again, 0);
  assert.match(stderr, /is unchanged on the host; nothing uploaded/);
});

test('convert failing with EZ3003: exit 1, diagnostic on the node with op, no artifact, the old .om untouched', { skip }, async () => {
  const model = hostileModel('net.onnx');
  const om = path.join(path.dirname(model), 'net.om');
  writeFileSync(om, 'GOOD OLD OM');
  server.setScenario('atc', 'ez3003');
  try {
    const r = await cli(['convert', '--host', 'ascend-loopback', model, '--soc', 'Ascend310P3', '--format', 'json']);
    assert.equal(r.code, 1);
    const out = json(r);
    assert.equal(out.exitCode, 1);
    assert.deepEqual(out.artifacts, []);
    assert.deepEqual(
      out.diagnostics.map((d) => [d.severity, d.code, d.node, d.op]),
      [['error', 'EZ3003', 'AddDsl', 'AddDsl']],
    );
    assert.equal(readFileSync(om, 'utf8'), 'GOOD OLD OM');
    const text = await cli(['convert', '--host', 'ascend-loopback', model, '--soc', 'Ascend310P3']);
    assert.match(text.stdout, /EZ3003: No supported Ops kernel/, 'tool output streamed');
    assert.match(text.stdout, /atc: error EZ3003 \[AddDsl \(AddDsl\)\]/);
    assert.match(text.stdout, /Fix: Check that the OPP component of CANN is installed/);
  } finally {
    server.setScenario('atc', 'ok');
  }
});

test('precheck brings back check_result.json', { skip }, async () => {
  const model = hostileModel('pre check.onnx');
  server.takeRecords();
  const r = await cli(['precheck', '--host', 'ascend-loopback', model, '--soc', 'Ascend910B', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const report = path.join(path.dirname(model), 'pre check.check_result.json');
  assert.deepEqual(json(r).artifacts, [report]);
  // the report comes back beside the model, where the viewer overlays it on the nodes
  assert.deepEqual(parseAtcCheckResult(readFileSync(report, 'utf8')).map((v) => [v.name, v.status]), [['AddDsl', 'unsupported']]);
  assert.ok(server.takeRecords().some((x) => x.tool === 'atc' && x.args.includes('--mode=3') && x.args.includes('--soc_version=Ascend910B')));
});

test('the default workdir (npu-port, relative): upload, the tool\'s arguments and its folder all use <home>/npu-port', { skip }, async () => {
  const hosts = path.join(work, 'hosts-default-workdir.json');
  const { workdir: _absolute, ...host } = server.ascendHost;
  writeFileSync(hosts, JSON.stringify([host]));
  const model = hostileModel('default workdir.onnx');
  const workdir = path.posix.join(server.home, 'npu-port');
  const run = async (task: string) => {
    let stderr = '';
    const code = await main(['remote', task, '--host', 'ascend-loopback', '--hosts', hosts, '--known-hosts', server.knownHosts, model, '--soc', 'Ascend310P3'], {
      env: {}, cwd: work, stdout: () => undefined, stderr: (s) => (stderr += s), signal: new AbortController().signal,
    });
    assert.equal(code, 0, stderr);
    const atc = server.takeRecords().filter((x) => x.tool === 'atc');
    assert.equal(atc.length, 1);
    return atc[0]!;
  };
  server.takeRecords();
  const convert = await run('convert');
  assert.ok(convert.args.includes(`--model=${workdir}/models/default workdir.onnx`), convert.args.join(' '));
  assert.ok(convert.args.includes(`--output=${workdir}/out/default workdir`), convert.args.join(' '));
  assert.equal(convert.cwd, workdir);
  assert.deepEqual(readFileSync(path.join(workdir, 'models', 'default workdir.onnx')), readFileSync(model));
  assert.ok(existsSync(path.join(path.dirname(model), 'default workdir.om')));
  const precheck = await run('precheck');
  assert.ok(precheck.args.includes(`--model=${workdir}/models/default workdir.onnx`), precheck.args.join(' '));
  assert.ok(precheck.args.includes(`--check_report=${workdir}/out/default workdir.check_result.json`), precheck.args.join(' '));
  assert.equal(precheck.cwd, workdir);
  assert.ok(existsSync(path.join(path.dirname(model), 'default workdir.check_result.json')));
});

test('convert without --soc takes it from npu-smi info', { skip }, async () => {
  const model = hostileModel('auto.onnx');
  server.takeRecords();
  const r = await cli(['convert', '--host', 'ascend-loopback', model, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(server.takeRecords().some((x) => x.tool === 'atc' && x.args.includes('--soc_version=Ascend310P3')));
});

test('convert on a QNN host runs converter, lib generator and context generator; unsupported ops map to nodes', { skip }, async () => {
  const model = hostileModel('q net.onnx');
  server.takeRecords();
  const r = await cli(['convert', '--host', 'qnn-loopback', model, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(server.takeRecords().map((x) => x.tool), ['qnn-onnx-converter', 'qnn-model-lib-generator', 'qnn-context-binary-generator']);
  const out = json(r);
  assert.equal(out.artifacts.length, 1);
  assert.equal(readFileSync(out.artifacts[0]!, 'utf8'), 'QNN context stand-in\n');
  assert.deepEqual(out.diagnostics.map((d) => [d.code, d.node]), [['WARNING_CAST_TYPE', '/layers.7/attn/core/Cast_14']]);
  server.setScenario('qnn-onnx-converter', 'unsupported');
  try {
    const bad = json(await cli(['convert', '--host', 'qnn-loopback', model, '--format', 'json']));
    assert.equal(bad.exitCode, 1);
    assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.node, d.op]), [['qnn-unsupported-op', 'image_QuantizeLinear', 'dynamicquantizelinear']]);
  } finally {
    server.setScenario('qnn-onnx-converter', 'ok');
  }
});

test('benchmark: msame on Ascend, qnn-net-run samples on QNN with the local CPU run beside it; JSON saved', { skip }, async () => {
  const om = hostileModel('bench.om');
  const ascend = json(await cli(['benchmark', '--host', 'ascend-loopback', om, '--loop', '20', '--format', 'json']));
  assert.equal(ascend.exitCode, 0);
  const npu = (ascend.stats as { npu: Record<string, number> }).npu;
  assert.equal(npu.mean, 105.422889);
  assert.ok(Math.abs(npu.throughput! - 1000 / 105.422889) < 1e-9);
  const saved = path.join(path.dirname(om), 'bench.benchmark.json');
  assert.deepEqual(ascend.artifacts, [saved]);
  assert.equal(JSON.parse(readFileSync(saved, 'utf8')).npu.mean, 105.422889);

  const ctxBin = hostileModel('ctx.bin');
  const qnn = await cli(['benchmark', '--host', 'qnn-loopback', ctxBin, '--input-list', 'inputs.txt', '--cpu-onnx', tinyOnnxModel(), '--loop', '5']);
  assert.equal(qnn.code, 0, qnn.stderr);
  assert.match(qnn.stdout, /mean \(ms\)\s+2714\.899\s+\d+\.\d{3}/);
  assert.match(qnn.stdout, /NPU speed-up over CPU: [\d.]+×/);
  const q = json(await cli(['benchmark', '--host', 'qnn-loopback', ctxBin, '--input-list', 'inputs.txt', '--format', 'json']));
  const stats = (q.stats as { npu: Record<string, number> }).npu;
  // Stand-in samples 2714.698, 2714.000, 2716.000 ms: numpy mean 2714.8993..., p50 2714.698
  assert.equal(stats.count, 3);
  assert.ok(Math.abs(stats.mean! - 2714.8993333333333) < 1e-9);
  assert.equal(stats.p50, 2714.698);
  assert.equal(stats.min, 2714);
});

test('benchmark: msame\'s per-run times give the full statistics (numpy values); summary-only output says which figures are missing', { skip }, async () => {
  const om = hostileModel('per run.om');
  server.setScenario('msame', 'per-run');
  try {
    const r = json(await cli(['benchmark', '--host', 'ascend-loopback', om, '--loop', '10', '--format', 'json']));
    assert.equal(r.exitCode, 0);
    const stats = r.stats as { npuFrom: string; npu: Record<string, number>; samplesMs: { npu: number[] } };
    assert.equal(stats.npuFrom, 'samples');
    // numpy on the nine runs after the first (mean, std ddof=0, percentile linear), from /usr/bin/python3
    const expected = { count: 9, mean: 105.42288888888889, std: 0.052804554610890786, min: 105.323, max: 105.504, p50: 105.42, p95: 105.4972, p99: 105.50264, throughput: 9.485606119691486 };
    for (const [key, value] of Object.entries(expected)) assert.ok(Math.abs(stats.npu[key]! - value) < 1e-9, `${key}: ${stats.npu[key]} vs ${value}`);
    // msame's own "average time without first time" is the same mean
    assert.ok(Math.abs(stats.npu.mean! - 105.422889) < 1e-6);
    assert.equal(stats.samplesMs.npu.length, 9);
  } finally {
    server.setScenario('msame', 'ok');
  }
  const text = await cli(['benchmark', '--host', 'ascend-loopback', om, '--loop', '10']);
  assert.match(text.stdout, /std \(ms\)\s+-/);
  assert.match(text.stdout, /msame printed only summary figures, not the time of each run/);
});

test('run: hostile argv intact, exit code passed through, files fetched', { skip }, async () => {
  const hostile = ['a b', "it's", '$(id)', '`id`', 'x;y', '模型', ''];
  const ok = await cli(['run', '--host', 'ascend-loopback', '--format', 'json', '--fetch', 'made.txt', '--out-dir', work, '--', 'sh', '-c', 'printf "%s|" "$@" > made.txt', 'sh', ...hostile]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readFileSync(path.join(work, 'made.txt'), 'utf8'), hostile.map((h) => `${h}|`).join(''));
  const failed = await cli(['run', '--host', 'ascend-loopback', '--', 'sh', '-c', 'echo out; exit 7']);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^out\n/);
  assert.match(failed.stdout, /failed \(tool exit code 7\)/);
});

test('host keys: unknown and changed keys exit 2; --accept-new-host-key saves the key', { skip }, async () => {
  const empty = path.join(work, 'kh-empty');
  writeFileSync(empty, '');
  const unknown = await cli(['doctor', '--host', 'ascend-loopback'], { knownHosts: empty });
  assert.equal(unknown.code, 2);
  assert.ok(unknown.stderr.includes(server.hostKeyFingerprint), unknown.stderr);
  const changed = path.join(work, 'kh-changed');
  const key = Buffer.from(readFileSync(server.knownHosts, 'utf8').split(/\s+/)[2]!, 'base64');
  key[key.length - 1] ^= 1;
  writeFileSync(changed, formatKnownHostsLine('127.0.0.1', server.port, key, false) + '\n');
  const refused = await cli(['doctor', '--host', 'ascend-loopback', '--accept-new-host-key'], { knownHosts: changed });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /CHANGED/);
  const accepted = await cli(['doctor', '--host', 'ascend-loopback', '--accept-new-host-key'], { knownHosts: empty });
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(readFileSync(empty, 'utf8'), /^\|1\|.+ ssh-ed25519 /);
});

test('usage errors exit 2 before connecting', { skip }, async () => {
  assert.equal((await cli(['convert', '--host', 'ascend-loopback'])).code, 2);
  assert.equal((await cli(['convert', '--host', 'ascend-loopback', 'm.onnx', '--dynamic-batch', '4'])).code, 2);
  assert.equal((await cli(['doctor', '--host', 'nope'])).code, 2);
  assert.equal((await cli(['doctor', '--host', 'ascend-loopback', '--format', 'xml'])).code, 2);
  assert.equal((await cli(['frobnicate', '--host', 'ascend-loopback'])).code, 2);
});

test('cancelling a convert kills the remote atc and leaves no artifact', { skip }, async () => {
  const model = hostileModel('cancel.onnx');
  server.setScenario('atc', 'slow');
  const pidsFile = path.join(server.standinDir, 'atc.pids');
  rmSync(pidsFile, { force: true });
  const controller = new AbortController();
  try {
    const running = cli(['convert', '--host', 'ascend-loopback', model, '--soc', 'Ascend310P3'], { signal: controller.signal });
    await waitFor(() => existsSync(pidsFile) || undefined, 'the stand-in atc to start');
    const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
    controller.abort();
    const r = await running;
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cancelled/);
    for (let i = 0; i < 40 && !pids.every(processGone); i++) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(pids.filter((p) => !processGone(p)), []);
    assert.deepEqual(readdirSync(path.dirname(model)), ['cancel.onnx']);
  } finally {
    server.setScenario('atc', 'ok');
  }
});

test('a dropped connection during convert: exit 2 with a clear error, the previous artifact intact', { skip }, async () => {
  const doomed = await startLoopbackSshd();
  const hosts = path.join(work, 'hosts-doomed.json');
  writeFileSync(hosts, JSON.stringify([doomed.ascendHost]));
  const dir = mkdtempSync(path.join(work, 'drop-'));
  const model = path.join(dir, 'drop.onnx');
  copyFileSync(tinyOnnxModel(), model);
  writeFileSync(path.join(dir, 'drop.om'), 'GOOD');
  doomed.setScenario('atc', 'slow');
  const pidsFile = path.join(doomed.standinDir, 'atc.pids');
  let stderr = '';
  try {
    const running = main(['remote', 'convert', '--host', 'ascend-loopback', '--hosts', hosts, '--known-hosts', doomed.knownHosts, model, '--soc', 'Ascend310P3'], {
      env: {}, cwd: work, stdout: () => undefined, stderr: (s) => (stderr += s), signal: new AbortController().signal,
    });
    await waitFor(() => existsSync(pidsFile) || undefined, 'the stand-in atc to start');
    doomed.kill();
    assert.equal(await running, 2);
    assert.match(stderr, /The connection to ascend-loopback was lost/);
    assert.deepEqual(readdirSync(dir).sort(), ['drop.om', 'drop.onnx']);
    assert.equal(readFileSync(path.join(dir, 'drop.om'), 'utf8'), 'GOOD');
  } finally {
    if (existsSync(pidsFile)) for (const pid of readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await doomed.stop();
  }
  mkdirSync(work, { recursive: true });
});
