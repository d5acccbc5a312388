/** `convert` and `precheck`: ONNX → OM with atc on Ascend hosts, ONNX → QNN context binary on QNN hosts. */
import * as path from 'node:path';
import { formatMessage, msg } from '../../l10n';
import { parseAtcLog, atcConvertArgs, atcPrecheckArgs } from '../toolchains/atc';
import { parseQnnLog, qnnContextBinaryArgs, qnnConverterArgs, qnnHtpBackend, qnnModelLibArgs, qnnModelLibPath } from '../toolchains/qnn';
import { fetchArtifact, onModel, outputPlace, remotePath, runTool, stem, uploadModel, withKnowledge } from './common';
import type { RemoteTaskResult, TaskContext, TaskDiagnostic } from './types';

export interface ConvertOptions {
  /** Local ONNX model. */
  readonly model: string;
  /** Ascend: ATC --soc_version (required there). */
  readonly soc?: string;
  readonly inputShape?: string;
  readonly dynamicBatch?: readonly number[];
  readonly precision?: string;
  /** Local folder for the result (default: beside the model). */
  readonly outDir?: string;
  /** QNN: remote input list for quantization (raw files listed one per line). */
  readonly quantInputList?: string;
  /** QNN: qnn-model-lib-generator target (default from the host kind). */
  readonly qnnTarget?: string;
}

export async function convertTask(ctx: TaskContext, o: ConvertOptions): Promise<RemoteTaskResult> {
  return ctx.session.host.kind === 'ascend' ? convertAscend(ctx, o) : convertQnn(ctx, o);
}

async function convertAscend(ctx: TaskContext, o: ConvertOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const name = stem(o.model);
  const workdir = await ctx.session.workdir();
  const localOm = path.join(o.outDir ?? path.dirname(o.model), `${name}.om`);
  const out = outputPlace(ctx, remotePath(workdir, 'out', name), localOm, '.om');
  const remoteModel = await uploadModel(ctx, o.model, [remotePath(workdir, 'out')]);
  const argv = atcConvertArgs({
    model: remoteModel,
    output: out.base,
    socVersion: o.soc!,
    ...(o.inputShape ? { inputShape: o.inputShape } : {}),
    ...(o.dynamicBatch ? { dynamicBatchSizes: o.dynamicBatch } : {}),
    ...(o.precision ? { precisionMode: o.precision } : {}),
  });
  let run;
  try {
    run = await runTool(ctx, argv);
  } catch (error) {
    await out.discard();
    throw error;
  }
  const parsed = parseAtcLog(run.log);
  const diagnostics = withKnowledge('atc', await onModel(ctx, o.model, parsed.diagnostics));
  const ok = run.exitCode === 0 && parsed.outcome !== 'failed';
  const artifacts: string[] = [];
  if (ok) artifacts.push(await fetchArtifact(ctx, out.file, localOm));
  else await out.discard();
  return { task: 'convert', host: host.name, exitCode: ok ? 0 : 1, toolExitCode: run.exitCode, diagnostics: withFailure(diagnostics, ok, 'atc', run.exitCode), artifacts };
}

function defaultQnnTarget(kind: string): string {
  return kind === 'qnn-windows' ? 'windows-aarch64' : 'x86_64-linux-clang';
}

async function convertQnn(ctx: TaskContext, o: ConvertOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const name = stem(o.model).replace(/[^A-Za-z0-9_]/g, '_');
  const outDir = remotePath(await ctx.session.workdir(), 'out', `${name}_qnn`);
  const remoteModel = await uploadModel(ctx, o.model, [outDir]);
  const diagnostics: TaskDiagnostic[] = [];
  const steps = qnnCompileSteps(host.kind, remoteModel, name, outDir, o);
  let exitCode: number | null = 0;
  for (const step of steps) {
    const run = await runTool(ctx, step.argv);
    exitCode = run.exitCode;
    diagnostics.push(...(withKnowledge(step.tool, await onModel(ctx, o.model, parseQnnLog(run.log)))));
    if (run.exitCode !== 0) {
      return { task: 'convert', host: host.name, exitCode: 1, toolExitCode: exitCode, diagnostics: withFailure(diagnostics, false, step.tool, run.exitCode), artifacts: [] };
    }
  }
  const local = path.join(o.outDir ?? path.dirname(o.model), `${stem(o.model)}.serialized.bin`);
  const artifacts = [await fetchArtifact(ctx, remotePath(outDir, 'context', `${name}.serialized.bin`), local)];
  return { task: 'convert', host: host.name, exitCode: 0, toolExitCode: exitCode, diagnostics, artifacts };
}

/**
 * The QNN chain for one remote ONNX model: converter → model library → HTP context binary
 * (`<outDir>/context/<name>.serialized.bin`). `name` must be a C identifier (it names the generated code).
 */
export function qnnCompileSteps(kind: string, remoteModel: string, name: string, outDir: string, o: Pick<ConvertOptions, 'quantInputList' | 'qnnTarget'> = {}): { tool: string; argv: string[] }[] {
  const windows = kind === 'qnn-windows';
  const cpp = remotePath(outDir, `${name}.cpp`);
  const target = o.qnnTarget ?? defaultQnnTarget(kind);
  return [
    { tool: 'qnn-onnx-converter', argv: qnnConverterArgs({ model: remoteModel, outputCpp: cpp, viaPython: windows, ...(o.quantInputList ? { inputList: o.quantInputList } : {}) }) },
    { tool: 'qnn-model-lib-generator', argv: qnnModelLibArgs({ cpp, bin: remotePath(outDir, `${name}.bin`), outDir: remotePath(outDir, 'model_libs'), target }) },
    {
      tool: 'qnn-context-binary-generator',
      argv: qnnContextBinaryArgs({ backend: qnnHtpBackend(windows), modelLib: qnnModelLibPath(remotePath(outDir, 'model_libs'), target, name), binaryFile: `${name}.serialized`, outDir: remotePath(outDir, 'context') }),
    },
  ];
}

/** A failed tool that printed nothing we recognize still gets one diagnostic saying so. */
export function withFailure(diagnostics: TaskDiagnostic[], ok: boolean, tool: string, exitCode: number | null): TaskDiagnostic[] {
  if (ok || diagnostics.some((d) => d.severity === 'error')) return diagnostics;
  const localized = exitCode === null ? msg('{0} was ended by a signal.', tool) : msg('{0} exited with code {1} and printed no error that is recognized; see its output.', tool, exitCode);
  return [...diagnostics, { severity: 'error', code: 'tool-failed', message: formatMessage(localized), localized, line: 0, tool }];
}

export interface PrecheckOptions {
  readonly model: string;
  readonly soc: string;
  readonly inputShape?: string;
  readonly outDir?: string;
}

/** ATC's operator pre-check (`--mode=3`); its check_result.json comes back as the artifact. */
export async function precheckTask(ctx: TaskContext, o: PrecheckOptions): Promise<RemoteTaskResult> {
  const host = ctx.session.host;
  const name = stem(o.model);
  const workdir = await ctx.session.workdir();
  const report = remotePath(workdir, 'out', `${name}.check_result.json`);
  const remoteModel = await uploadModel(ctx, o.model, [remotePath(workdir, 'out')]);
  const run = await runTool(ctx, atcPrecheckArgs({ model: remoteModel, socVersion: o.soc, checkReport: report, ...(o.inputShape ? { inputShape: o.inputShape } : {}) }));
  const parsed = parseAtcLog(run.log);
  const ok = run.exitCode === 0 && parsed.outcome !== 'failed';
  const artifacts: string[] = [];
  if (ok) {
    ctx.onStep?.(msg('Bringing back the pre-check report'));
    artifacts.push(await fetchArtifact(ctx, report, path.join(o.outDir ?? path.dirname(o.model), `${name}.check_result.json`)));
  }
  return { task: 'precheck', host: host.name, exitCode: ok ? 0 : 1, toolExitCode: run.exitCode, diagnostics: withFailure(withKnowledge('atc', await onModel(ctx, o.model, parsed.diagnostics)), ok, 'atc', run.exitCode), artifacts };
}
