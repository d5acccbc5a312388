/** `npu-port onnx bisect`: compile parts with a command, narrow failures down to nodes, save the whitelist profile (the bisect operation). */
import * as path from 'node:path';
import { msg } from '../../core/l10n';
import { bisectSummary } from '../../core/onnx/transform/bisect';
import { commandCompiler } from '../../core/onnx/transform/commandCompiler';
import { bisect as bisectOperation } from '../../core/operations/bisect';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from '../context';
import { openInputModel } from '../errors';
import { parseCommandArgs } from '../main';
import { COMMON, commonOptions, givenInputs, json, oneModel, relative } from './shared';

export async function bisect(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...COMMON,
    'compile-cmd': { type: 'string' },
    depth: { type: 'string' },
    profile: { type: 'string' },
    record: { type: 'string' },
    'max-compiles': { type: 'string' },
  });
  const common = commonOptions(values);
  const file = oneModel(ctx, positionals);
  if (typeof values['compile-cmd'] !== 'string') throw new UsageError(msg('Give the compile command with --compile-cmd CMD (the part file is in $NPU_PORT_PART).'));
  const model = await openInputModel(ctx, positionals[0]!);
  const result = await bisectOperation({
    model,
    file,
    compiler: commandCompiler(values['compile-cmd'], { cwd: ctx.cwd }),
    projectDir: ctx.cwd,
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
    ...(typeof values.record === 'string' ? { record: values.record } : {}),
    ...(values.depth !== undefined ? { depth: Number(values.depth) } : {}),
    ...(values['max-compiles'] !== undefined ? { maxCompiles: Number(values['max-compiles']) } : {}),
    inputs: await givenInputs(ctx, model, common),
    random: common.random,
    signal: ctx.signal,
    onProgress: (p) => p.message && ctx.log.info(ctx.t(p.message)),
    onCompiled: (entry, done) => ctx.log.warn(ctx.t(msg('[{0}] {1}: {2}', done, entry.label, entry.ok ? ctx.t(msg('compiled')) : entry.message ?? ctx.t(msg('failed'))))),
  });
  const { profileFile, recordFile, resumed: _resumed, ...bisected } = result; // the JSON keeps the shape it had
  const profileName = path.basename(profileFile, '.json');
  if (common.json) {
    json(ctx, { version: 1, model: relative(ctx, file), profile: relative(ctx, profileFile), record: relative(ctx, recordFile), ...bisected });
  } else {
    const lines = [ctx.t(bisectSummary(result))];
    if (result.failingNodes.length) {
      lines.push(ctx.t(msg('Nodes that fail on their own:')));
      for (const n of result.failingNodes) lines.push(`  ${n.opType}  ${n.name}${n.message ? `\n      ${n.message}` : ''}`);
    }
    for (const t of result.failingTogether) lines.push(ctx.t(msg('Fails only as a whole ({0} nodes, each half compiles): {1}', t.nodes.length, t.label)));
    lines.push(ctx.t(msg('Passing parts: {0}', result.passingParts.length)));
    lines.push(ctx.t(msg('Whitelist profile: {0} ({1} ops; use it with --profile or as target "{2}")', relative(ctx, profileFile), result.whitelist.length, profileName)));
    if (result.truncated) lines.push(ctx.t(msg('Stopped at --max-compiles; run again to continue from the record.')));
    ctx.out(lines.join('\n') + '\n');
  }
  return result.failingNodes.length || result.failingTogether.length ? EXIT_FINDINGS : EXIT_OK;
}
