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
];
