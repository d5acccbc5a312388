/** The user action "a whitelist profile from models that compiled" (`npu-port onnx whitelist`): the op types they use, as a profile file's JSON. */
import { msg } from '../l10n';
import type { Model } from '../onnx/model';
import { whitelistFromModels } from '../onnx/targets';
import { InvalidRequestError, type OperationRequest } from './types';

export interface WhitelistRequest extends OperationRequest {
  readonly name: string;
  readonly models: readonly Model[];
  readonly description?: string;
}

export interface WhitelistResult {
  readonly profile: ReturnType<typeof whitelistFromModels>;
  /** The profile file's text (JSON, ending in a newline). */
  readonly text: string;
}

/**
 * Throws InvalidRequestError for a request without a name or without models. It needs the models' count
 * only, so a face that opens the models from files checks the request first (with the file names).
 */
export function checkWhitelistRequest(request: { readonly name: string; readonly models: readonly unknown[] }): void {
  if (!request.name.trim()) throw new InvalidRequestError(msg('Give the profile a name: --name NAME.'));
  if (!request.models.length) throw new InvalidRequestError(msg('Give the models that compiled.'));
}

export function whitelist(request: WhitelistRequest): WhitelistResult {
  checkWhitelistRequest(request);
  const profile = whitelistFromModels(request.name.trim(), [...request.models], request.description);
  return { profile, text: JSON.stringify(profile, null, 2) + '\n' };
}
