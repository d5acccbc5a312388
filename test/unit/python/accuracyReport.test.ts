// scripts/accuracy-report.mjs: the figures `npm run accuracy` prints for the tuned set, the held-out set and both.
// Built from hand-made measurements whose figures are known, so a case counted in the wrong set, a total that is
// not the sum of the two sets, or a fix break charged to the wrong set changes a cell.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../repo';

interface Line { file: string; line: number; text: string; kind?: string }
interface Row {
  c: { name: string; repo: string; heldOut?: unknown; heldOutSet?: unknown };
  m: {
    cuda: Line[]; misses: Line[]; missesSerious: Line[]; unlabelled: Line[];
    findings: { severity: string; judgement: string }[];
    grep: { hits: number; found: number; unconfirmed: number; comments: number };
  };
}
interface Fix { style: string; failures: { case: string; kind: string }[] }
interface Report {
  isHeldOut(c: Row['c']): boolean;
  setOf(c: Row['c']): number;
  setLabel(c: Row['c']): string;
  splitTable(rows: Row[]): string[];
  breaksTable(rows: Row[], fix?: Fix[]): string[];
  missLines(rows: Row[]): string[];
}
const load = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/accuracy-report.mjs')).href)) as Report;

const cudaLines = (name: string, n: number, kind: string): Line[] =>
  Array.from({ length: n }, (_, i) => ({ file: `${name}.py`, line: i + 1, text: `torch.cuda.x${i}()`, kind }));
const findings = (spec: Record<string, number>) => Object.entries(spec).flatMap(([key, n]) => {
  const [severity, judgement] = key.split(':');
  return Array.from({ length: n }, () => ({ severity, judgement }));
});

/** Tuned: A (repo r1). Held out: B and C (repo r2, r3). */
function rows(): Row[] {
  const a = cudaLines('a', 10, 'cuda-api');
  const b = cudaLines('b', 4, 'flash-attn');
  const c = cudaLines('c', 6, 'device-string');
  return [
    { c: { name: 'A', repo: 'o/r1' }, m: {
      cuda: a, misses: a.slice(0, 1), missesSerious: a.slice(0, 2), unlabelled: [],
      findings: findings({ 'error:hit': 8, 'warning:false-alarm': 1, 'warning:redundant': 1, 'info:redundant': 3, 'info:unjudged': 2 }),
      grep: { hits: 50, found: 9, unconfirmed: 30, comments: 4 } } },
    { c: { name: 'B', repo: 'o/r2', heldOut: '2026-12-06' }, m: {
      cuda: b, misses: b.slice(0, 3), missesSerious: b.slice(0, 3), unlabelled: [],
      findings: findings({ 'error:hit': 1, 'warning:false-alarm': 2, 'error:genuine': 1 }),
      grep: { hits: 20, found: 4, unconfirmed: 10, comments: 1 } } },
    { c: { name: 'C', repo: 'o/r3', heldOut: '2026-12-06' }, m: {
      cuda: c, misses: c.slice(0, 1), missesSerious: c.slice(0, 2), unlabelled: [],
      findings: findings({ 'warning:hit': 4, 'warning:redundant': 2, 'info:unjudged': 1 }),
      grep: { hits: 10, found: 2, unconfirmed: 5, comments: 0 } } },
  ];
}

/** The cells of the table row whose label starts with LABEL: [tuned, held out, all]. */
const cells = (table: string[], label: string) => {
  const row = table.find((l) => l.startsWith(`| ${label}`));
  assert.ok(row, `no row ${label} in\n${table.join('\n')}`);
  return row.split('|').slice(2, -1).map((s) => s.trim());
};

test('held out means a heldOut date in case.json; cases without one are the tuned set', async () => {
  const { isHeldOut } = await load();
  assert.equal(isHeldOut({ name: 'x', repo: 'o/r', heldOut: '2026-12-06' }), true);
  assert.equal(isHeldOut({ name: 'x', repo: 'o/r' }), false);
  assert.equal(isHeldOut({ name: 'x', repo: 'o/r', heldOut: '' }), false);
});

test('the split table gives each set its own recall, false alarms and grep baseline, and the total is both sets', async () => {
  const { splitTable } = await load();
  const table = splitTable(rows());
  assert.deepEqual(table[0].split('|').slice(2, -1).map((s) => s.trim()), ['Tuned set', 'Held-out set', 'All']);
  assert.deepEqual(cells(table, 'Cases (repositories)'), ['1 (1)', '2 (2)', '3 (3)']);
  assert.deepEqual(cells(table, 'Changed lines labelled cuda'), ['10', '10', '20']);
  // misses: A 1, B 3, C 1; at warning+: A 2, B 3, C 2
  assert.deepEqual(cells(table, 'Line recall, any severity'), ['0.90 (9/10)', '0.60 (6/10)', '0.75 (15/20)']);
  assert.deepEqual(cells(table, 'Line recall, warning/error only'), ['0.80 (8/10)', '0.50 (5/10)', '0.65 (13/20)']);
  assert.deepEqual(cells(table, 'grep baseline recall'), ['0.90 (9/10)', '0.60 (6/10)', '0.75 (15/20)']);
  // warning/error findings: A 10 (1 false alarm), B 4 (2), C 6 (0); info findings are not counted
  assert.deepEqual(cells(table, 'False alarms'), ['10.0% (1/10)', '20.0% (2/10)', '15.0% (3/20)']);
  assert.deepEqual(cells(table, 'Redundant findings at warning/error'), ['1', '2', '3']);
  assert.deepEqual(cells(table, 'Findings unjudged'), ['2', '1', '3']);
  assert.deepEqual(cells(table, 'grep hits not confirmed'), ['60.0% (30/50)', '50.0% (15/30)', '56.3% (45/80)']);
  assert.ok(!table.some((l) => l.includes('Fix-check')), 'the scan table has no fix-check row: the fix checks are measured apart');
});

test('fix-check breaks are charged to the set of the case that broke, per style', async () => {
  const { breaksTable } = await load();
  assert.deepEqual(breaksTable(rows()), [], 'no table when the fix checks did not run');
  const fix: Fix[] = [
    { style: 'deviceManager', failures: [{ case: 'A', kind: 'import' }, { case: 'B', kind: 'import' }, { case: 'C', kind: 'compile' }] },
    { style: 'torchNpu', failures: [{ case: 'C', kind: 'run' }] },
    { style: 'transferToNpu', failures: [] },
    { style: 'before', failures: [] },
  ];
  const table = breaksTable(rows(), fix);
  assert.deepEqual(table[0].split('|').slice(2, -1).map((s) => s.trim()), ['Tuned set', 'Held-out set', 'All']);
  assert.deepEqual(cells(table, 'Fix-check breaks'), ['1 / 0 / 0', '2 / 1 / 0', '3 / 1 / 0']);
});

test('misses by kind for the held-out set name only held-out cases, the largest kind first', async () => {
  const { missLines } = await load();
  const all = rows();
  const heldOut = missLines(all.filter((r) => r.c.heldOut));
  assert.equal(heldOut.length, 2);
  assert.match(heldOut[0], /^- \*\*flash-attn\*\* \(3\): /);
  assert.match(heldOut[1], /^- \*\*device-string\*\* \(1\): `torch\.cuda\.x0\(\)` \(C c\.py:1\)$/);
  assert.ok(!heldOut.join('\n').includes('(A '), heldOut.join('\n'));
  assert.deepEqual(missLines(all).map((l) => /\*\*(.+?)\*\* \((\d+)\)/.exec(l)?.slice(1).join(' ')), ['flash-attn 3', 'cuda-api 1', 'device-string 1']);
});

/** rows() plus D (repo r4) in held-out set 2. */
function rowsWithSet2(): Row[] {
  const d = cudaLines('d', 5, 'cuda-parallel-wrapper');
  return [...rows(), { c: { name: 'D', repo: 'o/r4', heldOut: '2026-12-06', heldOutSet: 2 }, m: {
    cuda: d, misses: d.slice(0, 2), missesSerious: d.slice(0, 4), unlabelled: [],
    findings: findings({ 'error:hit': 3, 'warning:false-alarm': 1, 'info:redundant': 2, 'error:redundant': 1 }),
    grep: { hits: 8, found: 1, unconfirmed: 4, comments: 2 } } }];
}

test('a case with heldOutSet 2 is in the second held-out set; without it a held-out case is in the first', async () => {
  const { setOf, setLabel } = await load();
  assert.equal(setOf({ name: 'x', repo: 'o/r' }), 0);
  assert.equal(setOf({ name: 'x', repo: 'o/r', heldOut: '2026-12-06' }), 1);
  assert.equal(setOf({ name: 'x', repo: 'o/r', heldOut: '2026-12-06', heldOutSet: 2 }), 2);
  assert.equal(setOf({ name: 'x', repo: 'o/r', heldOutSet: 2 }), 0, 'heldOutSet without a heldOut date is not held out');
  assert.equal(setLabel({ name: 'x', repo: 'o/r', heldOut: '2026-12-06', heldOutSet: 2 }), 'held out 2 (2026-12-06)');
  assert.equal(setLabel({ name: 'x', repo: 'o/r', heldOut: '2026-12-06' }), 'held out (2026-12-06)');
});

test('held-out set 2 is its own column: the first held-out set keeps its figures and the total has all four cases', async () => {
  const { splitTable, breaksTable } = await load();
  const fix: Fix[] = [
    { style: 'deviceManager', failures: [{ case: 'D', kind: 'import' }, { case: 'B', kind: 'import' }] },
    { style: 'torchNpu', failures: [{ case: 'D', kind: 'compile' }] },
    { style: 'transferToNpu', failures: [] },
    { style: 'before', failures: [] },
  ];
  const table = splitTable(rowsWithSet2());
  assert.deepEqual(table[0].split('|').slice(2, -1).map((s) => s.trim()), ['Tuned set', 'Held-out set', 'Held-out set 2', 'All']);
  assert.deepEqual(cells(table, 'Cases (repositories)'), ['1 (1)', '2 (2)', '1 (1)', '4 (4)']);
  assert.deepEqual(cells(table, 'Line recall, any severity'), ['0.90 (9/10)', '0.60 (6/10)', '0.60 (3/5)', '0.72 (18/25)']);
  assert.deepEqual(cells(table, 'Line recall, warning/error only'), ['0.80 (8/10)', '0.50 (5/10)', '0.20 (1/5)', '0.56 (14/25)']);
  assert.deepEqual(cells(table, 'grep baseline recall'), ['0.90 (9/10)', '0.60 (6/10)', '0.20 (1/5)', '0.64 (16/25)']);
  assert.deepEqual(cells(table, 'False alarms'), ['10.0% (1/10)', '20.0% (2/10)', '20.0% (1/5)', '16.0% (4/25)']);
  assert.deepEqual(cells(table, 'Redundant findings at warning/error'), ['1', '2', '1', '4']);
  assert.deepEqual(cells(breaksTable(rowsWithSet2(), fix), 'Fix-check breaks'), ['0 / 0 / 0', '1 / 0 / 0', '1 / 1 / 0', '2 / 1 / 0']);
});

/** rowsWithSet2() plus E (repo r5) in held-out set 3. */
function rowsWithSet3(): Row[] {
  const e = cudaLines('e', 4, 'nccl-backend');
  return [...rowsWithSet2(), { c: { name: 'E', repo: 'o/r5', heldOut: '2026-12-07', heldOutSet: 3 }, m: {
    cuda: e, misses: e.slice(0, 1), missesSerious: e.slice(0, 1), unlabelled: [],
    findings: findings({ 'error:hit': 3, 'warning:genuine': 2, 'info:false-alarm': 1 }),
    grep: { hits: 6, found: 4, unconfirmed: 2, comments: 0 } } }];
}

test('held-out set 3 is a column after set 2; the earlier sets keep their figures and the total has all five cases', async () => {
  const { splitTable, breaksTable, setOf, setLabel } = await load();
  assert.equal(setOf({ name: 'x', repo: 'o/r', heldOut: '2026-12-07', heldOutSet: 3 }), 3);
  assert.equal(setLabel({ name: 'x', repo: 'o/r', heldOut: '2026-12-07', heldOutSet: 3 }), 'held out 3 (2026-12-07)');
  const fix: Fix[] = [
    { style: 'deviceManager', failures: [{ case: 'E', kind: 'import' }, { case: 'D', kind: 'import' }] },
    { style: 'torchNpu', failures: [{ case: 'E', kind: 'run' }, { case: 'E', kind: 'compile' }] },
    { style: 'transferToNpu', failures: [] },
    { style: 'before', failures: [{ case: 'E', kind: 'import' }] },
  ];
  const table = splitTable(rowsWithSet3());
  assert.deepEqual(table[0].split('|').slice(2, -1).map((s) => s.trim()), ['Tuned set', 'Held-out set', 'Held-out set 2', 'Held-out set 3', 'All']);
  assert.deepEqual(cells(table, 'Cases (repositories)'), ['1 (1)', '2 (2)', '1 (1)', '1 (1)', '5 (5)']);
  assert.deepEqual(cells(table, 'Line recall, any severity'), ['0.90 (9/10)', '0.60 (6/10)', '0.60 (3/5)', '0.75 (3/4)', '0.72 (21/29)']);
  assert.deepEqual(cells(table, 'Line recall, warning/error only'), ['0.80 (8/10)', '0.50 (5/10)', '0.20 (1/5)', '0.75 (3/4)', '0.59 (17/29)']);
  assert.deepEqual(cells(table, 'grep baseline recall'), ['0.90 (9/10)', '0.60 (6/10)', '0.20 (1/5)', '1.00 (4/4)', '0.69 (20/29)']);
  // E: 5 warning/error findings, none a false alarm (its false alarm is information)
  assert.deepEqual(cells(table, 'False alarms'), ['10.0% (1/10)', '20.0% (2/10)', '20.0% (1/5)', '0.0% (0/5)', '13.3% (4/30)']);
  assert.deepEqual(cells(breaksTable(rowsWithSet3(), fix), 'Fix-check breaks'), ['0 / 0 / 0', '0 / 0 / 0', '1 / 0 / 0', '1 / 2 / 0', '2 / 2 / 0']);
});
