/**
 * Starts a real VS Code (code-server, installed by scripts/bootstrap.mjs into a per-user cache) on
 * 127.0.0.1 at a free port, with its own user data, extensions folder and quiet settings.
 * Used by the integration tests, the end-to-end tests and `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerBin(): string {
  if (process.env.CODE_SERVER_BIN) return process.env.CODE_SERVER_BIN;
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  const dir = process.env.NPU_PORT_CODE_SERVER_DIR || path.join(cache, 'npu-porting-assistant', `code-server-${CODE_SERVER_VERSION}`);
  return path.join(dir, 'node_modules', '.bin', 'code-server');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface CodeServer {
  readonly url: string;
  readonly authority: string;
  readonly port: number;
  readonly startMs: number;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Folder with installed extensions (a vsix installed with installVsix). */
  extensionsDir?: string;
  /** Display language, e.g. zh-cn. */
  locale?: string;
  port?: number;
  log?: (text: string) => void;
  /** Environment variables added to the server's (and so the extension host's), e.g. a toolchain on PATH. */
  env?: NodeJS.ProcessEnv;
}

const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const base = mkdtempSync(path.join(tmpdir(), 'npu-port-vscode-'));
  const userData = path.join(base, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(base, 'extensions');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...options.settings }, null, 2));
  if (options.locale) {
    writeFileSync(path.join(userData, 'User', 'argv.json'), JSON.stringify({ locale: options.locale }));
    // VS Code resolves a display language only when a language pack for it is registered. The
    // Marketplace pack cannot be installed offline, so register an empty one: VS Code's own UI stays
    // English, and extensions (ours) are shown in the requested language.
    const translations = path.join(base, 'language-pack', 'main.i18n.json');
    mkdirSync(path.dirname(translations), { recursive: true });
    writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
    writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify({
      [options.locale]: { hash: 'npu-port-test', label: options.locale, extensions: [{ extensionIdentifier: { id: 'npu-port.test-language-pack' }, version: '1.0.0' }], translations: { vscode: translations } },
    }));
  }
  const config = path.join(base, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const args = [
    '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', userData, '--extensions-dir', extensionsDir,
    ...(options.locale ? ['--locale', options.locale] : []),
  ];
  if (options.settings?.['security.workspace.trust.enabled'] !== true) args.push('--disable-workspace-trust');
  const started = Date.now();
  const child = spawn(codeServerBin(), args, {
    env: {
      ...process.env,
      ...options.env,
      // the viewer exposes its drawn layout to the e2e tests (webview/main.ts layoutReport)
      NPU_PORT_TEST_HOOKS: '1',
      XDG_CONFIG_HOME: path.join(base, 'xdg'),
      XDG_DATA_HOME: path.join(base, 'xdg-data'),
      // no extension gallery: the machine is offline and tests must not reach outside loopback
      EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends server, extension host and pty host together
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    options.log?.(chunk.toString());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (/HTTP server listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`code-server could not start (${codeServerBin()}): ${error.message}. Run npm test or npm start once to install it.`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${output}`));
    });
  });
  const startMs = Date.now() - started;
  const stop = () =>
    new Promise<void>((resolve) => {
      const finish = () => {
        rmSync(base, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      const kill = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        setTimeout(finish, 200);
      });
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        finish();
      }
    });
  return { url: `http://127.0.0.1:${port}/`, authority: `127.0.0.1:${port}`, port, startMs, process: child, output: () => output, stop };
}

/** The workbench URL that opens `folder` with the extension under development (and tests), like `code --extensionDevelopmentPath`. */
export function workbenchUrl(server: CodeServer, options: { folder?: string; file?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string {
  const remote = (p: string) => `vscode-remote://${server.authority}${path.resolve(p)}`;
  const payload: [string, string][] = [['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  if (options.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  if (options.file) payload.push(['openFile', remote(options.file)]);
  let url = `${server.url}?`;
  if (options.folder) url += `folder=${encodeURIComponent(path.resolve(options.folder))}&`;
  return url + `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Installs a .vsix into an extensions folder with code-server's own CLI. */
export async function installVsix(vsix: string, extensionsDir: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(codeServerBin(), ['--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsix), '--force'],
      { env: { ...process.env, XDG_CONFIG_HOME: extensionsDir + '-xdg', XDG_DATA_HOME: extensionsDir + '-xdg' } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout)));
  });
}
