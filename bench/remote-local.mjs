// This machine vs loopback SSH (issue 19): the same convert task of the demo model
// (examples/models/decoder.onnx) with the same stand-in atc, run through the local transport and
// through our SSH session to the loopback OpenSSH server (started here like the unit tests do), in the
// same run, interleaved so that load from other processes hits both alike. The first convert of each is
// reported apart (SSH: connecting and uploading the model; local: taking the environment from set_env.sh).
// usage: node bench/remote-local.mjs [--runs N]
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

if (!existsSync('/usr/sbin/sshd')) {
  console.log('remote-local: skipped (needs openssh-server)');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'npu-port-bench-local-'));
// bundled under out/bench/<name>/ so that the test helpers' REPO_ROOT (from __dirname) finds the stand-ins
const bundleDir = join(ROOT, 'out', 'bench', 'remote-local');
mkdirSync(bundleDir, { recursive: true });
const entry = join(bundleDir, 'entry.ts');
writeFileSync(entry, [
  `export { SshSession } from ${JSON.stringify(join(ROOT, 'src/core/remote/ssh.ts'))};`,
  `export { LocalTransport, localHostConfig } from ${JSON.stringify(join(ROOT, 'src/core/remote/local.ts'))};`,
  `export { executeRemoteTask } from ${JSON.stringify(join(ROOT, 'src/core/remote/tasks/execute.ts'))};`,
  `export { startLoopbackSshd, makeStandinToolkits } from ${JSON.stringify(join(ROOT, 'test/unit/remote/loopbackSshd.ts'))};`,
].join('\n'));
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(bundleDir, 'bundle.cjs'), external: ['cpu-features', '*.node', 'onnxruntime-node'], logLevel: 'error' });
const { SshSession, LocalTransport, localHostConfig, executeRemoteTask, startLoopbackSshd } = createRequire(import.meta.url)(join(bundleDir, 'bundle.cjs'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${n.toFixed(0)} ms`;
const server = await startLoopbackSshd();
try {
  const model = (name) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'decoder.onnx');
    copyFileSync(join(ROOT, 'examples', 'models', 'decoder.onnx'), file);
    return file;
  };
  const sshModel = model('ssh');
  const localModel = model('local');
  const session = await SshSession.connect(server.ascendHost, { hostKeys: { knownHostsFiles: [server.knownHosts] } });
  // the same stand-in CANN as the SSH host's, through its set_env.sh
  const local = new LocalTransport(localHostConfig({ kind: 'ascend' }, join(work, 'local-work')), { envScript: join(server.dir, 'Ascend', 'ascend-toolkit', 'set_env.sh') });
  const convert = async (transport, file) => {
    const t = performance.now();
    const result = await executeRemoteTask({ task: 'convert', host: transport.host, model: file, soc: 'Ascend310P3' }, {
      workspaceTrusted: true,
      session: async () => ({ session: transport, connectMs: 0 }),
      onOutput: (t) => (process.env.BENCH_VERBOSE ? process.stderr.write(t) : undefined),
    });
    if (result.exitCode !== 0 || result.artifacts.length !== 1) throw new Error(`convert failed: ${JSON.stringify(result.diagnostics)}`);
    return performance.now() - t;
  };
  const firstSsh = await convert(session, sshModel);
  const firstLocal = await convert(local, localModel);
  const ssh = [];
  const loc = [];
  for (let i = 0; i < RUNS; i++) {
    ssh.push(await convert(session, sshModel));
    loc.push(await convert(local, localModel));
  }
  console.log(`first convert: SSH ${ms(firstSsh)} (upload of the model included), local ${ms(firstLocal)} (environment from set_env.sh included)`);
  console.log(`convert, median of ${RUNS}: SSH ${ms(median(ssh))}, local ${ms(median(loc))}`);
  console.log(`  ratio local / SSH = ${(median(loc) / median(ssh)).toFixed(2)}x`);
  session.close();
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
