/**
 * Entry point loaded by VS Code's extension host (extensionTestsPath): runs every
 * test/integration/suite/*.test.js with mocha and resolves when they pass.
 */
import Mocha from 'mocha';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const grepFile = folder ? path.join(folder, '.npu-port-test-grep') : undefined;
  const grep = grepFile && existsSync(grepFile) ? readFileSync(grepFile, 'utf8').trim() : undefined;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  const suiteDir = path.join(__dirname, 'suite');
  for (const file of readdirSync(suiteDir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(suiteDir, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      console.log(`${stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else if ((stats?.passes ?? 0) === 0) reject(new Error('no integration test ran'));
      else resolve();
    });
  });
}
