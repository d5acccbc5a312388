/**
 * Workspace Trust: the integration harness opens its folder with trust disabled (it must run tasks), so
 * Restricted Mode cannot be reached in that window. This suite starts a SECOND real VS Code (the same
 * code-server, with `security.workspace.trust.enabled` and `startupPrompt: never`, so the folder opens in
 * Restricted Mode) and drives it with Playwright: the remote commands refuse and say why, and the loopback
 * OpenSSH host configured for it never sees a connection.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../harness/browser';
import { codeServerBin, startCodeServer, workbenchUrl, type CodeServer } from '../../harness/codeServer';
import { runCommand, waitForWorkbench } from '../../e2e/workbench';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const runnable = sshdAvailable && existsSync(CHROMIUM) && existsSync(codeServerBin());

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

(runnable ? describe : describe.skip)('remote commands in an untrusted workspace (Restricted Mode, second VS Code)', function () {
  this.timeout(240_000);
  let server: LoopbackSshd;
  let vscodeServer: CodeServer;
  let browser: Browser;
  let page: Page;
  let workspace: string;

  before(async () => {
    server = await startLoopbackSshd();
    vscodeServer = await withoutHostEnvironment(() =>
      startCodeServer({
        settings: {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'npuPort.hosts': [server.ascendHost],
          'npuPort.activeHost': server.ascendHost.name,
          'npuPort.knownHostsFile': server.knownHosts,
        },
      }),
    );
    workspace = mkdtempSync(path.join(tmpdir(), 'npu-port-untrusted-ws-'));
    cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
    copyFileSync(tinyOnnxModel(), path.join(workspace, 'model.onnx'));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(workbenchUrl(vscodeServer, { folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
    await waitForWorkbench(page);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await vscodeServer?.stop();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('the folder is in Restricted Mode; Doctor and Bisect refuse with the reason and never connect', async () => {
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
    server.takeRecords();
    const refusal = page.locator('.notifications-toasts .notification-toast', { hasText: 'Remote tasks do not run in an untrusted workspace' });
    await runCommand(page, 'NPU: Check Remote Host (Doctor)', 90_000);
    await refusal.first().waitFor({ timeout: 30_000 });
    // Bisect on the model (open in the explorer's selection: the command takes the active .onnx editor or a URI).
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('model.onnx');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'model.onnx' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    await runCommand(page, 'Notifications: Clear All Notifications');
    await refusal.first().waitFor({ state: 'detached', timeout: 10_000 });
    await runCommand(page, 'NPU: Bisect Compile Failure');
    await refusal.first().waitFor({ timeout: 30_000 });
    // Nothing reached the host: no stand-in ran, and sshd accepted no login.
    assert.deepEqual(server.takeRecords(), []);
    const sshdLog = path.join(server.dir, 'sshd.log');
    assert.doesNotMatch(existsSync(sshdLog) ? readFileSync(sshdLog, 'utf8') : '', /Accepted publickey/);
  });
});
