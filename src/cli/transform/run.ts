/** `npu-port onnx run`: the model on this machine's CPU with latency statistics, outputs saved as .npy (the runOnCpu operation). */
import * as path from 'node:path';
import { msg } from '../../core/l10n';
import { writeOutputDir } from '../../core/onnx/run/files';
import { runOnCpu } from '../../core/operations/runOnCpu';
import { EXIT_OK, type CliContext } from '../context';
import { openInputModel } from '../errors';
import { parseCommandArgs } from '../main';
import { COMMON, commonOptions, givenInputs, json, oneModel, relative } from './shared';

export async function run(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...COMMON,
    iterations: { type: 'string' },
    warmup: { type: 'string' },
    outputs: { type: 'string' },
    'no-save': { type: 'boolean' },
  });
  const common = commonOptions(values);
  const file = oneModel(ctx, positionals);
  const model = await openInputModel(ctx, positionals[0]!);
  const result = await runOnCpu({
    file, model, inputs: await givenInputs(ctx, model, common), random: common.random, signal: ctx.signal,
    ...(values.iterations !== undefined ? { iterations: Number(values.iterations) } : {}),
    ...(values.warmup !== undefined ? { warmup: Number(values.warmup) } : {}),
  });
  const { iterations, warmup, feeds } = result;
  const outDir = path.resolve(ctx.cwd, typeof values.outputs === 'string' ? values.outputs : `${path.basename(file, '.onnx')}.outputs`);
  const written = values['no-save'] ? [] : await writeOutputDir(outDir, result.outputs, ctx.signal);
  const s = result.stats;
  if (common.json) {
    json(ctx, {
      version: 1, model: relative(ctx, file), iterations, warmup, loadMs: result.loadMs, latencyMs: s ?? null, samplesMs: result.samplesMs,
      inputs: Object.entries(feeds).map(([name, v]) => ({ name, type: v.elemType, dims: v.dims })),
      outputs: Object.entries(result.outputs).map(([name, v]) => ({ name, type: v.elemType, dims: v.dims })),
      saved: written.map((w) => relative(ctx, w)),
    });
    return EXIT_OK;
  }
  const f = (n: number) => n.toFixed(3);
  const lines = [ctx.t(msg('{0}: {1} runs after {2} warm-up runs on the CPU (onnxruntime), model load {3} ms', relative(ctx, file), iterations, warmup, result.loadMs.toFixed(1)))];
  if (s) {
    lines.push(ctx.t(msg('latency ms: mean {0}  std {1}  min {2}  max {3}', f(s.mean), f(s.std), f(s.min), f(s.max))));
    lines.push(ctx.t(msg('percentiles ms: p50 {0}  p95 {1}  p99 {2}', f(s.p50), f(s.p95), f(s.p99))));
    lines.push(ctx.t(msg('throughput: {0} inferences/s', s.throughput.toFixed(2))));
  }
  lines.push(ctx.t(msg('Outputs:')));
  for (const [name, v] of Object.entries(result.outputs)) lines.push(`  ${name}: ${v.elemType}[${v.dims.join(', ')}]`);
  if (written.length) lines.push(ctx.t(msg('Saved {0} output(s) as .npy in {1}', written.length, relative(ctx, outDir))));
  ctx.out(lines.join('\n') + '\n');
  return EXIT_OK;
}
