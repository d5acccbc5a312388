/** What the `npu-port onnx` transform subcommands share: the input options, the model argument, and how results print. */
import * as path from 'node:path';
import { msg } from '../../core/l10n';
import type { Model, ValueType } from '../../core/onnx/model';
import type { OutputComparison } from '../../core/onnx/run/compare';
import { readInputDir } from '../../core/onnx/run/files';
import { DEFAULT_MAX_INPUT_MB, feedInputs, type RandomInputOptions } from '../../core/onnx/run/inputs';
import type { ArrayValue } from '../../core/onnx/run/values';
import { parseShape } from '../../core/onnx/transform/rewrite/rules/shapes';
import { UsageError, type CliContext } from '../context';

export const COMMON = {
  dim: { type: 'string', multiple: true },
  'input-shape': { type: 'string', multiple: true },
  inputs: { type: 'string' },
  seed: { type: 'string' },
  'max-input-mb': { type: 'string' },
  format: { type: 'string' },
} as const;

export interface Common {
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

export function commonOptions(values: Record<string, unknown>): Common {
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

export function oneModel(ctx: CliContext, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(msg('Give exactly one model file.'));
  return path.resolve(ctx.cwd, positionals[0]!);
}

export async function givenInputs(ctx: CliContext, model: Model, common: Common): Promise<Record<string, ArrayValue>> {
  if (!common.inputsDir) return {};
  const dir = path.resolve(ctx.cwd, common.inputsDir);
  const values = await readInputDir(dir, feedInputs(model.graph));
  const missing = feedInputs(model.graph).filter((v) => !values[v.name]).map((v) => v.name);
  if (missing.length) ctx.log.warn(ctx.t(msg('No .npy file for {0} in {1}: seeded random values are used.', missing.join(', '), common.inputsDir)));
  return values;
}

export function typeText(type: ValueType | null): string {
  if (!type) return '?';
  if (type.kind !== 'tensor') return type.kind;
  return `${type.elemType}[${(type.shape ?? []).map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export function relative(ctx: CliContext, file: string): string {
  const rel = path.relative(ctx.cwd, file);
  return rel.startsWith('..') ? file : rel;
}

export function json(ctx: CliContext, value: unknown): void {
  ctx.json(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function comparisonJson(ctx: CliContext, c: OutputComparison) {
  return {
    name: c.name, pass: c.pass, maxAbsError: c.maxAbsError, meanAbsError: c.meanAbsError, cosine: c.cosine,
    ...(c.iou !== undefined ? { iou: c.iou } : {}), dims: c.candidateDims, ...(c.problem ? { problem: ctx.t(c.problem) } : {}),
  };
}

export function comparisonLine(ctx: CliContext, c: OutputComparison): string {
  const parts = [
    ctx.t(msg('max abs error {0}', c.maxAbsError.toPrecision(3))),
    ctx.t(msg('cosine {0}', c.cosine.toFixed(6))),
    ...(c.iou !== undefined ? [ctx.t(msg('mask IoU {0}', c.iou.toFixed(4)))] : []),
  ];
  return `    ${c.pass ? ctx.t(msg('ok')) : ctx.t(msg('FAIL'))}  ${c.name}: ${parts.join(', ')}`;
}
