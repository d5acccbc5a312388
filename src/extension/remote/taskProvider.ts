/**
 * Tasks of type `npu-port` with task convert | precheck | benchmark | doctor | run, run through a
 * CustomExecution pseudoterminal: streamed, coloured output; Ctrl+C or stopping the task cancels
 * and kills the remote process tree; the exit code is the task's. Results become diagnostics on
 * the model and artifacts beside it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorText } from '../../core/errors';
import type { HostConfig } from '../../core/remote/hosts';
import type { DoctorCheck } from '../../core/remote/tasks/doctor';
import { taskOptions, type TaskOptionFields } from '../../core/remote/tasks/definition';
import type { RemoteTaskRequest } from '../../core/remote/tasks/execute';
import { remoteTask } from '../../core/operations/remoteTask';
import { REMOTE_TASK_KINDS, type RemoteTaskKind, type RemoteTaskResult } from '../../core/remote/tasks/types';
import { errorMessage, t } from '../l10n';
import { getLog } from '../log';
import type { RemoteConnections } from './connections';
import { toVscodeDiagnostics } from './diagnostics';
import { activeHost, hostNamed, readHostsSetting } from './hostsSetting';
import { isLocalHostName, thisMachine } from './thisMachine';
import { ansi, TerminalLineWriter } from './terminalColors';

export const TASK_TYPE = 'npu-port';

/**
 * A task definition (package.json `taskDefinitions`): which task, host, model and `run`'s arguments,
 * and the task options of src/core/remote/tasks/definition.ts under their keys.
 */
export interface NpuPortTaskDefinition extends vscode.TaskDefinition {
  readonly task: string;
  readonly host?: string;
  readonly model?: string;
  readonly args?: string[];
  readonly [option: string]: unknown;
}

/** What a running task reports, for commands that show their own progress (bisect). */
export interface RemoteTaskEvent {
  readonly definition: NpuPortTaskDefinition;
  /** A step, in the reader's language. */
  readonly step?: string;
  /** Set once, when the task ends: its result, or the error that stopped it. */
  readonly result?: RemoteTaskResult;
  readonly error?: string;
  readonly cancelled?: boolean;
}

export function isRemoteKind(task: string): task is RemoteTaskKind {
  return (REMOTE_TASK_KINDS as readonly string[]).includes(task);
}

export class RemoteTaskProvider implements vscode.TaskProvider {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('npu-port-remote');
  private readonly events = new vscode.EventEmitter<RemoteTaskEvent>();
  readonly onDidReport = this.events.event;

  constructor(
    private readonly connections: RemoteConnections,
    private readonly extensionId: string,
  ) {}

  provideTasks(): vscode.Task[] {
    const local = thisMachine();
    return [...readHostsSetting(), ...(local ? [local.host] : [])].map((host) => this.build({ type: TASK_TYPE, task: 'doctor', host: host.name }, vscode.TaskScope.Workspace));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as NpuPortTaskDefinition;
    if (!isRemoteKind(definition.task)) return undefined; // scan / check belong to other features
    return this.build(definition, task.scope ?? vscode.TaskScope.Workspace);
  }

  /** A task for a definition; its name says what and where. */
  build(definition: NpuPortTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope): vscode.Task {
    const named = definition.host ?? activeHost()?.name ?? '?';
    const where = isLocalHostName(named) ? vscode.l10n.t('This machine') : named;
    const name = definition.model ? `${definition.task} ${path.basename(definition.model)} @ ${where}` : `${definition.task} @ ${where}`;
    const task = new vscode.Task(
      definition,
      scope,
      name,
      TASK_TYPE,
      new vscode.CustomExecution(async (resolved) => new RemoteTaskTerminal(resolved as NpuPortTaskDefinition, scope, this.connections, this.diagnostics, this.extensionId, this.events)),
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.events.dispose();
  }
}

function resolveLocal(file: string, scope: vscode.WorkspaceFolder | vscode.TaskScope): string {
  if (path.isAbsolute(file)) return file;
  const folder = typeof scope === 'object' ? scope : vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, file) : path.resolve(file);
}

class RemoteTaskTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly controller = new AbortController();
  private readonly lines = new TerminalLineWriter((text) => this.writer.fire(text));

  constructor(
    private readonly definition: NpuPortTaskDefinition,
    private readonly scope: vscode.WorkspaceFolder | vscode.TaskScope,
    private readonly connections: RemoteConnections,
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly extensionId: string,
    private readonly events: vscode.EventEmitter<RemoteTaskEvent>,
  ) {}

  open(): void {
    void this.run().then((code) => this.closer.fire(code));
  }

  close(): void {
    this.controller.abort();
  }

  handleInput(data: string): void {
    if (data === '\x03') {
      this.say(vscode.l10n.t('Cancelling: stopping the remote processes...'), ansi.YELLOW);
      this.controller.abort();
    }
  }

  private say(text: string, color = ansi.DIM): void {
    this.writer.fire(`${color}${text}${ansi.RESET}\r\n`);
  }

  private host(): HostConfig | undefined {
    return this.definition.host ? hostNamed(this.definition.host) : activeHost();
  }

  private async run(): Promise<number> {
    const d = this.definition;
    const host = this.host();
    if (!isRemoteKind(d.task)) {
      this.say(vscode.l10n.t('"{0}" is not a remote task.', d.task), ansi.RED);
      return 2;
    }
    if (!host) {
      this.say(
        d.host && isLocalHostName(d.host)
          ? vscode.l10n.t('No NPU toolchain was found on this machine (atc or qnn-onnx-converter on PATH, ASCEND_TOOLKIT_HOME / QNN_SDK_ROOT, or the vendor environment script).')
          : d.host
            ? vscode.l10n.t('No host named "{0}" in the npuPort.hosts setting.', d.host)
            : vscode.l10n.t('No remote host is configured: run "NPU: Add Remote Host" first.'),
        ansi.RED,
      );
      return 2;
    }
    const model = d.model ? resolveLocal(d.model, this.scope) : undefined;
    let options: TaskOptionFields;
    try {
      options = taskOptions(d.task, d, 'key', (p) => resolveLocal(p, this.scope));
    } catch (error) {
      this.say(errorMessage(error), ansi.RED);
      return 2;
    }
    const { bisect, ...rest } = options;
    const request: RemoteTaskRequest = {
      task: d.task,
      host,
      ...(model ? { model } : {}),
      ...rest,
      ...(d.task === 'run' ? { outDir: options.outDir ?? resolveLocal('.', this.scope), ...(d.args ? { argv: d.args } : {}) } : {}),
      ...(d.task === 'bisect'
        ? { bisect: { projectDir: resolveLocal('.', model ? (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(model)) ?? this.scope) : this.scope), ...bisect } }
        : {}),
    };
    this.say(isLocalHostName(host.name) ? vscode.l10n.t('{0} on this machine ({1})', d.task, host.host) : vscode.l10n.t('{0} on {1} ({2}@{3}:{4})', d.task, host.name, host.user, host.host, host.port));
    this.connections.setState(host.name, 'running');
    try {
      const result = await remoteTask({
        task: request,
        workspaceTrusted: vscode.workspace.isTrusted,
        session: (h, signal) => this.connections.get(h, signal),
        onOutput: (text) => this.lines.push(text),
        onProgress: ({ message, notable }) => {
          // a bisection's compiles are counted in the summary; the terminal shows the task's steps
          if (!message || notable) return;
          const text = t(message);
          this.say(text);
          this.events.fire({ definition: d, step: text });
        },
        signal: this.controller.signal,
        logger: getLog(),
      });
      this.lines.flush();
      this.report(result, model);
      this.events.fire({ definition: d, result });
      // the saved statistics open in the Benchmark Results view (src/extension/results)
      if (result.task === 'benchmark' && result.exitCode === 0 && result.artifacts[0]) {
        void vscode.commands.executeCommand('npuPort.showBenchmarkResults', vscode.Uri.file(result.artifacts[0]), { fromTask: true });
      }
      this.connections.setState(host.name, 'connected');
      return result.exitCode;
    } catch (error) {
      this.lines.flush();
      if (error instanceof Error && error.name === 'AbortError') {
        this.say(vscode.l10n.t('Cancelled; the remote processes were stopped.'), ansi.YELLOW);
        this.events.fire({ definition: d, cancelled: true });
        this.connections.setState(host.name, 'connected');
        return 130;
      }
      this.connections.setState(host.name, 'failed');
      const text = errorMessage(error);
      getLog().error(`remote task ${d.task} on ${host.name}: ${errorText(error)}`);
      this.say(text, ansi.RED);
      this.events.fire({ definition: d, error: text });
      if (!vscode.workspace.isTrusted) void vscode.window.showWarningMessage(text);
      return 2;
    }
  }

  private report(result: RemoteTaskResult, model: string | undefined): void {
    if (model && (result.task === 'convert' || result.task === 'precheck' || result.task === 'benchmark' || result.task === 'bisect')) {
      const uri = vscode.Uri.file(model);
      this.diagnostics.set(uri, toVscodeDiagnostics(uri, result.diagnostics, this.extensionId));
    }
    for (const item of result.diagnostics) {
      const where = item.node ? ` [${item.node}${item.op ? ` (${item.op})` : ''}]` : '';
      this.say(`${item.code}${where}: ${item.localized ? t(item.localized) : item.message.split('\n')[0]}`, item.severity === 'error' ? ansi.RED : ansi.YELLOW);
      if (item.known) {
        this.say('  ' + vscode.l10n.t('Why: {0}', t(item.known.explanation)));
        this.say('  ' + vscode.l10n.t('Fix: {0}', t(item.known.fix)));
      }
    }
    if (result.task === 'doctor') {
      for (const c of (result.stats?.checks ?? []) as DoctorCheck[]) {
        this.say(`${c.status === 'ok' ? '✓' : c.status === 'warn' ? '!' : '✗'} ${t(c.message)}`, c.status === 'ok' ? ansi.GREEN : c.status === 'warn' ? ansi.YELLOW : ansi.RED);
        if (c.fix) this.say('  ' + vscode.l10n.t('Fix: {0}', t(c.fix)));
      }
    }
    if (result.task === 'benchmark' && result.stats) {
      const s = result.stats as { npu: Record<string, number | undefined>; cpu?: Record<string, number> };
      const row = (label: string, key: string) =>
        `${label.padEnd(10)}${(s.npu[key]?.toFixed(3) ?? '-').padStart(14)}${s.cpu ? (s.cpu[key]?.toFixed(3) ?? '-').padStart(14) : ''}`;
      this.say(`${''.padEnd(10)}${'NPU'.padStart(14)}${s.cpu ? 'CPU'.padStart(14) : ''}`, ansi.RESET);
      for (const key of ['mean', 'std', 'min', 'max', 'p50', 'p95', 'p99', 'throughput']) this.say(row(key, key), ansi.RESET);
      if ((result.stats as { npuFrom?: string }).npuFrom === 'tool-summary') {
        this.say(vscode.l10n.t('{0} printed only summary figures, not the time of each run: the NPU figures marked "-" are not computed.', String(result.stats.tool)), ansi.YELLOW);
      }
    }
    if (result.task === 'bisect' && result.stats) {
      const s = result.stats as { compiles: number; reused: number; failingOps: string[]; passingParts: unknown[]; whitelist: string[]; truncated: boolean };
      this.say(vscode.l10n.t('{0} compiles ({1} reused): failing ops {2}; {3} passing parts; {4} ops in the whitelist.', s.compiles, s.reused, s.failingOps.join(', ') || '-', s.passingParts.length, s.whitelist.length), ansi.RESET);
      if (s.truncated) this.say(vscode.l10n.t('Stopped at the compile limit (maxCompiles); run the task again to continue from the record.'), ansi.YELLOW);
    }
    for (const artifact of result.artifacts) this.say(vscode.l10n.t('Saved {0}', artifact), ansi.GREEN);
    if (result.task === 'bisect' && result.exitCode !== 0 && !(result.stats as { truncated?: boolean } | undefined)?.truncated) return this.say(vscode.l10n.t('Done: parts of the model do not compile; the failing nodes are in the Problems view.'), ansi.RED);
    this.say(result.exitCode === 0 ? vscode.l10n.t('Done.') : vscode.l10n.t('Failed (tool exit code {0}).', String(result.toolExitCode ?? '-')), result.exitCode === 0 ? ansi.GREEN : ansi.RED);
  }
}
