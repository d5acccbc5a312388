/** `npu-port onnx extract`: part of a model as a model of its own, checked to reproduce the original (the extractPart operation). */
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/fs';
import { msg } from '../../core/l10n';
import { extractPart } from '../../core/operations/extractPart';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from '../context';
import { openInputModel } from '../errors';
import { parseCommandArgs } from '../main';
import { COMMON, commonOptions, comparisonJson, comparisonLine, givenInputs, json, oneModel, relative, typeText } from './shared';

export async function extract(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...COMMON,
    from: { type: 'string', multiple: true },
    to: { type: 'string', multiple: true },
    module: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'no-verify': { type: 'boolean' },
  });
  const common = commonOptions(values);
  const file = oneModel(ctx, positionals);
  if (typeof values.output !== 'string') throw new UsageError(msg('Give the output file with -o OUT.'));
  const from = (values.from ?? []).flatMap((v) => v.split(',')).filter(Boolean);
  const to = (values.to ?? []).flatMap((v) => v.split(',')).filter(Boolean);
  if (values.module === undefined && to.length === 0) throw new UsageError(msg('Say what to extract: --module PREFIX, or --to TENSOR (with --from TENSOR for the cut).'));
  if (values.module !== undefined && (from.length || to.length)) throw new UsageError(msg('Use either --module or --from/--to, not both.'));
  const out = path.resolve(ctx.cwd, values.output);
  const model = await openInputModel(ctx, positionals[0]!);
  const { extracted: part, bytes, reproduction: comparisons } = await extractPart({
    model, part: values.module !== undefined ? { module: values.module } : { from, to },
    inputs: await givenInputs(ctx, model, common), random: common.random, verify: !values['no-verify'], signal: ctx.signal,
  });
  await writeFileAtomic(out, bytes, { signal: ctx.signal });
  const failed = comparisons.filter((c) => !c.pass);
  if (common.json) {
    json(ctx, {
      version: 1, model: relative(ctx, file), output: relative(ctx, out), nodes: part.model.graph.nodes.length,
      initializers: part.model.graph.initializers.length,
      inputs: part.model.graph.inputs.map((v) => ({ name: v.name, type: typeText(v.type) })),
      outputs: part.model.graph.outputs.map((v) => ({ name: v.name, type: typeText(v.type) })),
      extraInputs: part.extraInputs, probedTypes: part.probedTypes, reproduction: comparisons.map((c) => comparisonJson(ctx, c)),
    });
  } else {
    const lines = [ctx.t(msg('Wrote {0}: {1} nodes, {2} initializers.', relative(ctx, out), part.model.graph.nodes.length, part.model.graph.initializers.length))];
    lines.push(ctx.t(msg('Inputs:')));
    for (const v of part.model.graph.inputs) lines.push(`  ${v.name}: ${typeText(v.type)}`);
    lines.push(ctx.t(msg('Outputs:')));
    for (const v of part.model.graph.outputs) lines.push(`  ${v.name}: ${typeText(v.type)}`);
    if (part.extraInputs.length) lines.push(ctx.t(msg('Also needs model inputs the cut did not reach: {0}', part.extraInputs.join(', '))));
    if (part.probedTypes.length) lines.push(ctx.t(msg('Types of {0} tensor(s) come from a run of the original (the model declares none).', part.probedTypes.length)));
    if (comparisons.length) {
      lines.push(failed.length
        ? ctx.t(msg('The part does NOT reproduce the original tensors:'))
        : ctx.t(msg('The part reproduces the original tensors ({0} outputs compared on seeded inputs).', comparisons.length)));
      for (const c of comparisons) if (!c.pass || comparisons.length <= 8) lines.push(comparisonLine(ctx, c));
    }
    ctx.out(lines.join('\n') + '\n');
  }
  return failed.length ? EXIT_FINDINGS : EXIT_OK;
}
