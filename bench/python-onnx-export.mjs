// ONNX export rules (issue 8, prevention at the source), measured in this run against the same
// analysis without an ONNX target (the onnx-export-* rules off) as the baseline:
//  - full analysis of a generated 5,000-line model file (one nn.Module subclass per 24 lines, each
//    with an integer index in forward) for a whitelist target lacking Gather (one finding per module);
//  - keystroke latency: incremental re-analysis after a one-character edit inside a helper that
//    forward calls (p50/p95 over 200 edits);
//  - workspace scan of Debian's python3-torch sources with the default target (ascend310p) and with
//    the whitelist (more files pass the pre-filter: every file with a forward is parsed).
// usage: node bench/python-onnx-export.mjs [corpus-dir]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, bundleCore } from './lib/core.mjs';

const CORPUS = process.argv[2] ?? '/usr/lib/python3/dist-packages/torch';
const DIST = join(ROOT, 'dist');
const WORKER = join(DIST, 'workers', 'scan.worker.js');
if (!existsSync(WORKER) || !existsSync(join(DIST, 'tree-sitter-python.wasm'))) {
  console.error('python-onnx-export: build first (node scripts/build.mjs)');
  process.exit(1);
}

// The core API, bundled for this run (dist/ only holds the CLI, the extension and the workers).
const bundled = await bundleCore("export * from './src/core/workspace/scan'; export { PythonDocument } from './src/core/python/document'; export { PythonParser } from './src/core/python/parser'; export { DEFAULT_OPTIONS } from './src/core/python/types'; export { exportTargetOf } from './src/core/python/rules/onnxExportTarget'; export { builtinProfiles, whitelistProfile } from './src/core/onnx/targets';");
const core = bundled.load();
const parser = await core.PythonParser.load(DIST);
const whitelist = core.exportTargetOf(core.whitelistProfile(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/onnx/profiles/edgesam-pass.json'), 'utf8'))));
const ascend = core.exportTargetOf(core.builtinProfiles().find((p) => p.id === 'ascend310p'));
const base = core.DEFAULT_OPTIONS;

const block = (i) => `class Block${i}(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)

    def forward(self, x, labels):
        y = self.proj(x)
        z = y + helper${i}(x[:, 0])
        w = self.norm(z)
        for k in range(3):
            w = w * 2 + 1
        return w

    def norm(self, t):
        m = t.mean(-1, keepdim=True)
        return (t - m) / (t.std(-1, keepdim=True) + 1e-5)


def helper${i}(a):
    b = a * 3
    c = b - 1
    return c


`;
let source = 'import torch\nimport torch.nn as nn\n\n';
for (let i = 0; source.split('\n').length < 5000; i++) source += block(i);
const lines = source.split('\n');
const editLine = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('b = a * 3'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function full(options) {
  const times = [];
  let findings = 0;
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    const doc = new core.PythonDocument(parser, source, options);
    times.push(performance.now() - t0);
    findings = doc.findings.length;
    doc.dispose();
  }
  return { ms: median(times), findings };
}

function keystrokes(options) {
  const doc = new core.PythonDocument(parser, source, options);
  const times = [];
  for (let i = 0; i < 200; i++) {
    const change = i % 2 === 0
      ? { range: { start: { line: editLine, column: 12 }, end: { line: editLine, column: 12 } }, text: ' ' }
      : { range: { start: { line: editLine, column: 12 }, end: { line: editLine, column: 13 } }, text: '' };
    const t0 = performance.now();
    doc.update([change]);
    times.push(performance.now() - t0);
  }
  doc.dispose();
  return { p50: median(times), p95: pct(times, 0.95) };
}

console.log(`model file: ${lines.length} lines, ${(source.length / 1024).toFixed(0)} KB`);
full(base);
const fb = full(base);
const fw = full({ ...base, onnxTarget: whitelist });
console.log(`full analysis (parse + rules): no target ${fb.ms.toFixed(1)} ms; whitelist target ${fw.ms.toFixed(1)} ms, ${fw.findings} findings; ratio ${(fw.ms / fb.ms).toFixed(2)}x`);
const kb = keystrokes(base);
const kw = keystrokes({ ...base, onnxTarget: whitelist });
console.log(`keystroke (helper forward calls): no target p50 ${kb.p50.toFixed(2)} ms p95 ${kb.p95.toFixed(2)} ms; whitelist target p50 ${kw.p50.toFixed(2)} ms p95 ${kw.p95.toFixed(2)} ms; p50 ratio ${(kw.p50 / kb.p50).toFixed(2)}x`);

if (existsSync(CORPUS)) {
  const scan = async (analysis) => {
    const t0 = performance.now();
    const r = await core.scanWorkspace([CORPUS], { analysis, wasmDir: DIST, workerScript: WORKER, workers: 2, maxFileSizeKB: 4096, gitignore: false });
    const n = r.reports.reduce((a, x) => a + x.findings.filter((f) => f.rule.startsWith('onnx-export')).length, 0);
    return { ms: performance.now() - t0, parsed: r.stats.parsed, files: r.files, n };
  };
  const s0 = await scan(base);
  const s1 = await scan({ ...base, onnxTarget: ascend });
  const s2 = await scan({ ...base, onnxTarget: whitelist });
  console.log(`corpus scan (${s0.files} files, 2 workers): no target ${s0.ms.toFixed(0)} ms (${s0.parsed} parsed); ascend310p ${s1.ms.toFixed(0)} ms (${s1.parsed} parsed, ${s1.n} export findings), ratio ${(s1.ms / s0.ms).toFixed(2)}x; whitelist ${s2.ms.toFixed(0)} ms (${s2.parsed} parsed, ${s2.n} export findings), ratio ${(s2.ms / s0.ms).toFixed(2)}x`);
} else console.log(`corpus ${CORPUS} not found (apt-get install python3-torch): scan skipped`);
bundled.dispose();
