/**
 * `npm run screenshots`: the README's pictures, taken from the real VS Code with the extension loaded
 * on the demo workspace (examples/), in a light and a dark theme. Nothing is drawn by hand.
 */
import { benchModel } from './benchModels';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../harness/browser';
import { startCodeServer, workbenchUrl } from '../harness/codeServer';
import { checkForTarget, focusProblems, openFile, runCommand, waitForWorkbench } from './workbench';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const IMAGES = path.join(REPO_ROOT, 'docs', 'images');
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

async function quickFix(page: Page, file: string): Promise<void> {
  const target = 'model.to("cuda", torch.bfloat16)';
  const line = readFileSync(path.join(REPO_ROOT, 'examples', 'inference.py'), 'utf8').split('\n').findIndex((l) => l.includes(target)) + 1;
  await openFile(page, 'inference.py');
  await page.locator('.monaco-editor .view-line', { hasText: target }).first().waitFor({ timeout: 30_000 });
  await focusProblems(page);
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'cuda' }).first().waitFor({ timeout: 30_000 });
  // put the cursor on the finding with Go to Line, then open the quick fixes
  await page.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').fill(`:${line}:20`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+.');
  await page.locator('.action-widget').first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: file });
  await page.keyboard.press('Escape');
}

async function viewer(page: Page, file: string): Promise<void> {
  await openFile(page, 'decoder.onnx');
  const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
  await frame.locator('canvas').first().waitFor({ timeout: 60_000 });
  // the Snapdragon target shows red and amber nodes on the demo decoder; the panel would hide the graph
  await checkForTarget(page, 'qnn-htp');
  await runCommand(page, 'View: Hide Panel');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(2000);
  await page.screenshot({ path: file });
}

/**
 * The first frame of the 22,000-node export (bench/models/transformer-22k.onnx, made by
 * `/usr/bin/python3 bench/onnx_models.py bench/models deep`): the top of the network at a readable zoom,
 * the outline in the minimap. Opened from a folder of its own (the model is not part of examples/).
 */
async function bigModelTop(page: Page, server: Awaited<ReturnType<typeof startCodeServer>>, file: string): Promise<boolean> {
  const model = benchModel(REPO_ROOT, 'transformer-22k.onnx');
  const folder = mkdtempSync(path.join(tmpdir(), 'npu-port-shot-'));
  try {
    copyFileSync(model, path.join(folder, 'transformer-22k.onnx'));
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: REPO_ROOT }));
    await waitForWorkbench(page);
    await openFile(page, 'transformer-22k.onnx');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('canvas.graph').waitFor({ timeout: 120_000 });
    const body = frame.locator('body');
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await page.waitForTimeout(200)) {
      if (await body.evaluate(() => (globalThis as unknown as { __npuViewer?: { state: string } }).__npuViewer?.state === 'ready')) break;
    }
    // the panel and notifications are only there when something opened them
    for (const command of ['View: Hide Panel', 'Notifications: Clear All Notifications']) await runCommand(page, command).catch(() => page.keyboard.press('Escape'));
    await page.waitForTimeout(1500);
    await page.screenshot({ path: file });
    return true;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `npm run screenshots -- --only=viewer-22k-top`: that picture alone (the others take minutes more). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

async function main(): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const browser = await launchChromium();
  try {
    for (const [name, theme] of Object.entries(THEMES)) {
      if (ONLY === 'viewer-22k-top' && name !== 'light') continue;
      const server = await startCodeServer({ settings: { 'workbench.colorTheme': theme } });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
        await page.goto(workbenchUrl(server, { folder: path.join(REPO_ROOT, 'examples'), extensionDevelopmentPath: REPO_ROOT }));
        await waitForWorkbench(page);
        if (!ONLY) {
          await quickFix(page, path.join(IMAGES, `quick-fix-${name}.png`));
          await viewer(page, path.join(IMAGES, `viewer-${name}.png`));
        }
        if (name === 'light' && await bigModelTop(page, server, path.join(IMAGES, 'viewer-22k-top.png'))) process.stdout.write('[screenshots] docs/images/viewer-22k-top.png\n');
        await page.close();
        if (!ONLY) process.stdout.write(`[screenshots] ${name}: docs/images/quick-fix-${name}.png, docs/images/viewer-${name}.png\n`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[screenshots] ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
