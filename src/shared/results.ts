/**
 * The benchmark results view: what a measured run is (NPU on a host, or this machine's CPU), how
 * saved benchmark files are read into it, the histogram of its per-run latencies, and the one message
 * protocol between the extension and the results webview (every webview message is checked here).
 *
 * Browser-safe: used by the extension (reading files, validating messages and restored state) and by
 * the webview (drawing). The statistics themselves are computed once, in the core
 * (src/core/benchmark/stats.ts); nothing here recomputes them.
 */

import { isObject, isRequestId } from './webviewMessages';

/**
 * Latency statistics of a benchmark, in milliseconds: mean, population standard deviation, min, max,
 * percentiles with linear interpolation (numpy's defaults), throughput in inferences per second.
 */
export interface LatencyStats {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Inferences (samples × batch) per second. */
  readonly throughput: number;
}

export const LATENCY_KEYS = ['count', 'mean', 'std', 'min', 'max', 'p50', 'p95', 'p99', 'throughput'] as const satisfies readonly (keyof LatencyStats)[];

/** Percentile `p` (0..100) of ascending `sorted` values, linear interpolation between ranks (np.percentile's default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

// ---------------------------------------------------------------- runs

export type BenchmarkDevice = 'npu' | 'cpu';

/** One measured column of the table. */
export interface BenchmarkRun {
  readonly device: BenchmarkDevice;
  /** Model file name (no folder). */
  readonly model: string;
  /** Where it ran: the remote host's name (NPU), this machine's name (CPU). */
  readonly host?: string;
  /** What measured it: msame, ais_bench, qnn-net-run, onnxruntime-node. */
  readonly tool?: string;
  /** Figures the run has (a tool that prints only a mean gives only that). */
  readonly stats: Partial<LatencyStats>;
  /** Milliseconds per timed run, in run order (absent when the tool printed only a summary). */
  readonly samplesMs?: readonly number[];
  readonly iterations?: number;
  readonly warmup?: number;
  readonly batch?: number;
  /** When the run finished (ISO 8601). */
  readonly when?: string;
}

/** What the view shows: at most one NPU and one CPU run, side by side. */
export interface BenchmarkResults {
  readonly npu?: BenchmarkRun;
  readonly cpu?: BenchmarkRun;
  /** The file the results were read from (file name only), if any. */
  readonly source?: string;
}

/**
 * How many times faster the NPU is than the CPU for one figure: latencies CPU ÷ NPU, throughput
 * NPU ÷ CPU. Undefined when either figure is missing or not positive.
 */
export function speedUp(results: BenchmarkResults, key: Exclude<keyof LatencyStats, 'count'>): number | undefined {
  return results.npu && results.cpu ? speedUpOf(results.npu.stats, results.cpu.stats, key) : undefined;
}

/** The same for two sets of figures (the CLI's NPU vs CPU table). */
export function speedUpOf(npuStats: Partial<LatencyStats>, cpuStats: Partial<LatencyStats>, key: Exclude<keyof LatencyStats, 'count'>): number | undefined {
  const npu = npuStats[key];
  const cpu = cpuStats[key];
  if (npu === undefined || cpu === undefined || !(npu > 0) || !(cpu > 0)) return undefined;
  return key === 'throughput' ? npu / cpu : cpu / npu;
}

// ---------------------------------------------------------------- histogram

export interface Histogram {
  /** Lower edge of the first bin (ms). */
  readonly start: number;
  /** Width of every bin (ms); bin i covers [start + i·width, start + (i+1)·width), the last one includes its upper edge. */
  readonly width: number;
  readonly counts: readonly number[];
  /** Samples above the last bin: far outliers (beyond Q3 + 3·IQR), counted apart so they do not squash the bins. */
  readonly overflow: number;
}

/** The "nice" number (1, 2, 2.5 or 5 × 10^k) nearest above `x`, so bin edges read well on an axis. */
export function niceWidth(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const exp = Math.floor(Math.log10(x));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= x * (1 - 1e-12)) return m * base;
  return 10 * base;
}

/**
 * Equal-width bins over the samples: the bin count follows the Freedman–Diaconis rule (width
 * 2·IQR/∛n; Sturges' rule when the IQR is 0), at most `maxBins`, and the width is rounded up to a nice
 * number with the first edge a multiple of it. Far outliers (above Q3 + 3·IQR, Tukey's outer fence: a
 * first run that loads kernels, a scheduler hiccup) go to `overflow` instead of stretching the bins.
 * `bins` forces a count over [min, max] (width (max − min)/bins, edges at min, no overflow; for tests
 * and callers that want exact edges). No samples: no bins.
 */
export function histogram(samplesMs: readonly number[], options: { maxBins?: number; bins?: number } = {}): Histogram {
  // a typed array sorts numerically without a comparator callback (several times faster on 100k samples)
  const sorted = Float64Array.from(samplesMs.filter((v) => Number.isFinite(v))).sort();
  if (sorted.length === 0) return { start: 0, width: 1, counts: [], overflow: 0 };
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const n = sorted.length;
  let start: number;
  let width: number;
  let count: number;
  if (max === min) {
    width = niceWidth(Math.abs(min) / 100 || 0.001);
    start = Math.floor(min / width) * width;
    count = 1;
  } else if (options.bins !== undefined) {
    count = Math.max(1, Math.floor(options.bins));
    start = min;
    width = (max - min) / count;
  } else {
    const maxBins = Math.max(1, Math.floor(options.maxBins ?? 40));
    const q3 = percentile(sorted, 75);
    const iqr = q3 - percentile(sorted, 25);
    // the bins end at the largest sample inside the fence
    const fence = q3 + 3 * iqr;
    let kept = n;
    if (iqr > 0) while (kept > 1 && sorted[kept - 1]! > fence) kept--;
    const top = sorted[kept - 1]!;
    const ideal = iqr > 0 ? Math.ceil((top - min) / ((2 * iqr) / Math.cbrt(kept))) : Math.ceil(Math.log2(n)) + 1;
    width = niceWidth((top - min) / Math.min(maxBins, Math.max(1, ideal)));
    start = Math.floor(min / width) * width;
    // a top exactly on an edge belongs to the last bin, not a new one
    count = Math.max(1, Math.ceil((top - start) / width - 1e-9));
    while (count > maxBins) {
      width = niceWidth(width * 1.0001);
      start = Math.floor(min / width) * width;
      count = Math.max(1, Math.ceil((top - start) / width - 1e-9));
    }
    return fill(sorted, start, width, count, true);
  }
  return fill(sorted, start, width, count, false);
}

function fill(sorted: Float64Array, start: number, width: number, count: number, withOverflow: boolean): Histogram {
  const counts = new Array<number>(count).fill(0);
  let overflow = 0;
  const end = start + width * count;
  for (const v of sorted) {
    if (withOverflow && v > end + width * 1e-9) {
      overflow++;
      continue;
    }
    const i = Math.min(count - 1, Math.max(0, Math.floor((v - start) / width + 1e-9)));
    counts[i]!++;
  }
  return { start, width, counts, overflow };
}

// ---------------------------------------------------------------- reading saved files

/** Most samples kept per run (a longer run is still summarised by its statistics). */
export const MAX_SAMPLES = 100_000;
const MAX_TEXT = 1024;

const isText = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isFigure = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const baseName = (file: string) => file.split(/[\\/]/).pop() || file;

/** The statistics an object holds (unknown keys and bad values dropped); undefined when it is not an object. */
function readStats(raw: unknown): Partial<LatencyStats> | undefined {
  if (!isObject(raw)) return undefined;
  const stats: Partial<Record<keyof LatencyStats, number>> = {};
  for (const key of LATENCY_KEYS) {
    const v = raw[key];
    if (key === 'count' ? isCount(v) : isFigure(v)) stats[key] = v as number;
  }
  return stats;
}

function readSamples(raw: unknown): number[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_SAMPLES) return undefined;
  return raw.every(isFigure) ? (raw as number[]) : undefined;
}

/** Checks one run (restored state, or a run inside a results file); undefined when it is not one. */
export function parseBenchmarkRun(raw: unknown): BenchmarkRun | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.device !== 'npu' && raw.device !== 'cpu') return undefined;
  if (!isText(raw.model)) return undefined;
  const stats = readStats(raw.stats);
  if (!stats) return undefined;
  const samplesMs = raw.samplesMs === undefined ? undefined : readSamples(raw.samplesMs);
  if (raw.samplesMs !== undefined && !samplesMs) return undefined;
  const optional: Record<string, unknown> = {};
  for (const key of ['host', 'tool', 'when'] as const) {
    if (raw[key] === undefined) continue;
    if (!isText(raw[key])) return undefined;
    optional[key] = raw[key];
  }
  for (const key of ['iterations', 'warmup', 'batch'] as const) {
    if (raw[key] === undefined) continue;
    if (!isCount(raw[key])) return undefined;
    optional[key] = raw[key];
  }
  return { device: raw.device, model: raw.model, stats, ...(samplesMs ? { samplesMs } : {}), ...optional } as BenchmarkRun;
}

/** Checks the webview's persisted state / a results message: `{npu?, cpu?, source?}` with valid runs. */
export function parseBenchmarkResults(raw: unknown): BenchmarkResults | undefined {
  if (!isObject(raw)) return undefined;
  const out: { npu?: BenchmarkRun; cpu?: BenchmarkRun; source?: string } = {};
  for (const device of ['npu', 'cpu'] as const) {
    if (raw[device] === undefined) continue;
    const run = parseBenchmarkRun(raw[device]);
    if (!run || run.device !== device) return undefined;
    out[device] = run;
  }
  if (raw.source !== undefined) {
    if (!isText(raw.source)) return undefined;
    out.source = raw.source;
  }
  return out.npu || out.cpu ? out : undefined;
}

/**
 * Reads the JSON files the project writes into results:
 *  - the remote benchmark task's `NAME.benchmark.json` (`{version, host, model, tool, batch, npu, cpu?}`;
 *    newer files add `loop`, `when`, `cpuModel` and `samplesMs: {npu?, cpu?}`; older ones are read without them);
 *  - `npu-port remote benchmark --format json` (the same under `stats`, with `task: "benchmark"`);
 *  - `npu-port onnx run --format json` (`{version, model, iterations, warmup, latencyMs, samplesMs}`).
 * Returns undefined for anything else.
 */
export function resultsFromSavedJson(raw: unknown, fileName?: string): BenchmarkResults | undefined {
  if (!isObject(raw)) return undefined;
  const source = fileName ? { source: baseName(fileName) } : {};
  // npu-port onnx run --format json
  if (isObject(raw.latencyMs) && isText(raw.model, 4096)) {
    const stats = readStats(raw.latencyMs)!;
    const samplesMs = readSamples(raw.samplesMs);
    const cpu: BenchmarkRun = {
      device: 'cpu',
      model: baseName(raw.model),
      tool: 'onnxruntime-node',
      stats,
      ...(samplesMs ? { samplesMs } : {}),
      ...(isCount(raw.iterations) ? { iterations: raw.iterations } : {}),
      ...(isCount(raw.warmup) ? { warmup: raw.warmup } : {}),
    };
    return { cpu, ...source };
  }
  // the CLI's remote JSON carries the saved fields under `stats`
  const body = raw.task === 'benchmark' && isObject(raw.stats) ? { ...raw.stats, host: raw.host } : raw;
  const npuStats = readStats(body.npu);
  if (!npuStats || !isText(body.tool)) return undefined;
  const samples = isObject(body.samplesMs) ? body.samplesMs : {};
  const common = {
    ...(isCount(body.loop) ? { iterations: body.loop } : {}),
    ...(isCount(body.batch) ? { batch: body.batch } : {}),
    ...(isText(body.when) ? { when: body.when } : {}),
  };
  const npuSamples = readSamples(samples.npu);
  const model = isText(body.model, 4096) ? baseName(body.model) : fileName ? baseName(fileName).replace(/\.benchmark\.json$/i, '') : '?';
  const npu: BenchmarkRun = {
    device: 'npu',
    model,
    tool: body.tool,
    stats: npuStats,
    ...(isText(body.host) ? { host: body.host } : {}),
    ...(npuSamples ? { samplesMs: npuSamples } : {}),
    ...common,
  };
  const cpuStats = readStats(body.cpu);
  const cpuSamples = readSamples(samples.cpu);
  const cpu: BenchmarkRun | undefined = cpuStats
    ? {
        device: 'cpu',
        model: isText(body.cpuModel, 4096) ? baseName(body.cpuModel) : model.replace(/\.[^.]+$/, '.onnx'),
        tool: 'onnxruntime-node',
        stats: cpuStats,
        ...(cpuSamples ? { samplesMs: cpuSamples } : {}),
        ...common,
      }
    : undefined;
  return { npu, ...(cpu ? { cpu } : {}), ...source };
}

/** File name without its last extension, lower case: `bench.om` and `bench.onnx` are the same model. */
export function modelStem(model: string): string {
  const base = baseName(model).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * A new CPU run next to what is shown: it replaces the CPU column; the NPU column stays when it is the
 * same model (same file name stem: `m.om` was compiled from `m.onnx`).
 */
export function withCpuRun(current: BenchmarkResults | undefined, cpu: BenchmarkRun): BenchmarkResults {
  const npu = current?.npu && modelStem(current.npu.model) === modelStem(cpu.model) ? current.npu : undefined;
  return { ...(npu ? { npu } : {}), cpu, ...(npu && current?.source ? { source: current.source } : {}) };
}

// ---------------------------------------------------------------- messages
// Requests and responses use the envelope both webviews share (src/shared/webviewMessages.ts).

/** Host → webview (besides responses). */
export type ResultsHostMessage =
  /** First message: the @vscode/l10n bundle for the display language (undefined: English). */
  | { readonly type: 'init'; readonly l10n?: Record<string, string> }
  | { readonly type: 'results'; readonly results: BenchmarkResults };

/** Webview → host. */
export type ResultsWebviewMessage =
  | { readonly type: 'ready' }
  /** Pick a saved results JSON and show it (answered when the pick is done or cancelled). */
  | { readonly type: 'openFile'; readonly requestId: number }
  /** Run the CPU benchmark (again) on the model of the shown CPU column, or pick one (answered when the run ends). */
  | { readonly type: 'runCpu'; readonly requestId: number }
  /** Copy text (the table as Markdown) to the clipboard. */
  | { readonly type: 'copyText'; readonly text: string };

/** Typed results of the results view's requests (what `response.result` holds when ok). */
export interface ResultsRequestResults {
  openFile: null;
  runCpu: null;
}

const MAX_COPY = 65536;
const hasOnly = (o: Record<string, unknown>, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** Returns the message when it is exactly one of the webview's message shapes, otherwise undefined. */
export function parseResultsWebviewMessage(raw: unknown): ResultsWebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return hasOnly(raw, ['type']) ? { type: raw.type } : undefined;
    case 'openFile':
    case 'runCpu':
      return hasOnly(raw, ['type', 'requestId']) && isRequestId(raw.requestId) ? { type: raw.type, requestId: raw.requestId } : undefined;
    case 'copyText':
      return hasOnly(raw, ['type', 'text']) && typeof raw.text === 'string' && raw.text.length <= MAX_COPY ? { type: 'copyText', text: raw.text } : undefined;
    default:
      return undefined;
  }
}

/** Checks a host message in the webview (the host is trusted; this guards against stray messages). */
export function parseResultsHostMessage(raw: unknown): ResultsHostMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'init') {
    if (raw.l10n !== undefined && !isObject(raw.l10n)) return undefined;
    return { type: 'init', ...(raw.l10n ? { l10n: raw.l10n as Record<string, string> } : {}) };
  }
  if (raw.type === 'results') {
    const results = parseBenchmarkResults(raw.results);
    return results ? { type: 'results', results } : undefined;
  }
  return undefined;
}
