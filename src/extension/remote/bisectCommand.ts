/**
 * "NPU: Bisect Compile Failure": runs the `bisect` task on the model (the task terminal streams every
 * compile) and follows it in a cancellable notification; Cancel stops the task, which kills the remote
 * compile. The failing nodes land in the Problems view (each one reveals its node in the viewer) and the
 * whitelist profile in .npu-port/profiles/.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NpuPortTaskDefinition, RemoteTaskEvent, RemoteTaskProvider } from './taskProvider';

export async function bisectCompileFailure(
  provider: RemoteTaskProvider,
  runTask: (definition: NpuPortTaskDefinition) => Promise<vscode.TaskExecution | undefined>,
  model: string,
): Promise<RemoteTaskEvent | undefined> {
  const definition: NpuPortTaskDefinition = { type: 'npu-port', task: 'bisect', model };
  const mine = (e: RemoteTaskEvent) => e.definition.task === 'bisect' && e.definition.model === model;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Bisecting the compile failure of {0}', path.basename(model)), cancellable: true },
    async (progress, token) => {
      const subscriptions: vscode.Disposable[] = [];
      try {
        const ended = new Promise<RemoteTaskEvent | undefined>((resolve) => {
          subscriptions.push(
            provider.onDidReport((e) => {
              if (!mine(e)) return;
              if (e.step) progress.report({ message: e.step });
              else resolve(e);
            }),
          );
        });
        const execution = await runTask(definition);
        if (!execution) return undefined;
        subscriptions.push(token.onCancellationRequested(() => execution.terminate()));
        // A task that ends without a report (its terminal never ran) ends the wait too. A stopped task ends at
        // once but reports only after the remote processes are killed, which takes seconds on a busy link.
        const gone = new Promise<undefined>((resolve) => subscriptions.push(vscode.tasks.onDidEndTask((e) => e.execution === execution && setTimeout(() => resolve(undefined), 15_000))));
        const event = await Promise.race([ended, gone]);
        void announce(event);
        return event;
      } finally {
        for (const s of subscriptions) s.dispose();
      }
    },
  );
}

async function announce(event: RemoteTaskEvent | undefined): Promise<void> {
  if (!event || event.cancelled) return;
  if (event.error) return void vscode.window.showErrorMessage(event.error);
  const stats = event.result?.stats as { failingOps: string[]; whitelist: string[]; profile: string; profileFile: string; truncated: boolean; compiles: number } | undefined;
  if (!stats) return;
  const open = vscode.l10n.t('Open Profile');
  const text = stats.truncated
    ? vscode.l10n.t('Stopped at the compile limit after {0} compiles: run Bisect Compile Failure again to continue from the record. Ops that do not compile so far: {1}.', stats.compiles, stats.failingOps.join(', ') || '-')
    : stats.failingOps.length
    ? vscode.l10n.t('Ops that do not compile: {0}. The {1} ops of the passing parts are saved as the target "{2}".', stats.failingOps.join(', '), stats.whitelist.length, stats.profile)
    : vscode.l10n.t('Every part compiled. The {0} ops are saved as the target "{1}".', stats.whitelist.length, stats.profile);
  const answer = await (stats.failingOps.length || stats.truncated ? vscode.window.showWarningMessage(text, open) : vscode.window.showInformationMessage(text, open));
  if (answer === open) await vscode.window.showTextDocument(vscode.Uri.file(stats.profileFile));
}
