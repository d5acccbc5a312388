// The figures of `npm run accuracy` (scripts/accuracy.mjs) from the measured cases, without running anything, so
// that the split into the tuned set and the held-out sets can be tested (test/unit/python/accuracyReport.test.ts).
// A row is { c: the case (case.json plus name), m: its measurement }, where m has `cuda` (lines labelled cuda),
// `misses` / `missesSerious` (cuda lines no finding / no warning+ finding covers), `findings` (each with severity
// and judgement: hit, genuine, redundant, false-alarm or unjudged), `grep` ({ hits, found, unconfirmed, comments })
// and `unlabelled`.

export const serious = (f) => f.severity === 'error' || f.severity === 'warning';
export const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
export const ratio = (a, b) => (b ? (a / b).toFixed(2) : '-');
export const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A case added after the scanner was tuned (`"heldOut": "YYYY-MM-DD"` in case.json, the day its blind labels were
 * committed): its figures say how the rules do on code nobody tuned them on.
 */
export const isHeldOut = (c) => typeof c.heldOut === 'string' && c.heldOut.length > 0;

/**
 * Which set a case belongs to: 0 for the tuned set, else its held-out set (`"heldOutSet": 2` in case.json for the
 * second held-out set, chosen after rules were written for the misses of the first; 1 when absent).
 */
export const setOf = (c) => (!isHeldOut(c) ? 0 : Number.isInteger(c.heldOutSet) && c.heldOutSet > 1 ? c.heldOutSet : 1);

/** The name of set N in tables and headings: "Tuned set", "Held-out set", "Held-out set 2", ... */
export const setTitle = (n) => (n === 0 ? 'Tuned set' : n === 1 ? 'Held-out set' : `Held-out set ${n}`);

/** The set column of the per-case table: "tuned", "held out (DATE)", "held out 2 (DATE)". */
export const setLabel = (c) => (setOf(c) === 0 ? 'tuned' : `held out${setOf(c) > 1 ? ` ${setOf(c)}` : ''} (${c.heldOut})`);

/** The sums over some rows. */
export function totalsOf(rows) {
  const sum = (f) => rows.reduce((n, r) => n + f(r), 0);
  return {
    cases: rows.length,
    repos: new Set(rows.map((r) => r.c.repo)).size,
    cuda: sum((r) => r.m.cuda.length),
    found: sum((r) => r.m.cuda.length - r.m.misses.length),
    foundSerious: sum((r) => r.m.cuda.length - r.m.missesSerious.length),
    serious: sum((r) => r.m.findings.filter(serious).length),
    falseAlarms: sum((r) => r.m.findings.filter((f) => serious(f) && f.judgement === 'false-alarm').length),
    redundantSerious: sum((r) => r.m.findings.filter((f) => serious(f) && f.judgement === 'redundant').length),
    unjudged: sum((r) => r.m.findings.filter((f) => f.judgement === 'unjudged').length),
    unlabelled: sum((r) => r.m.unlabelled.length),
    grepHits: sum((r) => r.m.grep.hits),
    grepFound: sum((r) => r.m.grep.found),
    grepUnconfirmed: sum((r) => r.m.grep.unconfirmed),
    grepComments: sum((r) => r.m.grep.comments),
  };
}

/**
 * The rows of the tuned set, of the first held-out set, of every set in order (`sets`: the tuned set and the first
 * held-out set always, later held-out sets when they have cases) and of all.
 */
export function splitRows(rows) {
  const numbers = [...new Set([0, 1, ...rows.map((r) => setOf(r.c))])].sort((a, b) => a - b);
  const sets = numbers.map((n) => ({ n, title: setTitle(n), rows: rows.filter((r) => setOf(r.c) === n) }));
  return { tuned: sets[0].rows, heldOut: sets[1].rows, sets, all: rows };
}

/**
 * Fix-check breaks per style among the given cases: `fix` is what fixChecks returned (one entry per style with
 * `failures`, each naming its case), or undefined when the checks did not run.
 */
export function fixBreaks(fix, names) {
  if (!fix) return undefined;
  return fix.filter((f) => f.style !== 'before').map((f) => ({
    style: f.style,
    count: f.failures.filter((x) => names.has(x.case)).length,
  }));
}

/** The tuned set, each held-out set and the total: `{ title, rows }`. */
function columns(rows) {
  return [...splitRows(rows).sets.map((x) => ({ title: x.title, rows: x.rows })), { title: 'All', rows }];
}

/** The table that puts the tuned set, each held-out set and the total side by side (scan figures only). */
export function splitTable(rows) {
  const cols = columns(rows).map((c) => ({ ...c, t: totalsOf(c.rows) }));
  const row = (label, f) => `| ${label} | ${cols.map((c) => f(c.t)).join(' | ')} |`;
  return [
    `| Measure | ${cols.map((c) => c.title).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
    row('Cases (repositories)', (t) => `${t.cases} (${t.repos})`),
    row('Changed lines labelled cuda', (t) => `${t.cuda}`),
    row('Line recall, any severity', (t) => `${ratio(t.found, t.cuda)} (${t.found}/${t.cuda})`),
    row('Line recall, warning/error only', (t) => `${ratio(t.foundSerious, t.cuda)} (${t.foundSerious}/${t.cuda})`),
    row('grep baseline recall', (t) => `${ratio(t.grepFound, t.cuda)} (${t.grepFound}/${t.cuda})`),
    row('False alarms among warning/error findings', (t) => `${pct(t.falseAlarms, t.serious)} (${t.falseAlarms}/${t.serious})`),
    row('Redundant findings at warning/error', (t) => `${t.redundantSerious}`),
    row('Findings unjudged', (t) => `${t.unjudged}`),
    row('grep hits not confirmed (upper bound of its false alarms)', (t) => `${pct(t.grepUnconfirmed, t.grepHits)} (${t.grepUnconfirmed}/${t.grepHits})`),
  ];
}

/**
 * The fix-check breaks per set, side by side like splitTable (the fix checks are measured apart from the scan
 * figures, in their own section); empty when the checks did not run.
 */
export function breaksTable(rows, fix) {
  if (!fix) return [];
  const cols = columns(rows).map((c) => ({ ...c, breaks: fixBreaks(fix, new Set(c.rows.map((x) => x.c.name))) }));
  return [
    `| Measure | ${cols.map((c) => c.title).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
    `| Fix-check breaks (deviceManager / torchNpu / transferToNpu) | ${cols.map((c) => c.breaks.map((b) => b.count).join(' / ')).join(' | ')} |`,
  ];
}

/** "Misses by kind" lines for the given rows, largest kind first, at most six examples each. */
export function missLines(rows) {
  const kinds = new Map();
  for (const { c, m } of rows) for (const l of m.misses) {
    const k = l.kind ?? 'unclassified';
    if (!kinds.has(k)) kinds.set(k, []);
    kinds.get(k).push({ c, l });
  }
  return [...kinds.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])).map(([k, list]) =>
    `- **${k}** (${list.length}): ${list.slice(0, 6).map(({ c, l }) => `\`${cell(l.text.slice(0, 80))}\` (${c.name} ${l.file}:${l.line})`).join('; ')}${list.length > 6 ? `; and ${list.length - 6} more` : ''}`);
}
