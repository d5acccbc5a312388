/**
 * Workspace Trust: the integration harness opens its folder with trust disabled (it must run tasks), so
 * Restricted Mode cannot be reached in that window. This suite starts a SECOND real VS Code (the same
 * code-server, with `security.workspace.trust.enabled` and `startupPrompt: never`, so the folder opens in
 * Restricted Mode) and drives it with Playwright: the remote commands refuse and say why, and the loopback
 * OpenSSH host configured for it never sees a connection.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runCommand } from '../../e2e/workbench';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';
import { openSecondVscode, secondVscodeAvailable, type SecondVscode } from './remoteSecondVscode';

const runnable = sshdAvailable && secondVscodeAvailable;

(runnable ? describe : describe.skip)('remote commands in an untrusted workspace (Restricted Mode, second VS Code)', function () {
  this.timeout(240_000);
  let server: LoopbackSshd;
  let second: SecondVscode;
  let page: Page;

  before(async () => {
    server = await startLoopbackSshd();
    second = await openSecondVscode(
      {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'npuPort.hosts': [server.ascendHost],
        'npuPort.activeHost': server.ascendHost.name,
        'npuPort.knownHostsFile': server.knownHosts,
      },
      { 'model.onnx': tinyOnnxModel() },
    );
    page = second.page;
  });

  after(async () => {
    await second?.stop();
    await server?.stop();
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
