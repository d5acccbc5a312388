// Scan time on long `a + b + …` expressions with a finding in every term (issue 16): 1k, 4k, 16k and
// 64k terms, each against a bare tree-sitter parse of the same text measured in the same run. The
// analysis is linear when the ratio stays flat as the chain grows (goal: the 64k ratio within 2× of the 1k one).
// usage: node bench/python-chain.mjs   (npm run bench -- chain builds dist/ first)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { ROOT, bundleCore } from './lib/core.mjs';

const require = createRequire(import.meta.url);
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'tree-sitter-python.wasm'))) {
  console.error('python-chain: build first (node scripts/build.mjs)');
  process.exit(1);
}
const core = (await bundleCore("export { PythonParser } from './src/core/python/parser'; export { DEFAULT_OPTIONS } from './src/core/python/types'; export { analyzeSource } from './src/core/python/index';")).load();
const parser = await core.PythonParser.load(DIST);
const TreeSitter = require('web-tree-sitter');
await TreeSitter.Parser.init({ locateFile: () => join(DIST, 'tree-sitter.wasm') });
const bare = new TreeSitter.Parser();
bare.setLanguage(await TreeSitter.Language.load(join(DIST, 'tree-sitter-python.wasm')));

/** Kinds of terms: a .cuda() call, a torch.device("cuda") (data-flow and call checks), a torch.cuda API. */
const KINDS = {
  'x.cuda()': (i) => `x${i}.cuda()`,
  'torch.device("cuda")': () => 'torch.device("cuda")',
  'torch.cuda.memory_allocated(i)': (i) => `torch.cuda.memory_allocated(${i})`,
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn, runs) => {
  const ms = [];
  let value;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    value = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), value };
};

// warm-up (compilation of both code paths), not measured
for (const term of Object.values(KINDS)) {
  const text = `import torch\ny = ${Array.from({ length: 1000 }, (_, i) => term(i)).join(' + ')}\n`;
  bare.parse(text).delete();
  core.analyzeSource(parser, text, core.DEFAULT_OPTIONS);
}
console.log('terms   kind                             KB   parse ms   scan ms  findings  scan/parse');
for (const [kind, term] of Object.entries(KINDS)) {
  const ratios = [];
  for (const n of [1000, 4000, 16000, 64000]) {
    const text = `import torch\ny = ${Array.from({ length: n }, (_, i) => term(i)).join(' + ')}\n`;
    const runs = n >= 64000 ? 1 : 3;
    const parse = time(() => bare.parse(text).delete(), runs);
    // the whole per-file work of a scan: parse (chunked) and every rule, no time budget
    const scan = time(() => core.analyzeSource(parser, text, core.DEFAULT_OPTIONS).length, runs);
    ratios.push(scan.ms / parse.ms);
    console.log(`${String(n).padStart(5)}   ${kind.padEnd(30)} ${String(Math.round(text.length / 1024)).padStart(5)} ${parse.ms.toFixed(0).padStart(9)} ${scan.ms.toFixed(0).padStart(9)} ${String(scan.value).padStart(9)} ${(scan.ms / parse.ms).toFixed(1).padStart(10)}×`);
  }
  console.log(`        ${kind}: ratio at 64k / ratio at 1k = ${(ratios[3] / ratios[0]).toFixed(2)} (linear within 2×: ${ratios[3] / ratios[0] <= 2 ? 'yes' : 'NO'})`);
}
