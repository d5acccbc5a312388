/**
 * `npu-port onnx extract|split|rewrite|run`: cut a model into parts, rewrite ops an NPU compiler rejects
 * (each rewrite verified against the original with onnxruntime), and run a model on the local CPU with
 * latency statistics. Dispatched from ./onnx.ts.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/fs';
import { msg, type Message } from '../core/l10n';
import type { Model, ValueType } from '../core/onnx/model';
import type { OutputComparison, Tolerance } from '../core/onnx/run/compare';
import { readInputDir, writeOutputDir } from '../core/onnx/run/files';
import { DEFAULT_MAX_INPUT_MB, feedInputs, type RandomInputOptions } from '../core/onnx/run/inputs';
import type { ArrayValue } from '../core/onnx/run/values';
import { refusalReasons, type RuleReport } from '../core/onnx/transform/rewrite/rewrite';
import { REWRITE_RULES } from '../core/onnx/transform/rewrite/rules/index';
import { parseShape } from '../core/onnx/transform/rewrite/rules/shapes';
import { bisectSummary } from '../core/onnx/transform/bisect';
import { commandCompiler } from '../core/onnx/transform/commandCompiler';
import { bisect as bisectOperation } from '../core/operations/bisect';
import { extractPart } from '../core/operations/extractPart';
import { rewrite as rewriteOperation, rewriteRules } from '../core/operations/rewrite';
import { runOnCpu } from '../core/operations/runOnCpu';
import { split as splitOperation } from '../core/operations/split';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from './context';
import { openInputModel } from './errors';
import { parseCommandArgs } from './main';

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

// ------------------------------------------------------------------ shared options

const COMMON = {
  dim: { type: 'string', multiple: true },
  'input-shape': { type: 'string', multiple: true },
  inputs: { type: 'string' },
  seed: { type: 'string' },
  'max-input-mb': { type: 'string' },
  format: { type: 'string' },
} as const;

interface Common {
  readonly random: RandomInputOptions;
  readonly inputShapes: Record<string, number[]>;
  readonly dims: Record<string, number>;
  readonly inputsDir: string | undefined;
  readonly json: boolean;
}

function assignments(values: unknown, option: string): [string, string][] {
  const list = Array.isArray(values) ? (values as string[]) : [];
  return list.map((item) => {
    const at = item.lastIndexOf('=');
    if (at <= 0) throw new UsageError(msg('--{0} takes NAME=VALUE; got "{1}".', option, item));
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

function commonOptions(values: Record<string, unknown>): Common {
  const dims: Record<string, number> = {};
  for (const [name, text] of assignments(values['dim'], 'dim')) {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(msg('--dim {0} needs a whole number; got "{1}".', name, text));
    dims[name] = n;
  }
  const inputShapes: Record<string, number[]> = {};
  for (const [name, text] of assignments(values['input-shape'], 'input-shape')) {
    const shape = parseShape(text);
    if (!shape) throw new UsageError(msg('--input-shape {0} needs dimensions like 1,5,2; got "{1}".', name, text));
    inputShapes[name] = shape;
  }
  const seedText = values['seed'];
  const seed = seedText === undefined ? 0 : Number(seedText);
  if (!Number.isInteger(seed)) throw new UsageError(msg('--seed needs a whole number.'));
  const budgetText = values['max-input-mb'];
  const budget = budgetText === undefined ? DEFAULT_MAX_INPUT_MB : Number(budgetText);
  if (!(budget > 0) || !Number.isFinite(budget)) throw new UsageError(msg('--max-input-mb needs a number of MiB above 0; got "{0}".', String(budgetText)));
  const format = values['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(msg('Unknown format "{0}": use {1}.', String(format), 'text, json'));
  return {
    random: { seed, dims, shapes: inputShapes, maxBytes: budget * 2 ** 20 },
    inputShapes,
    dims,
    inputsDir: typeof values['inputs'] === 'string' ? values['inputs'] : undefined,
    json: format === 'json',
  };
}

function oneModel(ctx: CliContext, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(msg('Give exactly one model file.'));
  return path.resolve(ctx.cwd, positionals[0]!);
}

async function givenInputs(ctx: CliContext, model: Model, common: Common): Promise<Record<string, ArrayValue>> {
  if (!common.inputsDir) return {};
  const dir = path.resolve(ctx.cwd, common.inputsDir);
  const values = await readInputDir(dir, feedInputs(model.graph));
  const missing = feedInputs(model.graph).filter((v) => !values[v.name]).map((v) => v.name);
  if (missing.length) ctx.log.warn(ctx.t(msg('No .npy file for {0} in {1}: seeded random values are used.', missing.join(', '), common.inputsDir)));
  return values;
}

function typeText(type: ValueType | null): string {
  if (!type) return '?';
  if (type.kind !== 'tensor') return type.kind;
  return `${type.elemType}[${(type.shape ?? []).map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function relative(ctx: CliContext, file: string): string {
  const rel = path.relative(ctx.cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function json(ctx: CliContext, value: unknown): void {
  ctx.json(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

function comparisonJson(ctx: CliContext, c: OutputComparison) {
  return {
    name: c.name, pass: c.pass, maxAbsError: c.maxAbsError, meanAbsError: c.meanAbsError, cosine: c.cosine,
    ...(c.iou !== undefined ? { iou: c.iou } : {}), dims: c.candidateDims, ...(c.problem ? { problem: ctx.t(c.problem) } : {}),
  };
}

function comparisonLine(ctx: CliContext, c: OutputComparison): string {
  const parts = [
    ctx.t(msg('max abs error {0}', c.maxAbsError.toPrecision(3))),
    ctx.t(msg('cosine {0}', c.cosine.toFixed(6))),
    ...(c.iou !== undefined ? [ctx.t(msg('mask IoU {0}', c.iou.toFixed(4)))] : []),
  ];
  return `    ${c.pass ? ctx.t(msg('ok')) : ctx.t(msg('FAIL'))}  ${c.name}: ${parts.join(', ')}`;
}

// ------------------------------------------------------------------ extract

async function extract(ctx: CliContext, args: string[]): Promise<number> {
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

// ------------------------------------------------------------------ split

async function split(ctx: CliContext, args: string[]): Promise<number> {
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

// ------------------------------------------------------------------ rewrite

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

async function rewrite(ctx: CliContext, args: string[]): Promise<number> {
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

// ------------------------------------------------------------------ run

async function run(ctx: CliContext, args: string[]): Promise<number> {
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

// ------------------------------------------------------------------ bisect

async function bisect(ctx: CliContext, args: string[]): Promise<number> {
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
