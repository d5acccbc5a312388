import * as path from 'node:path';
import { msg } from '../core/l10n';
import type { Tolerance } from '../core/onnx/run/compare';
import { compare } from '../core/operations/compare';
import type { CliCommand } from './commands';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from './context';
import { readNpyInput } from './errors';
import { parseCommandArgs } from './main';

function help(ctx: CliContext): string {
  return [
    ctx.t(msg('Usage: npu-port compare REFERENCE CANDIDATE [--atol X] [--rtol X] [--min-cosine X] [--mask NAME]... [--mask-threshold X] [--format text|json]')),
    '',
    ctx.t(msg('REFERENCE and CANDIDATE are .npy files or folders of them (e.g. CPU outputs of "npu-port onnx run" and outputs pulled back from the NPU); files are matched by name.')),
    ctx.t(msg('Each tensor: max and mean abs error, cosine similarity, and for masks (names containing "mask", or --mask) the IoU after thresholding.')),
    ctx.t(msg('Exit codes: 0 all within tolerance, 1 some differ, 2 usage or input error.')),
    '',
  ].join('\n');
}

function number(values: Record<string, unknown>, key: string): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(msg('--{0} needs a non-negative number.', key));
  return n;
}

/** `npu-port compare A B`: outputs of two runs (CPU vs NPU, before vs after a rewrite), tensor by tensor. */
export const compareCommand: CliCommand = {
  name: 'compare',
  summary: msg('Compare two sets of .npy outputs (CPU vs NPU): max abs error, cosine similarity, mask IoU'),
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      atol: { type: 'string' }, rtol: { type: 'string' }, 'min-cosine': { type: 'string' }, 'min-iou': { type: 'string' },
      mask: { type: 'string', multiple: true }, 'mask-threshold': { type: 'string' }, format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      ctx.out(help(ctx));
      return EXIT_OK;
    }
    if (positionals.length !== 2) throw new UsageError(msg('Give two .npy files or folders: REFERENCE CANDIDATE.'));
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(msg('Unknown format "{0}": use {1}.', format, 'text, json'));
    const given: { -readonly [K in keyof Tolerance]?: number } = {};
    for (const [key, option] of [['atol', 'atol'], ['rtol', 'rtol'], ['minCosine', 'min-cosine'], ['minIou', 'min-iou']] as const) {
      const n = number(values, option);
      if (n !== undefined) given[key] = n;
    }
    const [a, b] = positionals.map((p) => path.resolve(ctx.cwd, p)) as [string, string];
    const reference = await readNpyInput(ctx, positionals[0]!);
    const candidate = await readNpyInput(ctx, positionals[1]!);
    const { tolerance, comparisons, failed } = compare({
      reference, candidate, singleFiles: a.endsWith('.npy') && b.endsWith('.npy'), tolerance: given,
      ...(values.mask ? { masks: values.mask } : {}),
      ...(values['mask-threshold'] !== undefined ? { maskThreshold: Number(values['mask-threshold']) } : {}),
      signal: ctx.signal,
    });
    if (format === 'json') {
      ctx.json({
        version: 1, reference: positionals[0], candidate: positionals[1], tolerance,
        tensors: comparisons.map((c) => ({
          name: c.name, pass: c.pass, dims: c.referenceDims, maxAbsError: Number.isFinite(c.maxAbsError) ? c.maxAbsError : null,
          meanAbsError: Number.isFinite(c.meanAbsError) ? c.meanAbsError : null, cosine: c.cosine, ...(c.iou !== undefined ? { iou: c.iou } : {}),
          ...(c.problem ? { problem: ctx.t(c.problem) } : {}),
        })),
      });
    } else {
      const lines = comparisons.map((c) => {
        const metrics = [
          ctx.t(msg('max abs error {0}', c.maxAbsError.toPrecision(3))),
          ctx.t(msg('mean abs error {0}', c.meanAbsError.toPrecision(3))),
          ctx.t(msg('cosine {0}', c.cosine.toFixed(6))),
          ...(c.iou !== undefined ? [ctx.t(msg('mask IoU {0}', c.iou.toFixed(4)))] : []),
        ].join(', ');
        return `${c.pass ? ctx.t(msg('ok')) : ctx.t(msg('FAIL'))}  ${c.name} [${c.referenceDims.join(', ')}]: ${metrics}${c.problem ? `\n      ${ctx.t(c.problem)}` : ''}`;
      });
      lines.push(ctx.t(msg('{0} of {1} tensors within tolerance (atol {2}, rtol {3}, cosine ≥ {4}, IoU ≥ {5}).', comparisons.length - failed.length, comparisons.length, tolerance.atol, tolerance.rtol, tolerance.minCosine, tolerance.minIou)));
      ctx.out(lines.join('\n') + '\n');
    }
    return failed.length ? EXIT_FINDINGS : EXIT_OK;
  },
};
