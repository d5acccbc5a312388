/**
 * Runs the mocha suites of test/integration INSIDE a real VS Code extension host: the contract of
 * @vscode/test-electron's runTests (extensionDevelopmentPath + extensionTestsPath whose run() returns a
 * promise), served by code-server and rendered by headless Chromium. Exit code: 0 pass, 1 fail,
 * 124 timeout, 2 harness error.
 */
import { cpSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { startCodeServer, workbenchUrl } from './codeServer';
import { launchChromium } from './browser';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export async function runIntegrationTests(options: { timeoutMs?: number; verbose?: boolean; grep?: string } = {}): Promise<number> {
  const started = Date.now();
  const workspace = mkdtempSync(path.join(tmpdir(), 'npu-port-it-ws-'));
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  if (options.grep) {
    mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    writeFileSync(path.join(workspace, '.npu-port-test-grep'), options.grep);
  }
  const server = await startCodeServer({ log: options.verbose ? (t) => process.stderr.write(`[code-server] ${t}`) : undefined });
  process.stdout.write(`[integration] VS Code ${server.url} up in ${server.startMs} ms\n`);
  const browser = await launchChromium();
  let exitCode = 2;
  try {
    const page = await browser.newPage();
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    // Both must be exposed before the workbench loads, or the test run never reports back.
    // console.log arguments of the extension host, printf-style ("%s (%dms)") as mocha's reporter writes them
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      process.stdout.write(`${format(...(args ?? []))}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    if (options.verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    await page.goto(workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index'),
    }));
    let timer: NodeJS.Timeout | undefined;
    exitCode = await Promise.race([
      finished,
      new Promise<number>((resolve) => (timer = setTimeout(() => {
        process.stdout.write('[integration] TIMEOUT\n');
        resolve(124);
      }, options.timeoutMs ?? 1_200_000))),
    ]);
    clearTimeout(timer);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  process.stdout.write(`[integration] exit code ${exitCode} after ${Date.now() - started} ms\n`);
  return exitCode;
}

if (require.main === module) {
  const verbose = process.argv.includes('--verbose');
  const grep = process.argv.find((a) => a.startsWith('--grep='))?.slice('--grep='.length);
  runIntegrationTests({ verbose, grep }).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`[integration] harness error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  });
}
