// Remote benchmark: our ssh2 sessions against the system OpenSSH clients (ssh, scp) on the same
// loopback OpenSSH server (started here like the unit tests do), in the same run.
//  1. command round trip: SshSession.run(['true']) on the reused connection (with the process-group
//     wrapper and set-up marker the tasks use) against `ssh -o ControlMaster` (multiplexed, so both
//     reuse one connection) and against plain `ssh` (a new connection per command);  goal ≤ 1.2×
//  2. upload throughput of a 200 MB file: SshSession.upload (hashing included) against `scp`;  goal ≥ 0.8×
//  3. a second upload of the unchanged file: bytes transferred (goal 0) and its time.
// usage: node bench/remote-ssh.mjs [--quick]   (--quick: 20 MB, fewer round trips)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const SIZE_MB = quick ? 20 : 200;
const ROUND_TRIPS = quick ? 10 : 30;

if (!existsSync('/usr/sbin/sshd') || !existsSync('/usr/bin/ssh') || !existsSync('/usr/bin/scp')) {
  console.log('remote-ssh: skipped (needs openssh-server and openssh-client)');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'npu-port-bench-remote-'));
const entry = join(work, 'entry.ts');
writeFileSync(entry, [
  `export { SshSession } from ${JSON.stringify(join(ROOT, 'src/core/remote/ssh.ts'))};`,
  `export { startLoopbackSshd } from ${JSON.stringify(join(ROOT, 'test/unit/remote/loopbackSshd.ts'))};`,
].join('\n'));
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(work, 'bundle.cjs'), external: ['cpu-features', '*.node'], logLevel: 'error' });
const { SshSession, startLoopbackSshd } = createRequire(import.meta.url)(join(work, 'bundle.cjs'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${n.toFixed(1)} ms`;

const server = await startLoopbackSshd();
const host = { ...server.ascendHost, setup: undefined, workdir: join(server.dir, 'bench-remote') };
const sshBase = ['-i', server.clientKey, '-p', String(server.port), '-o', `UserKnownHostsFile=${server.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
const target = `${host.user}@127.0.0.1`;
const control = join(work, 'ctl');
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const timeAsync = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
};

try {
  // 1. Round trips.
  const session = await SshSession.connect(host, { hostKeys: { knownHostsFiles: [server.knownHosts] } });
  for (let i = 0; i < 3; i++) await session.run(['true']);
  run('ssh', [...sshBase, '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`, '-o', 'ControlPersist=60', '-f', '-N', target]);
  // Interleaved, so that load from other processes hits both sides alike.
  const ours = [];
  const oursRaw = [];
  const mux = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    ours.push(await timeAsync(() => session.run(['true'])));
    oursRaw.push(await timeAsync(() => session.execRaw('true')));
    mux.push(time(() => run('ssh', [...sshBase, '-o', `ControlPath=${control}`, target, 'true'])));
  }
  spawnSync('ssh', [...sshBase, '-o', `ControlPath=${control}`, '-O', 'exit', target], { stdio: 'ignore' });
  const plain = [];
  for (let i = 0; i < Math.min(ROUND_TRIPS, 15); i++) plain.push(time(() => run('ssh', [...sshBase, target, 'true'])));
  console.log(`round trip (median of ${ROUND_TRIPS}): ours run() ${ms(median(ours))}, ours bare exec ${ms(median(oursRaw))}, ssh multiplexed ${ms(median(mux))}, ssh new connection ${ms(median(plain))}`);
  console.log(`  ratio ours run() / ssh multiplexed = ${(median(ours) / median(mux)).toFixed(2)}x (goal <= 1.2x); / ssh new connection = ${(median(ours) / median(plain)).toFixed(2)}x`);

  // 2. Upload throughput.
  const file = join(work, 'model.bin');
  const fd = openSync(file, 'w');
  const chunk = randomBytes(1 << 20);
  for (let i = 0; i < SIZE_MB; i++) writeSync(fd, chunk);
  closeSync(fd);
  const bytes = statSync(file).size;
  const scpTarget = join(host.workdir, 'scp-model.bin');
  run('ssh', [...sshBase, target, `mkdir -p ${host.workdir}`]);
  const scpTimes = [];
  const ourTimes = [];
  for (let i = 0; i < 2; i++) {
    scpTimes.push(time(() => run('scp', ['-q', ...sshBase.filter((a) => a !== '-p' && a !== String(server.port)), '-P', String(server.port), file, `${target}:${scpTarget}`])));
    rmSync(join(host.workdir, 'ours-model.bin'), { force: true });
    ourTimes.push(await timeAsync(() => session.upload(file, join(host.workdir, 'ours-model.bin'))));
  }
  const mbps = (t) => bytes / 1e6 / (t / 1000);
  const scpBest = Math.min(...scpTimes);
  const oursBest = Math.min(...ourTimes);
  console.log(`upload ${SIZE_MB} MB (best of 2): ours ${ms(oursBest)} = ${mbps(oursBest).toFixed(0)} MB/s (incl. sha256 both sides), scp ${ms(scpBest)} = ${mbps(scpBest).toFixed(0)} MB/s`);
  console.log(`  throughput ratio ours / scp = ${(scpBest / oursBest).toFixed(2)}x (goal >= 0.8x)`);

  // 3. Unchanged second upload.
  let second;
  const secondMs = await timeAsync(async () => (second = await session.upload(file, join(host.workdir, 'ours-model.bin'))));
  console.log(`second upload of the unchanged file: ${second.bytes} bytes transferred (goal 0), ${ms(secondMs)} (hashing both copies), vs scp ${ms(scpBest)}`);
  session.close();
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
