/**
 * The benchmark results view's front end: a table of the latency statistics (NPU and CPU side by
 * side, with the speed-up), a latency histogram per run, and buttons to run the CPU benchmark, open a
 * saved results file and copy the table as Markdown. Everything shown comes from the host's
 * `results` message; the view persists it with setState so hiding, showing and reloading the window
 * bring it back without the host.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import * as l10n from '@vscode/l10n';
import {
  parseBenchmarkResults,
  parseResultsHostMessage,
  speedUp,
  type BenchmarkResults,
  type BenchmarkRun,
  type LatencyStats,
  type ResultsHostMessage,
  type ResultsRequestResults,
  type ResultsWebviewMessage,
} from '../../src/shared/results';
import { WebviewChannel } from '../channel';
import { clear, h } from '../dom';
import css from './results.css';
import { formatMs, formatRate, formatRatio, formatWhen } from './format';
import { histogramSvg } from './histogramSvg';

declare global {
  interface Window {
    /** Read by the end-to-end tests. */
    __npuResults?: { state: 'empty' | 'ready'; devices: string[]; bars: number };
  }
}

class ResultsChannel extends WebviewChannel<ResultsWebviewMessage, ResultsHostMessage, ResultsRequestResults> {
  saveResults(results: BenchmarkResults): void {
    this.setState({ results });
  }
}
const host = new ResultsChannel(parseResultsHostMessage, (message) => {
  if (message.type === 'init') {
    if (message.l10n) l10n.config({ contents: message.l10n });
    render(current);
    return;
  }
  current = message.results;
  host.saveResults(current);
  render(current);
});
const sheet = new CSSStyleSheet();
sheet.replaceSync(css);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));

type Metric = Exclude<keyof LatencyStats, 'count'>;
const METRICS: readonly [Metric, () => string][] = [
  ['mean', () => l10n.t('mean (ms)')],
  ['std', () => l10n.t('std (ms)')],
  ['min', () => l10n.t('min (ms)')],
  ['max', () => l10n.t('max (ms)')],
  ['p50', () => l10n.t('p50 (ms)')],
  ['p95', () => l10n.t('p95 (ms)')],
  ['p99', () => l10n.t('p99 (ms)')],
  ['throughput', () => l10n.t('throughput (/s)')],
];

function deviceLabel(run: BenchmarkRun): string {
  return run.device === 'npu' ? l10n.t('NPU') : l10n.t('CPU');
}

function runsOf(results: BenchmarkResults): BenchmarkRun[] {
  return [results.npu, results.cpu].filter((r): r is BenchmarkRun => r !== undefined);
}

/** The table as rows of text cells (header first): drawn as HTML and copied as Markdown. */
interface Row {
  readonly label: string;
  readonly cells: string[];
  /** The unrounded figures behind the cells of a metric row (data-value, for tests and tools). */
  readonly values?: (number | undefined)[];
  readonly metric?: Metric;
}

function tableRows(results: BenchmarkResults): { header: string[]; rows: Row[] } {
  const runs = runsOf(results);
  const both = runs.length === 2;
  const header = [l10n.t('Metric'), ...runs.map(deviceLabel), ...(both ? [l10n.t('NPU speed-up')] : [])];
  const rows: Row[] = [];
  for (const [key, label] of METRICS) {
    const fmt = key === 'throughput' ? formatRate : formatMs;
    // a spread is not a speed: no ratio for std
    const values = [...runs.map((r) => r.stats[key]), ...(both ? [key === 'std' ? undefined : speedUp(results, key)] : [])];
    rows.push({ label: label(), metric: key, values, cells: values.map((v, i) => (i < runs.length ? fmt(v) : key === 'std' ? '' : formatRatio(v))) });
  }
  const info = (label: string, value: (r: BenchmarkRun) => string | number | undefined) =>
    rows.push({ label, cells: [...runs.map((r) => String(value(r) ?? '–')), ...(both ? [''] : [])] });
  info(l10n.t('iterations'), (r) => r.stats.count ?? r.iterations);
  info(l10n.t('warm-up runs'), (r) => r.warmup);
  info(l10n.t('batch'), (r) => r.batch);
  info(l10n.t('model'), (r) => r.model);
  info(l10n.t('device / host'), (r) => r.host);
  info(l10n.t('tool'), (r) => r.tool);
  info(l10n.t('when'), (r) => formatWhen(r.when));
  return { header, rows };
}

function markdown(results: BenchmarkResults): string {
  const { header, rows } = tableRows(results);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => line([r.label, ...r.cells]))].join('\n') + '\n';
}

function summary(results: BenchmarkResults): string | undefined {
  const ratio = speedUp(results, 'mean');
  if (ratio === undefined) return undefined;
  return ratio >= 1
    ? l10n.t('The NPU is {0}× faster than the CPU (mean latency {1} ms vs {2} ms).', ratio.toFixed(2), formatMs(results.npu!.stats.mean), formatMs(results.cpu!.stats.mean))
    : l10n.t('The NPU is {0}× slower than the CPU (mean latency {1} ms vs {2} ms).', (1 / ratio).toFixed(2), formatMs(results.npu!.stats.mean), formatMs(results.cpu!.stats.mean));
}

function button(label: string, onClick: () => void, title?: string, secondary = true, disabled = false): HTMLElement {
  const b = h('vscode-button', { ...(secondary ? { secondary: true } : {}), ...(title ? { title } : {}), ...(disabled ? { disabled: true } : {}) }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** The toolbar actions under way (a CPU run takes seconds): their buttons stay disabled until the host answers. */
const busy = new Set<keyof ResultsRequestResults>();

function runAction(type: keyof ResultsRequestResults): void {
  if (busy.has(type)) return;
  busy.add(type);
  render(current);
  // the host reports failures itself (a notification); here the request only ends the busy state
  host.request<keyof ResultsRequestResults>({ type }).catch(() => undefined).finally(() => {
    busy.delete(type);
    render(current);
  });
}

function toolbar(): HTMLElement {
  return h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': l10n.t('Benchmark results actions'), 'aria-busy': busy.size > 0 ? 'true' : 'false' },
    button(l10n.t('Run on CPU…'), () => runAction('runCpu'), l10n.t('Run an ONNX model on this machine\'s CPU with onnxruntime-node'), false, busy.has('runCpu')),
    button(l10n.t('Open Saved Results…'), () => runAction('openFile'), l10n.t('Show a saved benchmark JSON (npu-port benchmark task, npu-port onnx run --format json)'), true, busy.has('openFile')),
  );
}

function render(results: BenchmarkResults | undefined): void {
  clear(root);
  const title = h('h1', {}, l10n.t('Benchmark Results'));
  if (!results) {
    root.append(title, toolbar(), h('p', { class: 'empty' }, l10n.t('No results yet. Run an ONNX model on the CPU, open a saved results file, or run an npu-port benchmark task.')));
    window.__npuResults = { state: 'empty', devices: [], bars: 0 };
    return;
  }
  const runs = runsOf(results);
  const models = [...new Set(runs.map((r) => r.model))].join(' · ');
  const copy = button(l10n.t('Copy as Markdown'), () => host.post({ type: 'copyText', text: markdown(results) }), l10n.t('Copy the table as a Markdown table'));
  const bar = toolbar();
  bar.append(copy);
  root.append(title, h('p', { class: 'subtitle' }, results.source ? l10n.t('{0} (from {1})', models, results.source) : models), bar);
  const sentence = summary(results);
  if (sentence) root.append(h('p', { class: 'summary', role: 'status' }, sentence));

  const { header, rows } = tableRows(results);
  const table = h('table', { class: 'results' },
    h('caption', {}, l10n.t('Latency and throughput')),
    h('thead', {}, h('tr', {}, ...header.map((text, i) => h('th', { scope: 'col', class: i === 0 ? 'label' : 'num' }, text)))),
    h('tbody', {}, ...rows.map((row) => h('tr', row.metric ? { 'data-metric': row.metric } : {},
      h('th', { scope: 'row', class: 'label' }, row.label),
      ...row.cells.map((cell, i) => h('td', {
        class: `${row.metric ? 'num' : 'text'}${i === runs.length ? ' ratio' : ''}`,
        ...(i < runs.length ? { 'data-device': runs[i]!.device } : {}),
        ...(row.values?.[i] !== undefined ? { 'data-value': String(row.values[i]) } : {}),
      }, cell))))),
  );
  // scrollable when narrow: focusable so the keyboard can scroll it
  root.append(h('div', { class: 'table-host', tabindex: 0, role: 'region', 'aria-label': l10n.t('Latency and throughput') }, table));

  const figures = h('div', { class: 'histograms' });
  let bars = 0;
  for (const run of runs) {
    const label = deviceLabel(run);
    const svg = histogramSvg(run, label);
    const caption = h('figcaption', {}, [label, run.tool, run.host].filter(Boolean).join(' · '));
    if (svg) {
      bars += svg.querySelectorAll('rect.bar').length;
      figures.append(h('figure', { class: `run ${run.device}` }, caption, svg));
    } else {
      figures.append(h('figure', { class: `run ${run.device} no-samples` }, caption,
        h('p', { class: 'empty' }, l10n.t('{0} reported summary figures only; there are no per-run latencies to draw.', run.tool ?? label))));
    }
  }
  root.append(h('h2', {}, l10n.t('Latency distribution')), figures);
  window.__npuResults = { state: 'ready', devices: runs.map((r) => r.device), bars };
}

let current: BenchmarkResults | undefined = (() => {
  const state = host.state as { results?: unknown } | undefined;
  return state ? parseBenchmarkResults(state.results) : undefined;
})();

host.post({ type: 'ready' });
