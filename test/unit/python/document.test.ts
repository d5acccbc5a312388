import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PythonDocument } from '../../../src/core/python/document';
import { analyzePython } from '../../../src/core/python/analyze';
import { LineIndex } from '../../../src/core/python/text';
import { DEFAULT_OPTIONS, type Finding } from '../../../src/core/python/types';
import { loadParser, SEED_FIXTURES } from './parser';

const summary = (fs: readonly Finding[]) =>
  fs.map((f) => `${f.rule}@${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column}#${f.startIndex} ${f.fixes.map((x) => x.edits.map((e) => `${e.range.start.line}:${e.range.start.column}=${e.newText}`).join('|')).join(' / ')}`);

/** A small deterministic generator so failures reproduce. */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

// Infinity: every re-parse finishes on the keystroke (deterministic); 0: re-parses give up at once and
// are finished by settle() (the deferred path a slow error recovery takes).
for (const [seed, budget] of [[7, Infinity], [11, Infinity], [23, Infinity], [31, 0]] as const) test(`incremental re-analysis after each edit equals a fresh analysis (120 random edits, seed ${seed}, re-parse budget ${budget} ms)`, async () => {
  const parser = await loadParser();
  const text = ['inference_e1_1.py', 'inference.py', 'gradio_demo_1_1.py'].map((n) => readFileSync(path.join(SEED_FIXTURES, n), 'utf8')).join('\n');
  const doc = new PythonDocument(parser, text, DEFAULT_OPTIONS, { parseBudgetMs: budget });
  const next = random(seed);
  const inserts = ['x', ' ', '\n', '(', ')', '"cuda"', '.cuda()', '#', 'import os\n', '    ', 'é', '😀', '"""', "'", 'from flash_attn import flash_attn_func\n', 'device', ':'];
  let partial = 0;
  let deferred = 0;
  for (let i = 0; i < 120; i++) {
    const lines = new LineIndex(doc.text);
    const start = Math.floor(next() * doc.text.length);
    const end = next() < 0.3 ? Math.min(doc.text.length, start + Math.floor(next() * 5)) : start;
    // never split a surrogate pair
    const safe = (o: number) => (/[\uDC00-\uDFFF]/.test(doc.text[o] ?? '') ? o + 1 : o);
    const s = safe(start);
    const e = Math.max(s, safe(end));
    const insert = inserts[Math.floor(next() * inserts.length)]!;
    doc.update([{ range: { start: lines.positionAt(s), end: lines.positionAt(e) }, text: insert }]);
    if (doc.lastUpdate === 'partial') partial++;
    if (doc.lastUpdate === 'deferred') {
      deferred++;
      assert.ok(doc.unsettled, 'a deferred update leaves the document unsettled');
    }
    // The oracle: a full analysis of the same tree. (With syntax errors, tree-sitter's incremental
    // re-parse may recover differently from a fresh parse; that is the parser's business, not ours.)
    const oracle = () => summary(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS }));
    const what = `after edit ${i} (${JSON.stringify(insert)} at ${s}-${e}, ${doc.lastUpdate})`;
    if (!doc.unsettled) assert.deepEqual(summary(doc.findings), oracle(), what);
    doc.settle();
    assert.deepEqual(summary(doc.findings), oracle(), `${what}, settled`);
  }
  if (budget === Infinity) assert.ok(partial > 20, `only ${partial} of 120 updates were incremental`);
  else assert.ok(deferred > 20, `only ${deferred} of 120 updates were deferred`);
  doc.dispose();
});

test('typing one character keeps other findings in place and moves those after it', async () => {
  const parser = await loadParser();
  const doc = new PythonDocument(parser, 'import torch\n\nx = 1\na.to("cuda")\n', DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  doc.update([{ range: { start: { line: 2, column: 5 }, end: { line: 2, column: 5 } }, text: '\n' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.deepEqual(doc.findings.map((f) => f.range.start), [{ line: 4, column: 5 }]);
  doc.dispose();
});

test('a re-parse over budget keeps the findings away from the edit and finishes when settled', async () => {
  const parser = await loadParser();
  const lines = ['import torch', ''];
  for (let i = 0; i < 400; i++) lines.push(`def f${i}(x):`, `    return x.to("cuda")`, '');
  const doc = new PythonDocument(parser, lines.join('\n'), DEFAULT_OPTIONS, { parseBudgetMs: 0 });
  const before = doc.findings.length;
  assert.equal(before, 400);
  // an unclosed parenthesis at the top: error recovery over the whole file
  doc.update([{ range: { start: { line: 2, column: 7 }, end: { line: 2, column: 7 } }, text: '(' }]);
  assert.equal(doc.lastUpdate, 'deferred');
  assert.ok(doc.unsettled);
  assert.equal(doc.findings.length, 400, 'findings away from the edit stay, moved');
  assert.deepEqual(doc.findings[0]!.range.start, { line: 3, column: 16 });
  doc.settle();
  assert.ok(!doc.unsettled);
  assert.deepEqual(summary(doc.findings), summary(analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS })));
  doc.dispose();
});

test('a partial update keeps fixes right when an edit moves a top-level from-import the fixes extend', async () => {
  const parser = await loadParser();
  const text = 'import torch\n\ndef f():\n    pass\n\nfrom device_utils import DEVICE\nx.to(DEVICE)\n\ndef g(seed):\n    return (torch.Generator("cuda").manual_seed(seed),\n            seed)\n';
  const doc = new PythonDocument(parser, text, DEFAULT_OPTIONS, { parseBudgetMs: Infinity });
  // a line typed in f() moves the from-import down; then typing in g()'s statement re-analyses the
  // generator there, whose fix adds "dm" to that from-import
  doc.update([{ range: { start: { line: 3, column: 8 }, end: { line: 3, column: 8 } }, text: '\n    y = 1' }]);
  assert.equal(doc.lastUpdate, 'partial');
  doc.update([{ range: { start: { line: 11, column: 16 }, end: { line: 11, column: 16 } }, text: 'x' }]);
  assert.equal(doc.lastUpdate, 'partial');
  assert.match(doc.text, /^ {12}seedx\)$/m);
  const fresh = analyzePython({ tree: doc.syntaxTree, text: doc.text, options: DEFAULT_OPTIONS });
  assert.deepEqual(summary(doc.findings), summary(fresh));
  assert.ok(summary(fresh).some((f) => f.includes('6:31=, dm')), summary(fresh).join('\n'));
  doc.dispose();
});
