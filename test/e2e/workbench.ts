/** Small helpers over the VS Code web UI (selectors of VS Code 1.100). */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 }).catch(() => undefined);
}

/**
 * Opens the command palette filtered by `filter` and waits until a row matches. The palette is a
 * snapshot of the commands known when it opens, so it is reopened until the extension's
 * contributions are there. Leaves the palette open.
 */
async function openPalette(page: Page, filter: string, timeoutMs: number): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('>' + filter);
    const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: filter.trim() });
    try {
      await rows.first().waitFor({ timeout: 2_000 });
      return rows;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`no palette entry matches "${filter}"`);
      await page.waitForTimeout(500);
    }
  }
}

/** Runs the command whose palette label contains `title`. */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  await openPalette(page, title, timeoutMs);
  await page.keyboard.press('Enter');
}

/** Lists the palette entries matching `filter` without running any. */
export async function paletteEntries(page: Page, filter: string, timeoutMs = 30_000): Promise<string[]> {
  const rows = await openPalette(page, filter, timeoutMs);
  const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  await page.keyboard.press('Escape');
  return texts;
}

/**
 * Opens a workspace file by name through Quick Open. A file written just before may not be in the
 * file search yet (and a loaded machine answers slowly), so Quick Open is reopened until the focused row
 * (the one Enter picks) is that file, within `timeoutMs`. Not any row: Quick Open first lists the
 * recently opened files with the last one focused, and an Enter pressed before the typed name has
 * filtered that list opens the last file again.
 */
export async function openFile(page: Page, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(name);
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
      await page.waitForTimeout(500);
    }
  }
  await page.keyboard.press('Enter');
}

/**
 * Closes every editor with the mouse (each tab's close button) rather than the keyboard: VS Code gives a webview
 * editor the focus again when its delayed focus message lands (after a slow open, a loaded machine), which takes
 * keys typed meanwhile away from the workbench and closes a quick input opened in between; a click does not depend
 * on the focus. Then focuses the empty editor group, so the next keys (Quick Open) reach the workbench.
 */
export async function closeAllEditors(page: Page, timeoutMs = 30_000): Promise<void> {
  const tabs = page.locator('.tabs-container .tab');
  const deadline = Date.now() + timeoutMs;
  for (let open = await tabs.count(); open > 0; open = await tabs.count()) {
    if (Date.now() > deadline) throw new Error(`${open} editors still open after ${timeoutMs} ms`);
    await tabs.first().locator('.tab-actions .action-label').first().click({ timeout: 5_000 }).catch(() => undefined);
  }
  await page.locator('.editor-group-container.empty').first().click({ timeout: 5_000 });
}

export function problemRows(page: Page, text: string | RegExp): Locator {
  return page.locator('.markers-panel .monaco-list-row', { hasText: text });
}

export async function focusProblems(page: Page): Promise<void> {
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').first().waitFor({ timeout: 15_000 });
}

/**
 * Clicks a viewer toolbar action by its label: on the toolbar row when it fits there, else in the
 * "More actions" (⋯) menu the narrower editors move it to.
 */
export async function toolbarAction(frame: FrameLocator | Page, label: string): Promise<void> {
  const onRow = frame.locator('.toolbar vscode-button', { hasText: label }).first();
  await frame.locator('.toolbar vscode-button.more').waitFor({ state: 'attached', timeout: 60_000 });
  if (await onRow.isVisible()) {
    await onRow.click();
    return;
  }
  await frame.locator('.toolbar vscode-button.more').click();
  await frame.locator('.toolbar-menu [role=menuitem], .toolbar-menu [role=menuitemcheckbox]', { hasText: label }).first().click();
}

/**
 * Runs "NPU: Check ONNX Model for Target" and picks `target` (the row whose id is exactly it) in its picker. A viewer that has just
 * opened takes the focus when its webview finishes loading, and a quick pick closes when it loses
 * the focus; on a loaded machine that can happen after the picker appeared. The command is then run
 * again, up to `attempts` times.
 */
export async function checkForTarget(page: Page, target: string, attempts = 4): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'NPU: Check ONNX Model for Target');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(target);
      // the row whose description is exactly the id: `qnn-htp` also matches `qnn-htp@v68`, `ascend310` `ascend310p`
      const exact = new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-description', { hasText: exact }) }).first();
      await row.waitFor({ timeout: 5_000 });
      await row.click();
      await input.waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await page.keyboard.press('Escape');
    }
  }
}
