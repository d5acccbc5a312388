/**
 * One entry for every remote task, used by the CLI and by the extension's task provider: checks
 * the request and Workspace Trust, connects (or reuses the host's connection), runs the task.
 */
import { msg } from '../../l10n';
import type { Logger } from '../../log';
import { cpuBenchmark, type CpuBenchmark } from '../../benchmark/cpu';
import { RemoteError } from '../errors';
import type { HostConfig } from '../hosts';
import type { Transport } from '../transport';
import { parseNpuSmiInfo, socVersionFor } from '../toolchains/npuSmi';
import { benchmarkTask, type BenchmarkOptions } from './benchmark';
import { bisectTask, PROFILE_NAME, type BisectTaskOptions } from './bisect';
import { convertTask, precheckTask, type ConvertOptions } from './convert';
import { doctorTask } from './doctor';
import { runTask } from './run';
import { REMOTE_TASK_KINDS, type RemoteTaskKind, type RemoteTaskResult, type TaskContext } from './types';
import type { Message } from '../../l10n';

/** Every task's options in one request (the CLI and the task provider build it from flat options). */
export interface RemoteTaskRequest extends Omit<ConvertOptions, 'model'>, Omit<BenchmarkOptions, 'model' | 'cpu' | 'cpuSamplesMs' | 'cpuModel'> {
  readonly task: RemoteTaskKind;
  readonly host: HostConfig;
  /** Local model (absolute): ONNX for convert/precheck, compiled model for benchmark. */
  readonly model?: string;
  /** ONNX model to run on the local CPU beside the NPU benchmark. */
  readonly cpuOnnx?: string;
  /** `run`: program and arguments. */
  readonly argv?: readonly string[];
  readonly fetch?: readonly string[];
  /** `bisect`: where `.npu-port/` goes, and the bisection's own options. */
  readonly bisect?: Omit<BisectTaskOptions, 'model' | 'soc' | 'qnnTarget'>;
}

/** A request that cannot run as given (missing model, unknown kind, ...). */
export class RemoteTaskRequestError extends RemoteError {}

/** Remote tasks never run in an untrusted workspace: they execute commands on other machines. */
export class UntrustedWorkspaceError extends RemoteError {}

export interface ExecuteDeps {
  readonly workspaceTrusted: boolean;
  /** The host's connection (reused); `connectMs` is how long connecting took (0 when reused). */
  readonly session: (host: HostConfig, signal?: AbortSignal) => Promise<{ session: Transport; connectMs: number }>;
  readonly onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
  readonly onStep?: (step: Message) => void;
  readonly onProgress?: (step: Message) => void;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/** Checks a request without touching the network; returns it unchanged or throws RemoteTaskRequestError. */
export function validateRequest(r: RemoteTaskRequest): RemoteTaskRequest {
  if (!REMOTE_TASK_KINDS.includes(r.task)) throw new RemoteTaskRequestError(msg('Unknown remote task "{0}": use doctor, precheck, convert, benchmark, run or bisect.', String(r.task)));
  if ((r.task === 'convert' || r.task === 'precheck' || r.task === 'benchmark' || r.task === 'bisect') && !r.model) throw new RemoteTaskRequestError(msg('{0} needs exactly one model file.', r.task));
  if (r.task === 'run' && !r.argv?.length) throw new RemoteTaskRequestError(msg('run needs a program: npu-port remote run [--host NAME] -- PROGRAM ARGS...'));
  if (r.task === 'precheck' && r.host.kind !== 'ascend') throw new RemoteTaskRequestError(msg('precheck uses ATC and needs an Ascend host; "{0}" is {1}.', r.host.name, r.host.kind));
  if (r.task === 'bisect' && !r.bisect) throw new RemoteTaskRequestError(msg('bisect needs the folder that receives .npu-port/profiles.'));
  if (r.task === 'bisect' && r.bisect?.profile !== undefined && !PROFILE_NAME.test(r.bisect.profile)) throw new RemoteTaskRequestError(msg('A profile name takes letters, digits, ".", "_" and "-" only.'));
  return r;
}

export async function executeRemoteTask(request: RemoteTaskRequest, deps: ExecuteDeps): Promise<RemoteTaskResult> {
  if (!deps.workspaceTrusted) throw new UntrustedWorkspaceError(msg('Remote tasks do not run in an untrusted workspace: they upload files and run commands on "{0}". Trust the workspace to run them.', request.host.name), { host: request.host.name });
  const r = validateRequest(request);
  let cpu: CpuBenchmark | undefined;
  if (r.task === 'benchmark' && r.cpuOnnx) {
    deps.onStep?.(msg('Running {0} on the local CPU (onnxruntime-node)', r.cpuOnnx));
    cpu = await cpuBenchmark(r.cpuOnnx, { loop: r.loop ?? 100, ...(r.batch ? { batch: r.batch } : {}), ...(deps.signal ? { signal: deps.signal } : {}) });
  }
  const { session, connectMs } = await deps.session(r.host, deps.signal);
  const ctx: TaskContext = {
    session,
    onOutput: deps.onOutput,
    ...(deps.onStep ? { onStep: deps.onStep } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  };
  const opt = <K extends keyof RemoteTaskRequest>(key: K) => (r[key] !== undefined ? ({ [key]: r[key] } as Pick<RemoteTaskRequest, K>) : {});
  switch (r.task) {
    case 'doctor':
      return doctorTask(ctx, connectMs);
    case 'run':
      return runTask(ctx, { argv: r.argv!, fetch: r.fetch ?? [], outDir: r.outDir ?? '.' });
    case 'benchmark':
      return benchmarkTask(ctx, { model: r.model!, ...opt('loop'), ...opt('batch'), ...opt('tool'), ...opt('inputList'), ...opt('outDir'), ...(cpu ? { cpu: cpu.stats, cpuSamplesMs: cpu.samplesMs, cpuModel: r.cpuOnnx! } : {}) });
    case 'precheck':
      return precheckTask(ctx, { model: r.model!, soc: r.soc ?? (await detectSoc(ctx)), ...opt('inputShape'), ...opt('outDir') });
    case 'bisect':
      return bisectTask(ctx, {
        ...r.bisect!,
        model: r.model!,
        ...(r.host.kind === 'ascend' ? { soc: r.soc ?? (await detectSoc(ctx)) } : {}),
        ...opt('qnnTarget'),
      });
    case 'convert':
      return convertTask(ctx, {
        model: r.model!,
        ...(r.host.kind === 'ascend' ? { soc: r.soc ?? (await detectSoc(ctx)) } : {}),
        ...opt('inputShape'),
        ...opt('dynamicBatch'),
        ...opt('precision'),
        ...opt('outDir'),
        ...opt('quantInputList'),
        ...opt('qnnTarget'),
      });
  }
}

/** Without a SoC version on an Ascend host: "Ascend" + the Name of NPU 0 in `npu-smi info` (ATC's own rule). */
async function detectSoc(ctx: TaskContext): Promise<string> {
  let text = '';
  await ctx.session.run(['npu-smi', 'info'], { onStdout: (t) => (text += t), ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const device = parseNpuSmiInfo(text)?.devices[0];
  if (!device) throw new RemoteTaskRequestError(msg('--soc is required: npu-smi info on {0} shows no NPU to take it from.', ctx.session.host.name), { host: ctx.session.host.name });
  const soc = socVersionFor(device);
  ctx.onStep?.(msg('No --soc given; using {0} from npu-smi info on {1}.', soc, ctx.session.host.name));
  return soc;
}
