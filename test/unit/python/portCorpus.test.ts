// The real-port corpus (test/fixtures/ports, measured by `npm run accuracy`) must stay well-formed: every case
// names its source and licence, its diff applies to its parent files, and every hand label points at a line that
// exists with the text the labeller saw. Figures are not asserted here: docs/accuracy.md records them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo';

const PORTS = path.join(REPO_ROOT, 'test', 'fixtures', 'ports');
const LABELS = new Set(['cuda', 'other']);
const JUDGEMENTS = new Set(['genuine', 'redundant', 'false-alarm']);
const LICENCES: Record<string, RegExp> = {
  'Apache-2.0': /Apache License[\s\S]{0,40}Version 2\.0/i,
  MIT: /Permission is hereby granted, free of charge/i,
  BSD: /Redistribution and use in source and binary forms/i,
};

interface ChangedLine { file: string; line: number; text: string; label: string | null; kind?: string; reason?: string }
interface Judged { file: string; line: number; rule: string; judgement: string; reason?: string }
interface Case {
  repo: string; commit: string; parent: string; subject: string; url: string; licence: string;
  heldOut?: string; heldOutSet?: number;
  touched: string[]; changedLines: ChangedLine[]; findings: Judged[];
}

const cases = readdirSync(PORTS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => ({ name: e.name, dir: path.join(PORTS, e.name) }));
const load = (dir: string): Case => JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case;
const parentLines = new Map<string, string[]>();
const linesOf = (dir: string, file: string): string[] | undefined => {
  const p = path.join(dir, 'parent', file);
  if (!parentLines.has(p)) {
    if (!existsSync(p)) return undefined;
    parentLines.set(p, readFileSync(p, 'utf8').split('\n'));
  }
  return parentLines.get(p);
};

/** The parent lines a unified diff removes or replaces (not blank, not comment-only), as file:line. */
function removedLines(diff: string): string[] {
  const out: string[] = [];
  let file = '';
  let line = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('--- ')) { file = l === '--- /dev/null' ? '' : l.slice(6); continue; }
    if (l.startsWith('+++ ')) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+/.exec(l);
    if (hunk) { line = Number(hunk[1]); continue; }
    if (l.startsWith('-')) {
      if (file && l.slice(1).trim() && !/^\s*#/.test(l.slice(1))) out.push(`${file}:${line}`);
      line++;
    } else if (l.startsWith(' ')) line++;
  }
  return out;
}

test('the corpus has at least 20 cases from at least 10 repositories and stays under 7 MB', () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
  const repos = new Set(cases.map((c) => load(c.dir).repo));
  assert.ok(repos.size >= 10, `${repos.size} repositories`);
  const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + size(path.join(p, f)), 0) : statSync(p).size);
  const total = size(PORTS);
  assert.ok(total < 7 * 1024 * 1024, `${total} bytes`); // 5 MB until the second held-out set (8 cases, 0.8 MB), 6 MB until the third (6 cases, 0.56 MB)
});

test('held-out cases carry the date their blind labels were committed and come from repositories outside the tuned set', () => {
  const all = cases.map((c) => ({ name: c.name, ...load(c.dir) }));
  const heldOut = all.filter((c) => c.heldOut !== undefined);
  const tunedRepos = new Set(all.filter((c) => c.heldOut === undefined).map((c) => c.repo));
  for (const c of heldOut) {
    assert.match(String(c.heldOut), /^\d{4}-\d{2}-\d{2}$/, `${c.name}: heldOut must be the date (YYYY-MM-DD) of its labels`);
    assert.ok(!tunedRepos.has(c.repo), `${c.name}: ${c.repo} is in the tuned set, so its cases are not held out`);
  }
  // A later held-out set (heldOutSet 2, ...) is blind only if its repositories are in no earlier set.
  const setOf = (c: { heldOutSet?: number }): number => c.heldOutSet ?? 1;
  for (const c of heldOut) {
    assert.ok(Number.isInteger(setOf(c)) && setOf(c) >= 1, `${c.name}: heldOutSet must be a positive integer`);
    const earlier = heldOut.find((o) => o.repo === c.repo && setOf(o) < setOf(c));
    assert.ok(!earlier, `${c.name}: ${c.repo} is already in held-out set ${earlier ? setOf(earlier) : ''}`);
  }
});

for (const { name, dir } of cases) {
  test(`port case ${name}: source, licence, diff and labels are consistent`, () => {
    for (const f of ['case.json', 'change.diff', 'LICENSE', 'parent']) assert.ok(existsSync(path.join(dir, f)), `${name}/${f} is missing`);
    const c = load(dir);
    assert.match(c.repo, /^[\w.-]+\/[\w.-]+$/);
    assert.match(c.commit, /^[0-9a-f]{40}$/);
    assert.match(c.parent, /^[0-9a-f]{40}$/);
    assert.equal(c.url, `https://github.com/${c.repo}/commit/${c.commit}`);
    assert.ok(c.subject.trim(), 'subject');
    assert.ok(name.startsWith(`${c.repo.split('/')[1]}__${c.commit.slice(0, 7)}`), `${name} does not name ${c.repo}@${c.commit.slice(0, 7)}`);
    assert.ok(LICENCES[c.licence], `licence ${c.licence} is not one that allows redistributing the excerpts`);
    assert.match(readFileSync(path.join(dir, 'LICENSE'), 'utf8'), LICENCES[c.licence], 'LICENSE text does not match the recorded licence');

    // Only the file kinds the corpus keeps.
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    for (const f of walk(path.join(dir, 'parent'))) assert.match(path.basename(f), /\.py$|^requirements[^/]*\.txt$|^setup\.py$|^pyproject\.toml$/, f);

    // The diff applies to the parent files (outside this repository, so git treats it as a plain patch).
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'npu-port-corpus-'));
    try {
      cpSync(path.join(dir, 'parent'), tmp, { recursive: true });
      const r = spawnSync('git', ['apply', '--check', '--whitespace=nowarn', path.join(dir, 'change.diff')], { cwd: tmp, encoding: 'utf8' });
      assert.equal(r.status, 0, `change.diff does not apply to parent/: ${r.stderr}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }

    // Every parent line the diff changes is labelled once, and every label points at such a line with its text.
    const diff = readFileSync(path.join(dir, 'change.diff'), 'utf8');
    const removedPy = removedLines(diff).filter((k) => k.split(':')[0].endsWith('.py'));
    const labelled = c.changedLines.map((l) => `${l.file}:${l.line}`);
    assert.deepEqual([...labelled].sort(), [...removedPy].sort(), 'changedLines differ from the lines change.diff removes');
    for (const l of c.changedLines) {
      assert.ok(l.label && LABELS.has(l.label), `${l.file}:${l.line} has label ${l.label}`);
      if (l.label === 'cuda') assert.ok(l.kind, `${l.file}:${l.line} is labelled cuda without a kind`);
      const lines = linesOf(dir, l.file);
      assert.ok(lines, `${l.file} is not in parent/`);
      assert.equal(lines[l.line - 1]?.trim(), l.text, `${l.file}:${l.line} text`);
    }
    for (const j of c.findings) {
      assert.ok(JUDGEMENTS.has(j.judgement), `${j.file}:${j.line} ${j.rule}: judgement ${j.judgement}`);
      assert.ok(j.reason?.trim(), `${j.file}:${j.line} ${j.rule}: a judgement needs a reason`);
      const lines = linesOf(dir, j.file);
      assert.ok(lines && j.line >= 1 && j.line <= lines.length, `${j.file}:${j.line} does not exist in parent/`);
      assert.ok(!labelled.includes(`${j.file}:${j.line}`) || c.changedLines.find((l) => `${l.file}:${l.line}` === `${j.file}:${j.line}`)?.label === 'other',
        `${j.file}:${j.line} is judged although the engineers changed it as CUDA code`);
    }
  });
}
