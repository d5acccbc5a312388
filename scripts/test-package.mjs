// The "package" test layer: builds the .vsix for this platform, then runs test/package (contents check,
// install into the VS Code used by the tests, activation).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';

const dir = mkdtempSync(join(tmpdir(), 'npu-port-vsix-'));
const vsix = join(dir, 'npu-porting-assistant.vsix');
try {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  }
  const tested = spawnSync(process.execPath, ['--test', '--test-reporter=spec', join(ROOT, 'out', 'test', 'package')], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, NPU_PORT_VSIX: vsix },
  });
  process.exitCode = tested.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  // the production build replaced the development bundles: rebuild them for the next layers and runs
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
