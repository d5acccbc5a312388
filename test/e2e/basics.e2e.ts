import * as assert from 'node:assert/strict';
import type { E2eScenario } from './scenario';
import { paletteEntries, runCommand, waitForWorkbench } from './workbench';

export const scenarios: E2eScenario[] = [
  {
    name: 'a command runs from the palette and the log channel shows the activation',
    async run(page) {
      await waitForWorkbench(page);
      await runCommand(page, 'NPU: Show Log');
      await page.locator('.part.panel .view-lines', { hasText: 'activating npu-port.npu-porting-assistant' }).first().waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'with the display language zh-cn the command titles are Chinese',
    locale: 'zh-cn',
    async run(page) {
      await waitForWorkbench(page);
      // the palette lists only the rows that fit: filter by the English title, which it shows beside the Chinese one
      for (const [english, chinese] of [['NPU: Show Log', 'NPU: 显示日志'], ['NPU: Scan Workspace', 'NPU: 扫描工作区']]) {
        const entries = await paletteEntries(page, english);
        assert.ok(entries.some((e) => e.includes(chinese)), `palette shows: ${entries.join(' | ')}`);
      }
    },
  },
  {
    // (A search such as @ext:npu-port.npu-porting-assistant still shows "Npu Port › Fix: Style": VS Code words
    // search results from the full key, as it shows "Git: Enabled".)
    name: 'browsing the Settings editor shows the product\'s sections and no "Npu Port ›" before the settings',
    async run(page) {
      await waitForWorkbench(page);
      await runCommand(page, 'Preferences: Open Settings (UI)');
      await page.locator('.settings-editor').first().waitFor({ timeout: 30_000 });
      // Browsing: the table of contents, Extensions > NPU Porting Assistant > ONNX Models and Benchmarks.
      const toc = page.locator('.settings-editor .settings-toc-container .monaco-list-row');
      const row = (text: string) => toc.filter({ hasText: text }).first();
      const shown = (text: string, timeout: number) => row(text).waitFor({ timeout }).then(() => true, () => false);
      // a click on a row selects and usually expands it; on a busy machine the table of contents can re-render under
      // the click (CI: "Window" selected instead), so a row whose child does not show is expanded from the keyboard
      const open = async (parent: string, child: string) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          await row(parent).click();
          if (await shown(child, 10_000)) return;
          await row(parent).press('ArrowRight');
          if (await shown(child, 5_000)) return;
        }
        throw new Error(`table of contents: "${child}" did not show under "${parent}": ${(await toc.allTextContents()).join(' | ')}`);
      };
      await open('Extensions', 'NPU Porting Assistant');
      await open('NPU Porting Assistant', 'ONNX Models and Benchmarks');
      await row('ONNX Models and Benchmarks').click();
      const target = page.locator('.settings-editor .setting-item', { hasText: 'The NPU target that ONNX models are checked against' }).first();
      await target.waitFor({ timeout: 30_000 });
      const label = (await target.locator('.setting-item-label').first().textContent())?.trim();
      const category = (await target.locator('.setting-item-category').first().textContent())?.trim();
      const categories = await page.locator('.settings-editor .setting-item-category').allTextContents();
      const rows = await toc.allTextContents();
      for (const title of ['Python Migration', 'ONNX Models and Benchmarks', 'Remote NPU Hosts']) assert.ok(rows.some((t) => t.includes(title)), `table of contents: ${rows.join(' | ')}`);
      assert.deepEqual([category, label], ['', 'Target'], `npuPort.onnx.target in its section; categories: ${categories.join(' | ')}`);
      assert.ok(categories.includes('Benchmark: '), `categories: ${categories.join(' | ')}`);
      assert.ok(categories.every((c) => !/Npu Port/.test(c)), `categories: ${categories.join(' | ')}`);
    },
  },
];
