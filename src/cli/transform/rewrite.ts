/** `npu-port onnx rewrite`: rewrite ops the NPU lacks, each rule verified with onnxruntime (the rewrite operation). */
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/fs';
import { msg, type Message } from '../../core/l10n';
import type { Tolerance } from '../../core/onnx/run/compare';
import { refusalReasons, type RuleReport } from '../../core/onnx/transform/rewrite/rewrite';
import { REWRITE_RULES } from '../../core/onnx/transform/rewrite/rules/index';
import { rewrite as rewriteOperation, rewriteRules } from '../../core/operations/rewrite';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from '../context';
import { openInputModel } from '../errors';
import { parseCommandArgs } from '../main';
import { COMMON, commonOptions, comparisonJson, comparisonLine, givenInputs, json, oneModel, relative } from './shared';

function toleranceOptions(values: Record<string, unknown>): Partial<Tolerance> {
  const tolerance: { -readonly [K in keyof Tolerance]?: number } = {};
  for (const key of ['atol', 'rtol'] as const) {
    const raw = values[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(msg('--{0} needs a non-negative number.', key));
    tolerance[key] = n;
  }
  return tolerance;
}

function ruleList(ctx: CliContext): string {
  const lines = [ctx.t(msg('Rewrite rules (applied in this order; "all" means every exact rule):'))];
  for (const rule of REWRITE_RULES) lines.push(`  ${rule.id.padEnd(22)}${rule.exact ? '' : `[${ctx.t(msg('approximate'))}] `}${ctx.t(rule.summary)}`);
  return lines.join('\n') + '\n';
}

function reportLines(ctx: CliContext, report: RuleReport): string[] {
  const ops = Object.entries(report.ops).map(([op, n]) => `${op} ${n.before}→${n.after}`).join(', ');
  const status: Record<RuleReport['status'], Message> = {
    applied: msg('applied'), refused: msg('REFUSED'), unchanged: msg('nothing to do'),
  };
  const lines = [`${report.rule}: ${ctx.t(status[report.status])}${report.changed ? ` (${ctx.t(msg('{0} changes', report.changed))}${ops ? `; ${ops}` : ''})` : ''}`];
  if (report.status === 'refused') for (const reason of refusalReasons(report)) lines.push(`    ${ctx.t(reason)}`);
  if (report.comparisons.length && (report.status !== 'refused' || !report.exact)) {
    if (!report.exact) lines.push(`    ${ctx.t(msg('Changes numerics: measured error against the original model'))}`);
    for (const c of report.comparisons) lines.push(comparisonLine(ctx, c));
  }
  for (const note of report.notes) lines.push(`    ${ctx.t(msg('note: {0}', ctx.t(note)))}`);
  return lines;
}

export async function rewrite(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...COMMON,
    apply: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
    node: { type: 'string', multiple: true },
    list: { type: 'boolean' },
    'no-verify': { type: 'boolean' },
    atol: { type: 'string' },
    rtol: { type: 'string' },
    mask: { type: 'string', multiple: true },
    'mask-threshold': { type: 'string' },
  });
  if (values.list) {
    ctx.out(ruleList(ctx));
    return EXIT_OK;
  }
  const common = commonOptions(values);
  const file = oneModel(ctx, positionals);
  if (typeof values.output !== 'string') throw new UsageError(msg('Give the output file with -o OUT.'));
  const rules = (values.apply ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  const tolerance = toleranceOptions(values);
  const out = path.resolve(ctx.cwd, values.output);
  rewriteRules({ rules, inputShapes: common.inputShapes, dims: common.dims }); // a wrong rule is a usage error before the model is read
  const model = await openInputModel(ctx, positionals[0]!);
  const threshold = values['mask-threshold'] === undefined ? undefined : Number(values['mask-threshold']);
  const result = await rewriteOperation({
    model,
    rules,
    inputs: await givenInputs(ctx, model, common),
    random: common.random,
    inputShapes: common.inputShapes,
    dims: common.dims,
    ...(values.node ? { nodes: values.node } : {}),
    tolerance,
    verify: values['no-verify'] !== true,
    ...(values.mask ? { masks: values.mask } : {}),
    ...(threshold !== undefined ? { maskThreshold: threshold } : {}),
    signal: ctx.signal,
    onProgress: (p) => p.message && ctx.log.info(ctx.t(p.message)),
  });
  const applied = result.reports.filter((r) => r.status === 'applied');
  if (result.bytes) await writeFileAtomic(out, result.bytes, { signal: ctx.signal });
  const refused = result.reports.filter((r) => r.status === 'refused');
  if (common.json) {
    json(ctx, {
      version: 1, model: relative(ctx, file), output: applied.length ? relative(ctx, out) : null,
      nodes: { before: model.graph.nodes.length, after: result.model.graph.nodes.length },
      rules: result.reports.map((r) => ({
        rule: r.rule, exact: r.exact, status: r.status, changed: r.changed, ops: r.ops, notes: r.notes.map(ctx.t),
        tolerance: r.tolerance, outputs: r.comparisons.map((c) => comparisonJson(ctx, c)),
      })),
    });
  } else {
    const lines = result.reports.flatMap((r) => reportLines(ctx, r));
    lines.push(applied.length
      ? ctx.t(msg('Wrote {0}: {1} nodes (was {2}).', relative(ctx, out), result.model.graph.nodes.length, model.graph.nodes.length))
      : ctx.t(msg('No rule changed the model; nothing written.')));
    if (values['no-verify']) lines.push(ctx.t(msg('Not verified (--no-verify): run "npu-port onnx run" on both models and compare.')));
    ctx.out(lines.join('\n') + '\n');
  }
  return refused.length ? EXIT_FINDINGS : EXIT_OK;
}
