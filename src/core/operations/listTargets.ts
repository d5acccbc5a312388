/**
 * The user action "which NPU targets can I check against" (`npu-port onnx targets`, the target pickers
 * of the editor): the built-in targets, then the whitelist profiles of `.npu-port/profiles` of each
 * folder, with the files that could not be read. The pickers also list each Hexagon architecture of
 * qnn-htp other than the default one (`qnn-htp@v68` ...), right after qnn-htp.
 */
import type { ProfileError } from '../onnx/errors';
import { builtinProfiles, HTP_ARCHS, loadWorkspaceProfiles, QNN_EP_OFFERED, qnnProfile } from '../onnx/targets';
import type { TargetProfile } from '../onnx/targets/profile';
import type { OperationRequest } from './types';

export interface ListTargetsRequest extends OperationRequest {
  /** Folders whose `.npu-port/profiles/*.json` are read, in order. */
  readonly folders: readonly string[];
  /** A folder that cannot be listed is skipped and reported here; without it the error is thrown. */
  readonly onFolderError?: (folder: string, error: unknown) => void;
  /**
   * List the non-default Hexagon architectures of qnn-htp as targets of their own (`qnn-htp@v68`), after qnn-htp,
   * then each onnxruntime-qnn release the data covers (`qnn-htp@ep2.6`, `qnn-htp@ep2.0`; default architecture).
   */
  readonly architectures?: boolean;
}

export interface ListTargetsResult {
  readonly profiles: readonly TargetProfile[];
  /** Profile files that could not be read, and folders that could not be listed. */
  readonly errors: readonly ProfileError[];
}

export async function listTargets(request: ListTargetsRequest): Promise<ListTargetsResult> {
  const profiles: TargetProfile[] = request.architectures ? withArchitectures(builtinProfiles()) : [...builtinProfiles()];
  const errors: ProfileError[] = [];
  for (const folder of request.folders) {
    request.signal?.throwIfAborted();
    try {
      const found = await loadWorkspaceProfiles(folder);
      profiles.push(...found.profiles);
      errors.push(...found.errors);
    } catch (error) {
      if (!request.onFolderError) throw error;
      request.onFolderError(folder, error);
    }
  }
  return { profiles, errors };
}

/**
 * The built-ins with `qnn-htp@vNN` (newest first, the default architecture left out: it is qnn-htp) after qnn-htp,
 * then `qnn-htp@epX.Y` for every onnxruntime-qnn release from the pinned one on (newest first), each naming its release; the pinned one
 * has the facts of qnn-htp itself, listed so that the release is a choice next to the later ones.
 */
function withArchitectures(builtins: readonly TargetProfile[]): TargetProfile[] {
  return builtins.flatMap((p) => {
    if (p.toolchain !== 'qnn' || !p.toolkit) return [p];
    const others = HTP_ARCHS.filter((arch) => arch !== p.toolkit!.version).map((arch) => ({ ...qnnProfile(arch), id: `${p.id}@${arch}` }));
    const releases = QNN_EP_OFFERED.map((ep) => ({ ...qnnProfile(undefined, ep, true), id: `${p.id}@${releaseTag(ep)}` }));
    return [p, ...others, ...releases];
  });
}

/** `2.6.0` -> `ep2.6` (what `--target qnn-htp@ep2.6` and the setting take); `2.6.1` stays `ep2.6.1`. */
function releaseTag(ep: string): string {
  return `ep${ep.replace(/\.0$/, '')}`;
}
