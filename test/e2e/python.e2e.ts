import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { PYTHON } from '../unit/onnx/fixtures';
import type { E2eContext, E2eScenario } from './scenario';
import { focusProblems, openFile, problemRows, runCommand, waitForWorkbench } from './workbench';

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
  {
    name: 'Fix All on examples/inference.py gives a script that runs on CPU with Debian\'s Python',
    skip: () => (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? undefined : `${PYTHON} with torch is not installed`),
    prepare(ctx) {
      copyFileSync(path.join(ctx.repoRoot, 'examples', 'inference.py'), path.join(ctx.workspace, 'inference.py'));
      // what the script loads: a LoRA file, written by the safetensors stub the seed tests use
      cpSync(path.join(ctx.repoRoot, 'test', 'fixtures', 'python', 'seed', 'safetensors'), path.join(ctx.workspace, 'safetensors'), { recursive: true });
      execFileSync(PYTHON, ['-c', 'import torch; from safetensors.torch import save_file; save_file({"w": torch.zeros(4)}, "lora.safetensors")'], { cwd: ctx.workspace });
    },
    async run(page, ctx) {
      const script = path.join(ctx.workspace, 'inference.py');
      const original = readFileSync(script, 'utf8');
      await waitForWorkbench(page);
      await openFile(page, 'inference.py');
      await page.locator('.monaco-editor .view-lines', { hasText: 'flash_attn' }).first().waitFor({ timeout: 30_000 });
      await focusProblems(page);
      await problemRows(page, 'cuda-device-string').first().waitFor({ timeout: 60_000 });
      await runCommand(page, 'Fix All CUDA Findings in File');
      // the fix edits the editor and creates the helper beside the script; saving writes the script
      const deadline = Date.now() + 60_000;
      while (!existsSync(path.join(ctx.workspace, 'device_utils.py')) || readFileSync(script, 'utf8') === original) {
        if (Date.now() > deadline) throw new Error('Fix All did not change inference.py on disk or create device_utils.py');
        await runCommand(page, 'File: Save All').catch(() => undefined);
        await page.waitForTimeout(1_000);
      }
      const fixed = readFileSync(script, 'utf8');
      ctx.log(`fixed inference.py: ${fixed.split('\n').length} lines`);
      assert.doesNotMatch(fixed, /"cuda"|torch\.bfloat16/, 'every CUDA device and bf16 literal was replaced');
      const r = spawnSync(PYTHON, ['inference.py'], { cwd: ctx.workspace, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', CUDA_VISIBLE_DEVICES: '' } });
      assert.equal(r.status, 0, `the fixed script fails on CPU:\n${fixed}\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /torch\.Size\(\[1, 64\]\) 1/);
    },
  },
];
