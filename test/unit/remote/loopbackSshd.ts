/**
 * Test helper: a REAL OpenSSH server (Debian openssh-server, /usr/sbin/sshd) on 127.0.0.1 at a free
 * port, with its own host key, config and authorized key in a temporary folder, torn down after.
 * Its remote "toolkits" are TEST STAND-INS (test/fixtures/remote/standins/standin.js) reached through
 * set-up scripts that look like CANN's set_env.sh and QAIRT's envsetup.sh.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import type { HostConfig } from '../../../src/core/remote/hosts';
import { quotePosixWord } from '../../../src/core/remote/quote';
import { REPO_ROOT } from '../repo';

export const SSHD = '/usr/sbin/sshd';
export const sshdAvailable = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');

export const STANDIN_TOOLS = [
  'atc',
  'qnn-onnx-converter',
  'qnn-model-lib-generator',
  'qnn-context-binary-generator',
  'qnn-net-run',
  'msame',
  'ais_bench',
  'npu-smi',
];

export interface LoopbackSshd {
  readonly dir: string;
  readonly port: number;
  /** Private key the server accepts (OpenSSH format). */
  readonly clientKey: string;
  /** known_hosts with the server's key (`[127.0.0.1]:port ssh-ed25519 ...`). */
  readonly knownHosts: string;
  readonly hostKeyFingerprint: string;
  /** Where the stand-ins record their argv (argv.jsonl) and read scenario.json. */
  readonly standinDir: string;
  /** The remote user's home folder ($HOME of every session): a folder of the test, not the real home. */
  readonly home: string;
  /** An Ascend host (CANN-like set_env.sh) and a QNN Linux host (envsetup.sh) on this server. */
  readonly ascendHost: HostConfig;
  readonly qnnHost: HostConfig;
  setScenario(tool: string, scenario: string): void;
  /** Argv recorded by the stand-ins since the last call. */
  takeRecords(): { tool: string; args: string[]; cwd: string }[];
  /** Kills the server and its per-connection processes (a dropped link for connected clients). */
  kill(): void;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with ${child.exitCode}: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error('sshd did not start listening'));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Children (and their children) of a process, from /proc. */
function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // process ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** True when the process no longer runs (absent, or a zombie that nobody reaped). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export interface StandinToolkits {
  /** Where the stand-ins record their argv (argv.jsonl) and read scenario.json. */
  readonly standinDir: string;
  /** Stand-ins of CANN's set_env.sh and of QAIRT's <QNN_SDK_ROOT>/bin/envsetup.sh. */
  readonly ascendScript: string;
  readonly qnnScript: string;
  /** The folders of the stand-in tools (what the scripts put on PATH). */
  readonly ascendBin: string;
  readonly qnnBin: string;
}

/**
 * TEST STAND-IN toolkits under `dir`: wrappers named like the real tools (running standin.js), a
 * CANN-like `Ascend/ascend-toolkit/set_env.sh` and a QAIRT-like `qairt/<version>/bin/envsetup.sh`.
 * The loopback sshd reaches them through a host's `setup`; the local transport through the same scripts.
 */
export function makeStandinToolkits(dir: string): StandinToolkits {
  const standinDir = path.join(dir, 'standin-records');
  mkdirSync(standinDir, { recursive: true });
  const standinScript = path.join(REPO_ROOT, 'test', 'fixtures', 'remote', 'standins', 'standin.js');
  const ascendRoot = path.join(dir, 'Ascend', 'ascend-toolkit', 'latest');
  const qnnRoot = path.join(dir, 'qairt', '2.38.0.250901');
  const wrappers = (binDir: string, tools: string[]) => {
    mkdirSync(binDir, { recursive: true });
    for (const tool of tools) {
      const file = path.join(binDir, tool);
      writeFileSync(file, `#!/bin/sh\n# TEST STAND-IN for ${tool} (NPU Porting Assistant tests); not the real tool.\nexec ${quotePosixWord(process.execPath)} ${quotePosixWord(standinScript)} ${tool} "$@"\n`);
      chmodSync(file, 0o755);
    }
  };
  wrappers(path.join(ascendRoot, 'bin'), ['atc', 'msame', 'ais_bench', 'npu-smi']);
  mkdirSync(path.join(ascendRoot, 'x86_64-linux'), { recursive: true });
  writeFileSync(path.join(ascendRoot, 'x86_64-linux', 'ascend_toolkit_install.info'), 'package_name=Ascend-cann-toolkit\nversion=8.0.0\n');
  writeFileSync(
    path.join(dir, 'Ascend', 'ascend-toolkit', 'set_env.sh'),
    `# TEST STAND-IN for CANN's set_env.sh\nexport ASCEND_TOOLKIT_HOME=${quotePosixWord(ascendRoot)}\nexport PATH="$ASCEND_TOOLKIT_HOME/bin:$PATH"\nexport NPU_PORT_STANDIN_DIR=${quotePosixWord(standinDir)}\n`,
  );
  wrappers(path.join(qnnRoot, 'bin', 'x86_64-linux-clang'), ['qnn-onnx-converter', 'qnn-model-lib-generator', 'qnn-context-binary-generator', 'qnn-net-run']);
  writeFileSync(
    path.join(qnnRoot, 'bin', 'envsetup.sh'),
    `# TEST STAND-IN for QAIRT's envsetup.sh\nexport QNN_SDK_ROOT=${quotePosixWord(qnnRoot)}\nexport PATH="$QNN_SDK_ROOT/bin/x86_64-linux-clang:$PATH"\nexport NPU_PORT_STANDIN_DIR=${quotePosixWord(standinDir)}\n`,
  );

  return {
    standinDir,
    ascendScript: path.join(dir, 'Ascend', 'ascend-toolkit', 'set_env.sh'),
    qnnScript: path.join(qnnRoot, 'bin', 'envsetup.sh'),
    ascendBin: path.join(ascendRoot, 'bin'),
    qnnBin: path.join(qnnRoot, 'bin', 'x86_64-linux-clang'),
  };
}

/** Sets the scenario of one stand-in tool (standin.js reads scenario.json at each start). */
export function setStandinScenario(standinDir: string, tool: string, scenario: string): void {
  const file = path.join(standinDir, 'scenario.json');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  current[tool] = scenario;
  writeFileSync(file, JSON.stringify(current));
}

/** Reads the argv records the stand-ins appended since the last call. */
export function standinRecorder(standinDir: string): () => { tool: string; args: string[]; cwd: string }[] {
  let offset = 0;
  const records = path.join(standinDir, 'argv.jsonl');
  return () => {
    if (!existsSync(records)) return [];
    const text = readFileSync(records, 'utf8');
    const fresh = text.slice(offset);
    offset = text.length;
    return fresh.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool: string; args: string[]; cwd: string });
  };
}

export async function startLoopbackSshd(): Promise<LoopbackSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npu-port-sshd-'));
  chmodSync(dir, 0o755);
  const keygen = (file: string, comment: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const clientKey = path.join(dir, 'client_ed25519');
  keygen(hostKey, 'npu-port-test-host');
  keygen(clientKey, 'npu-port-test-client');
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  chmodSync(path.join(dir, 'authorized_keys'), 0o600);
  const port = await freePort();
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!;

  // Privilege separation directory (sshd as root needs it).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = userInfo().username;
  const config = path.join(dir, 'sshd_config');
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const log = path.join(dir, 'sshd.log');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'AuthenticationMethods publickey',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'StrictModes no',
      'UsePAM no',
      'MaxSessions 64',
      'MaxStartups 64',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      // a relative workdir (the default npu-port) lands in the test's folder, not the real home
      `SetEnv HOME=${home}`,
      '',
    ].join('\n'),
  );

  const { standinDir, ascendScript, qnnScript } = makeStandinToolkits(dir);

  const child = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
  // If the test process ends without stop() (a crash, an early exit), the server goes with it.
  const onExit = () => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  await waitForPort(port, child, log);

  const base = { host: '127.0.0.1', port, user, identityFile: clientKey, shell: 'posix' as const };
  const killAll = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    for (const pid of [child.pid, ...descendants(child.pid)]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  return {
    dir,
    port,
    clientKey,
    knownHosts,
    hostKeyFingerprint: fingerprint,
    standinDir,
    home,
    ascendHost: { ...base, name: 'ascend-loopback', kind: 'ascend', workdir: path.join(dir, 'remote-work'), setup: `. ${quotePosixWord(ascendScript)}` },
    qnnHost: { ...base, name: 'qnn-loopback', kind: 'qnn-linux', workdir: path.join(dir, 'remote-work'), setup: `. ${quotePosixWord(qnnScript)}` },
    setScenario: (tool, scenario) => setStandinScenario(standinDir, tool, scenario),
    takeRecords: standinRecorder(standinDir),
    kill() {
      killAll('SIGKILL');
    },
    async stop() {
      process.removeListener('exit', onExit);
      killAll('SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      killAll('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
