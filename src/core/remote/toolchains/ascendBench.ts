/** Ascend benchmark tools: msame and ais_bench (argv + parsing their summaries). */
import { logLines } from './diagnostics';

export function msameArgs(o: { model: string; outDir: string; loop: number }): string[] {
  return ['msame', `--model=${o.model}`, `--output=${o.outDir}`, `--loop=${o.loop}`];
}

export function aisBenchArgs(o: { model: string; outDir: string; loop: number; warmup?: number }): string[] {
  return ['python3', '-m', 'ais_bench', '--model', o.model, '--output', o.outDir, '--loop', String(o.loop), ...(o.warmup !== undefined ? ['--warmup_count', String(o.warmup)] : [])];
}

/** What a tool reports itself (ms), when it does not print every sample. */
export interface ReportedLatency {
  readonly mean?: number;
  readonly meanWithoutFirst?: number;
  readonly min?: number;
  readonly max?: number;
  readonly median?: number;
  readonly p99?: number;
  readonly throughput?: number;
  /** Milliseconds of every run, in run order, when the tool prints them (msame: `Inference time: 105.365ms`). */
  readonly samples?: readonly number[];
}

/**
 * msame's output: one `Inference time: 105.365ms` line per run (ModelZoo StarGAN_v2 README, `msame --loop
 * 10`), then the averages in either layout: `Inference average time: 105.417100 ms` and `Inference average
 * time : 2.41 ms`, and `Inference average time without first time: ...`.
 */
export function parseMsame(text: string): ReportedLatency | undefined {
  let mean: number | undefined;
  let meanWithoutFirst: number | undefined;
  const samples: number[] = [];
  for (const line of logLines(text)) {
    const run = /^\s*Inference time:\s*([\d.]+)\s*ms\b/.exec(line);
    if (run) {
      samples.push(Number(run[1]));
      continue;
    }
    const without = /Inference average time without first time\s*:\s*([\d.]+)\s*ms/.exec(line);
    if (without) {
      meanWithoutFirst = Number(without[1]);
      continue;
    }
    const avg = /Inference average time\s*:\s*([\d.]+)\s*ms/.exec(line);
    if (avg) mean = Number(avg[1]);
  }
  if (mean === undefined && meanWithoutFirst === undefined && samples.length === 0) return undefined;
  return {
    ...(mean !== undefined ? { mean } : {}),
    ...(meanWithoutFirst !== undefined ? { meanWithoutFirst } : {}),
    ...(samples.length ? { samples } : {}),
  };
}

/** ais_bench's Performance Summary (NPU_compute_time line and throughput line). */
export function parseAisBench(text: string): ReportedLatency | undefined {
  const summary = /NPU_compute_time \(ms\): min = ([\d.]+), max = ([\d.]+), mean = ([\d.]+), median = ([\d.]+), percentile\(99%\) = ([\d.]+)/.exec(text);
  if (!summary) return undefined;
  const throughput = /\bthroughput [^:]*:\s*([\d.]+)/.exec(text);
  const [min, max, mean, median, p99] = summary.slice(1, 6).map(Number) as [number, number, number, number, number];
  return { min, max, mean, median, p99, ...(throughput ? { throughput: Number(throughput[1]) } : {}) };
}
