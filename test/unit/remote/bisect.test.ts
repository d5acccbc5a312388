/**
 * Bisection through a real SSH host (issue 8): `npu-port remote bisect` against the loopback OpenSSH
 * server, whose `atc` is the TEST STAND-IN told to reject a configured op list (scenario
 * `reject-ops:...`; it reads the op types of each uploaded part from the ONNX bytes itself and prints
 * ATC's EZ3003 for the first one, like the real tool). The model is the generated EdgeSAM-like decoder;
 * the expected counts come from Python's onnx (decoderFacts), not from the code under test.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { decoderFacts, edgesamDecoder } from '../transform/fixtures';
import { sshdAvailable, startLoopbackSshd, type LoopbackSshd } from './loopbackSshd';
import { tinyOnnxModel } from './tinyModel';

const skip = !sshdAvailable && 'OpenSSH server (openssh-server) is not installed';
/** Few enough failing nodes (5) to keep the run short; ops from three different modules. */
const REJECTED = ['Abs', 'Erf'];

let server: LoopbackSshd;
let work: string;
let hostsFile: string;
let model: string;

before(async () => {
  if (skip) return;
  server = await startLoopbackSshd();
  work = mkdtempSync(path.join(tmpdir(), 'npu-port-bisect-'));
  hostsFile = path.join(work, 'hosts.json');
  writeFileSync(hostsFile, JSON.stringify([server.ascendHost, server.qnnHost]));
  model = path.join(work, 'edgesam decoder.onnx');
  copyFileSync(edgesamDecoder(), model);
  server.setScenario('atc', `reject-ops:${REJECTED.join(',')}`);
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function cli(args: string[], signal = new AbortController().signal) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { env: {}, cwd: work, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), signal });
  return { code, stdout, stderr };
}

const bisectArgs = (...extra: string[]) => [
  'remote', 'bisect', '--host', server.ascendHost.name, '--hosts', hostsFile, '--known-hosts', server.knownHosts,
  model, '--soc', 'Ascend310P3', '--dim', 'num_points=5', '--seed', '2', '--profile', 'edgesam-310p3', ...extra,
];

interface BisectJson {
  task: string;
  exitCode: number;
  diagnostics: { severity: string; code: string; node: string | null; op: string | null }[];
  artifacts: string[];
  stats: { compiles: number; reused: number; failingOps: string[]; whitelist: string[]; failingNodes: { name: string; opType: string }[]; recordFile: string };
}

test('a cancelled bisection keeps its record; the next run resumes from it, finds exactly the rejected ops on the host, and builds a whitelist onnx check loads', { skip, timeout: 600_000 }, async () => {
  const facts = decoderFacts();
  // 1. Cancel after a few compiles (as Ctrl+C in the CLI or Stop in the task does).
  const controller = new AbortController();
  let seen = 0;
  const cancelled = main(['--verbose', ...bisectArgs()], {
    env: {},
    cwd: work,
    stdout: () => undefined,
    stderr: (s) => {
      seen += (s.match(/Compile \d+: /g) ?? []).length;
      if (seen >= 3) controller.abort();
    },
    signal: controller.signal,
  });
  const cancelCode = await cancelled;
  assert.notEqual(cancelCode, 0);
  const recordFile = path.join(work, '.npu-port', 'bisect', `edgesam decoder.${server.ascendHost.name}.json`);
  const recorded = (JSON.parse(readFileSync(recordFile, 'utf8')) as { compiles: unknown[] }).compiles.length;
  assert.ok(recorded >= 3, `record after cancel: ${recorded}`);
  assert.equal(existsSync(path.join(work, '.npu-port', 'profiles', 'edgesam-310p3.json')), false, 'no profile from a cancelled run');
  server.takeRecords();

  // 2. Resume and finish.
  const r = await cli([...bisectArgs('--format', 'json')]);
  assert.equal(r.code, 1, r.stderr); // the model does not compile: nodes were found
  const out = JSON.parse(r.stdout) as BisectJson;
  assert.equal(out.task, 'bisect');
  assert.equal(out.stats.reused, recorded);
  assert.deepEqual(out.stats.failingOps, [...REJECTED].sort());
  const expectedNodes = REJECTED.reduce((sum, op) => sum + (facts.ops[op] ?? 0), 0);
  assert.equal(out.stats.failingNodes.length, expectedNodes);
  // Each failing node is a diagnostic on that node, with ATC's code and the op.
  assert.equal(out.diagnostics.length, expectedNodes);
  for (const d of out.diagnostics) {
    assert.deepEqual([d.severity, d.code], ['error', 'EZ3003']);
    assert.ok(REJECTED.includes(d.op!), String(d.op));
  }
  // The whitelist: every other op of the model compiled in some passing part.
  assert.deepEqual(out.stats.whitelist, Object.keys(facts.ops).filter((op) => !REJECTED.includes(op)).sort());
  // Every compile went through the host's atc, on a part uploaded to the host's work folder.
  const atc = server.takeRecords().filter((x) => x.tool === 'atc');
  assert.equal(atc.length, out.stats.compiles);
  for (const call of atc) {
    assert.ok(call.args.includes('--soc_version=Ascend310P3'));
    assert.ok(call.args.some((a) => a.startsWith(`--model=${path.posix.join(server.ascendHost.workdir, 'bisect')}/`) && a.endsWith('.onnx')), call.args.join(' '));
  }

  // 3. The profile is where onnx check and the viewer look, and onnx check uses it.
  const profileFile = path.join(work, '.npu-port', 'profiles', 'edgesam-310p3.json');
  assert.ok(out.artifacts.includes(profileFile));
  const check = await cli(['onnx', 'check', model, '--target', 'edgesam-310p3', '--format', 'json']);
  assert.equal(check.code, 1, check.stderr);
  const summary = (JSON.parse(check.stdout) as { summary: Record<string, number> }).summary;
  assert.deepEqual(summary, Object.fromEntries(REJECTED.map((op) => [op, facts.ops[op]])));

  // 4. Run again: everything from the record, no compile on the host.
  const again = await cli([...bisectArgs('--format', 'json')]);
  const second = JSON.parse(again.stdout) as BisectJson;
  assert.equal(second.stats.compiles, 0);
  assert.deepEqual(second.stats.failingOps, out.stats.failingOps);
  assert.equal(server.takeRecords().filter((x) => x.tool === 'atc').length, 0);
});

test('a compiler that cannot run at all stops the bisection instead of blaming every op', { skip }, async () => {
  server.setScenario('atc', 'libascend_hal');
  try {
    const r = await cli([...bisectArgs('--record', path.join(work, 'broken-record.json'), '--profile', 'broken')]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot compile anything \(shared-library-missing: .*libascend_hal\.so/);
    assert.equal(existsSync(path.join(work, '.npu-port', 'profiles', 'broken.json')), false);
  } finally {
    server.setScenario('atc', `reject-ops:${REJECTED.join(',')}`);
  }
});

test('on a QNN host each part goes through the converter, model library and context binary; the converter\'s KeyError names the node', { skip }, async () => {
  // The tiny model: Add "AddDsl" → Relu "Relu_1"; the stand-in converter has no translation for Relu.
  const tiny = path.join(work, 'tiny.onnx');
  copyFileSync(tinyOnnxModel(), tiny);
  server.setScenario('qnn-onnx-converter', 'reject-ops:Relu');
  try {
    server.takeRecords();
    const r = await cli(['remote', 'bisect', '--host', server.qnnHost.name, '--hosts', hostsFile, '--known-hosts', server.knownHosts, tiny, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as BisectJson;
    assert.deepEqual(out.stats.failingOps, ['Relu']);
    assert.deepEqual(out.stats.whitelist, ['Add']);
    assert.deepEqual(out.diagnostics.map((d) => [d.severity, d.code, d.node, d.op]), [['error', 'qnn-unsupported-op', 'Relu_1', 'Relu']]);
    // whole model (converter fails), Add alone (all three steps), Relu alone (converter fails)
    const tools = server.takeRecords().map((x) => x.tool);
    assert.deepEqual([...tools].sort(), ['qnn-context-binary-generator', 'qnn-model-lib-generator', 'qnn-onnx-converter', 'qnn-onnx-converter', 'qnn-onnx-converter']);
    const profile = JSON.parse(readFileSync(path.join(work, '.npu-port', 'profiles', `tiny-${server.qnnHost.name}-whitelist.json`), 'utf8')) as { ops: string[] };
    assert.deepEqual(profile.ops, ['Add']);
  } finally {
    server.setScenario('qnn-onnx-converter', 'ok');
  }
});

test('a bisection stopped at --max-compiles says so, exits 1 and continues from its record next time', { skip }, async () => {
  const tiny = path.join(work, 'limited.onnx');
  copyFileSync(tinyOnnxModel(), tiny);
  server.setScenario('atc', 'reject-ops:Relu');
  try {
    const args = ['remote', 'bisect', '--host', server.ascendHost.name, '--hosts', hostsFile, '--known-hosts', server.knownHosts, tiny, '--soc', 'Ascend310P3'];
    // whole model (fails), then its first half (Add, compiles): the limit stops before Relu alone
    const first = await cli([...args, '--max-compiles', '2']);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /Stopped at --max-compiles; run again to continue from the record\./);
    const rest = await cli([...args, '--format', 'json']);
    const out = JSON.parse(rest.stdout) as BisectJson & { stats: { truncated: boolean } };
    assert.deepEqual([out.stats.reused, out.stats.compiles, out.stats.truncated], [2, 1, false]);
    assert.deepEqual(out.stats.failingOps, ['Relu']);
  } finally {
    server.setScenario('atc', `reject-ops:${REJECTED.join(',')}`);
  }
});
