/**
 * "This machine" (issue 19) in the VS Code web UI: the server starts with ASCEND_TOOLKIT_HOME naming the
 * TEST STAND-IN CANN (test/fixtures/remote; its set_env.sh puts the stand-in `atc` on PATH) and no NPU host
 * is configured. (A PATH given to the server does not reach the extension host as given: VS Code's server
 * takes the login shell's environment, and Debian's /etc/profile resets PATH.) "Compile for This Target" in the ONNX viewer offers
 * "This machine" in the host pick; choosing it compiles with the local atc and the .om appears beside the model.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeStandinToolkits, standinRecorder, type StandinToolkits } from '../unit/remote/loopbackSshd';
import { tinyOnnxModel } from '../unit/remote/tinyModel';
import type { E2eScenario } from './scenario';
import { openInViewer } from './viewer.e2e';
import { toolbarAction, waitForWorkbench } from './workbench';

const MODEL = 'compile here.onnx';
let kits: StandinToolkits | undefined;

export const scenarios: E2eScenario[] = [
  {
    name: 'viewer: Compile for This Target offers This machine and compiles with the local atc',
    serverEnv() {
      kits = makeStandinToolkits(mkdtempSync(path.join(tmpdir(), 'npu-port-e2e-local-')));
      return { ASCEND_TOOLKIT_HOME: path.join(path.dirname(kits.ascendScript), 'latest') };
    },
    prepare(ctx) {
      copyFileSync(tinyOnnxModel(), path.join(ctx.workspace, MODEL));
    },
    async run(page, ctx) {
      const records = standinRecorder(kits!.standinDir);
      await waitForWorkbench(page);
      // quick open, again while a freshly started server is still indexing the folder
      let frame;
      for (let attempt = 0; !frame; attempt++) {
        try {
          frame = await openInViewer(page, MODEL, 90_000);
        } catch (error) {
          if (attempt >= 2) throw error;
          await page.keyboard.press('Escape');
        }
      }
      await toolbarAction(frame, 'Compile for This Target');
      // No host is configured: the pick offers this machine (first) and the host wizard.
      const pick = page.locator('.quick-input-widget', { hasText: 'Active NPU Host' });
      await pick.waitFor({ timeout: 30_000 });
      const rows = pick.locator('.quick-input-list .monaco-list-row');
      await rows.first().waitFor({ timeout: 15_000 });
      assert.match(await rows.first().innerText(), /This machine/);
      assert.match(await rows.first().innerText(), /ASCEND_TOOLKIT_HOME=/);
      assert.match(await pick.innerText(), /Add Remote Host/);
      await rows.first().click();
      const om = path.join(ctx.workspace, 'compile here.om');
      const deadline = Date.now() + 60_000;
      while (!existsSync(om) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.ok(existsSync(om), 'the .om beside the model');
      assert.equal(readFileSync(om).subarray(0, 11).toString(), 'OM-STANDIN\n');
      // the status bar names this machine (the pick made it the active host)
      await page.locator('.statusbar-item', { hasText: 'This machine' }).first().waitFor({ timeout: 15_000 });
      const atc = records().filter((r) => r.tool === 'atc');
      assert.equal(atc.length, 1);
      assert.ok(atc[0]!.args.includes(`--model=${path.join(ctx.workspace, MODEL)}`), atc[0]!.args.join(' '));
    },
  },
];
