/**
 * The user actions that run on an NPU host or on this machine's toolchain, one request each: convert
 * (ATC / QNN compile), precheck, benchmark, doctor, run, bisect (`npu-port remote <task>`, the npu-port
 * task type and the NPU: Remote ... commands). The request is checked before anything connects; the
 * progress of a task's steps goes to the one progress callback.
 */
import { executeRemoteTask, validateRequest, type ExecuteDeps, type RemoteTaskRequest } from '../remote/tasks/execute';
import type { RemoteTaskResult } from '../remote/tasks/types';
import type { OperationRequest } from './types';

export type { RemoteTaskRequest, RemoteTaskResult };

export interface RemoteTaskOperationRequest extends OperationRequest, Omit<ExecuteDeps, 'signal' | 'onStep' | 'onProgress'> {
  readonly task: RemoteTaskRequest;
}

/** Checks a task request without connecting (throws RemoteTaskRequestError), so a face can refuse it early. */
export function checkRemoteTask(request: RemoteTaskRequest): RemoteTaskRequest {
  return validateRequest(request);
}

export async function remoteTask(request: RemoteTaskOperationRequest): Promise<RemoteTaskResult> {
  const { task, signal, onProgress, ...deps } = request;
  return executeRemoteTask(validateRequest(task), {
    ...deps,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onStep: (message) => onProgress({ message }), onProgress: (message) => onProgress({ message, notable: true }) } : {}),
  });
}
