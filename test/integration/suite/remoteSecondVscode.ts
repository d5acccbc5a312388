/**
 * A SECOND real VS Code for the remote suites, started from inside the integration run: the same
 * code-server with its own settings (the harness's window has Workspace Trust off and no way to click in
 * a webview), driven by Playwright with Debian's Chromium.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../harness/browser';
import { codeServerBin, startCodeServer, workbenchUrl, type CodeServer } from '../../harness/codeServer';
import { waitForWorkbench } from '../../e2e/workbench';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const secondVscodeAvailable = existsSync(CHROMIUM) && existsSync(codeServerBin());

export interface SecondVscode {
  readonly page: Page;
  readonly workspace: string;
  stop(): Promise<void>;
}

/** The extension host's own VS Code and code-server variables (CODE_SERVER_PARENT_PID, ...) must not leak into the second server. */
function withoutHostEnvironment<T>(start: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('VSCODE_') || (key.startsWith('CODE_SERVER_') && key !== 'CODE_SERVER_BIN') || key === 'ELECTRON_RUN_AS_NODE') {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  }
  return start().finally(() => Object.assign(process.env, saved));
}

/** Starts the server, opens a copy of the fixture workspace (plus `files`: name → source) with this extension, waits for the workbench. */
export async function openSecondVscode(settings: Record<string, unknown>, files: Record<string, string> = {}): Promise<SecondVscode> {
  const server: CodeServer = await withoutHostEnvironment(() => startCodeServer({ settings }));
  let browser: Browser | undefined;
  const workspace = mkdtempSync(path.join(tmpdir(), 'npu-port-second-ws-'));
  try {
    cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
    for (const [name, source] of Object.entries(files)) copyFileSync(source, path.join(workspace, name));
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
    await waitForWorkbench(page);
    const opened = browser;
    return {
      page,
      workspace,
      async stop() {
        await opened.close().catch(() => undefined);
        await server.stop();
        rmSync(workspace, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    throw error;
  }
}
