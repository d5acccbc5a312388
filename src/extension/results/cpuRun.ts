/**
 * "NPU: Run ONNX Model on CPU": the local CPU benchmark of field report 004 (warm-up runs, then timed runs,
 * statistics from the core) on seeded random inputs, with progress and cancel. The same core path as
 * `npu-port onnx run` (the runOnCpu operation of src/core/operations), so the editor and the CLI measure alike.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openModel } from '../../core/onnx/decode';
import { DEFAULT_MAX_INPUT_MB } from '../../core/onnx/run/inputs';
import { runOnCpu as runOnCpuOperation } from '../../core/operations/runOnCpu';
import { MAX_SAMPLES, type BenchmarkRun } from '../../shared/results';
import { errorMessage } from '../l10n';
import { getLog } from '../log';
import { askSymbolicDims } from '../onnx/symbolicDims';

export interface CpuRunSettings {
  readonly iterations: number;
  readonly warmup: number;
}

export function cpuRunSettings(): CpuRunSettings {
  const config = vscode.workspace.getConfiguration('npuPort.benchmark');
  const whole = (value: unknown, fallback: number, min: number) => (typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fallback);
  return { iterations: whole(config.get('iterations'), 100, 1), warmup: whole(config.get('warmup'), 10, 0) };
}

/** Bytes all generated inputs may take together (`npuPort.run.maxInputMB`): for CPU runs, extraction and rewrite checks. */
export function generatedInputBudget(): number {
  const value = vscode.workspace.getConfiguration('npuPort.run').get<unknown>('maxInputMB');
  return (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_INPUT_MB) * 2 ** 20;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim();
  return (cpu ? `${os.hostname()} · ${cpu}` : os.hostname()).slice(0, 200);
}

/**
 * Runs the model; undefined when the user cancelled (a dimension prompt or the run) or it failed
 * (the error is shown).
 */
export async function runOnCpu(uri: vscode.Uri): Promise<BenchmarkRun | undefined> {
  const name = path.basename(uri.fsPath);
  const { iterations, warmup } = cpuRunSettings();
  try {
    const model = await openModel(uri.fsPath);
    // symbolic input dimensions need sizes (1 is not always valid: index ops in decoders)
    const dims = await askSymbolicDims(model, vscode.l10n.t('Run {0} on CPU', name), vscode.l10n.t('Sizes of the symbolic input dimensions (NAME=N, comma separated)'));
    if (!dims) return undefined;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Running {0} on the CPU', name), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        progress.report({ message: vscode.l10n.t('loading the model and {0} warm-up runs…', warmup) });
        let reported = 0;
        let lastReport = 0;
        try {
          const result = await runOnCpuOperation({
            file: uri.fsPath,
            model,
            random: { seed: 0, dims, maxBytes: generatedInputBudget() },
            iterations,
            warmup,
            signal: abort.signal,
            onProgress: ({ done = 0, total = 1 }) => {
              const now = Date.now();
              if (done < total && now - lastReport < 100) return;
              lastReport = now;
              progress.report({ increment: ((done - reported) / total) * 100, message: vscode.l10n.t('{0} of {1} runs', done, total) });
              reported = done;
            },
          });
          if (!result.stats) throw new Error(vscode.l10n.t('the run produced no timings'));
          const run: BenchmarkRun = {
            device: 'cpu',
            model: name,
            host: machine(),
            tool: 'onnxruntime-node',
            stats: result.stats,
            // the statistics cover every run; the histogram draws up to MAX_SAMPLES of them
            ...(result.samplesMs.length <= MAX_SAMPLES ? { samplesMs: result.samplesMs } : {}),
            iterations,
            warmup,
            when: new Date().toISOString(),
          };
          return run;
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') return undefined;
    getLog().error(`CPU run of ${uri.fsPath}`, error);
    const text = errorMessage(error);
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot run {0} on the CPU: {1}', name, text));
    return undefined;
  }
}
