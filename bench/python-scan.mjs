// Python migration benchmarks (issue 4), all measured in this run on Debian's python3-torch sources:
//  - workspace scan (cold: every file read, pre-filtered, parsed where needed, all rules; 2 worker threads)
//    against Ruff's wasm build (rules E and F, single thread), a bare tree-sitter parse of every file
//    (single thread) and a bare regex search for "cuda";
//  - re-scan with the content-hash cache;
//  - peak memory (max RSS) of a scan in a fresh process.
// usage: node bench/python-scan.mjs [corpus-dir]   (npm run bench -- python builds dist/ first)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { ROOT, bundleCore, pythonFiles } from './lib/core.mjs';

const require = createRequire(import.meta.url);
const CORPUS = process.argv[2] ?? '/usr/lib/python3/dist-packages/torch';
const DIST = join(ROOT, 'dist');
const WORKER = join(DIST, 'workers', 'scan.worker.js');
if (!existsSync(CORPUS)) {
  console.log(`python-scan: corpus ${CORPUS} not found (apt-get install python3-torch); skipped`);
  process.exit(0);
}
if (!existsSync(WORKER) || !existsSync(join(DIST, 'tree-sitter-python.wasm'))) {
  console.error('python-scan: build first (node scripts/build.mjs)');
  process.exit(1);
}

// The core API, bundled for this run (dist/ only holds the CLI, the extension and the workers).
const bundled = await bundleCore("export * from './src/core/workspace/scan'; export { PythonDocument } from './src/core/python/document'; export { PythonParser } from './src/core/python/parser'; export { DEFAULT_OPTIONS } from './src/core/python/types'; export { fixSource, analyzeSource, mayHaveFindings } from './src/core/python/index';");
const core = bundled.load();

const files = pythonFiles(CORPUS);
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
console.log(`corpus: ${files.length} Python files, ${(bytes / 1e6).toFixed(1)} MB (${CORPUS})`);

const time = async (fn) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

// Baselines, single thread, texts already in memory.
const regex = await time(() => texts.filter((t) => /cuda/.test(t)).length);
const parser = await core.PythonParser.load(DIST);
// The bare baseline: web-tree-sitter as documented (a string in), the 3.3 s figure.
const TreeSitter = require('web-tree-sitter');
await TreeSitter.Parser.init({ locateFile: () => join(DIST, 'tree-sitter.wasm') });
const rawParser = new TreeSitter.Parser();
rawParser.setLanguage(await TreeSitter.Language.load(join(DIST, 'tree-sitter-python.wasm')));
const parse = await time(() => {
  for (const t of texts) rawParser.parse(t).delete();
});
const parseChunked = await time(() => {
  for (const t of texts) parser.parse(t).delete();
});
const ruffModule = require('@astral-sh/ruff-wasm-nodejs');
const ruff = new ruffModule.Workspace({ lint: { select: ['E', 'F'] } }, ruffModule.PositionEncoding.Utf16);
const ruffRun = await time(() => texts.reduce((n, t) => n + ruff.check(t).length, 0));

// Our scan: reads the files itself.
const options = { analysis: core.DEFAULT_OPTIONS, wasmDir: DIST, workerScript: WORKER, workers: 2, maxFileSizeKB: 4096, gitignore: false };
const cache = new core.ScanCache();
const cold = await time(() => core.scanWorkspace([CORPUS], { ...options, cache }));
const warm = await time(() => core.scanWorkspace([CORPUS], { ...options, cache }));
const findings = cold.value.reports.reduce((n, r) => n + r.findings.length, 0);

console.log(`regex /cuda/ (1 thread):           ${regex.ms.toFixed(0).padStart(6)} ms  (${regex.value} files match)`);
console.log(`tree-sitter parse all (1 thread):  ${parse.ms.toFixed(0).padStart(6)} ms  (string input; our chunked input: ${parseChunked.ms.toFixed(0)} ms)`);
console.log(`Ruff wasm E+F (1 thread):          ${ruffRun.ms.toFixed(0).padStart(6)} ms  (${ruffRun.value} diagnostics)`);
console.log(`npu-port scan, cold (2 workers):   ${cold.ms.toFixed(0).padStart(6)} ms  (${cold.value.files} files read, ${cold.value.stats.parsed} parsed, ${cold.value.stats.skippedByPrefilter} skipped by the pre-filter, ${findings} findings)`);
console.log(`npu-port re-scan, cached:          ${warm.ms.toFixed(0).padStart(6)} ms  (${warm.value.stats.fromCache} from cache)`);
console.log(`ratio scan / Ruff:                 ${(cold.ms / ruffRun.ms).toFixed(2)}x   (target <= 0.5)`);
console.log(`ratio scan / tree-sitter parse:    ${(cold.ms / parse.ms).toFixed(2)}x`);
console.log(`ratio re-scan / cold scan:         ${(warm.ms / cold.ms).toFixed(2)}x`);

// Fix-all over every corpus file with findings (both code-changing styles), then py_compile of every result.
{
  const out = mkdtempSync(join(tmpdir(), 'npu-port-fixall-'));
  let changed = 0;
  let fixes = 0;
  let left = 0;
  const fixAll = await time(() => {
    for (const style of ['deviceManager', 'torchNpu']) {
      const options = { style, deviceModule: 'device_utils' };
      texts.forEach((text, i) => {
        if (!core.mayHaveFindings(text)) return;
        const result = core.fixSource(parser, text, options);
        if (result.fixed.length === 0) return;
        changed++;
        fixes += result.fixed.length;
        left += core.analyzeSource(parser, result.text, options).filter((f) => f.fixes.length > 0).length;
        writeFileSync(join(out, `${style}_${i}.py`), result.text);
      });
    }
  });
  const compiled = spawnSync('/usr/bin/python3', ['-c', 'import glob, py_compile, sys\nbad = 0\nfor p in glob.glob(sys.argv[1] + "/*.py"):\n    try:\n        py_compile.compile(p, doraise=True)\n    except py_compile.PyCompileError:\n        bad += 1\nprint(bad)', out], { encoding: 'utf8' });
  console.log(`fix-all over the corpus (deviceManager + torchNpu): ${changed} files, ${fixes} fixes in ${fixAll.ms.toFixed(0)} ms; fixable findings left: ${left}; py_compile failures: ${compiled.status === 0 ? compiled.stdout.trim() : 'python3 not run'}`);
  rmSync(out, { recursive: true, force: true });
}

// Keystroke latency: bench/python-keystroke.mjs.

// Peak memory of a scan in a fresh process (main thread + workers share the process): RSS sampled every 5 ms.
// (process.resourceUsage().maxRSS would not do: on Linux a spawned child starts with its parent's peak.)
const child = spawnSync(process.execPath, ['-e', `
  const core = require(${JSON.stringify(bundled.file)});
  let peak = process.memoryUsage().rss;
  const start = peak;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  core.scanWorkspace([${JSON.stringify(CORPUS)}], ${JSON.stringify(options)}).then((r) => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    process.stdout.write(JSON.stringify({ peak, start, files: r.files }));
  });
`], { encoding: 'utf8' });
try {
  const { peak, start } = JSON.parse(child.stdout);
  console.log(`peak memory (RSS) of a cold scan in a fresh process: ${(peak / 2 ** 20).toFixed(0)} MB (${(start / 2 ** 20).toFixed(0)} MB before the scan)`);
} catch {
  console.log(`peak memory: child failed: ${child.stderr}`);
}
bundled.dispose();
