// Keystroke latency of the Python analysis (issue 4), and where the time goes.
// A 5,000-line file made of Debian python3-torch sources that mention CUDA; 200 one-character edits ("x"
// typed, then deleted: 400 updates) at random places (often a syntax error) and at identifier ends
// (code stays valid). Per update: the whole PythonDocument.update() and its tree-sitter re-parse part.
// Baseline in the same run: the bare incremental re-parse of the same edits with web-tree-sitter
// (tree.edit + parse with the old tree, same chunked input), nothing else.
// usage: node bench/python-keystroke.mjs [corpus-dir]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { ROOT, bundleCore, pythonFiles } from './lib/core.mjs';

const require = createRequire(import.meta.url);
const CORPUS = process.argv[2] ?? '/usr/lib/python3/dist-packages/torch';
const DIST = join(ROOT, 'dist');
if (!existsSync(CORPUS)) {
  console.log(`python-keystroke: corpus ${CORPUS} not found (apt-get install python3-torch); skipped`);
  process.exit(0);
}
if (!existsSync(join(DIST, 'tree-sitter-python.wasm'))) {
  console.error('python-keystroke: build first (node scripts/build.mjs)');
  process.exit(1);
}
// The core API, bundled for this run (dist/ only holds the CLI, the extension and the workers).
const bundled = await bundleCore("export { PythonDocument } from './src/core/python/document'; export { PythonParser } from './src/core/python/parser'; export { DEFAULT_OPTIONS } from './src/core/python/types'; export { KEYSTROKE_PARSE_BUDGET_MS } from './src/core/python/document'; export { LineIndex } from './src/core/python/text';");
const core = bundled.load();
const parser = await core.PythonParser.load(DIST);
const TreeSitter = require('web-tree-sitter');
await TreeSitter.Parser.init({ locateFile: () => join(DIST, 'tree-sitter.wasm') });
const rawParser = new TreeSitter.Parser();
rawParser.setLanguage(await TreeSitter.Language.load(join(DIST, 'tree-sitter-python.wasm')));

const files = pythonFiles(CORPUS);
files.sort();
const lines = [];
for (const f of files) {
  const t = readFileSync(f, 'utf8');
  if (!/cuda/.test(t)) continue;
  lines.push(...t.split('\n'));
  if (lines.length >= 5000) break;
}
const big = lines.slice(0, 5000).join('\n') + '\n';
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sortNum = (a) => [...a].sort((x, y) => x - y);
const lineOf = (text, line) => text.split('\n', line + 1)[line] ?? '';

/** The same 200 edit places for every contender: positions picked on the text as it is before each edit. */
function editPlaces(pick) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const places = [];
  for (let i = 0; i < 200; i++) places.push(pick(big, rand)); // "x" is deleted again, so the text is `big` before each edit
  return places;
}

function ours(places, parseBudgetMs) {
  const doc = new core.PythonDocument(parser, big, core.DEFAULT_OPTIONS, { parseBudgetMs });
  const total = [];
  const parse = [];
  const cpu = [];
  let broken = 0;
  let deferred = 0;
  for (const at of places) {
    for (const change of [{ range: { start: at, end: at }, text: 'x' }, { range: { start: at, end: { line: at.line, column: at.column + 1 } }, text: '' }]) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      doc.update([change]);
      total.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      parse.push(doc.parseMs);
      if (doc.lastUpdate === 'deferred') deferred++;
      if (doc.unsettled) {
        broken++;
        doc.settle(); // what the editor runs once typing pauses, off the keystroke path
      }
    }
  }
  doc.dispose();
  return { total, parse, cpu, broken, deferred };
}

/** Bare web-tree-sitter: tree.edit + incremental parse of the same edits (same 2,048-character chunks as our parser). */
function bare(places) {
  let text = big;
  let tree = rawParser.parse((i) => text.slice(i, i + 2048));
  const index = new core.LineIndex(text);
  const samples = [];
  const cpu = [];
  for (const at of places) {
    const offset = index.offsetAt(at);
    for (const [insert, del] of [['x', 0], ['', 1]]) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const start = offset;
      const oldEnd = offset + del;
      const newEnd = offset + insert.length;
      tree.edit({
        startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd,
        startPosition: { row: at.line, column: at.column }, oldEndPosition: { row: at.line, column: at.column + del }, newEndPosition: { row: at.line, column: at.column + insert.length },
      });
      text = text.slice(0, start) + insert + text.slice(oldEnd);
      const next = rawParser.parse((i) => text.slice(i, i + 2048), tree);
      next.getChangedRanges(tree);
      tree.delete();
      tree = next;
      samples.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  tree.delete();
  return { wall: samples, cpu };
}

function report(name, pick) {
  const places = editPlaces(pick);
  // interleaved twice, so that changes in machine load hit every contender alike
  const runs = { bare: [], unbounded: [], budget: [] };
  for (let round = 0; round < 2; round++) {
    runs.bare.push(bare(places));
    runs.unbounded.push(ours(places, Infinity));
    runs.budget.push(ours(places, core.KEYSTROKE_PARSE_BUDGET_MS));
  }
  const base = sortNum(runs.bare.flatMap((r) => r.wall));
  const baseCpu = sortNum(runs.bare.flatMap((r) => r.cpu));
  console.log(`keystroke, 5,000-line file, ${name} (${base.length} updates each):`);
  console.log(`  bare web-tree-sitter incremental re-parse: p50 ${pct(base, 50).toFixed(2)} ms, p95 ${pct(base, 95).toFixed(2)} ms; CPU time p50 ${pct(baseCpu, 50).toFixed(2)} ms, p95 ${pct(baseCpu, 95).toFixed(2)} ms   (baseline)`);
  for (const [label, rs] of [['re-parse always finished on the keystroke', runs.unbounded], [`re-parse budget ${core.KEYSTROKE_PARSE_BUDGET_MS} ms, the rest deferred to the pause`, runs.budget]]) {
    const total = rs.flatMap((r) => r.total);
    const parse = rs.flatMap((r) => r.parse);
    const rest = sortNum(total.map((t, i) => t - parse[i]));
    const sorted = sortNum(total);
    const sortedParse = sortNum(parse);
    const broken = rs.reduce((n, r) => n + r.broken, 0);
    const deferred = rs.reduce((n, r) => n + r.deferred, 0);
    const cpu = sortNum(rs.flatMap((r) => r.cpu));
    console.log(`  npu-port update, ${label}: p50 ${pct(sorted, 50).toFixed(2)} ms, p95 ${pct(sorted, 95).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms   (p95 ${(pct(sorted, 95) / pct(base, 95)).toFixed(2)}× the bare re-parse's p95); CPU time p50 ${pct(cpu, 50).toFixed(2)} ms, p95 ${pct(cpu, 95).toFixed(2)} ms (${(pct(cpu, 95) / pct(baseCpu, 95)).toFixed(2)}×)`);
    console.log(`    re-parse part: p50 ${pct(sortedParse, 50).toFixed(2)} ms, p95 ${pct(sortedParse, 95).toFixed(2)} ms; the rest (edit bookkeeping, rules): p50 ${pct(rest, 50).toFixed(2)} ms, p95 ${pct(rest, 95).toFixed(2)} ms; ${deferred} deferred, ${broken} left for the pause-time full pass`);
  }
}

report('"x" at random places (often a syntax error)', (text, rand) => {
  const line = Math.floor(rand() * 4990);
  return { line, column: Math.floor(rand() * (lineOf(text, line).length + 1)) };
});
report('"x" typed at the end of identifiers (code stays valid)', (text, rand) => {
  for (;;) {
    const line = Math.floor(rand() * 4990);
    const content = lineOf(text, line);
    const ends = [...content.matchAll(/[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])/g)].map((m) => m.index + m[0].length);
    if (ends.length && !/^\s*(#|import|from)/.test(content) && !/["']/.test(content)) return { line, column: ends[Math.floor(rand() * ends.length)] };
  }
});
bundled.dispose();
