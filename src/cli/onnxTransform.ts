/**
 * `npu-port onnx extract|split|rewrite|run|bisect`: cut a model into parts, rewrite ops an NPU compiler
 * rejects (each rewrite verified against the original with onnxruntime), run a model on the local CPU
 * with latency statistics, and find the nodes a compiler rejects. Dispatched from ./onnx.ts; one file per
 * subcommand in ./transform/, the options and printing they share in ./transform/shared.ts.
 */
import { msg } from '../core/l10n';
import { DEFAULT_MAX_INPUT_MB } from '../core/onnx/run/inputs';
import { EXIT_OK, UsageError, type CliContext } from './context';
import { bisect } from './transform/bisect';
import { extract } from './transform/extract';
import { rewrite } from './transform/rewrite';
import { run } from './transform/run';
import { split } from './transform/split';

export const TRANSFORM_SUBCOMMANDS = ['extract', 'split', 'rewrite', 'run', 'bisect'] as const;

export async function runTransformSubcommand(ctx: CliContext, sub: string, args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    ctx.out(transformUsage(ctx));
    return EXIT_OK;
  }
  switch (sub) {
    case 'extract': return extract(ctx, args);
    case 'split': return split(ctx, args);
    case 'rewrite': return rewrite(ctx, args);
    case 'run': return run(ctx, args);
    case 'bisect': return bisect(ctx, args);
    default: throw new UsageError(msg('Unknown onnx subcommand "{0}".', sub));
  }
}

export function transformUsage(ctx: CliContext): string {
  return [
    `  extract MODEL (--from TENSOR... --to TENSOR... | --module PREFIX) -o OUT`,
    `                                             ${ctx.t(msg('a standalone model of part of MODEL, checked to reproduce the original tensors'))}`,
    `  split MODEL [--depth N] -o DIR             ${ctx.t(msg('one model per module (depth 1: top-level modules)'))}`,
    `  rewrite MODEL --apply RULE[,RULE]|all -o OUT [--input-shape NAME=1,5,2] [--node NAME]`,
    `                                             ${ctx.t(msg('rewrite ops the NPU lacks; each rule is verified with onnxruntime and refused beyond tolerance'))}`,
    `                                             ${ctx.t(msg('--node (repeatable): only these nodes, for the rules that rewrite one node at a time'))}`,
    `  rewrite --list                             ${ctx.t(msg('the rewrite rules'))}`,
    `  bisect MODEL --compile-cmd CMD [--depth N] [--profile NAME] [--record FILE]`,
    `                                             ${ctx.t(msg('compile parts with CMD (part file in $NPU_PORT_PART, exit 0 = compiled), narrow failures down to single nodes, save the whitelist profile'))}`,
    `  run MODEL [--inputs DIR] [--iterations N] [--warmup N] [--outputs DIR]`,
    `                                             ${ctx.t(msg('local CPU inference with onnxruntime: latency mean/std/min/max/p50/p95/p99, throughput, outputs as .npy'))}`,
    '',
    `  --dim NAME=N                               ${ctx.t(msg('size of a symbolic dimension for generated inputs (repeatable; default 1)'))}`,
    `  --input-shape NAME=D1,D2,...               ${ctx.t(msg('shape of an input (repeatable); with rewrite, fix-input-shapes makes it static'))}`,
    `  --inputs DIR                               ${ctx.t(msg('input values as DIR/<input>.npy; the others are seeded random'))}`,
    `  --seed N                                   ${ctx.t(msg('seed of the random inputs (default 0)'))}`,
    `  --max-input-mb N                           ${ctx.t(msg('memory budget of all generated inputs together, in MiB (default {0})', DEFAULT_MAX_INPUT_MB))}`,
    `  --format text|json                         ${ctx.t(msg('output format (default text)'))}`,
    '',
  ].join('\n');
}
