// `npm test`: installs what is missing, builds, then runs every layer and fails when any layer fails.
//   unit         node:test over src/core, the CLI and the scripts (out/test/unit)
//   integration  mocha suites inside a real VS Code extension host (code-server + Chromium)
//   e2e          Playwright driving the VS Code web UI
//   package      builds the .vsix, checks its contents, installs it into VS Code and sees it activate
// usage: node scripts/test.mjs [unit] [integration] [e2e] [package]   (default: all, in that order)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, TEST_PACKAGES, build, ensureCodeServer, ensureDebianPackages, ensureNodeModules } from './bootstrap.mjs';

const LAYERS = ['unit', 'integration', 'e2e', 'package'];
const asked = process.argv.slice(2).filter((a) => LAYERS.includes(a));
const layers = asked.length ? asked : LAYERS;

/** Runs a command, streaming its output, and returns its exit code and the text it printed. */
function stream(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let text = '';
    child.stdout.on('data', (d) => { text += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { text += d; process.stderr.write(d); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text }));
  });
}

/** Counts from the closing lines of node:test ("ℹ pass N" / "# pass N") or of our harnesses ("N passed, N failed"). */
function counts(text) {
  const node = { pass: /^(?:#|ℹ) pass (\d+)$/m.exec(text), fail: /^(?:#|ℹ) fail (\d+)$/m.exec(text) };
  if (node.pass) return { passed: Number(node.pass[1]), failed: Number(node.fail?.[1] ?? 0) };
  const plain = [...text.matchAll(/^(?:\S+: )?(\d+) passed, (\d+) failed/gm)];
  return plain.reduce((sum, m) => ({ passed: sum.passed + Number(m[1]), failed: sum.failed + Number(m[2]) }), { passed: 0, failed: 0 });
}

const node = process.execPath;
/** A unit test that hangs (a wait that never ends) fails after this instead of hanging the run. */
const UNIT_TEST_TIMEOUT_MS = 300_000;
const commands = {
  unit: [node, ['--test', `--test-timeout=${UNIT_TEST_TIMEOUT_MS}`, '--test-reporter=spec', join(ROOT, 'out', 'test', 'unit')]],
  integration: [node, [join(ROOT, 'out', 'test', 'harness', 'runIntegration.js')]],
  e2e: [node, [join(ROOT, 'out', 'test', 'e2e', 'run.js')]],
  package: [node, [join(ROOT, 'scripts', 'test-package.mjs')]],
};

const started = Date.now();
ensureDebianPackages(TEST_PACKAGES);
ensureNodeModules();
if (layers.some((l) => l !== 'unit')) ensureCodeServer();
build();
const results = [];
for (const layer of layers) {
  process.stdout.write(`\n=== ${layer} ===\n`);
  const t0 = Date.now();
  const [command, args] = commands[layer];
  const { code, text } = await stream(command, args);
  const { passed, failed } = counts(text);
  results.push({ layer, code, passed, failed, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
}
process.stdout.write('\n=== summary ===\n');
for (const r of results) process.stdout.write(`${r.layer.padEnd(12)} ${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.passed} passed, ${r.failed} failed (${r.seconds} s)\n`);
const total = results.reduce((s, r) => ({ passed: s.passed + r.passed, failed: s.failed + r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0) }), { passed: 0, failed: 0 });
process.stdout.write(`total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
