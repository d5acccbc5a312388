import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { E2eContext, E2eScenario } from './scenario';
import { focusProblems, openFile, problemRows, waitForWorkbench } from './workbench';

const CHINESE = /[\u4e00-\u9fff]/;

/** Opens the CUDA fixture script and returns the text of its first cuda-device-string row in the Problems panel. */
async function firstDeviceFinding(page: Page, ctx: E2eContext): Promise<string> {
  await waitForWorkbench(page);
  await openFile(page, 'train.py');
  await page.locator('.monaco-editor .view-lines', { hasText: 'torch.cuda' }).first().waitFor({ timeout: 30_000 });
  await focusProblems(page);
  const row = problemRows(page, 'cuda-device-string').first();
  await row.waitFor({ timeout: 30_000 });
  const text = (await row.innerText()).replace(/\s+/g, ' ');
  ctx.log(`Problems: ${text}`);
  return text;
}

export const scenarios: E2eScenario[] = [
  {
    name: 'opening a CUDA script lists its findings in the Problems panel',
    async run(page, ctx) {
      assert.match(await firstDeviceFinding(page, ctx), /cuda/i);
      await problemRows(page, 'torch-cuda-api').first().waitFor({ timeout: 10_000 });
    },
  },
  {
    name: 'with the display language zh-cn the diagnostics are Chinese',
    locale: 'zh-cn',
    async run(page, ctx) {
      const text = await firstDeviceFinding(page, ctx);
      assert.match(text, CHINESE, `not Chinese: ${text}`);
    },
  },
];
