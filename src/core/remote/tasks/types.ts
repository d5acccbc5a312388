/** The remote tasks shared by the CLI and the extension: what they take and what they give back. */
import type { Message } from '../../l10n';
import type { Logger } from '../../log';
import type { KnownError } from '../knownErrors';
import type { Transport } from '../transport';
import type { ToolDiagnostic } from '../toolchains/diagnostics';

export type RemoteTaskKind = 'convert' | 'precheck' | 'benchmark' | 'doctor' | 'run' | 'bisect';
export const REMOTE_TASK_KINDS: readonly RemoteTaskKind[] = ['convert', 'precheck', 'benchmark', 'doctor', 'run', 'bisect'];

export interface TaskDiagnostic extends ToolDiagnostic {
  /** Which tool printed it (atc, qnn-onnx-converter, ...). */
  readonly tool: string;
  readonly known?: KnownError;
  /** For diagnostics we write ourselves (no tool text): the message in the reader's language. */
  readonly localized?: Message;
}

export interface TaskContext {
  /** Where the tools run: an SSH session, or this machine. */
  readonly session: Transport;
  /** Remote output as it arrives. */
  readonly onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Steps of the task (uploading, converting, ...), for progress and the terminal. */
  readonly onStep?: (step: Message) => void;
  /** Progress of a long task (each compile of a bisection): shown even where steps are not. Default: onStep. */
  readonly onProgress?: (step: Message) => void;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface RemoteTaskResult {
  readonly task: RemoteTaskKind;
  readonly host: string;
  /** 0 success; 1 a remote tool failed (a doctor check failed, a bisection found parts that do not compile). */
  readonly exitCode: 0 | 1;
  /** Exit status of the last remote tool that ran. */
  readonly toolExitCode?: number | null;
  readonly diagnostics: TaskDiagnostic[];
  /** Local paths of the downloaded artifacts. */
  readonly artifacts: string[];
  readonly stats?: Record<string, unknown>;
}
