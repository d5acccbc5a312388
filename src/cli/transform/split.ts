/** `npu-port onnx split`: one model per module (the split operation); the files go into the output folder. */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/fs';
import { msg } from '../../core/l10n';
import { split as splitOperation } from '../../core/operations/split';
import { EXIT_OK, UsageError, type CliContext } from '../context';
import { openInputModel } from '../errors';
import { parseCommandArgs } from '../main';
import { COMMON, commonOptions, givenInputs, json, oneModel, relative } from './shared';

export async function split(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...COMMON, depth: { type: 'string' }, output: { type: 'string', short: 'o' } });
  const common = commonOptions(values);
  const file = oneModel(ctx, positionals);
  if (typeof values.output !== 'string') throw new UsageError(msg('Give the output folder with -o DIR.'));
  const dir = path.resolve(ctx.cwd, values.output);
  const model = await openInputModel(ctx, positionals[0]!);
  const { depth, parts } = await splitOperation({
    model, ...(values.depth !== undefined ? { depth: Number(values.depth) } : {}),
    inputs: await givenInputs(ctx, model, common), random: common.random, signal: ctx.signal,
  });
  await fsp.mkdir(dir, { recursive: true });
  const rows = [];
  for (const part of parts) {
    const out = path.join(dir, part.fileName);
    await writeFileAtomic(out, part.bytes, { signal: ctx.signal });
    rows.push({ module: part.module, file: relative(ctx, out), nodes: part.nodes, ops: part.ops, inputs: part.inputs, outputs: part.outputs });
  }
  if (common.json) {
    json(ctx, { version: 1, model: relative(ctx, file), depth, parts: rows });
  } else {
    const lines = [ctx.t(msg('{0} parts at module depth {1}:', rows.length, depth))];
    for (const r of rows) {
      lines.push(`  ${r.file}  ${ctx.t(msg('{0}: {1} nodes, {2} op types, {3} inputs, {4} outputs', r.module, r.nodes, r.ops.length, r.inputs.length, r.outputs.length))}`);
      lines.push(`    ${r.ops.join(' ')}`);
    }
    ctx.out(lines.join('\n') + '\n');
  }
  return EXIT_OK;
}
