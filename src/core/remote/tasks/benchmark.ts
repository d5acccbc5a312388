/** `benchmark`: runs a compiled model on the device and turns the tool's latencies into statistics. */
import * as path from 'node:path';
import { writeFileAtomic } from '../../fs';
import { msg } from '../../l10n';
import { latencyStats, type LatencyStats } from '../../benchmark/stats';
import { RemoteError } from '../errors';
import { aisBenchArgs, msameArgs, parseAisBench, parseMsame, type ReportedLatency } from '../toolchains/ascendBench';
import { parseQnnLog, parseQnnNetRunProfile, qnnHtpBackend, qnnNetRunArgs } from '../toolchains/qnn';
import { parseAtcLog } from '../toolchains/atc';
import { remotePath, runTool, stem, uploadModel, withKnowledge } from './common';
import { withFailure } from './convert';
import type { RemoteTaskResult, TaskContext } from './types';

export interface BenchmarkOptions {
  /** Local compiled model: `.om` (Ascend) or a QNN context binary (`.bin`). */
  readonly model: string;
  readonly loop?: number;
  readonly batch?: number;
  /** Ascend: msame (default) or ais_bench. */
  readonly tool?: 'msame' | 'ais_bench';
  /** QNN: remote input list for qnn-net-run. */
  readonly inputList?: string;
  /** Where the statistics JSON is saved (default: beside the model, NAME.benchmark.json). */
  readonly outDir?: string;
  /** The same model on the local CPU (onnxruntime-node), for the NPU vs CPU table. */
  readonly cpu?: LatencyStats;
  /** That CPU run's milliseconds per timed run, and its ONNX file. */
  readonly cpuSamplesMs?: readonly number[];
  readonly cpuModel?: string;
}

export interface BenchmarkStats {
  readonly tool: string;
  readonly batch: number;
  /** Statistics from every sample (qnn-net-run, msame's per-run lines), or what the tool itself reported (ais_bench, msame's averages). */
  readonly npu: Partial<LatencyStats>;
  /**
   * `samples`: every NPU figure is computed from the per-run times; `tool-summary`: the tool printed only
   * summary figures, and the ones it did not print (std, p95, ...) are absent rather than estimated.
   */
  readonly npuFrom?: 'samples' | 'tool-summary';
  readonly cpu?: LatencyStats;
  /** Timed runs asked for, and when the benchmark finished (ISO 8601). */
  readonly loop: number;
  readonly when: string;
  /** ONNX file name of the CPU run. */
  readonly cpuModel?: string;
  /** Milliseconds per timed run, in run order, where the tool printed them (qnn-net-run) and for the CPU run: the results view's histogram. */
  readonly samplesMs?: { readonly npu?: readonly number[]; readonly cpu?: readonly number[] };
}

function fromReported(r: ReportedLatency, batch: number, loop: number): Partial<LatencyStats> {
  const mean = r.meanWithoutFirst ?? r.mean;
  return {
    count: loop,
    ...(mean !== undefined ? { mean } : {}),
    ...(r.min !== undefined ? { min: r.min } : {}),
    ...(r.max !== undefined ? { max: r.max } : {}),
    ...(r.median !== undefined ? { p50: r.median } : {}),
    ...(r.p99 !== undefined ? { p99: r.p99 } : {}),
    ...(r.throughput !== undefined ? { throughput: r.throughput } : mean ? { throughput: (batch * 1000) / mean } : {}),
  };
}

export async function benchmarkTask(ctx: TaskContext, o: BenchmarkOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const loop = o.loop ?? 100;
  const batch = o.batch ?? 1;
  const outDir = remotePath(await ctx.session.workdir(), 'out', `${stem(o.model)}_bench`);
  const remoteModel = await uploadModel(ctx, o.model, [outDir]);
  let npu: Partial<LatencyStats> | undefined;
  let npuSamples: number[] | undefined;
  let tool: string;
  let run;
  let diagnostics;
  if (host.kind === 'ascend') {
    tool = o.tool ?? 'msame';
    run = await runTool(ctx, tool === 'ais_bench' ? aisBenchArgs({ model: remoteModel, outDir, loop }) : msameArgs({ model: remoteModel, outDir, loop }));
    const reported = tool === 'ais_bench' ? parseAisBench(run.log) : parseMsame(run.log);
    if (reported?.samples?.length) {
      // The first run includes the model's warm-up: left out, as msame's own "average time without first time".
      npuSamples = reported.samples.length > 1 ? reported.samples.slice(1) : [...reported.samples];
      npu = latencyStats(npuSamples, batch);
    } else if (reported) npu = fromReported(reported, batch, loop);
    diagnostics = withKnowledge(tool, parseAtcLog(run.log).diagnostics);
  } else {
    tool = 'qnn-net-run';
    if (!o.inputList) throw new RemoteError(msg('A QNN benchmark needs --input-list: a file on the host that lists the input tensors for qnn-net-run.'), { host: host.name });
    run = await runTool(ctx, qnnNetRunArgs({ context: remoteModel, backend: qnnHtpBackend(host.kind === 'qnn-windows'), inputList: o.inputList, outDir, profiling: 'detailed' }));
    npuSamples = parseQnnNetRunProfile(run.log);
    npu = latencyStats(npuSamples, batch);
    diagnostics = withKnowledge(tool, parseQnnLog(run.log));
  }
  const ok = run.exitCode === 0 && npu !== undefined;
  if (run.exitCode === 0 && !npu) {
    ctx.onStep?.(msg('{0} finished but printed no latency figures that could be read.', tool));
  }
  const samplesMs = {
    ...(npuSamples?.length ? { npu: npuSamples } : {}),
    ...(o.cpu && o.cpuSamplesMs?.length ? { cpu: o.cpuSamplesMs } : {}),
  };
  const stats: BenchmarkStats = {
    tool,
    batch,
    npu: npu ?? {},
    ...(npu ? { npuFrom: npuSamples?.length ? ('samples' as const) : ('tool-summary' as const) } : {}),
    ...(o.cpu ? { cpu: o.cpu } : {}),
    loop,
    when: new Date().toISOString(),
    ...(o.cpu && o.cpuModel ? { cpuModel: path.basename(o.cpuModel) } : {}),
    ...(samplesMs.npu || samplesMs.cpu ? { samplesMs } : {}),
  };
  const artifacts: string[] = [];
  if (ok) {
    const file = path.join(o.outDir ?? path.dirname(o.model), `${stem(o.model)}.benchmark.json`);
    await writeFileAtomic(file, JSON.stringify({ version: 1, host: host.name, model: path.basename(o.model), ...stats }, null, 2) + '\n');
    artifacts.push(file);
  }
  return {
    task: 'benchmark',
    host: host.name,
    exitCode: ok ? 0 : 1,
    toolExitCode: run.exitCode,
    diagnostics: withFailure(diagnostics, ok, tool, run.exitCode),
    artifacts,
    stats: stats as unknown as Record<string, unknown>,
  };
}
