// Set-up shared by `npm start` and `npm test`. Node built-ins only: it runs before `npm ci`.
// Every step checks first and skips what is already done, so a second run takes seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, cpSync, symlinkSync, rmSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3; the last code-server whose engines.node is 20

// Debian packages the tests use: Chromium for the browser, ripgrep and build tools for the VS Code
// server, PyTorch/ONNX on Debian's /usr/bin/python3 for generated models and fix checks, OpenSSH server
// for the remote tests.
export const TEST_PACKAGES = [
  'chromium', 'fonts-liberation', 'ripgrep', 'libkrb5-dev', 'build-essential', 'pkg-config', 'python3',
  'python3-torch', 'python3-onnx', 'python3-numpy', 'openssh-server', 'openssh-client',
];

const log = (text) => process.stderr.write(`[setup] ${text}\n`);

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: options.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = options.quiet ? `\n${(result.stdout ?? '').slice(-2000)}${(result.stderr ?? '').slice(-4000)}` : '';
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}${tail}`);
  }
  return result.stdout ?? '';
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Debian packages: installed with apt-get when running as root, otherwise named in a clear message. */
export function ensureDebianPackages(packages) {
  if (!hasCommand('dpkg')) {
    log(`not a Debian system: make sure these are installed: ${packages.join(' ')}`);
    return;
  }
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}\n  install them with: sudo apt-get install ${missing.join(' ')}`);
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lists = '/var/lib/apt/lists';
  const fresh = existsSync(lists) && readdirSync(lists).some((f) => f.includes('Packages') && Date.now() - statSync(join(lists, f)).mtimeMs < 86_400_000);
  if (!fresh) run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['-o', 'DPkg::Lock::Timeout=900', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

export const npmEnv = {
  ...process.env,
  ONNXRUNTIME_NODE_INSTALL: 'skip', // its CPU binaries are in the package; the install script would download CUDA ones
  npm_config_yes: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
  ...(existsSync('/usr/include/node/node_version.h') && !process.env.npm_config_nodedir ? { npm_config_nodedir: '/usr' } : {}),
};

/** `npm ci` when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, env: npmEnv });
}

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'npu-porting-assistant');
}

export function codeServerDir() {
  return process.env.NPU_PORT_CODE_SERVER_DIR || join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBin() {
  return join(codeServerDir(), 'node_modules', '.bin', 'code-server');
}

/**
 * A real VS Code (code-server) installed offline from the npm registry into a per-user cache folder
 * keyed by version, so every clone reuses it. Its own postinstall downloads ripgrep from GitHub;
 * we do those steps by hand with Debian's ripgrep instead.
 */
export function ensureCodeServer() {
  const dir = codeServerDir();
  const ready = join(dir, '.ready');
  if (existsSync(ready)) return codeServerBin();
  ensureDebianPackages(['ripgrep', 'libkrb5-dev', 'build-essential', 'python3', 'pkg-config']);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"npu-port-vscode-server","private":true}\n');
  const pkg = join(dir, 'node_modules', 'code-server', 'package.json');
  const installed = existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : '';
  if (installed !== CODE_SERVER_VERSION) {
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (once per machine, about 90 s)`);
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env: npmEnv, quiet: true });
  }
  const cs = join(dir, 'node_modules', 'code-server');
  const vs = join(cs, 'lib', 'vscode');
  log('building code-server native modules');
  run('npm', ['rebuild', 'argon2'], { cwd: dir, env: npmEnv, quiet: true });
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: vs, env: npmEnv, quiet: true });
  const rgDir = join(vs, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  cpSync(run('sh', ['-c', 'command -v rg'], { quiet: true }).trim(), join(rgDir, 'rg'));
  run('npm', ['rebuild'], { cwd: vs, env: npmEnv, quiet: true });
  const link = (target, path) => {
    rmSync(path, { force: true });
    symlinkSync(target, path);
  };
  link('node_modules', join(vs, 'node_modules.asar'));
  link('code-linux.sh', join(vs, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vs, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: join(vs, 'extensions'), env: npmEnv, quiet: true });
  run(process.execPath, ['-e', `for (const m of ${JSON.stringify([join(vs, 'node_modules', 'node-pty'), join(vs, 'node_modules', '@vscode', 'spdlog'), join(dir, 'node_modules', 'argon2')])}) require(m)`]);
  writeFileSync(ready, `${new Date().toISOString()}\n`);
  return codeServerBin();
}

/** esbuild bundles, then the TypeScript compile of tests (also the type check). */
export function build({ production = false } = {}) {
  run(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), ...(production ? ['--production'] : [])], { cwd: ROOT });
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { cwd: ROOT });
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'webview')], { cwd: ROOT });
}

// `node scripts/bootstrap.mjs test-packages`: only the Debian packages of the tests (used by .ci/run).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'test-packages') ensureDebianPackages(TEST_PACKAGES);
  else {
    process.stderr.write('usage: node scripts/bootstrap.mjs test-packages\n');
    process.exit(2);
  }
}
