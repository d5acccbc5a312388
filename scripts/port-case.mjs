// `node scripts/port-case.mjs GIT_DIR COMMIT NAME [--repo owner/name]`: adds one real-port case to
// test/fixtures/ports/NAME/ from a local clone (or bare mirror) of a public repository:
//   parent/      the parent commit's versions of the .py / requirements* / setup.py / pyproject.toml files the
//                commit touches, plus the package context (each package's __init__.py chain and the package
//                modules the touched files import directly); everything else is stubbed by the import check
//   change.diff  the commit's diff restricted to those files (applies to parent/ with `git apply`)
//   LICENSE      the repository's licence at the parent commit (the excerpts are redistributed under it)
//   case.json    repo, commit, parent, licence, subject and one entry per parent line the commit changed,
//                with label null: a person labels each `cuda` or `other` (see docs/accuracy.md)
// Existing labels, the `heldOut` date and the `heldOutSet` number in case.json are kept when the case is extracted
// again. `--context BYTES` sets the package-context budget (default 120000; the held-out cases use 30000 to keep the
// corpus under its size limit).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { ROOT } from './bootstrap.mjs';

const args = process.argv.slice(2);
const repoFlag = args.indexOf('--repo');
const repoName = repoFlag >= 0 ? args.splice(repoFlag, 2)[1] : undefined;
const contextFlag = args.indexOf('--context');
const contextBytes = contextFlag >= 0 ? Number(args.splice(contextFlag, 2)[1]) : 120_000;
const [gitDir, commit, name] = args;
if (!gitDir || !commit || !name || !repoName || !Number.isInteger(contextBytes) || contextBytes < 0) {
  process.stderr.write('usage: node scripts/port-case.mjs GIT_DIR COMMIT NAME --repo owner/name [--context BYTES]\n');
  process.exit(2);
}
const MAX_CONTEXT_BYTES = contextBytes;
const git = (...a) => execFileSync('git', ['-C', gitDir, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
const exists = (rev, p) => {
  try { execFileSync('git', ['-C', gitDir, 'cat-file', '-e', `${rev}:${p}`], { stdio: 'ignore' }); return true; } catch { return false; }
};
const sha = git('rev-parse', commit).trim();
const parent = git('rev-parse', `${sha}^`).trim();
const subject = git('log', '-1', '--format=%s', sha).trim();
const date = git('log', '-1', '--format=%aI', sha).trim();
const wanted = (p) => /\.py$/.test(p) || /(^|\/)requirements[^/]*\.txt$/.test(p) || /(^|\/)(setup\.py|pyproject\.toml)$/.test(p);
const touched = git('diff', '--name-only', parent, sha).split('\n').filter((p) => p && wanted(p));

const caseDir = join(ROOT, 'test', 'fixtures', 'ports', name);
const oldCase = existsSync(join(caseDir, 'case.json')) ? JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) : undefined;
rmSync(join(caseDir, 'parent'), { recursive: true, force: true });
mkdirSync(join(caseDir, 'parent'), { recursive: true });

const files = new Map(); // path -> text at parent
const add = (p) => {
  if (files.has(p) || !exists(parent, p)) return false;
  files.set(p, git('show', `${parent}:${p}`));
  return true;
};
for (const p of touched) add(p);
// Package context: the __init__.py chain of every touched module.
const initChain = (p) => {
  const out = [];
  for (let d = posix.dirname(p); d !== '.' && exists(parent, `${d}/__init__.py`); d = posix.dirname(d)) out.push(`${d}/__init__.py`);
  return out;
};
for (const p of touched.filter((t) => t.endsWith('.py'))) for (const i of initChain(p)) add(i);
// ... and the package modules the touched files and those __init__.py files import directly (one level), within a
// size budget (modules left out are stubbed by the import check).
const importRoot = (p) => { let d = posix.dirname(p); while (d !== '.' && exists(parent, `${d}/__init__.py`)) d = posix.dirname(d); return d; };
const resolveModule = (root, dotted) => {
  const base = (root === '.' ? '' : root + '/') + dotted.replace(/\./g, '/');
  return [`${base}.py`, `${base}/__init__.py`].find((c) => exists(parent, c));
};
let budget = MAX_CONTEXT_BYTES - [...files.values()].reduce((n, t) => n + t.length, 0);
const importers = [...touched.filter((t) => t.endsWith('.py') && files.has(t)), ...[...files.keys()].filter((f) => f.endsWith('__init__.py') && !touched.includes(f))];
for (const p of importers) {
  const root = importRoot(p);
  const pkg = posix.dirname(p).slice(root === '.' ? 0 : root.length + 1).replace(/\//g, '.');
  const text = files.get(p);
  const targets = [];
  for (const m of text.matchAll(/^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([\w\s,]+)/gm)) {
    let mod;
    if (m[1]) {
      const up = pkg.split('.').filter(Boolean).slice(0, Math.max(0, pkg.split('.').filter(Boolean).length - (m[1].length - 1)));
      mod = [...up, ...m[2].split('.').filter(Boolean)].join('.');
    } else mod = m[2];
    if (!mod) continue;
    targets.push(mod);
    for (const n of m[3].split(',').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean)) targets.push(`${mod}.${n}`);
  }
  for (const m of text.matchAll(/^\s*import\s+([\w.]+)/gm)) targets.push(m[1]);
  for (const t of targets) {
    const f = resolveModule(root, t);
    if (!f || files.has(f)) continue;
    const size = Number(git('cat-file', '-s', `${parent}:${f}`).trim());
    if (size > budget) continue;
    budget -= size;
    add(f);
    for (const i of initChain(f)) add(i);
  }
}
for (const [p, text] of files) {
  mkdirSync(dirname(join(caseDir, 'parent', p)), { recursive: true });
  writeFileSync(join(caseDir, 'parent', p), text);
}
const diff = git('diff', '--no-color', '--no-ext-diff', parent, sha, '--', ...touched);
writeFileSync(join(caseDir, 'change.diff'), diff);
const licenceFile = ['LICENSE', 'LICENSE.txt', 'LICENSE.md', 'COPYING'].find((f) => exists(parent, f));
const licenceText = licenceFile ? git('show', `${parent}:${licenceFile}`) : '';
if (licenceText) writeFileSync(join(caseDir, 'LICENSE'), licenceText);
const licence = /Apache License[\s\S]{0,40}Version 2\.0/i.test(licenceText) ? 'Apache-2.0'
  : /MIT License|Permission is hereby granted, free of charge/i.test(licenceText) ? 'MIT'
  : /Redistribution and use in source and binary forms/i.test(licenceText) ? 'BSD' : 'unknown';

// Parent lines changed by the commit: the '-' lines of a zero-context diff.
const changed = [];
const zero = git('diff', '--no-color', '-U0', parent, sha, '--', ...touched.filter((t) => t.endsWith('.py')));
let file = '', line = 0;
for (const l of zero.split('\n')) {
  if (l.startsWith('--- ')) { file = l === '--- /dev/null' ? '' : l.slice(6); continue; }
  if (l.startsWith('+++ ')) continue;
  const h = /^@@ -(\d+)(?:,\d+)? \+/.exec(l);
  if (h) { line = Number(h[1]); continue; }
  if (l.startsWith('-') && file) {
    const text = l.slice(1);
    if (text.trim() && !/^\s*#/.test(text)) changed.push({ file, line, text: text.trim() });
    line++;
  }
}
const prior = new Map((oldCase?.changedLines ?? []).map((c) => [`${c.file}:${c.line}`, c]));
const caseJson = {
  repo: repoName,
  commit: sha,
  parent,
  date,
  subject,
  url: `https://github.com/${repoName}/commit/${sha}`,
  licence,
  ...(oldCase?.heldOut ? { heldOut: oldCase.heldOut } : {}),
  ...(oldCase?.heldOutSet ? { heldOutSet: oldCase.heldOutSet } : {}),
  touched,
  changedLines: changed.map((c) => {
    const p = prior.get(`${c.file}:${c.line}`);
    return { ...c, label: p?.label ?? null, ...(p?.kind ? { kind: p.kind } : {}), ...(p?.reason ? { reason: p.reason } : {}) };
  }),
  findings: oldCase?.findings ?? [],
};
writeFileSync(join(caseDir, 'case.json'), JSON.stringify(caseJson, null, 2) + '\n');
const bytes = [...files.values()].reduce((n, t) => n + t.length, 0);
process.stdout.write(`${name}: ${files.size} files, ${bytes} bytes, ${changed.length} changed lines, ${licence}\n`);
