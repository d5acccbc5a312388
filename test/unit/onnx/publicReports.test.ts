/**
 * Agreement of the built-in target verdicts with public compiler reports
 * (test/fixtures/onnx/public-reports.json: each case links the report and quotes its decisive line).
 *
 * A case's verdict is the node verdict joined with the model-level findings (opset range, dynamic
 * inputs): a certain reason anywhere makes it "unsupported", an uncertain one "unverified".
 * Inputs a report does not state are float32 of shape [1, 8]; every input's shape is static unless
 * the case gives a dynamic dimension. "ascend*" (chip not named) evaluates every Ascend profile and
 * takes the worst verdict. "qnn-htp@v68" and the like: the Hexagon architecture of the chip the report
 * names; "qnn-htp" (chip not named) is the default architecture.
 *
 * Scoring: rejected + unsupported = agree; accepted + supported = agree; rejected + unverified =
 * hedge; accepted + unverified = hedge; rejected + supported = disagree; accepted + unsupported =
 * disagree (and breaks the invariant below).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOpCase, type OpCase, type OpCaseInput } from '../../../src/core/onnx/check';
import type { Attribute } from '../../../src/core/onnx/model';
import { builtinTarget, QNN_EP_RELEASES, type Support, type TargetProfile } from '../../../src/core/onnx/targets';
import { REPO_ROOT } from '../repo';

interface ReportCase {
  id: string; url: string; quote: string; op: string; domain?: string; opset: number;
  attributes?: Record<string, number | string | number[]>;
  inputs?: OpCaseInput[];
  target: string; chip: string; toolkit: string; outcome: 'accepted' | 'rejected';
  /** A report with a date and no release: the newest release published that day, and the PRs merged after it. */
  evaluatedAt?: { release: string; reportDate: string; reportDateSource: string; predates: { pr: string; merged: string }[] };
  /** A report that names its onnxruntime(-qnn) release: where it says so (the case is evaluated at that release). */
  releaseStated?: string;
}

const file = path.join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'public-reports.json');
/**
 * The written-down search: [corpus, query, what it added ("none", or case ids, comma-separated, before any parenthesis),
 * and the date the query ran when it is not the protocol's `date` (a later round)].
 */
interface SearchProtocol { date: string; include: string; exclude: string; queries: ([string, string, string] | [string, string, string, string])[] }
const corpus = JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: ReportCase[]; search: SearchProtocol; onnxruntimeReleases: { source: string; dates: Record<string, string> } };
const ASCEND = ['ascend310', 'ascend310p', 'ascend910', 'ascend910b'];
const profile = (id: string): TargetProfile => builtinTarget(id)!;
const rank: Record<Support, number> = { supported: 0, unverified: 1, unsupported: 2 };

function attributes(a: ReportCase['attributes'] = {}): Attribute[] {
  return Object.entries(a).map(([name, value]): Attribute =>
    typeof value === 'string' ? { name, type: 'string', value }
      : Array.isArray(value) ? { name, type: 'ints', value }
        : Number.isInteger(value) ? { name, type: 'int', value } : { name, type: 'float', value });
}

/** The verdict of one case on one profile, with the reasons that made it. */
export function caseVerdict(c: ReportCase, p: TargetProfile): { verdict: Support; reasons: string[] } {
  const opCase: OpCase = {
    op: c.op, ...(c.domain ? { domain: c.domain } : {}), opset: c.opset, attributes: attributes(c.attributes),
    inputs: c.inputs ?? [{ type: 'float', shape: [1, 8] }],
  };
  const { verdict, modelReasons } = checkOpCase(opCase, p);
  const reasons = [...verdict.reasons, ...modelReasons];
  const joined: Support = reasons.some((r) => r.certain) ? 'unsupported' : reasons.length ? 'unverified' : 'supported';
  return { verdict: rank[joined] > rank[verdict.verdict] ? joined : verdict.verdict, reasons: reasons.map((r) => `${r.code}${r.certain ? '!' : '?'}`) };
}

/** The case's worst verdict over the profiles it is evaluated on, each profile's verdict, the reasons of all (no repeats), the score. */
export function evaluate(c: ReportCase): { verdict: Support; per: Record<string, Support>; reasons: string[]; score: 'agree' | 'hedge' | 'disagree' } {
  const ids = c.target === 'ascend*' ? ASCEND : [c.target];
  const each = ids.map((id) => [id, caseVerdict(c, profile(id))] as const);
  const per = Object.fromEntries(each.map(([id, v]) => [id, v.verdict])) as Record<string, Support>;
  const verdict = Object.values(per).reduce((a, b) => (rank[b] > rank[a] ? b : a), 'supported' as Support);
  const score = verdict === 'unverified' ? 'hedge'
    : (verdict === 'unsupported') === (c.outcome === 'rejected') ? 'agree' : 'disagree';
  return { verdict, per, reasons: [...new Set(each.flatMap(([, v]) => v.reasons))], score };
}

test('the public-report corpus is well formed: at least 40 cases, each with a link, a quote and a known target', () => {
  const ids = new Set<string>();
  for (const c of corpus.cases) {
    assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
    ids.add(c.id);
    // An issue, pull request or discussion on GitHub, or another public page (a user's blog post found in the pages corpus).
    assert.match(c.url, /^https:\/\/(github\.com\/[^/]+\/[^/]+\/(issues|pull|discussions)\/\d+|(?!github\.com\/)[a-z0-9.-]+\.[a-z]{2,}\/\S+)/, c.id);
    assert.ok(c.quote.length > 10, c.id);
    assert.ok(c.outcome === 'accepted' || c.outcome === 'rejected', c.id);
    assert.ok(c.target === 'ascend*' || profile(c.target), `${c.id}: target ${c.target}`);
    assert.ok(c.chip && c.toolkit, `${c.id}: chip and toolkit are recorded ("unknown" when the report does not say)`);
  }
  assert.ok(corpus.cases.length >= 40, `${corpus.cases.length} cases`);
});

test('the search protocol is written down and every case it names is in the corpus', () => {
  const { search } = corpus;
  assert.match(search.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(search.include.length > 20 && search.exclude.length > 20, 'inclusion and exclusion criteria are stated');
  assert.ok(search.queries.length >= 20, `${search.queries.length} queries`);
  const ids = new Set(corpus.cases.map((c) => c.id));
  const named: string[] = [];
  for (const [where, query, added, date] of search.queries) {
    assert.ok(where === 'issues' || where === 'pages' || where === 'docs', `${query}: corpus ${where}`);
    if (date !== undefined) assert.ok(/^\d{4}-\d{2}-\d{2}$/.test(date) && date >= search.date, `${query}: date ${date}`);
    assert.ok(query.length > 5, 'a query is written out');
    const list = added.split('(')[0]!.trim();
    if (/^none\b/.test(list)) continue;
    for (const id of list.split(',').map((x) => x.trim())) {
      assert.ok(ids.has(id), `query "${query}" names ${id}, which is not in the corpus`);
      named.push(id);
    }
  }
  assert.equal(new Set(named).size, named.length, 'a case is credited to one query');
});

test('a report evaluated at a release names the newest onnxruntime release published on its date, and predates every PR that changed its outcome', () => {
  const { dates, source } = corpus.onnxruntimeReleases;
  assert.match(source, /piwheels\.org\/project\/onnxruntime/);
  const dated = corpus.cases.filter((c) => c.evaluatedAt);
  assert.ok(dated.length >= 6, `${dated.length} cases`);
  for (const c of dated) {
    const at = c.evaluatedAt!;
    const published = Object.keys(dates).filter((r) => dates[r]! <= at.reportDate);
    const newest = published.sort((a, b) => (dates[a]! < dates[b]! ? -1 : 1)).at(-1);
    assert.equal(at.release, newest, `${c.id}: the newest release on ${at.reportDate}`);
    assert.equal(c.target.replace(/^qnn-htp@ep/, ''), at.release, `${c.id}: the target is that release`);
    assert.ok(at.reportDateSource.length > 10, `${c.id}: where the date comes from`);
    assert.ok(at.predates.length > 0, c.id);
    for (const pr of at.predates) {
      // The EP's PRs: in microsoft/onnxruntime (1.x) or, after the split, in onnxruntime/onnxruntime-qnn.
      assert.match(pr.pr, /^https:\/\/github\.com\/(?:microsoft\/onnxruntime|onnxruntime\/onnxruntime-qnn)\/pull\/\d+$/);
      assert.ok(pr.merged > at.reportDate, `${c.id}: ${pr.pr} was merged (${pr.merged}) after the report (${at.reportDate})`);
    }
  }
});

test('a QNN report that names an onnxruntime release the data holds is evaluated at that release', () => {
  // The release a report's toolkit names ("onnxruntime-qnn 1.19.0", "onnxruntime 1.19.2"), where qnn-htp has facts for it.
  const named = (c: ReportCase) => [...c.toolkit.matchAll(/onnxruntime(?:-qnn)? (\d+\.\d+\.\d+)/g)].map((m) => m[1]!).filter((r) => QNN_EP_RELEASES.includes(r));
  const stated = corpus.cases.filter((c) => c.releaseStated);
  assert.ok(stated.length >= 4, `${stated.length} cases`);
  for (const c of corpus.cases.filter((x) => x.target.startsWith('qnn-htp'))) {
    const releases = named(c);
    if (!c.releaseStated) {
      // 2.x releases are named by the target already (qnn-htp@ep2.0, @ep2.6); a 1.x release must be stated and used.
      assert.ok(releases.every((r) => !r.startsWith('1.') || c.evaluatedAt), `${c.id}: names onnxruntime ${releases.join(', ')} but is not evaluated at it`);
      continue;
    }
    assert.equal(releases.length, 1, `${c.id}: the toolkit names one release the data holds (${c.toolkit})`);
    assert.equal(c.evaluatedAt, undefined, `${c.id}: a stated release is not inferred from a date`);
    assert.ok(c.releaseStated.includes(releases[0]!), `${c.id}: where the report says ${releases[0]}`);
    assert.equal(profile(c.target).toolkit?.version, `ep${releases[0]}`, `${c.id}: the target is that release`);
  }
});

test('no "unsupported" verdict for an op case a public report says the toolkit accepted', () => {
  const broken = corpus.cases.filter((c) => c.outcome === 'accepted').map((c) => ({ c, e: evaluate(c) }))
    .filter(({ e }) => e.verdict === 'unsupported');
  assert.deepEqual(broken.map(({ c, e }) => `${c.id}: ${JSON.stringify(e.per)}`), []);
});

/** A report's link as the table shows it: owner/repo#N for GitHub, the host otherwise. */
function reportName(url: string): string {
  const m = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/(?:issues|pull|discussions)\/(\d+)/.exec(url);
  return m ? `${m[1]}#${m[2]}` : new URL(url).host;
}

/** A case's reason codes as the table shows them. */
const reasonCodes = (codes: string[]): string => (codes.length ? codes.map((r) => `\`${r}\``).join(' ') : '—');

/**
 * The two generated parts of docs/accuracy.md's public-report section: the totals (all, Ascend ATC, QNN HTP) and the
 * table of every case with its verdict. `!` after a reason code: certain (unsupported); `?`: unverified.
 */
function reportTables(scored: { c: ReportCase; e: ReturnType<typeof evaluate> }[]): { totals: string[]; perCase: string[] } {
  const row = (label: string, of: typeof scored) => {
    const n = (s: string) => of.filter(({ e }) => e.score === s).length;
    return `| ${label} | ${of.length} | ${n('agree')} (${(100 * n('agree') / of.length).toFixed(1)} %) | ${n('hedge')} | ${n('disagree')} |`;
  };
  const totals = [
    '| | cases | agree | hedge | disagree |', '|---|---:|---:|---:|---:|',
    row('all', scored),
    row('Ascend ATC', scored.filter(({ c }) => c.target.startsWith('ascend'))),
    row('QNN HTP', scored.filter(({ c }) => c.target.startsWith('qnn'))),
  ];
  const perCase = [
    '| Case | Report | Op | Evaluated on | Toolkit did | We say | Reasons | Score |', '|---|---|---|---|---|---|---|---|',
    ...scored.map(({ c, e }) => `| ${c.id} | [${reportName(c.url)}](${c.url}) | ${c.op} | ${c.target === 'ascend*' ? 'every Ascend chip' : c.target} | ${c.outcome} | ${e.verdict} | ${reasonCodes(e.reasons)} | ${e.score} |`),
  ];
  return { totals, perCase };
}

const DOC = path.join(REPO_ROOT, 'docs', 'accuracy.md');
const TOTALS = { start: '<!-- generated public-report totals: UPDATE_DOCS=1 node --test out/test/unit/onnx/publicReports.test.js -->', end: '<!-- end generated public-report totals -->' };
const PER_CASE = { start: '<!-- generated public-report cases: UPDATE_DOCS=1 node --test out/test/unit/onnx/publicReports.test.js -->', end: '<!-- end generated public-report cases -->' };

/** The lines between `marks` in `text` (without the markers), or undefined when a marker is missing. */
function section(text: string, marks: { start: string; end: string }): string | undefined {
  const start = text.indexOf(marks.start);
  const end = text.indexOf(marks.end);
  return start < 0 || end < start ? undefined : text.slice(start + marks.start.length, end).trim();
}

test('agreement with public compiler reports: docs/accuracy.md records every case\'s verdict and the totals', () => {
  const scored = corpus.cases.map((c) => ({ c, e: evaluate(c) }));
  const { totals, perCase } = reportTables(scored);
  const tally = { agree: 0, hedge: 0, disagree: 0 };
  for (const { e } of scored) tally[e.score]++;
  console.log(`public reports: ${tally.agree}/${corpus.cases.length} agree, ${tally.hedge} hedge, ${tally.disagree} disagree (${(100 * tally.agree / corpus.cases.length).toFixed(1)} %)`);
  if (process.env.NPU_PORT_REPORT_TABLE) console.log(perCase.join('\n'));
  let text = fs.readFileSync(DOC, 'utf8');
  if (process.env.UPDATE_DOCS === '1') {
    for (const [marks, lines] of [[TOTALS, totals], [PER_CASE, perCase]] as const) {
      const start = text.indexOf(marks.start);
      const end = text.indexOf(marks.end);
      assert.ok(start >= 0 && end > start, `docs/accuracy.md has the markers ${marks.start}`);
      text = `${text.slice(0, start + marks.start.length)}\n${lines.join('\n')}\n${text.slice(end)}`;
    }
    fs.writeFileSync(`${DOC}.tmp`, text);
    fs.renameSync(`${DOC}.tmp`, DOC);
  }
  // A change in the data or the checker that moves any case's verdict fails here until the page is regenerated.
  const stale = 'docs/accuracy.md is out of date (UPDATE_DOCS=1 node --test out/test/unit/onnx/publicReports.test.js)';
  assert.equal(section(text, TOTALS), totals.join('\n'), stale);
  assert.equal(section(text, PER_CASE), perCase.join('\n'), stale);
});
