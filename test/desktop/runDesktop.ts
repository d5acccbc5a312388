/**
 * `npm run test:desktop`: the integration suites under desktop VS Code through @vscode/test-electron
 * (downloads VS Code, so it needs network or NPU_PORT_VSCODE_EXECUTABLE pointing at an installed
 * `code`). `npm test` uses the offline harness instead (test/harness/runIntegration.ts).
 */
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'npu-port-desktop-ws-'));
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      ...(process.env.NPU_PORT_VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.NPU_PORT_VSCODE_EXECUTABLE } : { version: '1.100.3' }),
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`desktop tests failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
