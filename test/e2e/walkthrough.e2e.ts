/**
 * The "Port to an NPU" walkthrough in the VS Code web UI: opened from the palette, its eight steps are
 * shown unticked with a title that is not cut; after NPU: Scan Workspace runs, the scan step ticks (its
 * completion event) and the fix step does not.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { E2eScenario } from './scenario';
import { runCommand, waitForWorkbench } from './workbench';

/** Opens a walkthrough by its title (as the display language shows it) from the palette. */
async function openWalkthrough(page: Page, title: string): Promise<void> {
  await waitForWorkbench(page);
  await runCommand(page, 'Welcome: Open Walkthrough');
  await page.locator('.quick-input-widget input').fill(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

export const scenarios: E2eScenario[] = [
  {
    name: 'walkthrough: the scan step ticks after NPU: Scan Workspace runs',
    async run(page) {
      await openWalkthrough(page, 'Port to an NPU');
      // the walkthrough's heading, shown whole (VS Code clamps a long one to three lines and an ellipsis)
      const title = page.locator('.gettingStartedContainer .getting-started-detail-header h2, .gettingStartedContainer .category-title', { hasText: 'Port to an NPU' }).first();
      await title.waitFor({ timeout: 30_000 });
      assert.equal(await title.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight), true, `the title is cut: ${await title.innerText()}`);
      const check = (step: string) => page.locator(`.gettingStartedContainer [data-done-step-id$="#${step}"]`).first();
      await check('scan').waitFor({ timeout: 30_000 });
      for (const step of ['scan', 'fix', 'report', 'onnx', 'target', 'host', 'compile', 'benchmark']) {
        assert.equal(await check(step).getAttribute('aria-checked'), 'false', step);
      }
      await runCommand(page, 'NPU: Scan Workspace');
      await page.locator(`.gettingStartedContainer [data-done-step-id$="#scan"][aria-checked="true"]`).first().waitFor({ timeout: 60_000 });
      assert.equal(await check('fix').getAttribute('aria-checked'), 'false');
    },
  },
  {
    name: 'walkthrough: with the display language zh-cn the step pages are the Chinese ones (media/walkthrough/*.nls.zh-cn.md)',
    locale: 'zh-cn',
    async run(page) {
      await openWalkthrough(page, '迁移到 NPU');
      // the first step's page: VS Code renders the step's Markdown in a webview
      const media = page.frameLocator('.gettingStartedContainer iframe.webview.ready').frameLocator('#active-frame');
      await media.locator('h1', { hasText: '找出仅限 CUDA 的代码' }).first().waitFor({ timeout: 60_000 });
      await media.getByText('按文件和规则分组列出', { exact: false }).first().waitFor({ timeout: 15_000 });
      assert.equal(await media.getByText('Findings appear in the Problems panel', { exact: false }).count(), 0, 'the English page is shown');
    },
  },
];
