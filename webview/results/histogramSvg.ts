/**
 * The latency histogram of one run, drawn as SVG (crisp at any zoom, themed by CSS variables, no
 * chart library). Bins come from src/shared/results.ts; percentile markers are the run's own p50/p95/p99
 * (computed by the core). Screen readers get a one-sentence summary in aria-label; the table is the
 * full accessible form.
 */
import * as l10n from '@vscode/l10n';
import { histogram, type BenchmarkRun } from '../../src/shared/results';
import { formatEdge, formatMs } from './format';

const SVG = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 220;
const M = { left: 44, right: 12, top: 18, bottom: 34 };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function histogramSvg(run: BenchmarkRun, label: string): SVGSVGElement | undefined {
  const samples = run.samplesMs;
  if (!samples?.length) return undefined;
  const h = histogram(samples);
  const n = h.counts.length;
  const peak = Math.max(...h.counts, h.overflow);
  const peakIndex = h.counts.indexOf(Math.max(...h.counts));
  const end = h.start + h.width * n;
  // far outliers get one bar of their own after a gap, labelled "> end"
  const overflowW = h.overflow ? 36 : 0;
  const plotW = W - M.left - M.right - overflowW;
  const plotH = H - M.top - M.bottom;
  const x = (ms: number) => M.left + ((ms - h.start) / (end - h.start)) * plotW;
  const y = (count: number) => M.top + plotH - (count / peak) * plotH;
  const edge = (v: number) => formatEdge(v, h.width);

  const svg = el('svg', {
    class: `histogram ${run.device}`,
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': l10n.t(
      '{0} latency histogram: {1} runs from {2} ms to {3} ms in {4} bins of {5} ms; the fullest bin, {6} to {7} ms, holds {8} runs.',
      label, samples.length, formatMs(samples.reduce((a, b) => Math.min(a, b))), formatMs(samples.reduce((a, b) => Math.max(a, b))), n, edge(h.width),
      edge(h.start + peakIndex * h.width), edge(h.start + (peakIndex + 1) * h.width), h.counts[peakIndex]!,
    ) + (h.overflow ? ' ' + l10n.t('{0} runs above {1} ms are far outliers, shown apart.', h.overflow, edge(end)) : ''),
  });
  const bars = el('g', { class: 'bars' });
  const barW = plotW / n;
  h.counts.forEach((count, i) => {
    if (count === 0) return;
    const rect = el('rect', {
      class: `bar ${run.device}`,
      x: (M.left + i * barW + (barW > 4 ? 0.5 : 0)).toFixed(2),
      y: y(count).toFixed(2),
      width: Math.max(1, barW - (barW > 4 ? 1 : 0)).toFixed(2),
      height: (M.top + plotH - y(count)).toFixed(2),
    });
    rect.appendChild(el('title', {}, l10n.t('{0} to {1} ms: {2} runs', edge(h.start + i * h.width), edge(h.start + (i + 1) * h.width), count)));
    bars.appendChild(rect);
  });
  if (h.overflow) {
    const left = M.left + plotW + 12;
    const rect = el('rect', { class: `bar ${run.device} overflow`, x: left, y: y(h.overflow).toFixed(2), width: overflowW - 12, height: (M.top + plotH - y(h.overflow)).toFixed(2) });
    rect.appendChild(el('title', {}, l10n.t('above {0} ms: {1} runs', edge(end), h.overflow)));
    bars.appendChild(rect);
  }
  svg.appendChild(bars);

  // axes: baseline, count scale, edges at start / middle / end
  const axis = el('g', { class: 'axis' });
  axis.appendChild(el('line', { x1: M.left, y1: M.top + plotH, x2: M.left + plotW, y2: M.top + plotH }));
  if (h.overflow) {
    axis.appendChild(el('line', { x1: M.left + plotW + 12, y1: M.top + plotH, x2: W - M.right, y2: M.top + plotH }));
    axis.appendChild(el('text', { x: W - M.right, y: M.top + plotH + 28, 'text-anchor': 'end' }, `> ${edge(end)}`));
  }
  axis.appendChild(el('line', { x1: M.left, y1: M.top, x2: M.left, y2: M.top + plotH }));
  axis.appendChild(el('text', { x: M.left - 4, y: M.top + 4, 'text-anchor': 'end' }, String(peak)));
  axis.appendChild(el('text', { x: M.left - 4, y: M.top + plotH, 'text-anchor': 'end' }, '0'));
  const ticks = n >= 2 ? [0, Math.round(n / 2), n] : [0, n];
  for (const i of ticks) {
    const px = M.left + i * barW;
    axis.appendChild(el('line', { x1: px, y1: M.top + plotH, x2: px, y2: M.top + plotH + 4 }));
    axis.appendChild(el('text', { x: px, y: M.top + plotH + 16, 'text-anchor': i === 0 ? 'start' : i === n ? 'end' : 'middle' }, edge(h.start + i * h.width)));
  }
  axis.appendChild(el('text', { x: M.left + plotW / 2, y: H - 4, 'text-anchor': 'middle', class: 'unit' }, l10n.t('latency (ms)')));
  axis.appendChild(el('text', { x: 4, y: M.top - 6, class: 'unit' }, l10n.t('runs')));
  svg.appendChild(axis);

  // percentile markers (labels staggered so close ones stay readable)
  const markers = el('g', { class: 'markers' });
  (['p50', 'p95', 'p99'] as const).forEach((key, k) => {
    const v = run.stats[key];
    if (v === undefined || v < h.start || v > end) return;
    const px = x(v);
    const nearRight = px > M.left + plotW - 30;
    markers.appendChild(el('line', { class: `marker ${key}`, x1: px, y1: M.top, x2: px, y2: M.top + plotH }));
    markers.appendChild(el('text', { x: nearRight ? px - 3 : px + 3, y: M.top + 10 + k * 12, class: 'marker-label', 'text-anchor': nearRight ? 'end' : 'start' }, key));
  });
  svg.appendChild(markers);
  return svg;
}
