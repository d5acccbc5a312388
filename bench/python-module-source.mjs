// "Go to PyTorch Source" locator (issue 8), measured in this run on Debian's python3-torch sources plus the
// EdgeSAM-like fixture tree: the first lookup on a fresh index (cold: the files handed in, then only those a
// text search says can matter are parsed), a re-index with nothing changed plus a lookup (warm: what each
// later click costs), and reading every file for classes (what an index without the text search costs);
// the baseline is a bare tree-sitter parse of the same files with the same parser.
// usage: node bench/python-module-source.mjs [corpus-dir]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, bundleCore, pythonFiles } from './lib/core.mjs';

const CORPUS = process.argv[2] ?? '/usr/lib/python3/dist-packages/torch';
if (!existsSync(CORPUS)) {
  console.log(`python-module-source: corpus ${CORPUS} not found (apt-get install python3-torch); skipped`);
  process.exit(0);
}
// The core API, bundled for this run (dist/ only holds the CLI, the extension and the workers).
const bundled = await bundleCore("export * from './src/core/sourceLinks/moduleSource'; export { PythonParser } from './src/core/python/parser';");
const core = bundled.load();
bundled.dispose();

const files = pythonFiles(CORPUS, join(ROOT, 'test/fixtures/pytorch/edgesam_like'));
const sources = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const bytes = sources.reduce((n, s) => n + Buffer.byteLength(s.text), 0);
console.log(`corpus: ${files.length} Python files, ${(bytes / 1e6).toFixed(1)} MB (${CORPUS} + the EdgeSAM-like fixture)`);
const parser = await core.PythonParser.load(join(ROOT, 'node_modules'));

const time = (fn) => {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const parseAll = () => { for (const s of sources) parser.parse(s.text).delete(); };
parseAll(); // warm-up (wasm compile, JIT)
const bare = median([0, 1, 2].map(() => time(parseAll).ms));
const name = '/mask_decoder/transformer/layers.0/self_attn/q_proj/MatMul';
const fresh = () => { const index = new core.PythonClassIndex(parser); for (const s of sources) index.update(s); return index; };
let best;
const cold = median([0, 1, 2].map(() => time(() => { best = core.locateModuleSource(fresh(), name).candidates[0]; }).ms));
const index = fresh();
core.locateModuleSource(index, name);
const warm = median([...Array(10)].map(() => time(() => { for (const s of sources) index.update(s); index.retain(sources.map((s) => s.file)); core.locateModuleSource(index, name); }).ms));
const full = median([0, 1, 2].map(() => time(() => [...fresh().classes()].length).ms));
const classes = [...fresh().classes()].length;
console.log(`classes in the corpus: ${classes}; ${name} → ${best ? `${best.kind} ${best.file.split('/').slice(-1)[0]}:${best.line + 1}` : 'none'}`);
console.log(`bare tree-sitter parse of every file (baseline): ${bare.toFixed(0)} ms`);
console.log(`first lookup, cold index (text search, then the files that can matter parsed): ${cold.toFixed(0)} ms  ratio ${(cold / bare).toFixed(3)}× the bare parse`);
console.log(`later lookup (nothing changed): ${warm.toFixed(1)} ms  ratio ${(warm / bare).toFixed(4)}× the bare parse`);
console.log(`every file read for classes (no text search): ${full.toFixed(0)} ms  ratio ${(full / bare).toFixed(2)}× the bare parse`);
