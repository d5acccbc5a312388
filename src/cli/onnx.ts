import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../core/fs';
import { msg, type Message } from '../core/l10n';
import type { CheckResult, NodeVerdict } from '../core/onnx/check';
import { checkFails, checkToJson, checkToSarif, DEFAULT_FAIL_ON, FAIL_KINDS, groupFindings, opLabel, parseFailOn, SARIF_MAX_RESULTS, type FailKind } from '../core/onnx/check-report';
import type { ModelSummary } from '../core/onnx/summary';
import { opCounts, type TargetProfile } from '../core/onnx/targets';
import { checkModel } from '../core/operations/checkModel';
import { listTargets } from '../core/operations/listTargets';
import { modelInfo } from '../core/operations/modelInfo';
import { modelText } from '../core/operations/modelText';
import { checkWhitelistRequest, whitelist as whitelistProfile } from '../core/operations/whitelist';
import { boundString } from '../core/output';
import type { CliCommand } from './commands';
import { EXIT_CODES, EXIT_FINDINGS, EXIT_OK, UsageError, type CliContext } from './context';
import { openInputModel } from './errors';
import { bytesText, displayWidth, padEndDisplay } from './format';
import { parseCommandArgs } from './main';
import { runTransformSubcommand, transformUsage } from './onnxTransform';

declare const NPU_PORT_VERSION: string;

function usage(ctx: CliContext): string {
  return [
    ctx.t(msg('Usage: npu-port onnx <subcommand> [options]')),
    '',
    `  info MODEL [--format text|json]            ${ctx.t(msg('IR, opsets, inputs and outputs, op histogram, parameters, dynamic dims, external data'))}`,
    `  check MODEL [--target ID[@VERSION]] [--profile FILE] [--format text|json|sarif] [--all] [--fail-on KINDS]`,
    `                                             ${ctx.t(msg('node-by-node support on an NPU target (ID@VERSION: facts of that toolkit release or Hexagon architecture, e.g. ascend310p@8.5, qnn-htp@v68)'))}`,
    `                                             ${ctx.t(msg('--fail-on unsupported|unverified|dynamic (comma list, default unsupported): exit 1 when a finding of those kinds is present, 0 otherwise, 2 usage error'))}`,
    `  text MODEL [--max-values N|all] [--no-node-names]`,
    `                                             ${ctx.t(msg('the model in ONNX textual syntax (onnx.printer / onnx.parser format); tensors over N elements (default 16) print ...'))}`,
    `  targets [--format text|json]               ${ctx.t(msg('built-in targets and .npu-port/profiles/*.json, with their sources'))}`,
    `  whitelist --name NAME MODEL... [-o FILE]  ${ctx.t(msg('a whitelist profile from models that compiled: the op types they use'))}`,
    transformUsage(ctx),
    ctx.t(EXIT_CODES),
    '',
  ].join('\n');
}

/** `npu-port onnx info|check|text|targets`: ONNX models against NPU targets. */
export const onnxCommand: CliCommand = {
  name: 'onnx',
  summary: msg('Inspect an ONNX model and check it against an NPU target'),
  async run(ctx, args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'info': return info(ctx, rest);
      case 'check': return check(ctx, rest);
      case 'text': return text(ctx, rest);
      case 'targets': return targets(ctx, rest);
      case 'whitelist': return whitelist(ctx, rest);
      case 'extract': case 'split': case 'rewrite': case 'run': case 'bisect': return runTransformSubcommand(ctx, sub, rest);
      case undefined: case '--help': case '-h': case 'help':
        ctx.out(usage(ctx));
        return sub === undefined ? 2 : EXIT_OK;
      default:
        throw new UsageError(msg('Unknown onnx subcommand "{0}": use info, check, text, targets, whitelist, extract, split, rewrite, run or bisect.', sub));
    }
  },
};

function modelArgument(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(msg('Give exactly one model file.'));
  return positionals[0]!;
}

function formatOption(value: unknown, allowed: readonly string[]): string {
  const format = typeof value === 'string' ? value : 'text';
  if (!allowed.includes(format)) throw new UsageError(msg('Unknown format "{0}": use {1}.', format, allowed.join(', ')));
  return format;
}

async function info(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
  const format = formatOption(values.format, ['text', 'json']);
  const file = modelArgument(positionals);
  const model = await openInputModel(ctx, file);
  const summary = modelInfo({ model, signal: ctx.signal });
  if (format === 'json') {
    ctx.json({ version: 1, model: file, ...summary, externalData: summary.externalData.map((e) => ({ ...e, problem: e.problem ? ctx.t(e.problem) : undefined })) });
  } else {
    ctx.out(infoText(ctx, file, summary));
  }
  return EXIT_OK;
}

function infoText(ctx: CliContext, file: string, s: ModelSummary): string {
  const rows: [Message, string][] = [
    [msg('Model'), `${file} (${bytesText(s.fileBytes)})`],
    [msg('IR version'), String(s.irVersion)],
    [msg('Opsets'), s.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')],
    [msg('Producer'), s.producer || '-'],
    [msg('Nodes'), ctx.t(msg('{0} in {1} graphs, {2} model-local functions', s.nodeCount, s.graphCount, s.functionCount))],
    [msg('Parameters'), ctx.t(msg('{0} in {1} initializers ({2})', s.parameters.toLocaleString('en-US'), s.initializerCount, bytesText(s.parameterBytes)))],
    [msg('Dynamic dims'), s.dynamicDims.length ? s.dynamicDims.join(', ') : '-'],
  ];
  const label = (m: Message) => ctx.t(m);
  const width = Math.max(...rows.map(([k]) => displayWidth(label(k)))) + 2;
  const lines = rows.map(([k, v]) => `${padEndDisplay(label(k), width)}${v}`);
  lines.push(label(msg('Inputs')));
  for (const v of s.inputs) lines.push(`  ${v.name}: ${v.type}`);
  lines.push(label(msg('Outputs')));
  for (const v of s.outputs) lines.push(`  ${v.name}: ${v.type}`);
  if (s.externalData.length) {
    lines.push(label(msg('External data')));
    for (const e of s.externalData) {
      lines.push(`  ${e.location}: ${ctx.t(msg('{0} tensors, {1}', e.tensors, bytesText(e.bytes)))}${e.problem ? ` - ${ctx.t(e.problem)}` : ''}`);
    }
  }
  if (s.metadata.length) {
    lines.push(label(msg('Metadata')));
    for (const m of s.metadata) lines.push(`  ${m.key}: ${m.value.length > 120 ? m.value.slice(0, 117) + '...' : m.value}`);
  }
  lines.push(label(msg('Op types')));
  for (const { op, count } of s.ops) lines.push(`  ${String(count).padStart(6)}  ${op}`);
  return lines.join('\n') + '\n';
}

async function check(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { target: { type: 'string', short: 't' }, profile: { type: 'string' }, format: { type: 'string' }, all: { type: 'boolean' }, 'fail-on': { type: 'string' } });
  const format = formatOption(values.format, ['text', 'json', 'sarif']);
  const failOn: readonly FailKind[] = typeof values['fail-on'] === 'string' ? parseFailOn(values['fail-on']) ?? [] : DEFAULT_FAIL_ON;
  if (!failOn.length) throw new UsageError(msg('Unknown --fail-on "{0}": use {1}, or several separated by commas.', String(values['fail-on']), FAIL_KINDS.join(', ')));
  const file = modelArgument(positionals);
  const model = await openInputModel(ctx, file);
  const { profile, result, defaultTarget } = await checkModel({
    model,
    ...(typeof values.target === 'string' ? { target: values.target } : {}),
    ...(typeof values.profile === 'string' ? { profileFile: values.profile } : {}),
    workspace: ctx.cwd,
    signal: ctx.signal,
    // the reports list findings only: no verdict is kept for a supported node
    findingsOnly: true,
  });
  if (defaultTarget !== undefined) ctx.note(ctx.t(msg('No --target given: checking against {0}, the default (see "npu-port onnx targets").', defaultTarget)));
  const absolute = path.resolve(ctx.cwd, file);
  if (format === 'json') ctx.json(checkToJson(result, file, ctx.t, failOn));
  else if (format === 'sarif') {
    // SARIF is read by tools: without indentation it is 40 % smaller (about 750 characters a result).
    ctx.json(checkToSarif(result, pathToFileURL(absolute).href, ctx.t, typeof NPU_PORT_VERSION === 'string' ? NPU_PORT_VERSION : 'dev', failOn), undefined, { compact: true });
    const findings = result.modelReasons.length + result.verdicts.reduce((n, v) => n + (v.verdict === 'supported' ? 0 : v.reasons.length), 0);
    if (findings > SARIF_MAX_RESULTS) ctx.note(ctx.t(msg('SARIF holds the first {0} of {1} results, errors first (GitHub code scanning rejects a run with more); the count left out is in runs[0].properties.omittedResults. --format json lists every node.', SARIF_MAX_RESULTS, findings)));
  }
  else ctx.out(checkText(ctx, file, profile, result, values.all === true));
  return checkFails(result, failOn) ? EXIT_FINDINGS : EXIT_OK;
}

const GROUP_THRESHOLD = 3;
const GROUP_SAMPLE = 4;

function checkText(ctx: CliContext, file: string, profile: TargetProfile, result: CheckResult, all: boolean): string {
  const lines: string[] = [];
  lines.push(ctx.t(msg('{0} on {1} ({2}): {3} nodes, {4} supported, {5} unsupported, {6} unverified', file, profile.name, profile.id, result.nodeCount, result.counts.supported, result.counts.unsupported, result.counts.unverified)));
  if (result.toolkit) lines.push(`  ${ctx.t(msg('Facts for {0} {1} (releases covered: {2}; pick one with --target {3}@VERSION).', result.toolkit.name, result.toolkit.version, profile.toolkit?.available.join(', ') ?? result.toolkit.version, profile.id))}`);
  for (const r of result.modelReasons) lines.push(`  [${r.code}] ${ctx.t(r.message)}`);
  const nodeName = (v: NodeVerdict) => (v.name ? boundString(v.name) : `#${v.index}`);
  const nodeLines = (v: NodeVerdict) => {
    const where = v.graph === 'main' ? '' : ` (${boundString(v.graph)})`;
    lines.push(`  ${opLabel(v)}  ${nodeName(v)}${where}`);
    if (v.modulePath) lines.push(`    ${v.constructs ? ctx.t(msg('module: {0}; typically from: {1}', v.modulePath, v.constructs.join(' | '))) : ctx.t(msg('module: {0}', v.modulePath))}`);
    else if (v.constructs) lines.push(`    ${ctx.t(msg('typically from: {0}', v.constructs.join(' | ')))}`);
    for (const r of v.reasons) lines.push(`    [${r.code}] ${ctx.t(r.message)}${r.source && !ctx.t(r.message).includes(r.source) ? ` (${r.source})` : ''}`);
    for (const h of v.hints) lines.push(`    ${ctx.t(msg('hint: {0}', ctx.t(h.message)))}`);
  };
  // Nodes with the same op, status and reason codes are one finding (shared/problems, as in the viewer and
  // the JSON report); the first stands for the group (--all lists every node; JSON always does).
  const groups = groupFindings(result);
  const section = (title: Message, status: 'unsupported' | 'unverified') => {
    const mine = groups.filter((g) => g.status === status);
    if (!mine.length) return;
    lines.push('', ctx.t(title));
    for (const { items: group } of mine) {
      if (all || group.length <= GROUP_THRESHOLD) {
        group.forEach(nodeLines);
        continue;
      }
      nodeLines(group[0]!);
      const others = group.slice(1, 1 + GROUP_SAMPLE).map(nodeName).join(', ');
      lines.push(`    ${ctx.t(msg('and {0} more {1} nodes with the same findings: {2}, ...', group.length - 1, opLabel(group[0]!), others))}`);
    }
  };
  section(msg('Unsupported:'), 'unsupported');
  section(msg('Unverified (the target data cannot tell):'), 'unverified');
  const byOp = new Map<string, number>();
  for (const v of result.verdicts) if (v.verdict === 'unsupported') byOp.set(opLabel(v), (byOp.get(opLabel(v)) ?? 0) + 1);
  if (byOp.size) lines.push('', ctx.t(msg('Unsupported by op: {0}', [...byOp].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', '))));
  return lines.join('\n') + '\n';
}

async function text(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'max-values': { type: 'string' }, 'no-node-names': { type: 'boolean' } });
  const file = modelArgument(positionals);
  const raw = values['max-values'];
  const maxValues = raw === undefined ? undefined : raw === 'all' ? Infinity : Number(raw);
  if (maxValues !== undefined && !(maxValues >= 0)) throw new UsageError(msg('--max-values takes a number of elements or "all".'));
  const model = await openInputModel(ctx, file);
  // written as it is made (a 300k-node graph is never one string in memory)
  await modelText({ model, ...(maxValues !== undefined ? { maxValues } : {}), nodeNames: values['no-node-names'] !== true, signal: ctx.signal, write: (t) => ctx.out(t) });
  return EXIT_OK;
}

async function whitelist(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { name: { type: 'string' }, description: { type: 'string' }, output: { type: 'string', short: 'o' } });
  const name = typeof values.name === 'string' ? values.name : '';
  checkWhitelistRequest({ name, models: positionals }); // before any model is opened
  const models = [];
  for (const file of positionals) models.push(await openInputModel(ctx, file));
  const { profile, text } = whitelistProfile({ name, models, ...(typeof values.description === 'string' ? { description: values.description } : {}), signal: ctx.signal });
  if (typeof values.output === 'string') {
    await writeFileAtomic(path.resolve(ctx.cwd, values.output), text);
    ctx.log.info(ctx.t(msg('Wrote {0} ({1} op types).', values.output, profile.ops.length)));
  } else {
    ctx.out(text);
  }
  return EXIT_OK;
}

/** `ops`: op types, each once (a QNN op type matched in ai.onnx and com.microsoft alike is one); per domain. */
function opCountsJson(p: TargetProfile): { ops: number; opDomains: { domain: string; ops: number }[]; sharedOpDomains?: readonly string[] } {
  const { total, domains, sharedWith } = opCounts(p);
  return { ops: total, opDomains: domains, ...(sharedWith.length ? { sharedOpDomains: sharedWith } : {}) };
}

/** "107 ops", "120 ops (ai.onnx 108, npu 12)", "108 ops (ai.onnx 108; the same op types in com.microsoft)". */
function opCountsText(p: TargetProfile): Message {
  const { total, domains, sharedWith } = opCounts(p);
  const perDomain = domains.map((d) => `${d.domain} ${d.ops}`).join(', ');
  if (sharedWith.length) return msg('{0} ops ({1}; the same op types in {2})', total, perDomain, sharedWith.join(', '));
  return domains.length > 1 ? msg('{0} ops ({1})', total, perDomain) : msg('{0} ops', total);
}

async function targets(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
  if (positionals.length) throw new UsageError(msg('"onnx targets" takes no arguments.'));
  const format = formatOption(values.format, ['text', 'json']);
  const { profiles: all, errors } = await listTargets({ folders: [ctx.cwd], signal: ctx.signal });
  for (const error of errors) ctx.log.warn(ctx.t(error.detail));
  if (format === 'json') {
    ctx.json({
      version: 1,
      targets: all.map((p) => ({
        id: p.id, name: p.name, kind: p.kind, toolchain: p.toolchain, description: ctx.t(p.description),
        ...opCountsJson(p), staticShapes: p.staticShapes, ...(p.modelOpsets ? { modelOpsets: p.modelOpsets } : {}),
        ...(p.toolkit ? { toolkit: { name: p.toolkit.name, version: p.toolkit.version, available: [...p.toolkit.available] } } : {}),
        caveats: p.caveats.map(ctx.t), sources: p.sources.map((src) => ({ label: ctx.t(src.label), ref: src.ref })), ...(p.file ? { file: path.relative(ctx.cwd, p.file) } : {}),
      })),
    });
    return EXIT_OK;
  }
  const lines: string[] = [];
  for (const p of all) {
    lines.push(`${p.id.padEnd(12)} ${p.name} [${p.kind}, ${ctx.t(opCountsText(p))}]`);
    lines.push(`             ${ctx.t(p.description)}`);
    if (p.toolkit) lines.push(`             ${ctx.t(msg('toolkit: {0} {1} (default; covered: {2})', p.toolkit.name, p.toolkit.version, p.toolkit.available.join(', ')))}`);
    for (const c of p.caveats) lines.push(`             ${ctx.t(msg('note: {0}', ctx.t(c)))}`);
    for (const s of p.sources) lines.push(`             ${ctx.t(msg('source: {0} ({1})', ctx.t(s.label), p.file ? path.relative(ctx.cwd, s.ref) : s.ref))}`);
    lines.push('');
  }
  ctx.out(lines.join('\n'));
  return EXIT_OK;
}
