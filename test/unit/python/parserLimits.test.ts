/**
 * The Python parser's limits (issue 16: a raw `Aborted()` from the wasm runtime on a big file). Its own
 * process (node --test runs each file apart), so the wasm memory starts at its initial 32 MiB.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AnalysisBudgetError, analyzeSource, ParserLimitError } from '../../../src/core/python/index';
import { DEFAULT_OPTIONS } from '../../../src/core/python/types';
import { loadParser } from './parser';

/** 200,000 nested brackets: 400 KB whose parse needs well over 64 MiB of parser memory (a stack per level). */
const DEEP = `x = ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;

test('a text whose syntax tree would not fit the parser memory: ParserLimitError with a clear message, nothing printed, and the parser still parses', async () => {
  const parser = await loadParser();
  const limited = parser.withMemoryLimit(64 * 2 ** 20);
  const printed: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const error = console.error;
  process.stderr.write = ((chunk: string | Uint8Array) => (printed.push(String(chunk)), true)) as typeof process.stderr.write;
  console.error = (...args: unknown[]) => printed.push(args.map(String).join(' '));
  let thrown: unknown;
  try {
    limited.parse(DEEP);
  } catch (e) {
    thrown = e;
  } finally {
    process.stderr.write = write;
    console.error = error;
  }
  assert.ok(thrown instanceof ParserLimitError, String(thrown));
  assert.equal(thrown.message, 'Skipped: too large for the Python parser (400005 characters; its syntax tree would need more than 64 MiB)');
  assert.deepEqual(printed, []);
  // The same for the scan's entry point, which reports the file as skipped.
  assert.throws(() => analyzeSource(limited, DEEP, DEFAULT_OPTIONS, 600_000), ParserLimitError);
  // The runtime is intact: the next parse works.
  const tree = parser.parse('import torch\nx = torch.zeros(1).cuda()\n');
  assert.equal(tree.rootNode.hasError, false);
  tree.delete();
  assert.equal(analyzeSource(parser, 'import torch\nx = torch.zeros(1).cuda()\n', DEFAULT_OPTIONS).length, 1);
});

test('the analysis budget covers the parse, and a file over it is reported with its whole budget (was "within 0 s" when the parse used it up)', async () => {
  const parser = await loadParser();
  let thrown: unknown;
  try {
    // The parse of DEEP takes seconds; 300 ms of budget ends it.
    analyzeSource(parser, DEEP, DEFAULT_OPTIONS, 300);
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof AnalysisBudgetError, String(thrown));
  assert.equal(thrown.budgetMs, 300);
  assert.equal(thrown.message, 'Skipped: too complex to analyse within 0.3 s');
});
