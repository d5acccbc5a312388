/**
 * The user action "check a model against an NPU target" (`npu-port onnx check`, NPU: Check ONNX Model):
 * the profile (a built-in target, a release of one, a whitelist profile file or a workspace profile;
 * the default target when none is named) and the node-by-node verdicts.
 */
import { checkModel as checkNodes, type CheckResult } from '../onnx/check';
import type { Model } from '../onnx/model';
import { resolveProfile } from '../onnx/targets';
import type { TargetProfile } from '../onnx/targets/profile';
import { DEFAULT_EXPORT_TARGET_ID } from '../python/rules/onnxExportTarget';
import type { OperationRequest } from './types';

export interface CheckModelRequest extends OperationRequest {
  readonly model: Model;
  /** A profile already chosen (the editor's pick); else `target` / `profileFile` are resolved here. */
  readonly profile?: TargetProfile;
  readonly target?: string;
  readonly profileFile?: string;
  /** Folder whose `.npu-port/profiles` hold workspace profiles, and that `profileFile` is relative to. */
  readonly workspace?: string;
  /** Keep verdicts of nodes with findings only (reports; a supported node costs no memory). */
  readonly findingsOnly?: boolean;
  /** The check as a face keeps it per target (the viewer's ModelSession caches results); default: checked here. */
  readonly cachedCheck?: (profile: TargetProfile) => Promise<CheckResult>;
}

export interface CheckModelResult {
  readonly profile: TargetProfile;
  readonly result: CheckResult;
  /** The target checked against because the request named none (the face says so). */
  readonly defaultTarget?: string;
}

export async function checkModel(request: CheckModelRequest): Promise<CheckModelResult> {
  const defaulted = !request.profile && request.target === undefined && request.profileFile === undefined;
  const profile = request.profile ?? await resolveProfile({
    ...(defaulted ? { target: DEFAULT_EXPORT_TARGET_ID } : request.target !== undefined ? { target: request.target } : {}),
    ...(request.profileFile !== undefined ? { profileFile: request.profileFile } : {}),
    ...(request.workspace !== undefined ? { workspace: request.workspace } : {}),
  });
  const result = request.cachedCheck ? await request.cachedCheck(profile) : checkNodes(request.model, profile, { ...(request.signal ? { signal: request.signal } : {}), ...(request.findingsOnly ? { findingsOnly: true } : {}) });
  return { profile, result, ...(defaulted ? { defaultTarget: DEFAULT_EXPORT_TARGET_ID } : {}) };
}
