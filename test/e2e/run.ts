/**
 * End-to-end tests: Playwright (playwright-core) drives Debian's Chromium against the VS Code web UI
 * (code-server) with this extension loaded. Each scenario gets a fresh workspace copy and page; a
 * failing scenario leaves a screenshot in test-results/. Prints "N passed, N failed".
 * usage: node out/test/e2e/run.js [--grep=TEXT] [--verbose]
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launchChromium } from '../harness/browser';
import { startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';
import type { E2eScenario } from './scenario';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RESULTS = path.join(REPO_ROOT, 'test-results');

function loadScenarios(): E2eScenario[] {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.e2e.js')).sort();
  return files.flatMap((f) => (require(path.join(__dirname, f)) as { scenarios: E2eScenario[] }).scenarios);
}

async function main(): Promise<number> {
  const grep = process.argv.find((a) => a.startsWith('--grep='))?.slice('--grep='.length);
  const verbose = process.argv.includes('--verbose');
  const scenarios = loadScenarios().filter((s) => !grep || s.name.includes(grep));
  const browser = await launchChromium();
  const servers = new Map<string, CodeServer>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const scenario of scenarios) {
      const skipReason = scenario.skip?.({ repoRoot: REPO_ROOT });
      if (skipReason) {
        skipped++;
        process.stdout.write(`  - ${scenario.name} (skipped: ${skipReason})\n`);
        continue;
      }
      const key = scenario.locale ?? 'en';
      const own = scenario.serverEnv ? await startCodeServer({ locale: scenario.locale, env: scenario.serverEnv({ repoRoot: REPO_ROOT }) }) : undefined;
      let server = own ?? servers.get(key);
      if (!server) {
        server = await startCodeServer({ locale: scenario.locale });
        servers.set(key, server);
      }
      const workspace = mkdtempSync(path.join(tmpdir(), 'npu-port-e2e-ws-'));
      cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      if (verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
      const started = Date.now();
      const ctx = { workspace, repoRoot: REPO_ROOT, log: (t: string) => process.stdout.write(`    ${t}\n`) };
      try {
        scenario.prepare?.(ctx);
        await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
        await scenario.run(page, ctx);
        passed++;
        process.stdout.write(`  ✓ ${scenario.name} (${Date.now() - started} ms)\n`);
      } catch (error) {
        failed++;
        mkdirSync(RESULTS, { recursive: true });
        const shot = path.join(RESULTS, `e2e-${scenario.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        process.stdout.write(`  ✗ ${scenario.name}\n    ${error instanceof Error ? error.message.split('\n').join('\n    ') : String(error)}\n    screenshot: ${path.relative(REPO_ROOT, shot)}\n`);
      } finally {
        await context.close().catch(() => undefined);
        await own?.stop();
        rmSync(workspace, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    for (const server of servers.values()) await server.stop();
  }
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`[e2e] harness error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
