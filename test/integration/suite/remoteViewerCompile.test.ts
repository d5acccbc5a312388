/**
 * "Compile for This Target" in the ONNX viewer, clicked for real: a second VS Code (see
 * remoteSecondVscode.ts) opens a model in the viewer, Playwright clicks the button inside the webview,
 * and the npu-port convert task runs against the loopback OpenSSH host with the atc stand-in (the new
 * host key is answered in the rendered quick pick); the .om comes back beside the model.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { openFile, toolbarAction } from '../../e2e/workbench';
import { startLoopbackSshd, sshdAvailable, type LoopbackSshd } from '../../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../../unit/remote/tinyModel';
import { openSecondVscode, secondVscodeAvailable, type SecondVscode } from './remoteSecondVscode';
import { waitFor } from '../extension';

(sshdAvailable && secondVscodeAvailable ? describe : describe.skip)('viewer: Compile for This Target (second VS Code, real click)', function () {
  this.timeout(240_000);
  let server: LoopbackSshd;
  let second: SecondVscode;

  before(async () => {
    server = await startLoopbackSshd();
    second = await openSecondVscode(
      { 'npuPort.hosts': [server.ascendHost], 'npuPort.activeHost': server.ascendHost.name, 'npuPort.knownHostsFile': server.knownHosts },
      { 'compile me.onnx': tinyOnnxModel() },
    );
  });

  after(async () => {
    await second?.stop();
    await server?.stop();
  });

  it('the button starts the convert task on the open model and the .om comes back beside it', async () => {
    const { page, workspace } = second;
    await openFile(page, 'compile me.onnx');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('canvas.graph').waitFor({ timeout: 90_000 });
    server.takeRecords();
    await toolbarAction(frame, 'Compile for This Target');
    const om = path.join(workspace, 'compile me.om');
    // This window's user settings do not reach the machine-scoped npuPort.knownHostsFile, so the new
    // host's key is asked about, in the rendered quick pick: its fingerprint is shown; Enter trusts it.
    const question = page.locator('.quick-input-widget', { hasText: `The authenticity of host 127.0.0.1:${server.port} cannot be established.` });
    await question.waitFor({ timeout: 60_000 });
    assert.match(await question.locator('input').getAttribute('placeholder') ?? '', new RegExp(`ssh-ed25519 key fingerprint is ${server.hostKeyFingerprint.replace(/[+/]/g, '\\$&')}\\.`));
    await page.keyboard.press('Enter');
    await waitFor(() => (existsSync(om) ? true : undefined), 'the .om from the convert task', 90_000);
    assert.equal(readFileSync(om).subarray(0, 11).toString(), 'OM-STANDIN\n');
    const atc = server.takeRecords().filter((r) => r.tool === 'atc');
    assert.equal(atc.length, 1);
    assert.ok(atc[0]!.args.includes('--framework=5'));
    assert.ok(atc[0]!.args.some((a) => a.endsWith('/compile me.onnx')), atc[0]!.args.join(' '));
  });
});
