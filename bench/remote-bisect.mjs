// Remote bisection benchmark: `bisect` against the loopback OpenSSH host (started here like the unit tests
// do) whose TEST STAND-IN atc rejects Abs and Erf, on the generated EdgeSAM-like decoder (1,247 nodes),
// against a baseline measured in the same run: the same bisection with an in-process stand-in compiler
// (no SSH, no process start), which is the local cost of cutting, typing and encoding the parts.
//  1. remote, one compile at a time ÷ in-process baseline: what SSH + a remote tool start add per compile
//  2. remote, two compiles at a time (the task's default) ÷ one at a time
// usage: node bench/remote-bisect.mjs
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync('/usr/sbin/sshd')) {
  console.log('remote-bisect: skipped (needs openssh-server)');
  process.exit(0);
}
const GENERATED = join(ROOT, 'test/fixtures/generated/transform');
const MODEL = join(GENERATED, 'edgesam_decoder.onnx');
if (!existsSync(MODEL)) {
  mkdirSync(GENERATED, { recursive: true });
  execFileSync('/usr/bin/python3', [join(ROOT, 'test/fixtures/transform/make_models.py'), GENERATED], { stdio: 'inherit' });
}
const REJECTED = ['Abs', 'Erf'];

const work = mkdtempSync(join(tmpdir(), 'npu-port-bench-bisect-'));
// The bundle lives in out/ (git-ignored): from there it finds node_modules/onnxruntime-node, and the
// test helper's REPO_ROOT (two folders up, past "out") is the repository, where the stand-ins are.
const bundleDir = join(ROOT, 'out', 'bench', 'remote-bisect');
mkdirSync(bundleDir, { recursive: true });
const entry = join(bundleDir, 'entry.ts');
writeFileSync(entry, [
  `export { SshSession } from ${JSON.stringify(join(ROOT, 'src/core/remote/ssh.ts'))};`,
  `export { bisectTask } from ${JSON.stringify(join(ROOT, 'src/core/remote/tasks/bisect.ts'))};`,
  `export { bisectCompile } from ${JSON.stringify(join(ROOT, 'src/core/onnx/transform/bisect.ts'))};`,
  `export { openModel, decodeModel } from ${JSON.stringify(join(ROOT, 'src/core/onnx/decode.ts'))};`,
  `export { startLoopbackSshd } from ${JSON.stringify(join(ROOT, 'test/unit/remote/loopbackSshd.ts'))};`,
].join('\n'));
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(bundleDir, 'bundle.cjs'), external: ['cpu-features', '*.node', 'onnxruntime-node'], logLevel: 'error' });
const { SshSession, bisectTask, bisectCompile, openModel, decodeModel, startLoopbackSshd } = createRequire(import.meta.url)(join(bundleDir, 'bundle.cjs'));

const server = await startLoopbackSshd();
server.setScenario('atc', `reject-ops:${REJECTED.join(',')}`);
const session = await SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [server.knownHosts] } });
const options = { random: { seed: 2, dims: { num_points: 5 } } };
try {
  // Baseline: the same bisection, the compiler in process (decode the part, refuse the first rejected op).
  const model = await openModel(MODEL);
  let t = performance.now();
  const local = await bisectCompile(model, async (bytes) => {
    const bad = decodeModel(bytes).graph.nodes.find((n) => REJECTED.includes(n.opType));
    return bad ? { ok: false, message: `EZ3003: ${bad.name}` } : { ok: true };
  }, options);
  const localMs = performance.now() - t;

  const remote = async (jobs) => {
    const projectDir = mkdtempSync(join(work, `p${jobs}-`));
    const started = performance.now();
    const result = await bisectTask({ session, onOutput: () => undefined }, { model: MODEL, soc: 'Ascend310P3', projectDir, jobs, dims: { num_points: 5 }, seed: 2 });
    const ms = performance.now() - started;
    if (JSON.stringify(result.stats.failingOps) !== JSON.stringify([...REJECTED].sort())) throw new Error(`wrong result: ${result.stats.failingOps}`);
    return { ms, compiles: result.stats.compiles };
  };
  const one = await remote(1);
  const two = await remote(2);
  if (one.compiles !== local.compiles || two.compiles !== local.compiles) throw new Error(`compile counts differ: ${local.compiles} ${one.compiles} ${two.compiles}`);
  const perCompile = (ms) => `${(ms / local.compiles).toFixed(0)} ms/compile`;
  console.log(`remote-bisect: ${local.compiles} compiles each; failing ${local.failingNodes.length} nodes (${local.failingOps.join(', ')})`);
  console.log(`  in-process stand-in (baseline): ${(localMs / 1000).toFixed(1)} s (${perCompile(localMs)})`);
  console.log(`  loopback host, 1 job:          ${(one.ms / 1000).toFixed(1)} s (${perCompile(one.ms)})  ratio vs baseline ${(one.ms / localMs).toFixed(2)}×`);
  console.log(`  loopback host, 2 jobs:         ${(two.ms / 1000).toFixed(1)} s (${perCompile(two.ms)})  ratio vs 1 job ${(two.ms / one.ms).toFixed(2)}×`);
} finally {
  session.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
